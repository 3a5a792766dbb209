"""Typed service calls over gRPC without hand-copied fields."""
