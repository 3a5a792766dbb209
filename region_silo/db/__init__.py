"""The region silo's schema and its database access."""
