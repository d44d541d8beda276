class GCPClientManager:
    """Owns the Google Cloud client."""
