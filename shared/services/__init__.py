"""Cross-silo services: each package holds its model, interface, serializers and gRPC client."""
