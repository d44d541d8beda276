"""One pass over one file's AST: what it imports, binds, exports and hides.

The walk visits statements only (imports are always statements); expression
detectors that need a full walk run only when a cheap substring test on the
source says they can match, so a typical file costs one ``ast.parse`` plus one
pass over its statements.
"""

from __future__ import annotations

import ast
import bisect
import re
import sys
import warnings
from dataclasses import dataclass, field, replace

from importgate.facts.model import AllEntry, GetattrFacts, Guard, ImportedName, ImportEdge, LazyAttach, ModuleFacts, SyntaxProblem
from importgate.model import Location

_SUPPRESS = re.compile(rb"#\s*importgate:\s*ignore(?:\[([^\]]*)\])?")
_TYPE_CHECKING_NAMES = {"TYPE_CHECKING", "MYPY"}
# Names whose presence in an `if` test makes it a feature test of the
# environment rather than application logic.
_FEATURE_ATTRS = {"version_info", "platform", "implementation", "maxsize", "byteorder", "hexversion"}
_FEATURE_NAME = re.compile(r"^(PY\d*|PYPY|CPYTHON|IS_|HAS_|WIN|WINDOWS|MACOS|LINUX|JYTHON|IRONPYTHON|_?PY\d|_?HAS_|_?IS_)")
_PY_FLAG = re.compile(r"^_?(is_|has_)?(py\d|pypy|python\d|cpython|jython|win)", re.IGNORECASE)
# a library's version flag: AIRFLOW_V_3_0_PLUS, PYDANTIC_V2, SQLALCHEMY_1_4, NUMPY_GE_2_0,
# DJANGO_42_OR_NEWER (any name or attribute that says "version" counts too: __version__, VERSION)
# "version" as a word of the name: __version__, VERSION, DJANGO_VERSION, parse_version,
# LooseVersion; not "conversion"
_VERSION_WORD = re.compile(r"(?:^|_)(?:version|VERSION)|Version")
_VERSION_FLAG = re.compile(
    r"(^|_)(V\d+(_\d+)*|\d+(_\d+)+)(_PLUS)?$|_PLUS$|(^|_)(GE|GT|LE|LT|AT_LEAST|BEFORE|OR_NEWER|OR_LATER|OR_GREATER|OR_ABOVE)(_|$)",
    re.IGNORECASE,
)
_NAMESPACE_CALL = re.compile(rb"\b(globals|locals|vars|exec)\s*\(")
# a string that is a dotted path ("corsheaders.middleware.CorsMiddleware"): its first part;
# one pattern per quote, each starting with a literal that the regex engine scans for fast
_DOTTED_STRINGS = tuple(
    re.compile(quote + rb"([A-Za-z_][A-Za-z0-9_]*)(?:\.[A-Za-z_][A-Za-z0-9_]*)+" + quote) for quote in (b"'", b'"')
)
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# importlib.import_module("cysignals"), homeassistant's async_import_module(hass, "aiohttp_fast_zlib"),
# __import__("x"): the module a call imports by name
_IMPORT_CALL = re.compile(rb"""(?:import_module|__import__)\(\s*(?:[A-Za-z_][\w.]*\s*,\s*)?['"]([A-Za-z_][A-Za-z0-9_]*)""")
# no leading \b: a literal prefix lets the regex engine search fast (seven times faster on
# Django); _match_lines drops the matches inside a longer word
_IMPORT_WORD = re.compile(rb"import\b")
_IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}


@dataclass
class _Scope:
    """Mutable accumulators for one walk; frozen into ModuleFacts at the end."""

    lines: list[bytes] | None  # only for non-ASCII sources (column conversion)
    path: str
    imports: list[ImportEdge] = field(default_factory=list)
    defined: dict[str, int] = field(default_factory=dict)
    own: set[str] = field(default_factory=set)
    typing_names: dict[str, int] = field(default_factory=dict)
    annotated: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)
    all_entries: list[AllEntry] | None = None
    all_dynamic: bool = False
    all_sources: list[str] = field(default_factory=list)
    all_location: Location | None = None
    getattr_node: ast.FunctionDef | ast.AsyncFunctionDef | None = None
    getattr_assigned: Location | None = None
    getattr_factory: str | None = None  # `__getattr__ = make_getattr(...)` with a function of this module
    literal_collections: dict[str, frozenset[str]] = field(default_factory=dict)
    lazy: LazyAttach | None = None
    lazy_unknown: bool = False
    import_bindings: dict[str, str] = field(default_factory=dict)  # local name -> module text
    attribute_writes: list[tuple[str, str]] = field(default_factory=list)  # (local name, attr)
    module_writes: list[str] = field(default_factory=list)  # modules written through sys.modules["name"]
    ambiguous: set[str] = field(default_factory=set)  # local names bound by several different imports
    registered_values: list[tuple[str, str]] = field(default_factory=list)  # (sys.modules key, local name)
    local_bindings: dict[str, str] = field(default_factory=dict)  # imports inside functions: local name -> module text
    module_calls: list[str] = field(default_factory=list)  # dotted callees handed this module (see ModuleFacts)
    local_calls: set[str] = field(default_factory=set)  # plain names called at module level
    class_bases: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    class_ends: dict[str, int] = field(default_factory=dict)  # class first bound by a class statement -> its last line
    settings_strings: set[str] = field(default_factory=set)  # INSTALLED_APPS = ["corsheaders", ...]

    def column(self, line: int, col_offset: int) -> int:
        """ast gives UTF-8 byte offsets; users count characters."""
        if self.lines is None or line - 1 >= len(self.lines):
            return col_offset + 1
        return len(self.lines[line - 1][:col_offset].decode("utf-8", "replace")) + 1

    def loc(self, node: ast.AST) -> Location:
        line = getattr(node, "lineno", 1)
        end_line = getattr(node, "end_lineno", None) or line
        col = self.column(line, getattr(node, "col_offset", 0))
        end_col_offset = getattr(node, "end_col_offset", None)
        end_col = self.column(end_line, end_col_offset) if end_col_offset is not None else col
        return Location(self.path, line, col, end_line, end_col)

    def add_binding(self, local: str, module_text: str) -> None:
        """Remember which import bound a local name; two different ones make it ambiguous."""
        previous = self.import_bindings.get(local)
        if previous is not None and previous != module_text:
            self.ambiguous.add(local)
        self.import_bindings[local] = module_text

    def bind(self, name: str, line: int, guard: int, own: bool = False) -> None:
        if guard & _G_TYPE_CHECKING:
            self.typing_names.setdefault(name, line)
            return
        self.defined.setdefault(name, line)
        self.deleted.pop(name, None)
        if own:
            self.own.add(name)


# the walker carries guards as plain ints (IntFlag arithmetic is slow in the hot loop) and
# turns them into Guard only where a fact keeps one
_G_NONE = 0
_G_TRY = int(Guard.TRY)
_G_TYPE_CHECKING = int(Guard.TYPE_CHECKING)
_G_FEATURE_TEST = int(Guard.FEATURE_TEST)
_G_CONDITIONAL = int(Guard.CONDITIONAL)
_G_FUNCTION = int(Guard.FUNCTION)
_G_TRY_MODULE = int(Guard.TRY_MODULE)
_G_FALLBACK = int(Guard.FALLBACK)
_EXITS = (ast.Assert, ast.If)  # statements that may end the block's run on a version or platform test
_GUARDS: dict[int, Guard] = {}


def _as_guard(value: int) -> Guard:
    guard = _GUARDS.get(value)
    if guard is None:
        guard = _GUARDS[value] = Guard(value)
    return guard


def parse_module(
    source: bytes,
    path: str,
    name: str = "",
    *,
    is_package: bool = False,
    is_stub: bool = False,
    target_version: tuple[int, int] | None = None,
    runtime_loads: bool = True,
) -> ModuleFacts:
    """Facts of one file. Never raises on bad input: a file that does not
    parse yields facts that carry the syntax problem. ``runtime_loads=False`` skips what only
    the cycle simulation of first-party code needs (installed modules are never simulated)."""
    try:
        tree = _parse(source, path, target_version)
    except SyntaxError as exc:
        return ModuleFacts(
            name=name,
            path=path,
            is_package=is_package,
            is_stub=is_stub,
            syntax_error=_syntax_problem(exc, source, path, target_version),
            suppressions=_suppressions(source),
        )
    except (ValueError, UnicodeError) as exc:  # NUL bytes, undecodable
        return ModuleFacts(
            name=name,
            path=path,
            is_package=is_package,
            is_stub=is_stub,
            syntax_error=SyntaxProblem(_decode_message(exc), Location(path, 1, 1), unreadable=True),
        )
    except RecursionError:
        return ModuleFacts(
            name=name,
            path=path,
            is_package=is_package,
            is_stub=is_stub,
            syntax_error=SyntaxProblem("too deeply nested for Python's parser", Location(path, 1, 1)),
        )
    lines = None if source.isascii() else source.splitlines()
    scope = _Scope(lines=lines, path=path)
    text_markers = _TextMarkers(source)
    walker = _Walker(scope, source, text_markers)
    walker.want_loads = runtime_loads
    walker.statements(tree.body, _G_NONE, top=True)
    dynamic, dynamic_path, registers, finder, sys_path_line = walker.expression_facts(tree, text_markers)

    getattr_facts = None
    if scope.getattr_node is not None:
        getattr_facts = GetattrFacts(
            location=scope.loc(scope.getattr_node),
            serves=_served_names(scope.getattr_node, scope.literal_collections),
        )
    elif scope.getattr_assigned is not None:
        served = None
        if scope.lazy is not None and not scope.lazy_unknown and not scope.lazy.from_stub:
            served = frozenset(e.name for e in scope.lazy.submodules) | frozenset(
                e.name for _, e in scope.lazy.attrs
            )
        elif scope.getattr_factory is not None:
            served = _factory_served(tree, scope.getattr_factory, scope.literal_collections)
        getattr_facts = GetattrFacts(location=scope.getattr_assigned, serves=served)

    bindings = {**scope.local_bindings, **scope.import_bindings}
    injects = tuple(
        (bindings[local], attr)
        for local, attr in dict.fromkeys(scope.attribute_writes)
        if local in bindings
    ) + tuple((text, "*") for text in dict.fromkeys(scope.module_writes))
    writers = _namespace_writers(tree, source) if text_markers.sys_modules or text_markers.frame_globals else frozenset()
    for called in sorted(scope.local_calls):
        if called in writers:
            dynamic = dynamic or f"calls {called}(), which writes into a module taken from sys.modules"
            break
    # callees as imported text; ":name" for this module's own functions and classes
    module_calls = tuple(
        dict.fromkeys(
            _imported_text(text, scope.import_bindings) or (f":{text}" if text.split(".")[0] in scope.own else None)
            for text in scope.module_calls
        )
    )
    class_bases = tuple(
        (cls, tuple(_imported_text(b, scope.import_bindings) or b for b in bases)) for cls, bases in scope.class_bases
    )
    aliases = tuple(
        (key, scope.import_bindings[local])
        for key, local in scope.registered_values
        if local in scope.import_bindings and local not in scope.ambiguous
    )
    if is_stub:  # `name: T` is how a stub declares a module variable
        for declared, line in scope.annotated.items():
            scope.defined.setdefault(declared, line)
    typing_only = {k: v for k, v in scope.typing_names.items() if k not in scope.defined}
    annotated_only = {k: v for k, v in scope.annotated.items() if k not in scope.defined}
    for gone in scope.deleted:
        scope.defined.pop(gone, None)
    return ModuleFacts(
        name=name,
        path=path,
        is_package=is_package,
        is_stub=is_stub,
        imports=tuple(_flags_as_imported(edge, bindings) for edge in scope.imports),
        defined=scope.defined,
        typing_only=typing_only,
        annotated_only=annotated_only,
        deleted=dict(scope.deleted),
        own_definitions=frozenset(scope.own - set(scope.deleted)),
        all_entries=tuple(scope.all_entries) if scope.all_entries is not None else None,
        all_dynamic=scope.all_dynamic,
        all_sources=tuple(scope.all_sources),
        all_location=scope.all_location,
        getattr=getattr_facts,
        lazy_attach=None if scope.lazy_unknown else scope.lazy,
        dynamic=dynamic,
        dynamic_path=dynamic_path,
        registers_modules=registers,
        registered_aliases=aliases,
        installs_finder=finder,
        sys_path_edit_line=sys_path_line,
        sys_path_edit_at_import=walker.sys_path_at_import,
        injects=injects,
        namespace_writers=writers,
        module_calls=tuple(c for c in module_calls if c),
        class_bases=class_bases,
        suppressions=_suppressions(source),
        runtime_loads=tuple(walker.loads.items()),
        named_modules=_named_modules(source, scope) if runtime_loads else (),
        class_ends=tuple((k, v) for k, v in scope.class_ends.items() if scope.defined.get(k) is not None),
        feature_flags=frozenset(n for n in walker.feature_names if n in scope.defined),
    )


