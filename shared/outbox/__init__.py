"""The transactional outbox: messages written with their data, delivered after commit."""
