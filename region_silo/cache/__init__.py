"""The region's cache plumbing: shared versions in the region database, ClearKeys."""
