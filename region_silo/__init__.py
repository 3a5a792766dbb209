"""The region silo: organizations, members and teams near their customers."""
