class GCPRateLimiter:
    """Keeps the error reporter under its API quota."""
