"""gRPC servicers of the control silo: each converts messages and calls one service."""
