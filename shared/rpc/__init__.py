"""gRPC plumbing shared by both silos: signing, the per-method call wrapper, the access log,
status mapping, servers, channels."""
