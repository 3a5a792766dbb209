"""gRPC plumbing shared by both silos: signing, interceptors, status mapping, servers, channels."""
