"""The facts of one parsed file: what the rules, the resolver and the cache read.

Plain dataclasses, values like importgate.model's (see there why not ``frozen=True``), apart
from its findings and reports: a run that replays a stored report never needs them.
"""

from __future__ import annotations

import enum
import operator
from dataclasses import dataclass, field

from importgate.model import Location, by_fields


class _Sorted:
    """Pickles as ``frozenset(sorted items)``: string hashing (so set order) differs between
    processes, and equal facts must give equal bytes for the cache to compare them."""

    __slots__ = ("items",)

    def __init__(self, items: tuple) -> None:
        self.items = items

    def __reduce__(self):
        return (frozenset, (self.items,))


def _canonical(value):
    if type(value) is frozenset and len(value) > 1:
        try:
            return _Sorted(tuple(sorted(value)))
        except TypeError:  # not all of one type: no order to give (facts hold strings)
            return value
    if type(value) is tuple and value and type(value[0]) is tuple and len(value[0]) == 2 and type(value[0][1]) is frozenset:
        return tuple((key, _canonical(items)) for key, items in value)  # suppressions
    return value


def _by_sorted_fields(self):
    """``by_fields`` for the classes that hold sets: byte-for-byte reproducible."""
    return (type(self), tuple(_canonical(getattr(self, name)) for name in self.__slots__))


class Guard(enum.IntFlag):
    """Why an import may legitimately fail or never run.

    Kept as flags because guards nest (a try inside a function inside an if).
    """

    NONE = 0
    TRY = enum.auto()  # inside try/except ImportError (or broader)
    TYPE_CHECKING = enum.auto()  # inside `if TYPE_CHECKING:` (never runs)
    FEATURE_TEST = enum.auto()  # behind sys.version_info / sys.platform / hasattr checks
    CONDITIONAL = enum.auto()  # behind some other `if`
    FUNCTION = enum.auto()  # inside a function body: runs only when called
    TRY_MODULE = enum.auto()  # inside try/except ModuleNotFoundError: a missing *name* still raises
    FALLBACK = enum.auto()  # inside `except ImportError:`: runs only if the try body's import failed

    @property
    def silences(self) -> bool:
        """Guards under which a failing import is expected and handled."""
        return bool(self & (Guard.TRY | Guard.TYPE_CHECKING | Guard.FEATURE_TEST))

    @property
    def at_import(self) -> bool:
        """The import runs when its module is imported (not only inside a function, not only
        for type checkers), though maybe conditionally."""
        return not self & (Guard.FUNCTION | Guard.TYPE_CHECKING)

    @property
    def deferred(self) -> bool:
        """Guards under which the import may never run (optional dependency idiom)."""
        return bool(self & (Guard.CONDITIONAL | Guard.FUNCTION))


@dataclass(slots=True, unsafe_hash=True)
class ImportedName:
    """One ``name [as alias]`` of a ``from x import ...`` statement."""

    __reduce__ = by_fields

    name: str
    asname: str | None
    location: Location


@dataclass(slots=True, unsafe_hash=True)
class ImportEdge:
    """One import statement (or one alias of ``import a, b``), as written.

    Relative imports stay relative here so that facts depend only on the
    file's bytes; the resolver makes them absolute.
    """

    __reduce__ = by_fields

    level: int
    module_text: str  # as written: "..pkg.mod", "os.path"
    names: tuple[ImportedName, ...]  # empty for `import x`; ("*",) for star
    location: Location
    guard: Guard
    is_from: bool
    asname: str | None = None  # for `import a.b as c`
    block: int = 0  # line of the enclosing try statement (pairs a fallback with what it replaces)
    # in a try or with body after other statements (or a header) that may raise: a handler or
    # the context manager may swallow that, and then this import never runs
    skippable: bool = False
    # in a try body whose handlers swallow more than ModuleNotFoundError, or in a with body: an
    # error raised by the code it runs (or by itself) may be swallowed there
    shielded: bool = False
    # what the tests of the plain ``if``s around it read, as imported text (``app.compat.PY312``
    # for ``if compat.PY312:``): a flag another module computes from a version or platform check
    # (its ``feature_flags``) makes the import one that runs only where that check lets it
    flags: tuple[str, ...] = ()
    # in a try body whose handler catches ImportError only to raise again (a message naming the
    # extra to install): it still fails, on purpose (IG205 says so rather than "guard it")
    reraised: bool = False

    @property
    def is_star(self) -> bool:
        return len(self.names) == 1 and self.names[0].name == "*"


@dataclass(slots=True, unsafe_hash=True)
class AllEntry:
    """One literal name of ``__all__``, where it is written."""

    __reduce__ = by_fields

    name: str
    location: Location


@dataclass(slots=True, unsafe_hash=True)
class LazyAttach:
    """Literal arguments of ``lazy_loader.attach(__name__, submodules, submod_attrs)``."""

    __reduce__ = by_fields

    submodules: tuple[AllEntry, ...]
    attrs: tuple[tuple[str, AllEntry], ...]  # (submodule, name)
    location: Location
    from_stub: bool = False  # lazy_loader.attach_stub: names come from the .pyi