def _named_modules(source: bytes, scope: _Scope) -> tuple[str, ...]:
    """Top-level modules a framework may load by the name a string gives (the dependency rules
    count them as used). A text scan: a dotted name in a comment or docstring counts too,
    which can only keep a dependency from being called unused."""
    found = {m.decode("ascii") for pattern in _DOTTED_STRINGS for m in pattern.findall(source)} if b"." in source else set()
    if b"import_" in source:
        found.update(m.decode("ascii") for m in _IMPORT_CALL.findall(source))
    return tuple(sorted(found | scope.settings_strings))


def _parse(source: bytes, path: str, target_version: tuple[int, int] | None) -> ast.Module:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # invalid escape sequences etc. are not our business
        if target_version is None or not (3, 7) <= target_version < sys.version_info[:2]:
            return ast.parse(source, filename=path)
        # An older target: its grammar first (one parse when the file is fine, which a valid
        # file's tree does not depend on); on failure, a file this interpreter cannot parse
        # either raises its own error, else the syntax is too new for the target.
        try:
            return ast.parse(source, filename=path, feature_version=target_version)
        except SyntaxError as too_new:
            ast.parse(source, filename=path)
            raise too_new from None


_NEWER_SYNTAX = (
    (re.compile(r"^\s*type\s+[A-Za-z_]\w*\s*[\[=]"), (3, 12), "a PEP 695 `type` statement"),
    (re.compile(r"^\s*(async\s+)?def\s+\w+\s*\["), (3, 12), "PEP 695 type parameters"),
    (re.compile(r"^\s*class\s+\w+\s*\["), (3, 12), "PEP 695 type parameters"),
    (re.compile(r"^\s*except\s*\*"), (3, 11), "a PEP 654 `except*` clause"),
    (re.compile(r"""(^|[^\w])[tT][rR]?["']"""), (3, 14), "a PEP 750 template string"),
)


def _syntax_problem(
    exc: SyntaxError, source: bytes, path: str, target_version: tuple[int, int] | None
) -> SyntaxProblem:
    line = exc.lineno or 1
    col = (exc.offset or 1)
    running = sys.version_info[:2]
    text = exc.text or ""
    if not text:
        lines = source.splitlines()
        if 0 < line <= len(lines):
            text = lines[line - 1].decode("utf-8", "replace")
    message = exc.msg
    if "unicode error" in message or "codec can't decode" in message:
        return SyntaxProblem(
            f"cannot decode the file: {message.replace('(unicode error) ', '')} "
            "(save it as UTF-8 or declare its encoding with a PEP 263 coding comment)",
            Location(path, line, 1),
            unreadable=True,
        )
    if "null bytes" in message:
        return SyntaxProblem("the file contains NUL bytes: it is not Python source", Location(path, 1, 1), unreadable=True)
    newer = None
    for pattern, version, what in _NEWER_SYNTAX:
        if version > running and pattern.search(text):
            newer = "%d.%d" % version
            message = (
                f"{what} needs Python {newer} or newer, but importgate runs on Python "
                f"{running[0]}.{running[1]} and cannot parse this file"
            )
            if target_version is not None and target_version >= version:
                message += (
                    f"; the target Python {target_version[0]}.{target_version[1]} can run it, "
                    f"so run importgate itself with Python {newer}+ to check this file"
                )
            break
    else:
        if "only supported in Python" in message or "is only supported" in message:
            # raised by feature_version parsing: the *target* is too old
            tv = target_version or running
            message = f"{message} (the target Python is {tv[0]}.{tv[1]})"
    return SyntaxProblem(message, Location(path, line, max(col, 1)), newer)


def _decode_message(exc: Exception) -> str:
    if isinstance(exc, UnicodeError):
        return f"cannot decode the file: {exc} (declare its encoding with a PEP 263 coding comment or save it as UTF-8)"
    text = str(exc)
    if "null bytes" in text:
        return "the file contains NUL bytes: it is not Python source"
    return f"cannot parse the file: {text}"


def _suppressions(source: bytes) -> tuple[tuple[int, frozenset[str]], ...]:
    if b"importgate" not in source:
        return ()
    out = []
    for number, line in enumerate(source.splitlines(), start=1):
        match = _SUPPRESS.search(line)
        if match is None:
            continue
        rules = match.group(1)
        names = frozenset(r.strip().decode("ascii", "replace") for r in rules.split(b",") if r.strip()) if rules else frozenset()
        out.append((number, names))
    return tuple(out)


class _TextMarkers:
    """Cheap substring tests that decide which expensive detectors run."""

    def __init__(self, source: bytes) -> None:
        self.globals = b"globals()" in source or b"locals()" in source or b"vars()" in source
        self.exec = b"exec(" in source
        self.sys_path = b"sys.path" in source or b"addsitedir" in source
        self.sys_modules = b"sys.modules" in source
        self.frame_globals = b"f_globals" in source  # sys._getframe(1).f_globals: a caller's namespace
        self.meta = b"meta_path" in source or b"path_hooks" in source
        self.dunder_path = b"__path__" in source or b"declare_namespace" in source or b"extend_path" in source
        self.walrus = b":=" in source


def _dotted(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id in _TYPE_CHECKING_NAMES
    if isinstance(test, ast.Attribute):
        return test.attr in _TYPE_CHECKING_NAMES
    if isinstance(test, ast.Constant):
        return test.value is False or test.value == 0
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        return any(_is_type_checking(v) for v in test.values)
    return False


def _is_not_type_checking(test: ast.expr) -> bool:
    return isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not) and _is_type_checking(test.operand)


def _test_nodes(test: ast.expr):
    """The nodes of an `if` test, without ast.walk's generic (slow) field iteration: only the
    shapes feature tests are made of. Lambdas, comprehensions and literals are not entered."""
    stack = [test]
    while stack:
        node = stack.pop()
        yield node
        cls = node.__class__
        if cls is ast.Attribute:
            stack.append(node.value)  # type: ignore[attr-defined]
        elif cls is ast.Compare:
            stack.append(node.left)  # type: ignore[attr-defined]
            stack.extend(node.comparators)  # type: ignore[attr-defined]
        elif cls is ast.BoolOp:
            stack.extend(node.values)  # type: ignore[attr-defined]
        elif cls is ast.UnaryOp:
            stack.append(node.operand)  # type: ignore[attr-defined]
        elif cls is ast.Call:
            stack.append(node.func)  # type: ignore[attr-defined]
            stack.extend(node.args)  # type: ignore[attr-defined]
        elif cls is ast.Subscript:
            stack.append(node.value)  # type: ignore[attr-defined]
            stack.append(node.slice)  # type: ignore[attr-defined]
        elif cls is ast.BinOp:
            stack.append(node.left)  # type: ignore[attr-defined]
            stack.append(node.right)  # type: ignore[attr-defined]
        elif cls is ast.Tuple:
            stack.extend(node.elts)  # type: ignore[attr-defined]


def _flag_names(test: ast.expr) -> tuple[str, ...]:
    """The names and dotted names an ``if`` test reads (candidates for another module's flag)."""
    out = []
    for node in _test_nodes(test):
        if node.__class__ is ast.Name:
            out.append(node.id)  # type: ignore[attr-defined]
        elif node.__class__ is ast.Attribute:
            dotted = _dotted(node)
            if dotted:
                out.append(dotted)
    return tuple(dict.fromkeys(out))


