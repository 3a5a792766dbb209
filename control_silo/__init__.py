"""The control silo: users, emails, auth identities, options and organization mappings."""
