"""The user service: users, their emails, permissions and roles (owned by the control silo)."""