def _is_feature_test(test: ast.expr) -> bool:
    for node in _test_nodes(test):
        cls = node.__class__
        if cls is ast.Attribute:
            if node.attr in _FEATURE_ATTRS or _VERSION_WORD.search(node.attr):  # type: ignore[attr-defined]
                return True
            base = _dotted(node)
            if base and (base.startswith("platform.") or base == "os.name" or base.startswith("sys.")):
                return True
        elif cls is ast.Name:
            name = node.id  # type: ignore[attr-defined]
            if name in ("hasattr", "getattr", "find_spec", "find_loader") or _FEATURE_NAME.match(name) or _PY_FLAG.match(name):
                return True
            if name.endswith(("_AVAILABLE", "_INSTALLED", "_ENABLED", "_SUPPORT", "_SUPPORTED")):
                return True
            if _VERSION_WORD.search(name) or _VERSION_FLAG.search(name):  # Version(lib.__version__), DJANGO_VERSION
                return True
        elif cls is ast.Call:
            name = _dotted(node.func) or ""  # type: ignore[attr-defined]
            if name.endswith(("find_spec", "util.find_spec", "import_module", "find_loader", "version")):
                return True
    return False


def _may_be_feature_flag(value: ast.expr) -> bool:
    """Assignments worth testing as flags: comparisons and boolean logic, or hasattr/find_spec
    calls (``HAS_FORK = hasattr(os, "fork")``); not every ``x = f()``."""
    cls = value.__class__
    if cls in (ast.Compare, ast.BoolOp, ast.UnaryOp):
        return True
    if cls is ast.Call:
        name = _dotted(value.func) or ""  # type: ignore[attr-defined]
        return name in ("hasattr", "getattr") or name.endswith(("find_spec", "find_loader"))
    return False


def _catches_import_error(handler_type: ast.expr | None) -> bool:
    if handler_type is None:
        return True
    if isinstance(handler_type, ast.Tuple):
        return any(_catches_import_error(e) for e in handler_type.elts)
    name = _dotted(handler_type) or ""
    return name.rsplit(".", 1)[-1] in _IMPORT_ERRORS or name.endswith("Error") and "Import" in name


def _reraises(handler: ast.ExceptHandler) -> bool:
    """A handler that ends by raising again swallows nothing."""
    return bool(handler.body) and isinstance(handler.body[-1], ast.Raise)


def _handles_import_error(handler: ast.ExceptHandler) -> bool:
    """A handler that catches ImportError and does not just re-raise it."""
    return _catches_import_error(handler.type) and not _reraises(handler)


def _only_module_not_found(handler_type: ast.expr | None) -> bool:
    """``except ModuleNotFoundError``: catches a missing module, not a missing name."""
    if handler_type is None:
        return False
    names = handler_type.elts if isinstance(handler_type, ast.Tuple) else [handler_type]
    caught = {(_dotted(n) or "").rsplit(".", 1)[-1] for n in names}
    return not (caught & {"ImportError", "Exception", "BaseException"}) and "ModuleNotFoundError" in caught


def _swallows_more_than_module_not_found(handler: ast.ExceptHandler) -> bool:
    """A handler that may swallow an error other than a missing module."""
    if _reraises(handler):
        return False
    names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return not all(n is not None and (_dotted(n) or "").rsplit(".", 1)[-1] == "ModuleNotFoundError" for n in names)


def _statement_loads(node: ast.stmt, out: dict[str, int], shadow: frozenset[str]) -> None:
    """Dotted names a statement surely reads when it runs: its simple parts and the headers of
    compound statements (their bodies are visited as statements of their own, with their guard).
    Class bodies are read here: they run at import time, with names they bind shadowing globals."""
    if isinstance(node, ast.Expr):
        _expr_loads(node.value, out, shadow)
    elif isinstance(node, ast.Assign):
        _expr_loads(node.value, out, shadow)
        for target in node.targets:
            _target_loads(target, out, shadow)
    elif isinstance(node, ast.AugAssign):
        _expr_loads(node.value, out, shadow)
        if isinstance(node.target, ast.Name):
            _add_load(node.target.id, node.target.lineno, out, shadow)
        else:
            _expr_loads(node.target, out, shadow)
    elif isinstance(node, ast.AnnAssign):  # annotations are left out: lazy under PEP 563/649
        if node.value is not None:
            _expr_loads(node.value, out, shadow)
            _target_loads(node.target, out, shadow)
    elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        for decorator in node.decorator_list:
            _expr_loads(decorator, out, shadow)
        for default in (*node.args.defaults, *node.args.kw_defaults):
            if default is not None:
                _expr_loads(default, out, shadow)
    elif isinstance(node, ast.ClassDef):
        for expr in (*node.decorator_list, *node.bases, *(k.value for k in node.keywords)):
            _expr_loads(expr, out, shadow)
        inner = frozenset(_class_bound(node.body))
        for stmt in node.body:
            _statement_loads(stmt, out, inner)
    elif isinstance(node, ast.If) or isinstance(node, ast.While):
        _expr_loads(node.test, out, shadow)
    elif isinstance(node, (ast.For, ast.AsyncFor)):
        _expr_loads(node.iter, out, shadow)
    elif isinstance(node, (ast.With, ast.AsyncWith)):
        for item in node.items:
            _expr_loads(item.context_expr, out, shadow)


def _class_bound(body: list[ast.stmt]):
    """Names a class body binds in the class scope (they shadow module globals there). Method
    bodies are not entered: their names are local to the method."""
    for stmt in body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield stmt.name
        elif isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                yield from (n.id for n in _target_names(target))
        elif isinstance(stmt, (ast.AnnAssign, ast.AugAssign)):
            yield from (n.id for n in _target_names(stmt.target))
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            for alias in stmt.names:
                yield (alias.asname or alias.name).split(".")[0]
        elif isinstance(stmt, ast.Delete):
            for target in stmt.targets:
                yield from (n.id for n in _target_names(target))
        elif isinstance(stmt, (ast.For, ast.AsyncFor)):
            yield from (n.id for n in _target_names(stmt.target))
            yield from _class_bound(stmt.body)
            yield from _class_bound(stmt.orelse)
        elif isinstance(stmt, (ast.If, ast.While)):
            yield from _class_bound(stmt.body)
            yield from _class_bound(stmt.orelse)
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            for item in stmt.items:
                if item.optional_vars is not None:
                    yield from (n.id for n in _target_names(item.optional_vars))
            yield from _class_bound(stmt.body)
        elif isinstance(stmt, ast.Try) or stmt.__class__.__name__ == "TryStar":
            yield from _class_bound(stmt.body)  # type: ignore[attr-defined]
            for handler in stmt.handlers:  # type: ignore[attr-defined]
                if handler.name:
                    yield handler.name
                yield from _class_bound(handler.body)
            yield from _class_bound(stmt.orelse)  # type: ignore[attr-defined]
            yield from _class_bound(stmt.finalbody)  # type: ignore[attr-defined]


def _add_load(dotted: str, line: int, out: dict[str, int], shadow: frozenset[str]) -> None:
    if shadow and dotted.split(".", 1)[0] in shadow:
        return
    if dotted not in out:
        out[dotted] = line


def _target_loads(target: ast.expr, out: dict[str, int], shadow: frozenset[str]) -> None:
    """Assigning to `a.b.c` reads `a.b`; to `a[i]` reads `a` and `i`."""
    if isinstance(target, ast.Attribute):
        _expr_loads(target.value, out, shadow)
    elif isinstance(target, ast.Subscript):
        _expr_loads(target.value, out, shadow)
        _expr_loads(target.slice, out, shadow)
    elif isinstance(target, (ast.Tuple, ast.List)):
        for elt in target.elts:
            _target_loads(elt, out, shadow)
    elif isinstance(target, ast.Starred):
        _target_loads(target.value, out, shadow)


def _expr_loads(expr: ast.expr, out: dict[str, int], shadow: frozenset[str]) -> None:
    """Reads an expression surely performs: only the first operand of `and`/`or`, the test of
    `x if t else y`, the first iterable of a comprehension; nothing inside a lambda."""
    stack = [expr]
    while stack:
        node = stack.pop()
        kind = node.__class__
        if kind is ast.Constant:
            continue  # the commonest leaf: no children
        if kind is ast.Name:
            if node.ctx.__class__ is ast.Load:  # type: ignore[attr-defined]
                _add_load(node.id, node.lineno, out, shadow)  # type: ignore[attr-defined]
            continue
        if kind is ast.Call:  # what iter_child_nodes yields, in its order
            stack.append(node.func)  # type: ignore[attr-defined]
            stack.extend(node.args)  # type: ignore[attr-defined]
            stack.extend(k.value for k in node.keywords)  # type: ignore[attr-defined]
            continue
        if isinstance(node, (ast.Name, ast.Attribute)):
            dotted = _dotted(node)
            if dotted is not None:
                if isinstance(node.ctx, ast.Load):
                    _add_load(dotted, node.lineno, out, shadow)
                continue
            stack.append(node.value)  # type: ignore[union-attr]
        elif isinstance(node, ast.BoolOp):
            stack.append(node.values[0])
        elif isinstance(node, ast.IfExp):
            stack.append(node.test)
        elif isinstance(node, ast.Lambda):
            continue
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            stack.append(node.generators[0].iter)
        elif isinstance(node, ast.NamedExpr):
            stack.append(node.value)
        else:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.expr):
                    stack.append(child)
                elif isinstance(child, ast.keyword):
                    stack.append(child.value)


def _target_names(target: ast.expr):
    if isinstance(target, ast.Name):
        yield target
    elif isinstance(target, (ast.Tuple, ast.List)):
        for elt in target.elts:
            yield from _target_names(elt)
    elif isinstance(target, ast.Starred):
        yield from _target_names(target.value)


def _match_lines(pattern: re.Pattern[bytes], source: bytes) -> list[int]:
    """Sorted 1-based line numbers of the pattern's matches that start a word, in one pass over
    the source."""
    lines: list[int] = []
    line, position = 1, 0
    for match in pattern.finditer(source):
        start = match.start()
        if start and _WORD_BYTE[source[start - 1]]:
            continue  # "reimport": the word does not start here
        line += source.count(b"\n", position, start)
        position = start
        if not lines or lines[-1] != line:
            lines.append(line)
    return lines


_WORD_BYTE = [bytes([b]).isalnum() or b == ord("_") for b in range(256)]
_GLOBAL_WORD = re.compile(rb"global\b")
_ALL_WORD = re.compile(rb"__all__\b")


def _within(lines: list[int], node: ast.stmt) -> bool:
    """Does a line of these (sorted) fall within the statement's lines?"""
    index = bisect.bisect_left(lines, node.lineno)
    return index < len(lines) and lines[index] <= (node.end_lineno or node.lineno)


