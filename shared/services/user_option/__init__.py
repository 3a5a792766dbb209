"""The user option service: per-user settings (owned by the control silo)."""
