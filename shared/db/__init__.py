"""Database plumbing both silos use: engines, column types, the unit of work."""
