"""Database-backed implementations of the control silo's services."""
