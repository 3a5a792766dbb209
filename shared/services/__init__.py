"""Cross-silo services: each package holds its wire model, interface, serializers and gRPC client."""
