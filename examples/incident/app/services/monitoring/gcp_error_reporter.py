"""Reports errors to Google Cloud Error Reporting, with the current request's context."""

import contextvars

_context: contextvars.ContextVar[dict] = contextvars.ContextVar("request_context", default={})


class GCPErrorReporter:
    def __init__(self, project: str = "local") -> None:
        self.project = project

    def report(self, error: BaseException) -> dict:
        return {"project": self.project, "error": repr(error), **_context.get()}


def set_request_context(**values) -> None:
    _context.set({k: v for k, v in values.items() if v is not None})


def clear_request_context() -> None:
    _context.set({})


def get_reporter() -> GCPErrorReporter:
    return GCPErrorReporter()
