"""The example service."""