@dataclass(slots=True, unsafe_hash=True)
class GetattrFacts:
    """A module-level PEP 562 ``__getattr__``.

    ``serves`` is the literal set of names it can answer, when the body proves
    that everything else raises AttributeError; None means "may serve anything".
    """

    __reduce__ = _by_sorted_fields

    location: Location
    serves: frozenset[str] | None


@dataclass(slots=True, unsafe_hash=True)
class ModuleFacts:
    """Everything importgate knows about one source file, from one parse.

    Pure data derived from the file's bytes and its module name, so it can be
    cached by content hash.
    """

    __reduce__ = _by_sorted_fields

    name: str
    path: str
    is_package: bool
    is_stub: bool
    imports: tuple[ImportEdge, ...] = ()
    # name -> first line where it is bound at runtime at module level
    defined: dict[str, int] = field(default_factory=dict)
    # names bound only under `if TYPE_CHECKING:` (absent at runtime)
    typing_only: dict[str, int] = field(default_factory=dict)
    # names only annotated (`x: int`) and never assigned
    annotated_only: dict[str, int] = field(default_factory=dict)
    # names removed by an unconditional module-level `del` after their last binding
    deleted: dict[str, int] = field(default_factory=dict)
    # names bound by an assignment/def/class (not by an import): where names "live"
    own_definitions: frozenset[str] = frozenset()
    all_entries: tuple[AllEntry, ...] | None = None  # None: no __all__
    all_dynamic: bool = False  # __all__ exists but is computed
    all_sources: tuple[str, ...] = ()  # `mod.__all__` references inside __all__
    all_location: Location | None = None
    getattr: GetattrFacts | None = None
    lazy_attach: LazyAttach | None = None
    dynamic: str | None = None  # why the namespace is unknowable, if it is
    dynamic_path: bool = False  # __path__ is extended: submodules may live elsewhere
    registers_modules: tuple[str, ...] = ()  # literal sys.modules["x.y"] = ... keys
    # for those keys whose value is a module bound by one unambiguous import: key -> module text
    registered_aliases: tuple[tuple[str, str], ...] = ()
    installs_finder: bool = False  # appends to sys.meta_path / sys.path_hooks
    sys_path_edit_line: int | None = None  # first line that edits sys.path
    sys_path_edit_at_import: bool = False  # one of the edits is in module-level code (not in a def)
    # top-level modules that string constants name, loaded by name by a framework: a dotted
    # path ("corsheaders.middleware.CorsMiddleware", "jinja2.ext.do") or an entry of a settings
    # list (INSTALLED_APPS = ["corsheaders"]); first-party modules only
    named_modules: tuple[str, ...] = ()
    # `mod.attr = ...` / setattr(mod, "attr", ...) on an imported module: (module text as imported, attr)
    injects: tuple[tuple[str, str], ...] = ()  # attr "*": a computed name (setattr(mod, name, ...))
    # functions of this module ("f", "Class.method") that write into a module they take from
    # sys.modules with a computed key (celery's recreate_module, matplotlib's _Backend.export)
    namespace_writers: frozenset[str] = frozenset()
    # module-level calls that hand this module to a function: `f(__name__)`, `f(sys.modules[__name__])`,
    # and decorators of module-level classes and functions (`cls.__module__`); callee as imported text
    module_calls: tuple[str, ...] = ()
    # module-level classes with their bases as imported text (to find inherited namespace writers)
    class_bases: tuple[tuple[str, tuple[str, ...]], ...] = ()
    suppressions: tuple[tuple[int, frozenset[str]], ...] = ()  # (line, rules); empty set = all
    syntax_error: "SyntaxProblem | None" = None
    has_main_guard: bool = False
    # dotted names (`models`, `models.User`) read by code that always runs when the module is
    # imported (unconditional module-level statements and class bodies, outside try blocks),
    # with the first line; names a class body binds itself are left out (they shadow globals)
    runtime_loads: tuple[tuple[str, int], ...] = ()
    # names first bound by a class statement, with its last line: the name is bound only once
    # the class body has run (an import inside the body sees it unbound)
    class_ends: tuple[tuple[str, int], ...] = ()
    # module-level names bound to a version, platform or availability check (``PY312 =
    # sys.version_info >= (3, 12)``): other modules' ``if compat.PY312:`` are feature tests too
    feature_flags: frozenset[str] = frozenset()


@dataclass(slots=True, unsafe_hash=True)
class SyntaxProblem:
    """Why a file could not be parsed (it cannot be imported either)."""

    __reduce__ = by_fields

    message: str
    location: Location
    newer_syntax: str | None = None  # e.g. "3.12" when the syntax needs a newer Python
    unreadable: bool = False  # could not be read or decoded at all



_ALL_BUT_NAME = operator.attrgetter(*ModuleFacts.__slots__[1:])  # type: ignore[attr-defined]


def renamed(facts: ModuleFacts, name: str) -> ModuleFacts:
    """``dataclasses.replace(facts, name=name)``, about twice as fast: a module's facts are
    parsed without its name (it depends on the layout), and every run names them all."""
    return ModuleFacts(name, *_ALL_BUT_NAME(facts))
