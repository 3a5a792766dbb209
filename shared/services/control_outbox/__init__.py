"""Delivery of control outbox messages to a region, many per call."""
