"""Organization provisioning: global slugs and ids, owned by the control silo."""
