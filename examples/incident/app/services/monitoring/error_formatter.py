class ErrorFormatter:
    """Turns exceptions into structured log records."""
