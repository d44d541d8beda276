"""HTTP middleware."""