# the statement lists of compound statements, in the order the walker visits them
_BODIES = {
    ast.If: ("body", "orelse"), ast.For: ("body", "orelse"), ast.AsyncFor: ("body", "orelse"),
    ast.While: ("body", "orelse"), ast.With: ("body",), ast.AsyncWith: ("body",),
    ast.FunctionDef: ("body",), ast.AsyncFunctionDef: ("body",), ast.ClassDef: ("body",),
}


def _attribute_writes(body: list[ast.stmt], out: list[tuple[str, str]]) -> None:
    """What the walker records of a function body that holds no import, ``global`` or
    ``__all__``: each ``X.attr = ...`` (``injects`` keeps those whose X is a module-level
    name), in its order."""
    for stmt in body:
        kind = stmt.__class__
        if kind is ast.Assign:
            for target in stmt.targets:  # type: ignore[attr-defined]
                if target.__class__ is ast.Attribute and target.value.__class__ is ast.Name:
                    out.append((target.value.id, target.attr))
        elif kind in _BODIES:
            for name in _BODIES[kind]:
                _attribute_writes(getattr(stmt, name), out)
        elif kind is ast.Try or kind.__name__ == "TryStar":
            _attribute_writes(stmt.body, out)  # type: ignore[attr-defined]
            for handler in stmt.handlers:  # type: ignore[attr-defined]
                _attribute_writes(handler.body, out)
            _attribute_writes(stmt.orelse, out)  # type: ignore[attr-defined]
            _attribute_writes(stmt.finalbody, out)  # type: ignore[attr-defined]
        elif kind.__name__ == "Match":
            for case in stmt.cases:  # type: ignore[attr-defined]
                _attribute_writes(case.body, out)


def _sys_modules_key(node: ast.AST | None) -> str | None:
    """``"pkg"`` of ``sys.modules["pkg"]``."""
    if isinstance(node, ast.Subscript) and _dotted(node.value) == "sys.modules":
        key = node.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return key.value
    return None


def _call_base(call: ast.Call) -> ast.AST:
    """What a method call's attribute chain starts from (``x`` of ``x.__dict__.update(...)``)."""
    node = call.func
    while isinstance(node, ast.Attribute):
        node = node.value
    return node


def _is_own_module(node: ast.AST) -> bool:
    """``sys.modules[__name__]``."""
    return (
        isinstance(node, ast.Subscript)
        and _dotted(node.value) == "sys.modules"
        and isinstance(node.slice, ast.Name)
        and node.slice.id == "__name__"
    )


def _is_all_call(call: ast.Call) -> bool:
    func = call.func
    return (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id == "__all__"
        and func.attr in ("append", "extend", "insert", "remove", "pop", "clear", "__iadd__")
    )


def _imported_text(dotted: str, bindings: dict[str, str]) -> str | None:
    """``local.recreate_module`` -> ``celery.local.recreate_module`` when ``local`` was imported."""
    head, _, rest = dotted.partition(".")
    base = bindings.get(head)
    if base is None:
        return None
    return f"{base}.{rest}" if rest else base


def _flags_as_imported(edge: ImportEdge, bindings: dict[str, str]) -> ImportEdge:
    """The names its ``if`` tests read, as the imported text they stand for (``compat.PY312``
    after ``from app import compat`` is ``app.compat.PY312``); a name no import bound cannot be
    another module's flag."""
    if not edge.flags:
        return edge
    texts = tuple(dict.fromkeys(t for t in (_imported_text(f, bindings) for f in edge.flags) if t))
    return replace(edge, flags=texts)


def _hands_over_module(call: ast.Call) -> bool:
    """``f(__name__)`` or ``f(sys.modules[__name__])``: the callee gets this module."""
    for arg in [*call.args, *(k.value for k in call.keywords)]:
        if isinstance(arg, ast.Name) and arg.id == "__name__":
            return True
        if isinstance(arg, ast.Subscript) and _dotted(arg.value) == "sys.modules":
            key = arg.slice
            if isinstance(key, ast.Name) and key.id == "__name__":
                return True
    return False


def _module_item(node: ast.AST) -> bool:
    """``sys.modules[key]`` / ``sys.modules.get(key)`` with a computed key."""
    if isinstance(node, ast.Subscript) and _dotted(node.value) == "sys.modules":
        return not (isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str))
    if isinstance(node, ast.Call) and _dotted(node.func) in ("sys.modules.get", "sys.modules.setdefault", "sys.modules.__getitem__"):
        return bool(node.args) and not (isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str))
    return False


def _harmless(name: str) -> bool:
    """A dunder that says nothing about which names a module has (``__doc__``, ``__lazy_shadowed__``);
    ``__class__``, ``__getattr__``, ``__dict__`` and ``__all__`` do."""
    return name.startswith("__") and name.endswith("__") and name not in ("__class__", "__getattr__", "__dict__", "__all__")


