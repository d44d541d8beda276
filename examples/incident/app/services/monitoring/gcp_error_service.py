class GCPErrorService:
    """Batches error reports."""
