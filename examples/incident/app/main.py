"""Service entry point: builds the application at import time, like most ASGI/WSGI apps."""

from app.middleware.auth import AuthMiddleware
from app.services.monitoring.gcp_error_reporter import get_reporter


def create_app():
    reporter = get_reporter()
    return {"middleware": [AuthMiddleware(reporter)], "name": "incident-service"}


app = create_app()
