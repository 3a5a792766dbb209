"""The control silo's per-process read cache of users."""
