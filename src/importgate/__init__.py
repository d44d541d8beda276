"""importgate: stop broken imports before they reach production.

Public API: ``check()``, ``Config``, ``Finding``, ``Report``, ``RULES``.
Attributes load lazily so that ``import importgate`` stays cheap.
"""

from __future__ import annotations

from importgate.version import __version__
__all__ = ["check", "Config", "Finding", "Report", "Severity", "RULES", "__version__"]


def check(*paths: str, **options):
    """Check the project holding ``paths`` (default ".") and return a Report.

    ``options`` are Config fields (select, ignore, python, entries, ...).
    """
    from importgate.api import check_paths

    return check_paths(paths or (".",), **options)


def __getattr__(name: str):
    if name in ("Finding", "Report", "Severity"):
        from importgate import model

        return getattr(model, name)
    if name == "Config":
        from importgate.config import Config

        return Config
    if name == "RULES":
        from importgate.catalogue import RULES

        return RULES
    raise AttributeError(f"module 'importgate' has no attribute {name!r}")
