"""Invalidating a region's cache from another silo."""
