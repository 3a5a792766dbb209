"""The transactional outbox: messages written with the data they describe, delivered after commit."""
