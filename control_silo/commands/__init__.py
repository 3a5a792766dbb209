"""The control silo's `silo` commands beyond `serve control`, one module each."""
