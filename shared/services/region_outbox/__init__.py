"""Delivery of region outbox messages to the control silo, many per call."""
