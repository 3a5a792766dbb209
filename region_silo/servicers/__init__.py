"""gRPC servicers of the region silo."""
