"""The control silo's directory of organizations and memberships across regions."""
