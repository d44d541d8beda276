"""Every rule importgate knows, as data: codes and names are stable API.

Families: IG0xx input, IG1xx resolution and exports, IG2xx dependencies,
IG3xx runtime (probe), IG4xx cycles.
"""

from __future__ import annotations

from importgate.model import Rule, Severity

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO

SYNTAX_ERROR = Rule("IG001", "syntax-error", E, "A file that Python cannot parse (and so cannot import).")
UNREADABLE_FILE = Rule("IG002", "unreadable-file", E, "A source file that cannot be read or decoded.")
BROKEN_PYPROJECT = Rule("IG003", "broken-pyproject", E, "pyproject.toml is not valid TOML: pip and importgate cannot read it.")

UNRESOLVED_MODULE = Rule("IG101", "unresolved-module", E, "An imported module that does not exist in the project or the target environment.")
MISSING_NAME = Rule("IG102", "missing-name", E, "`from x import y` where x does not define, import or re-export y.")
UNDEFINED_EXPORT = Rule("IG103", "undefined-export", E, "A name in __all__ that the module does not define or import: `from x import *` raises.")
RELATIVE_BEYOND_TOP = Rule("IG104", "relative-beyond-top-level", E, "A relative import that climbs above its top-level package.")
STUB_MISSING_NAME = Rule("IG105", "stub-missing-name", W, "A name missing from the .pyi stub that stands in for a compiled module.")
UNRESOLVED_TYPING_IMPORT = Rule("IG106", "unresolved-typing-import", W, "An import under `if TYPE_CHECKING:` that does not resolve (type checkers fail; run time is unaffected).")
IMPLICIT_REEXPORT = Rule("IG107", "implicit-reexport", W, "Code outside a package imports a name that the package only imports incidentally and leaves out of its __all__.")

UNDECLARED_DEPENDENCY = Rule("IG201", "undeclared-dependency", E, "A third-party import whose distribution is not a declared dependency: the production install will not have it.")
UNUSED_DEPENDENCY = Rule("IG202", "unused-dependency", W, "A declared runtime dependency that no production code imports.")
TRANSITIVE_DEPENDENCY = Rule("IG203", "transitive-dependency", W, "An import of a distribution that is installed only because a declared dependency requires it.")
DEV_DEPENDENCY_IN_PRODUCTION = Rule("IG204", "dev-dependency-in-production", E, "Production code imports a distribution declared only in a group or extra the deployment does not install.")
UNGUARDED_OPTIONAL_IMPORT = Rule("IG205", "unguarded-optional-import", W, "An extra-only distribution imported without a guard from code that runs without that extra.")
INVALID_REQUIREMENT = Rule("IG206", "invalid-requirement", E, "A dependency declaration that cannot be read (bad requirement string, missing -r file).")

# IG3xx runtime: `importgate probe` imports each module in an isolated process
IMPORT_FAILED = Rule("IG301", "import-failed", E, "Importing the module raises an exception (missing name, missing module, circular import, error in module code).")
IMPORT_TIMEOUT = Rule("IG302", "import-timeout", E, "Importing the module does not finish within the probe's timeout (it was killed).")
IMPORT_CRASHED = Rule("IG303", "import-crashed", E, "Importing the module kills the interpreter (a signal such as SIGSEGV).")
IMPORT_EXIT = Rule("IG304", "import-exit", E, "Importing the module exits the process (sys.exit, SystemExit, os._exit).")
SLOW_IMPORT = Rule("IG305", "slow-import", W, "First-party import time above --max-import-seconds.")
NETWORK_AT_IMPORT = Rule("IG306", "network-at-import", W, "Module code opens a network connection or resolves a host name when imported.")
SUBPROCESS_AT_IMPORT = Rule("IG307", "subprocess-at-import", W, "Module code starts a subprocess when imported.")
FILE_WRITE_AT_IMPORT = Rule("IG308", "file-write-at-import", W, "Module code writes a file outside temporary directories when imported.")

# IG4xx cycles: import cycles simulated the way CPython runs them; only certain failures
CIRCULAR_IMPORT = Rule("IG401", "circular-import", E, "An import cycle that fails at import time (a name read from a partially initialised module) whichever of its modules is imported first, or in the start-up from the configured entries.")
ORDER_DEPENDENT_IMPORT = Rule("IG402", "order-dependent-import", W, "An import cycle that fails when one of its modules is imported first (`python -c 'import q'` fails) and works in another order.")

RULES: tuple[Rule, ...] = (
    SYNTAX_ERROR,
    UNREADABLE_FILE,
    BROKEN_PYPROJECT,
    UNRESOLVED_MODULE,
    MISSING_NAME,
    UNDEFINED_EXPORT,
    RELATIVE_BEYOND_TOP,
    STUB_MISSING_NAME,
    UNRESOLVED_TYPING_IMPORT,
    IMPLICIT_REEXPORT,
    UNDECLARED_DEPENDENCY,
    UNUSED_DEPENDENCY,
    TRANSITIVE_DEPENDENCY,
    DEV_DEPENDENCY_IN_PRODUCTION,
    UNGUARDED_OPTIONAL_IMPORT,
    INVALID_REQUIREMENT,
    IMPORT_FAILED,
    IMPORT_TIMEOUT,
    IMPORT_CRASHED,
    IMPORT_EXIT,
    SLOW_IMPORT,
    NETWORK_AT_IMPORT,
    SUBPROCESS_AT_IMPORT,
    FILE_WRITE_AT_IMPORT,
    CIRCULAR_IMPORT,
    ORDER_DEPENDENT_IMPORT,
)


def missing_module_group(top: str) -> tuple[str, str]:
    """The group of every finding about one missing top-level module outside the project:
    unresolved-module's, and undeclared-dependency's for the same imports (engine.merge_groups
    makes them one finding)."""
    return (UNRESOLVED_MODULE.name, top)


def lookup(key: str) -> Rule | None:
    """By code (IG102) or name (missing-name)."""
    key = key.strip()
    for rule in RULES:
        if rule.code == key.upper() or rule.name == key.lower():
            return rule
    return None


DEPENDENCY_RULES = tuple(rule for rule in RULES if rule.code.startswith("IG2"))  # the IG2xx family
CYCLE_RULES = frozenset({CIRCULAR_IMPORT, ORDER_DEPENDENT_IMPORT})  # the import-order simulation's (rules.cycles)


def enabled(rule: Rule, select: frozenset[str], ignore: frozenset[str]) -> bool:
    """Selected (``--select``) and not ignored (``--ignore``)."""
    return matches(rule, select) and not (ignore and matches(rule, ignore))


def matches(rule: Rule, selectors: frozenset[str]) -> bool:
    """A selector is a code, a name, a code prefix (IG1) or ALL."""
    if "ALL" in selectors:
        return True
    return rule.code in selectors or rule.name in selectors or any(
        s.startswith("IG") and rule.code.startswith(s) for s in selectors
    )