def _harmless_key(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and _harmless(node.value)


_READ_METHODS = frozenset({"get", "keys", "items", "values", "copy", "__contains__", "__getitem__"})


def _alias_may_write(tree: ast.Module, alias: str) -> bool:
    """Is the name bound to globals()/locals() used in any way but reading it?"""
    bindings = 0
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            if not (isinstance(child, ast.Name) and child.id == alias):
                continue
            if not isinstance(child.ctx, ast.Load):
                bindings += 1
                if bindings > 1 or not isinstance(child.ctx, ast.Store):
                    return True  # rebound or deleted: too clever
                continue
            if isinstance(node, ast.Subscript) and node.value is child:
                if not isinstance(node.ctx, ast.Load):
                    return True
            elif isinstance(node, ast.Attribute) and node.value is child:
                if node.attr not in _READ_METHODS:
                    return True
            elif not isinstance(node, (ast.Compare, ast.For, ast.comprehension)):
                return True  # passed on, returned, stored elsewhere ...
    return False


def _uses_parameter(function: ast.FunctionDef | ast.AsyncFunctionDef, call: ast.Call, argument: ast.AST) -> bool:
    """Does ``function`` mention the parameter that ``argument`` of ``call`` binds? (True when unsure.)"""
    args = function.args
    positional = [*args.posonlyargs, *args.args]
    name = None
    if argument in call.args:
        index = call.args.index(argument)  # type: ignore[arg-type]
        if any(isinstance(a, ast.Starred) for a in call.args[: index + 1]):
            return True
        if index < len(positional):
            name = positional[index].arg
        elif args.vararg is not None:
            name = args.vararg.arg
    else:
        for keyword in call.keywords:
            if keyword.value is argument and keyword.arg is not None:
                known = {a.arg for a in (*positional, *args.kwonlyargs)}
                name = keyword.arg if keyword.arg in known else (args.kwarg.arg if args.kwarg else None)
    if name is None:
        return True
    return any(isinstance(node, ast.Name) and node.id == name for node in ast.walk(function))


def _own_nodes(function: ast.AST) -> list[ast.AST]:
    """Every node of a function's body except those of nested functions, lambdas and classes."""
    nested = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
    out: list[ast.AST] = []
    stack = [n for n in function.body if not isinstance(n, nested)]  # type: ignore[attr-defined]
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(child for child in ast.iter_child_nodes(node) if not isinstance(child, nested))
    return out


def _namespace_writers(tree: ast.Module, source: bytes | None = None) -> frozenset[str]:
    """Functions ("f", "Class.method") that write into a module they take from ``sys.modules``
    by a computed key (directly, or through another such function of this module): a
    module-level call that hands them ``__name__`` or a class makes that module's namespace
    unknowable. Paid only by files that mention ``sys.modules``."""
    functions: dict[str, ast.AST] = {}
    classes: dict[str, str] = {}
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            functions[stmt.name] = stmt
        elif isinstance(stmt, ast.ClassDef):
            for sub in stmt.body:
                if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    functions[f"{stmt.name}.{sub.name}"] = sub
                    classes[f"{stmt.name}.{sub.name}"] = stmt.name
    if source is None:
        for qual in list(functions):
            _add_returned(functions, qual, set())
        return _namespace_writers_among(functions, classes)
    # Read by text first. Only a function whose own text mentions sys.modules can write
    # directly, and only one whose text names a writer (``f(...)``, ``self.f(...)``) or that
    # returns one can call it: the others are never walked (most of a big module's functions).
    # A function's returned functions (``qual.<locals>.name``) are looked for only once it is
    # read: their text is part of its text.
    lines = source.splitlines()
    texts = {qual: _text_of(lines, function) for qual, function in functions.items()}
    expanded: set[str] = set()

    def matching(test) -> set[str]:
        found = {qual for qual, text in texts.items() if test(qual, text)}
        for qual in list(found):
            for inner in _add_returned(functions, qual, expanded):
                texts[inner] = _text_of(lines, functions[inner])
                if test(inner, texts[inner]):
                    found.add(inner)
        return found

    todo = matching(lambda qual, text: b"modules" in text or b"f_globals" in text)
    writers: set[str] = set()
    calls: dict[str, set[str]] = {}
    named: set[str] = set()  # writers whose callers were looked for
    while todo:
        for qual in todo:
            writes, calls[qual] = _writes_and_calls(qual, functions, classes)
            if writes:
                writers.add(qual)
        _close_over_calls(writers, calls)
        new = writers - named
        named |= new
        words = {writer.rsplit(".", 1)[-1] for writer in new}
        parents = {writer.split(".<locals>.")[0] for writer in new if ".<locals>." in writer}
        if not all(word.isascii() for word in words):  # a name the bytes may spell otherwise: read them all
            todo = matching(lambda qual, text: True)
        else:
            spelled = [word.encode() for word in words]
            todo = matching(lambda qual, text: qual in parents or any(word in text for word in spelled))
        todo -= set(calls)
    return frozenset(writers)


def _text_of(lines: list[bytes], function: ast.AST) -> bytes:
    return b"\n".join(lines[function.lineno - 1 : function.end_lineno])  # type: ignore[attr-defined]


def _add_returned(functions: dict[str, ast.AST], qual: str, done: set[str]) -> list[str]:
    """Add the functions a module-level function or method returns (decorator factories:
    ``def add(self): def wrap(cls): ...; return wrap``) as ``qual.<locals>.name``, once."""
    if ".<locals>." in qual or qual in done:
        return []
    done.add(qual)
    added = []
    for inner in _returned_functions(functions[qual]):
        added.append(f"{qual}.<locals>.{inner.name}")
        functions[added[-1]] = inner
    return added


def _close_over_calls(writers: set[str], calls: dict[str, set[str]]) -> None:
    """A function that calls a writer writes too."""
    changed = True
    while changed:
        changed = False
        for qual, called in calls.items():
            if qual not in writers and called & writers:
                writers.add(qual)
                changed = True


def _returned_functions(function: ast.AST) -> list[ast.AST]:
    """Functions defined in ``function``'s body that it returns: what a decorator factory hands
    back is run on the decorated class at once (django-hierarkey's ``@hierarkey.add()``)."""
    nested = {n.name: n for n in function.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}  # type: ignore[attr-defined]
    if not nested:
        return []
    returned = {n.value.id for n in _own_nodes(function) if isinstance(n, ast.Return) and isinstance(n.value, ast.Name)}
    return [nested[name] for name in sorted(returned) if name in nested]


def _namespace_writers_among(functions: dict[str, ast.AST], classes: dict[str, str]) -> frozenset[str]:
    writers: set[str] = set()
    calls: dict[str, set[str]] = {}
    for qual in functions:
        writes, calls[qual] = _writes_and_calls(qual, functions, classes)
        if writes:
            writers.add(qual)
    _close_over_calls(writers, calls)
    return frozenset(writers)


def _writes_and_calls(qual: str, functions: dict[str, ast.AST], classes: dict[str, str]) -> tuple[bool, set[str]]:
    """Does the function write into a module from sys.modules itself; what it calls (by name,
    or ``Class.method`` through self or cls; the functions it returns)."""
    function = functions[qual]
    writes = False
    modules: set[str] = set()  # local names bound to a module from sys.modules
    dicts: set[str] = set()  # local names bound to such a module's __dict__

    def is_module(node: ast.AST) -> bool:
        return _module_item(node) or (isinstance(node, ast.Name) and node.id in modules)

    def is_namespace(node: ast.AST) -> bool:
        if isinstance(node, ast.Attribute) and node.attr == "__dict__":
            return is_module(node.value)
        if isinstance(node, ast.Attribute) and node.attr == "f_globals":
            return True  # a frame's globals: its caller's module (zope.interface's _use_c_impl)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "vars" and node.args:
            return is_module(node.args[0])
        return isinstance(node, ast.Name) and node.id in dicts

    called: set[str] = set()
    owner = classes.get(qual)
    nodes = _own_nodes(function)  # nested functions write only when they are called later
    for node in nodes:  # aliases first: `mod = sys.modules[name]` ... `setattr(mod, ...)`
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            if _module_item(node.value):
                modules.add(node.targets[0].id)
            elif is_namespace(node.value) or any(is_namespace(n) for n in ast.walk(node.value) if isinstance(n, ast.Attribute)):
                dicts.add(node.targets[0].id)  # `globs = globs or sys._getframe(1).f_globals` too
    for node in nodes:
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
            for target in targets:
                if isinstance(target, ast.Subscript) and _dotted(target.value) == "sys.modules":
                    writes = True
                elif isinstance(target, ast.Subscript) and is_namespace(target.value) and not _harmless_key(target.slice):
                    writes = True
                elif isinstance(target, ast.Attribute) and is_module(target.value) and not _harmless(target.attr):
                    writes = True
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                if (
                    func.id in ("setattr", "delattr")
                    and node.args
                    and is_module(node.args[0])
                    and not (len(node.args) > 1 and _harmless_key(node.args[1]))
                ):
                    writes = True
                called.add(func.id)
            elif isinstance(func, ast.Attribute):
                if func.attr in ("update", "setdefault", "__setitem__", "pop") and (
                    is_namespace(func.value) or _dotted(func.value) == "sys.modules" and func.attr != "pop"
                ):
                    writes = True
                elif owner and isinstance(func.value, ast.Name) and func.value.id in ("self", "cls", owner):
                    called.add(f"{owner}.{func.attr}")
    called.update(other for other in functions if other.startswith(qual + ".<locals>."))
    return writes, called


def _str_elements(node: ast.expr) -> list[ast.Constant] | None:
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        out = []
        for elt in node.elts:
            if isinstance(elt, ast.Constant) and isinstance(elt.value, str):
                out.append(elt)
            else:
                return None
        return out
    return None


# statements that bind, import, write or nest nothing (at module level a `raise` still reads names)
_INERT_IN_FUNCTIONS = frozenset({ast.Return, ast.Raise, ast.Pass, ast.Break, ast.Continue, ast.Assert, ast.Nonlocal})


class _Walker:
    want_loads = True

    def __init__(self, scope: _Scope, source: bytes, markers: "_TextMarkers") -> None:
        self.s = scope
        self.markers = markers
        self.dynamic: str | None = None
        self.dynamic_path = False
        self.registers: list[str] = []
        self.finder = False
        self.sys_path_line: int | None = None
        self.sys_path_at_import = False  # an edit in module-level code (see effects)
        self.effects_at_import = False
        self.namespace_call_lines = (
            {source.count(b"\n", 0, m.start()) + 1 for m in _NAMESPACE_CALL.finditer(source)}
            if markers.globals or markers.exec
            else set()
        )
        self.watch_effects = b"_convert_" in source or markers.sys_path or markers.sys_modules or markers.meta or markers.dunder_path or b"setattr(" in source
        self.has_getattr = b"__getattr__" in source
        self.has_all = b"__all__" in source
        self.has_lazy = b"attach" in source and b"lazy" in source
        self.global_decls: set[str] = set()
        self.block = 0
        self.feature_names: set[str] = set()  # module-level flags computed from version/platform checks
        self.test_flags: tuple[str, ...] = ()  # what the plain `if` tests around this point read (ImportEdge.flags)
        # lines that may hold an import: an `if` without one needs no feature-test classification
        self.import_lines = _match_lines(_IMPORT_WORD, source)
        self.source = source
        self.global_lines: list[int] | None = None  # read when a function body may be skipped
        self.all_lines: list[int] = []
        self.in_try = 0  # inside a try body or its else: an exception there may be handled
        self.ran_before = False  # in a try or with body: something of it (or a header) ran before
        self.shielded = False  # in a try or with body that may swallow what the code in it raises
        self.reraised = False  # in a try body whose ImportError handler raises again (ImportEdge.reraised)
        self.loads: dict[str, int] = {}  # dotted name -> first line read by code that surely runs at import

    # -- statements -------------------------------------------------------
    def statements(self, body: list[ast.stmt], guard: int, top: bool = False, in_function: bool = False, opens: bool = False) -> None:
        """``opens``: a try or with body (the caller says what ran before its first statement)."""
        saved = self.ran_before
        if self.in_try and not opens:
            self.ran_before = True  # a header (an `if` test, a loop, a `with` item) ran before it
        for index, stmt in enumerate(body):
            if index and self.in_try:
                self.ran_before = True
            self.statement(stmt, guard, top, in_function)
            if stmt.__class__ in _EXITS and not guard & _G_FEATURE_TEST and self.exits_unless_feature(stmt):
                guard |= _G_FEATURE_TEST  # what follows runs only where the test lets it through
        self.ran_before = saved

    def exits_unless_feature(self, stmt: ast.stmt) -> bool:
        """``assert sys.platform == "win32"``, ``if sys.version_info < (3, 8): raise ImportError``:
        the rest of the block is for the platforms and versions that get past it, as if it were
        under ``if`` that test (click/_winconsole.py imports msvcrt below such an assert)."""
        if isinstance(stmt, ast.Assert):
            return self.is_feature_test(stmt.test)
        exits = any(branch and branch[-1].__class__ is ast.Raise for branch in (stmt.body, stmt.orelse))  # type: ignore[attr-defined]
        return exits and self.is_feature_test(stmt.test)  # type: ignore[attr-defined]

    def statement(self, node: ast.stmt, guard: int, top: bool, in_function: bool) -> None:
        if in_function and node.__class__ in _INERT_IN_FUNCTIONS:
            return  # a third of all statements: nothing below looks at them there
        s = self.s
        module_scope = not in_function  # class bodies are handled separately
        if self.want_loads and module_scope and guard == _G_NONE and not self.in_try:
            _statement_loads(node, self.loads, frozenset())
        if self.watch_effects and isinstance(node, (ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign)):
            self.effects(node, module_scope)
        kind = node.__class__
        if kind is ast.Assign:  # by how common each statement is (Django: 23k, 11k, 10k, 9k, ...)
            for target in node.targets:
                if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
                    s.attribute_writes.append((target.value.id, target.attr))
            if module_scope:
                if node.value.__class__ in (ast.List, ast.Tuple) and all(
                    t.__class__ is ast.Name and t.id.isupper() for t in node.targets  # type: ignore[attr-defined]
                ):
                    s.settings_strings.update(
                        e.value for e in node.value.elts  # type: ignore[attr-defined]
                        if e.__class__ is ast.Constant and isinstance(e.value, str) and _IDENTIFIER.fullmatch(e.value)
                    )
                lazy_before = s.lazy
                if self.has_lazy:
                    self.lazy_attach(node)
                if isinstance(node.value, ast.Call) and (s.lazy is lazy_before or self.has_lazy and s.lazy_unknown):
                    self.module_call(node.value)  # (lazy_loader.attach is modelled by itself)
                if _may_be_feature_flag(node.value) and self.is_feature_test(node.value):
                    for target in node.targets:
                        self.feature_names.update(n.id for n in _target_names(target))
                for target in node.targets:
                    self.assign_target(target, node, guard, top)
            elif self.global_decls:
                self.global_assign(node.targets, node.lineno, guard)
        elif kind is ast.Expr:
            if isinstance(node.value, ast.Call):
                if module_scope:
                    self.module_call(node.value)
                    if self.has_all and not guard & _G_TYPE_CHECKING:
                        self.all_call(node.value)
                elif self.has_all and _is_all_call(node.value):
                    s.all_dynamic = True  # `__all__.append(...)` inside a function: grows at run time
        elif kind is ast.If:
            self.if_(node, guard, top, in_function)  # type: ignore[arg-type]
        elif kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
            if module_scope:
                s.bind(node.name, node.lineno, guard, own=True)
                self.decorators(node)
                if node.name == "__getattr__" and not (guard & _G_TYPE_CHECKING):
                    s.getattr_node = node
            self.function_body(node, guard)
        elif kind is ast.ImportFrom:
            self.import_from(node, guard, module_scope)
        elif kind is ast.ClassDef:
            if module_scope:
                if node.name not in s.defined and not guard & _G_TYPE_CHECKING:
                    s.class_ends[node.name] = node.end_lineno or node.lineno
                s.bind(node.name, node.lineno, guard, own=True)
                self.decorators(node)
                bases = tuple(b for b in (_dotted(base) for base in node.bases) if b and b != "object")
                if bases:
                    s.class_bases.append((node.name, bases))
                if any((_dotted(d.func if isinstance(d, ast.Call) else d) or "").endswith("global_enum") for d in node.decorator_list):
                    # enum.global_enum copies the members into the module (re.IGNORECASE)
                    for stmt in node.body:
                        if isinstance(stmt, ast.Assign):
                            for target in stmt.targets:
                                for name in _target_names(target):
                                    s.bind(name.id, stmt.lineno, guard, own=True)
            if in_function:
                self.statements(node.body, guard, in_function=True)
            else:  # class bodies run at import time but bind into the class
                self.class_body(node.body, guard)
        elif kind is ast.For or kind is ast.AsyncFor:
            if module_scope:
                for name in _target_names(node.target):
                    s.bind(name.id, node.lineno, guard, own=True)
            self.statements(node.body, guard | _G_CONDITIONAL, in_function=in_function)
            self.statements(node.orelse, guard | _G_CONDITIONAL, in_function=in_function)
        elif kind is ast.Try or kind.__name__ == "TryStar":
            handlers = node.handlers  # type: ignore[attr-defined]
            catching = [h for h in handlers if _handles_import_error(h)]
            if not catching:
                body_guard = guard
            elif all(_only_module_not_found(h.type) for h in catching):
                body_guard = guard | _G_TRY_MODULE
            else:
                body_guard = guard | _G_TRY
            saved_block = self.block
            self.block = node.lineno
            if not self.in_try:
                self.ran_before = False
            saved_shield, saved_reraised = self.shielded, self.reraised
            self.shielded = saved_shield or any(_swallows_more_than_module_not_found(h) for h in handlers)
            self.reraised = saved_reraised or not catching and any(_catches_import_error(h.type) and _reraises(h) for h in handlers)
            self.in_try += 1
            self.statements(node.body, body_guard, in_function=in_function, opens=True)  # type: ignore[attr-defined]
            self.in_try -= 1
            self.shielded, self.reraised = saved_shield, saved_reraised
            for handler in handlers:
                handler_guard = guard | _G_CONDITIONAL
                if handler in catching:
                    handler_guard |= _G_FALLBACK
                self.statements(handler.body, handler_guard, in_function=in_function)
            self.block = saved_block
            # `else:` runs only when the guarded imports succeeded: it shares their guard
            else_guard = guard | _G_TRY if catching else guard
            self.in_try += 1
            self.statements(node.orelse, else_guard, in_function=in_function)  # type: ignore[attr-defined]
            self.in_try -= 1
            self.statements(node.finalbody, guard, in_function=in_function)  # type: ignore[attr-defined]
        elif kind is ast.Import:
            self.import_(node, guard, module_scope)
        elif kind is ast.AugAssign:
            if module_scope and isinstance(node.target, ast.Name):
                if node.target.id == "__all__":
                    if not guard & _G_TYPE_CHECKING:  # `__all__ += [...]` that never runs
                        self.all_value(node.value, node, reset=False)
                else:
                    s.bind(node.target.id, node.lineno, guard, own=True)
            elif isinstance(node.target, ast.Name) and node.target.id == "__all__" and "__all__" in self.global_decls:
                s.all_dynamic = True  # a function grows __all__ when it is called
        elif kind is ast.With or kind is ast.AsyncWith:
            with_guard = guard
            for item in node.items:
                if module_scope and item.optional_vars is not None:
                    for name in _target_names(item.optional_vars):
                        s.bind(name.id, node.lineno, guard, own=True)
                call = item.context_expr
                # contextlib.suppress(ImportError), pytest.raises(ImportError), self.assertRaises(ImportError):
                # a failing import inside is expected and handled
                if isinstance(call, ast.Call) and any(
                    isinstance(a, (ast.Name, ast.Attribute, ast.Tuple)) and _catches_import_error(a) for a in call.args
                ):
                    with_guard |= _G_TRY
            saved_ran, saved_shield = self.ran_before, self.shielded
            self.ran_before = self.in_try > 0  # its items ran first: a try around it may catch their error
            self.shielded = True
            self.in_try += 1  # a context manager may swallow what its body raises
            self.statements(node.body, with_guard, top=top, in_function=in_function, opens=True)
            self.in_try -= 1
            self.ran_before, self.shielded = saved_ran, saved_shield
        elif kind is ast.Delete:
            if module_scope:
                for target in node.targets:
                    for name in _target_names(target):
                        if top:
                            s.deleted[name.id] = node.lineno
                        # a conditional del leaves the name possibly bound
        elif kind is ast.While:
            self.statements(node.body, guard | _G_CONDITIONAL, in_function=in_function)
            self.statements(node.orelse, guard | _G_CONDITIONAL, in_function=in_function)
        elif kind is ast.Global:
            self.global_decls.update(node.names)
        elif kind is ast.AnnAssign:
            if module_scope and isinstance(node.target, ast.Name):
                if node.value is not None:
                    self.assign_target(node.target, node, guard, top)
                elif not (guard & _G_TYPE_CHECKING):
                    s.annotated.setdefault(node.target.id, node.lineno)
            elif in_function and self.global_decls and node.value is not None:
                self.global_assign([node.target], node.lineno, guard)
        elif kind.__name__ == "Match":
            for case in node.cases:  # type: ignore[attr-defined]
                if module_scope:
                    for sub in ast.walk(case.pattern):
                        bound = getattr(sub, "name", None)
                        if isinstance(bound, str):
                            s.bind(bound, node.lineno, guard, own=True)
                        rest = getattr(sub, "rest", None)
                        if isinstance(rest, str):
                            s.bind(rest, node.lineno, guard, own=True)
                self.statements(case.body, guard | _G_CONDITIONAL, in_function=in_function)
        elif kind.__name__ == "TypeAlias":
            if module_scope and isinstance(node.name, ast.Name):  # type: ignore[attr-defined]
                s.bind(node.name.id, node.lineno, guard, own=True)  # type: ignore[attr-defined]

    def decorators(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        """A decorator gets the object, and through ``obj.__module__`` this module."""
        for decorator in node.decorator_list:
            callee = _dotted(decorator.func if isinstance(decorator, ast.Call) else decorator)
            if callee:
                self.s.module_calls.append(callee)
                if "." not in callee:
                    self.s.local_calls.add(callee)

    def module_call(self, call: ast.Call) -> None:
        callee = _dotted(call.func)
        if not callee:
            return
        if "." not in callee:
            self.s.local_calls.add(callee)
        if _hands_over_module(call):
            self.s.module_calls.append(callee)

    def only_attribute_writes_within(self, node: ast.stmt) -> bool:
        """Can nothing but ``X.attr = ...`` in this function's body matter? Only an import, a
        ``global`` statement, ``__all__`` or an edit of sys.path and the like (``effects``) can;
        each spells its word in the text (about two thirds of Django's functions spell none)."""
        if self.watch_effects or self.imports_within(node):
            return False
        if self.global_lines is None:
            self.global_lines = _match_lines(_GLOBAL_WORD, self.source)
            self.all_lines = _match_lines(_ALL_WORD, self.source) if self.has_all else []
        return not (_within(self.global_lines, node) or _within(self.all_lines, node))

    def imports_within(self, node: ast.stmt) -> bool:
        """Does the statement's line range hold the word ``import`` (a superset of its imports)?"""
        return _within(self.import_lines, node)

    def is_feature_test(self, test: ast.expr) -> bool:
        if self.feature_names:
            for node in _test_nodes(test):
                if node.__class__ is ast.Name and node.id in self.feature_names:  # type: ignore[attr-defined]
                    return True
        return _is_feature_test(test)

    def class_body(self, body: list[ast.stmt], guard: int) -> None:
        """Imports in a class body run at import time; its bindings are the class's."""
        for stmt in body:
            if isinstance(stmt, ast.Import):
                self.import_(stmt, guard, module_scope=False)
            elif isinstance(stmt, ast.ImportFrom):
                self.import_from(stmt, guard, module_scope=False)
            elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.function_body(stmt, guard)
            elif isinstance(stmt, ast.ClassDef):
                self.class_body(stmt.body, guard)
            elif isinstance(stmt, (ast.If, ast.Try, ast.With, ast.For, ast.While)) or stmt.__class__.__name__ in ("TryStar", "Match"):
                self.statement(stmt, guard | _G_CONDITIONAL if isinstance(stmt, ast.If) else guard, top=False, in_function=True)

    def function_body(self, node: ast.FunctionDef | ast.AsyncFunctionDef, guard: int) -> None:
        if self.only_attribute_writes_within(node):
            _attribute_writes(node.body, self.s.attribute_writes)
            return
        saved = self.global_decls
        self.global_decls = set()
        self.statements(node.body, guard | _G_FUNCTION, in_function=True)
        self.global_decls = saved

    def global_assign(self, targets: list[ast.expr], line: int, guard: int) -> None:
        for target in targets:
            for name in _target_names(target):
                if name.id in self.global_decls:
                    self.s.bind(name.id, line, guard, own=True)

    def if_(self, node: ast.If, guard: int, top: bool, in_function: bool) -> None:
        test = node.test
        if _is_type_checking(test):
            self.statements(node.body, guard | _G_TYPE_CHECKING, in_function=in_function)
            self.statements(node.orelse, guard | _G_CONDITIONAL, in_function=in_function)
        elif _is_not_type_checking(test):
            self.statements(node.body, guard | _G_CONDITIONAL, in_function=in_function)
            self.statements(node.orelse, guard | _G_TYPE_CHECKING, in_function=in_function)
        elif self.imports_within(node) and self.is_feature_test(test):
            self.statements(node.body, guard | _G_FEATURE_TEST, in_function=in_function)
            self.statements(node.orelse, guard | _G_FEATURE_TEST, in_function=in_function)
        else:
            saved = self.test_flags
            if self.imports_within(node):
                self.test_flags = saved + _flag_names(test)
            self.statements(node.body, guard | _G_CONDITIONAL, in_function=in_function)
            self.statements(node.orelse, guard | _G_CONDITIONAL, in_function=in_function)
            self.test_flags = saved

    # -- imports ----------------------------------------------------------
    def import_(self, node: ast.Import, guard: int, module_scope: bool) -> None:
        s = self.s
        for index, alias in enumerate(node.names):
            loc = s.loc(alias)
            s.imports.append(
                ImportEdge(
                    level=0,
                    module_text=alias.name,
                    names=(),
                    location=loc,
                    guard=_as_guard(guard),
                    is_from=False,
                    asname=alias.asname,
                    block=self.block,
                    skippable=self.in_try > 0 and (self.ran_before or index > 0),
                    shielded=self.shielded,
                    flags=self.test_flags,
                    reraised=self.reraised,
                )
            )
            bound = alias.asname or alias.name.split(".", 1)[0]
            text = alias.name if alias.asname else alias.name.split(".", 1)[0]
            if module_scope or bound in self.global_decls:  # `global x` then `import x` binds the module's x
                s.bind(bound, node.lineno, guard)
                s.add_binding(bound, text)
            else:
                s.local_bindings.setdefault(bound, text)

    def import_from(self, node: ast.ImportFrom, guard: int, module_scope: bool) -> None:
        s = self.s
        names = []
        for alias in node.names:
            names.append(ImportedName(alias.name, alias.asname, s.loc(alias)))
            if alias.name != "*":
                bound = alias.asname or alias.name
                text = "." * node.level + (node.module or "")
                text = f"{text}.{alias.name}" if node.module else text + alias.name
                if module_scope or bound in self.global_decls:  # `global x` then `from m import x`
                    s.bind(bound, node.lineno, guard)
                    s.add_binding(bound, text)
                else:
                    s.local_bindings.setdefault(bound, text)
        text = "." * node.level + (node.module or "")
        s.imports.append(
            ImportEdge(
                level=node.level,
                module_text=text,
                names=tuple(names),
                location=s.loc(node),
                guard=_as_guard(guard),
                is_from=True,
                block=self.block,
                skippable=self.in_try > 0 and self.ran_before,
                shielded=self.shielded,
                flags=self.test_flags,
                reraised=self.reraised,
            )
        )

    # -- assignments, __all__ ---------------------------------------------
    def assign_target(self, target: ast.expr, node: ast.Assign | ast.AnnAssign, guard: int, top: bool) -> None:
        s = self.s
        value = node.value
        if isinstance(target, ast.Name):
            if target.id == "__all__":
                if guard & _G_TYPE_CHECKING:
                    return
                self.all_value(value, node, reset=top and not guard)
            elif target.id == "__getattr__":
                s.getattr_assigned = s.loc(node)
                call = value if isinstance(value, ast.Call) else None
                s.getattr_factory = call.func.id if call is not None and isinstance(call.func, ast.Name) else None
            elif target.id == "__path__":
                pass  # handled by expression facts
            s.bind(target.id, node.lineno, guard, own=True)
            if self.has_getattr and value is not None:
                self.literal_collection(target.id, value)
            return
        if isinstance(target, (ast.Tuple, ast.List)):
            for name in _target_names(target):
                if name.id == "__all__":
                    if not self.lazy_names_for_all(value):
                        s.all_dynamic = True
                        s.all_location = s.loc(node)
                elif name.id == "__getattr__":
                    s.getattr_assigned = s.loc(node)
                s.bind(name.id, node.lineno, guard, own=True)
        # attribute/subscript targets bind nothing at module level

    def literal_collection(self, name: str, value: ast.expr) -> None:
        if isinstance(value, ast.Dict):
            keys = []
            for key in value.keys:
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    keys.append(key.value)
                else:
                    return
            self.s.literal_collections[name] = frozenset(keys)
        else:
            elements = _str_elements(value)
            if elements is not None:
                self.s.literal_collections[name] = frozenset(e.value for e in elements)

    def all_value(self, value: ast.expr | None, node: ast.stmt, reset: bool) -> None:
        s = self.s
        if s.all_location is None:
            s.all_location = s.loc(node)
        entries: list[AllEntry] = []
        sources: list[str] = []
        if value is None or not self.all_parts(value, entries, sources):
            s.all_dynamic = True
            if s.all_entries is None:
                s.all_entries = []
            return
        if reset or s.all_entries is None:
            s.all_entries = []
            if reset:
                s.all_sources = []
        s.all_entries.extend(entries)
        s.all_sources.extend(sources)

    def all_parts(self, value: ast.expr, entries: list[AllEntry], sources: list[str]) -> bool:
        elements = _str_elements(value)
        if elements is not None:
            entries.extend(AllEntry(e.value, self.s.loc(e)) for e in elements)
            return True
        if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
            return self.all_parts(value.left, entries, sources) and self.all_parts(value.right, entries, sources)
        if isinstance(value, ast.Attribute) and value.attr == "__all__":
            ref = _dotted(value.value)
            if ref:
                sources.append(ref)
                return True
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in ("list", "tuple") and len(value.args) == 1:
            return self.all_parts(value.args[0], entries, sources)
        if isinstance(value, ast.Name) and value.id == "__all__":
            return True
        return False

    def all_call(self, call: ast.Call) -> None:
        func = call.func
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "__all__"):
            return
        s = self.s
        if s.all_entries is None:
            s.all_entries = []
        if func.attr == "append" and len(call.args) == 1:
            arg = call.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                s.all_entries.append(AllEntry(arg.value, s.loc(arg)))
                return
        elif func.attr == "extend" and len(call.args) == 1:
            entries: list[AllEntry] = []
            sources: list[str] = []
            if self.all_parts(call.args[0], entries, sources):
                s.all_entries.extend(entries)
                s.all_sources.extend(sources)
                return
        elif func.attr == "insert" and len(call.args) == 2:
            arg = call.args[1]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                s.all_entries.append(AllEntry(arg.value, s.loc(arg)))
                return
        elif func.attr == "remove" and len(call.args) == 1:
            arg = call.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                s.all_entries[:] = [e for e in s.all_entries if e.name != arg.value]
                return
        elif func.attr in ("sort", "reverse", "copy", "index", "count"):
            return
        s.all_dynamic = True

    # -- lazy_loader --------------------------------------------------------
    def lazy_attach(self, node: ast.Assign) -> None:
        call = node.value
        if not isinstance(call, ast.Call):
            return
        callee = _dotted(call.func) or ""
        head, _, attr = callee.rpartition(".")
        origin = self.s.import_bindings.get(head or attr, "")
        if attr not in ("attach", "attach_stub"):
            return
        if not (origin.split(".")[-1] in ("lazy_loader", "attach", "attach_stub") or "lazy_loader" in origin):
            return
        s = self.s
        if attr == "attach_stub":
            s.lazy = LazyAttach((), (), s.loc(call), from_stub=True)
            return
        args = list(call.args)
        keywords = {k.arg: k.value for k in call.keywords if k.arg}
        submodules_node = keywords.get("submodules", args[1] if len(args) > 1 else None)
        attrs_node = keywords.get("submod_attrs", args[2] if len(args) > 2 else None)
        submodules: list[AllEntry] = []
        attrs: list[tuple[str, AllEntry]] = []
        if submodules_node is not None and not (isinstance(submodules_node, ast.Constant) and submodules_node.value is None):
            elements = _str_elements(submodules_node)
            if elements is None:
                s.lazy_unknown = True
                return
            submodules = [AllEntry(e.value, s.loc(e)) for e in elements]
        if attrs_node is not None and not (isinstance(attrs_node, ast.Constant) and attrs_node.value is None):
            if not isinstance(attrs_node, ast.Dict):
                s.lazy_unknown = True
                return
            for key, value in zip(attrs_node.keys, attrs_node.values):
                elements = _str_elements(value) if value is not None else None
                if not (isinstance(key, ast.Constant) and isinstance(key.value, str)) or elements is None:
                    s.lazy_unknown = True
                    return
                attrs.extend((key.value, AllEntry(e.value, s.loc(e))) for e in elements)
        s.lazy = LazyAttach(tuple(submodules), tuple(attrs), s.loc(call))

    def lazy_names_for_all(self, value: ast.expr | None) -> bool:
        """`__getattr__, __dir__, __all__ = lazy.attach(...)`: __all__ is the served names."""
        s = self.s
        if not isinstance(value, ast.Call) or s.lazy is None or s.lazy.from_stub:
            return False
        s.all_location = s.loc(value)
        s.all_entries = [*s.lazy.submodules, *(e for _, e in s.lazy.attrs)]
        return True

    # -- expression-level facts -------------------------------------------
    def edits_sys_path(self, line: int) -> None:
        self.sys_path_line = min(self.sys_path_line or line, line)
        self.sys_path_at_import = self.sys_path_at_import or self.effects_at_import

    def effects(self, node: ast.stmt, at_import: bool = False) -> None:
        """Statement-level edits of the import machinery: sys.path, sys.modules, __path__, meta path."""
        self.effects_at_import = at_import  # module-level code, not a def's body
        m = self.markers
        if isinstance(node, ast.Expr):
            call = node.value
            if not isinstance(call, ast.Call):
                return
            name = _dotted(call.func) or ""
            if m.sys_modules:  # `loader.exec_module(sys.modules["pkg"])`, `sys.modules["pkg"].__dict__.update(...)`
                for key in map(_sys_modules_key, [*call.args, _call_base(call)]):
                    if key:
                        self.s.module_writes.append(key)
            if m.sys_path and (name.startswith("sys.path.") or name == "site.addsitedir"):
                if name.rsplit(".", 1)[-1] in ("insert", "append", "extend", "addsitedir", "__setitem__"):
                    self.edits_sys_path(node.lineno)
            elif m.meta and name.startswith(("sys.meta_path.", "sys.path_hooks.")):
                self.finder = True
            elif m.sys_modules and name in ("sys.modules.update", "sys.modules.setdefault", "sys.modules.__setitem__"):
                self.finder = True
            elif name == "setattr" and len(call.args) >= 2:
                first, second = call.args[0], call.args[1]
                if isinstance(first, ast.Name) and isinstance(second, ast.Constant) and isinstance(second.value, str):
                    self.s.attribute_writes.append((first.id, second.value))
                elif isinstance(first, ast.Name):
                    self.s.attribute_writes.append((first.id, "*"))  # a computed name: anything
                elif isinstance(first, ast.Subscript) and _dotted(first.value) == "sys.modules":
                    self.dynamic = self.dynamic or f"sets attributes through sys.modules at line {node.lineno}"
            elif m.dunder_path and (name.endswith(("extend_path", "declare_namespace")) or name.startswith("__path__.")):
                self.dynamic_path = True
            elif name.endswith("._convert_") and any(isinstance(a, ast.Name) and a.id == "__name__" for a in call.args):
                self.dynamic = self.dynamic or f"fills its namespace with Enum._convert_ at line {node.lineno}"
            elif m.sys_modules and name.endswith("__dict__.update"):
                owner = call.func.value.value if isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Attribute) else None  # type: ignore[attr-defined]
                if isinstance(owner, ast.Subscript) and _dotted(owner.value) == "sys.modules":
                    self.dynamic = self.dynamic or f"updates its namespace through sys.modules at line {node.lineno}"
            return
        value = getattr(node, "value", None)
        if m.dunder_path and isinstance(value, ast.Call) and (_dotted(value.func) or "").endswith(("extend_path", "declare_namespace")):
            self.dynamic_path = True
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]  # type: ignore[attr-defined]
        for target in targets:
            if isinstance(target, ast.Name):
                if target.id == "__path__":
                    self.dynamic_path = True
                continue
            if isinstance(target, ast.Attribute):
                if m.sys_path and _dotted(target) == "sys.path":
                    self.edits_sys_path(node.lineno)
                elif m.sys_modules and _is_own_module(target.value):
                    if target.attr == "__class__":  # a ModuleType subclass: properties, __getattr__, ...
                        self.dynamic = self.dynamic or f"swaps its module class at line {node.lineno}"
                    else:  # `sys.modules[__name__].name = ...` binds name (when it runs)
                        self.s.bind(target.attr, node.lineno, _G_NONE, own=True)
                continue
            if isinstance(target, ast.Subscript):
                owner = _dotted(target.value)
                if owner == "sys.path":
                    self.edits_sys_path(node.lineno)
                elif owner == "sys.modules":
                    key = target.slice
                    if isinstance(key, ast.Constant) and isinstance(key.value, str):
                        self.registers.append(key.value)
                        value = getattr(node, "value", None)
                        if isinstance(value, ast.Name):
                            self.s.registered_values.append((key.value, value.id))
                    elif isinstance(key, ast.Name) and key.id == "__name__":
                        self.dynamic = self.dynamic or f"replaces itself in sys.modules at line {node.lineno}"
                    else:
                        self.finder = True

    def expression_facts(self, tree: ast.Module, markers: _TextMarkers):
        """Namespace writes hidden in expressions (globals(), exec) and walrus bindings: a full walk,
        paid only by files that contain those tokens."""
        if markers.walrus:
            for stmt in tree.body:
                if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    continue
                for node in ast.walk(stmt):
                    if isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name):
                        self.s.bind(node.target.id, node.lineno, _G_NONE, own=True)
        if markers.globals or markers.exec:
            # walk only the top-level statements that hold such a call
            lines = self.namespace_call_lines
            parents: dict[int, ast.AST] = {}
            calls = []
            for stmt in tree.body:
                end = getattr(stmt, "end_lineno", stmt.lineno) or stmt.lineno
                if not any(stmt.lineno <= line <= end for line in lines):
                    continue
                for node in ast.walk(stmt):
                    for child in ast.iter_child_nodes(node):
                        parents[id(child)] = node
                    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("globals", "locals", "vars", "exec"):
                        calls.append(node)
            for node in calls:
                name = node.func.id  # type: ignore[attr-defined]
                if name == "exec":
                    if self._module_level(node, parents) or len(node.args) >= 2:
                        self.dynamic = self.dynamic or f"calls exec() at line {node.lineno}"
                elif not node.args and (name == "globals" or self._module_level(node, parents)):
                    functions = {f.name: f for f in tree.body if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))}
                    if self._writes_namespace(node, parents, functions, tree):
                        self.dynamic = self.dynamic or f"writes to {name}() at line {node.lineno}"
        return self.dynamic, self.dynamic_path, tuple(self.registers), self.finder, self.sys_path_line

    @staticmethod
    def _module_level(node: ast.AST, parents: dict[int, ast.AST]) -> bool:
        current = parents.get(id(node))
        while current is not None:
            if isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
                return False
            current = parents.get(id(current))
        return True

    @staticmethod
    def _writes_namespace(
        call: ast.Call, parents: dict[int, ast.AST], functions: dict[str, ast.AST] | None = None, tree: ast.Module | None = None
    ) -> bool:
        parent = parents.get(id(call))
        if isinstance(parent, ast.Subscript):
            return isinstance(parent.ctx, (ast.Store, ast.Del))
        if isinstance(parent, ast.Attribute):
            return parent.attr not in ("get", "keys", "items", "values", "copy", "__contains__", "__getitem__")
        if isinstance(parent, ast.Compare):
            return False
        if isinstance(parent, ast.Call) and parent.func is not call:
            # passed to a function (exec(code, globals()), register(globals())): may write
            callee = _dotted(parent.func) or ""
            if functions and callee in functions:
                # a function of this module: it can write only through the parameter it gets
                # (sqlalchemy's `__go(locals())` never touches it)
                return _uses_parameter(functions[callee], parent, call)  # type: ignore[arg-type]
            return callee not in ("dict", "list", "sorted", "set", "len", "print", "id", "any", "all", "repr")
        if isinstance(parent, ast.Assign) and tree is not None and len(parent.targets) == 1 and isinstance(parent.targets[0], ast.Name):
            # aliased: `g = globals(); g[...] = ...` writes, httpx's `__locals = locals()` only reads
            return _alias_may_write(tree, parent.targets[0].id)
        if isinstance(parent, (ast.Assign, ast.NamedExpr)):
            return True
        if isinstance(parent, (ast.For, ast.comprehension)):
            return False
        return False


