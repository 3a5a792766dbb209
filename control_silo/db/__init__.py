"""The control silo's schema and its database access."""
