"""The organization service: organizations, members and teams (owned by each region silo)."""
