"""Monitoring: error reporting to Google Cloud.

The public names of this package are listed in __all__.
"""

__all__ = [
    "GCPErrorService",
    "GCPClientManager",
    "ErrorFormatter",
    "GCPRateLimiter",
]
