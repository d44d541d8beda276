"""Authentication middleware: attaches request context to error reports."""

from app.services.monitoring import GCPErrorReporter, set_request_context, clear_request_context


class AuthMiddleware:
    def __init__(self, reporter: GCPErrorReporter) -> None:
        self.reporter = reporter

    def __call__(self, request: dict) -> dict:
        set_request_context(user_id=request.get("user"), trace_id=request.get("trace"))
        try:
            return {"status": 200}
        finally:
            clear_request_context()
