"""`silo backup compare`: two exports compared as Sentry's validation compares them."""