def _factory_served(tree: ast.Module, factory: str, collections: dict[str, frozenset[str]]) -> frozenset[str] | None:
    """``__getattr__ = _make_getattr(__name__)`` (attrs): the names served by the nested function
    that this module's factory returns, or None when that is not plain."""
    definitions = [f for f in tree.body if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef)) and f.name == factory]
    if len(definitions) != 1:
        return None
    body = definitions[0].body
    returned = body[-1].value if body and isinstance(body[-1], ast.Return) else None
    if not isinstance(returned, ast.Name):
        return None
    nested = [f for f in body if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef)) and f.name == returned.id]
    return _served_names(nested[0], collections) if len(nested) == 1 else None


def _served_names(node: ast.FunctionDef | ast.AsyncFunctionDef, collections: dict[str, frozenset[str]]) -> frozenset[str] | None:
    """The names a PEP 562 __getattr__ provably answers, or None if it may answer anything."""
    if not node.args.args:
        return None
    param = node.args.args[0].arg
    served: set[str] = set()
    if _serves(node.body, param, collections, served):
        return frozenset(served)
    return None


def _name_test(test: ast.expr, param: str, collections: dict[str, frozenset[str]]) -> tuple[frozenset[str], bool] | None:
    """For `param == "x"` / `param in {...}` / `param not in NAME`: (names, negated)."""
    if not isinstance(test, ast.Compare) or len(test.ops) != 1:
        if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or):
            names: set[str] = set()
            for value in test.values:
                part = _name_test(value, param, collections)
                if part is None or part[1]:
                    return None
                names |= part[0]
            return frozenset(names), False
        return None
    left, op, right = test.left, test.ops[0], test.comparators[0]
    if isinstance(right, ast.Name) and right.id == param and isinstance(op, (ast.Eq, ast.NotEq)):
        left, right = right, left
    if not (isinstance(left, ast.Name) and left.id == param):
        return None
    if isinstance(op, (ast.Eq, ast.NotEq)) and isinstance(right, ast.Constant) and isinstance(right.value, str):
        return frozenset({right.value}), isinstance(op, ast.NotEq)
    if isinstance(op, (ast.In, ast.NotIn)):
        negated = isinstance(op, ast.NotIn)
        elements = _str_elements(right)
        if elements is not None:
            return frozenset(e.value for e in elements), negated
        if isinstance(right, ast.Dict):
            keys = [k.value for k in right.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)]
            if len(keys) == len(right.keys):
                return frozenset(keys), negated
        if isinstance(right, ast.Name) and right.id in collections:
            return collections[right.id], negated
        if isinstance(right, ast.Call) and isinstance(right.func, ast.Attribute) and right.func.attr == "keys":
            owner = right.func.value
            if isinstance(owner, ast.Name) and owner.id in collections:
                return collections[owner.id], negated
    return None


