# Generated from protos/ by `make protos`. DO NOT EDIT.
