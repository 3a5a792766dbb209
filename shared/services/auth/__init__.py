"""The auth service: single sign-on providers and identities (owned by the control silo)."""