def _raises_attribute_error(stmt: ast.stmt) -> bool:
    if not isinstance(stmt, ast.Raise) or stmt.exc is None:
        return False
    exc = stmt.exc.func if isinstance(stmt.exc, ast.Call) else stmt.exc
    name = _dotted(exc) or ""
    return name.endswith("AttributeError")


def _serves(body: list[ast.stmt], param: str, collections: dict[str, frozenset[str]], served: set[str]) -> bool:
    """True when every path through ``body`` either answers a literal name or raises AttributeError."""
    for stmt in body:
        if _raises_attribute_error(stmt):
            return True
        if isinstance(stmt, ast.If):
            test = _name_test(stmt.test, param, collections)
            if test is None:
                return False
            names, negated = test
            if negated:
                # `if name not in X: raise AttributeError` -> only X is served after it
                if stmt.body and _raises_attribute_error(stmt.body[-1]) and not stmt.orelse:
                    served |= names
                    return True
                return False
            served |= names
            if stmt.orelse:
                return _serves(stmt.orelse, param, collections, served)
            continue
        if isinstance(stmt, ast.Try):
            # try: return TABLE[name] except KeyError: raise AttributeError
            if (
                len(stmt.body) == 1
                and isinstance(stmt.body[0], ast.Return)
                and isinstance(stmt.body[0].value, ast.Subscript)
                and isinstance(stmt.body[0].value.value, ast.Name)
                and stmt.body[0].value.value.id in collections
                and stmt.handlers
                and all(h.body and _raises_attribute_error(h.body[-1]) for h in stmt.handlers)
            ):
                served |= collections[stmt.body[0].value.value.id]
                return True
            return False
        if isinstance(stmt, (ast.Expr, ast.Import, ast.ImportFrom, ast.Assign, ast.AnnAssign, ast.Global, ast.Pass)):
            if isinstance(stmt, ast.Expr) and not isinstance(stmt.value, ast.Constant):
                return False  # a call could do anything
            continue
        return False
    return False
