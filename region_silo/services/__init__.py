"""Database-backed implementations of the region silo's services."""
