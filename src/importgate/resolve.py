"""What an import points at, and whether that module provides a name.

Every answer is three-valued: yes, no (with the reason), or unknown (the code
is too dynamic to know). Rules only report "no". File access goes through the
``ModuleFinder`` and ``FactsSource`` ports, which the engine wires to disk and
cache; nothing here opens a file itself.
"""

from __future__ import annotations

import enum
import importlib.util
import os
from dataclasses import dataclass

from importgate.facts.finder import Found, Kind, ModuleFinder
from importgate.facts.model import Guard, ImportEdge, ModuleFacts
from importgate.model import Location


TYPE_CHECKING = False  # typing costs a run that answers an edit 2 ms to import
if TYPE_CHECKING:
    from typing import Protocol

    class FactsSource(Protocol):
        def facts(self, path: str, name: str, is_package: bool, is_stub: bool) -> ModuleFacts | None: ...

        def binds(self, path: str, name: str) -> bool: ...  # its text proves it (``facts.textproof``)


class Verdict(enum.Enum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"
    STUB_NO = "stub-no"  # missing from a stub that stands in for a compiled module


@dataclass(slots=True, unsafe_hash=True)
class Answer:
    """Whether a name is there, and when not, why and where that is decided."""

    verdict: Verdict
    reason: str | None = None  # why not, in words
    where: Location | None = None  # where the reason lives (a del, a TYPE_CHECKING block, ...)

    @property
    def ok(self) -> bool:
        return self.verdict in (Verdict.YES, Verdict.UNKNOWN)


YES = Answer(Verdict.YES)
UNKNOWN = Answer(Verdict.UNKNOWN)


@dataclass(slots=True, unsafe_hash=True)
class Resolution:
    """The module an import names: ``found`` or, when absent, whether that is certain."""

    name: str
    found: Found | None
    unknown: str | None = None  # why absence is not certain
    missing_part: str | None = None  # the first dotted prefix that does not exist

    @property
    def certain_missing(self) -> bool:
        return self.found is None and self.unknown is None


def _is_test_file(path: str) -> bool:
    name = os.path.basename(path)
    return name == "conftest.py" or (name.startswith("test_") and name.endswith(".py")) or name.endswith("_test.py")


# sys.modules aliases whose value depends on the platform (os.py picks one at import time)
_PLATFORM_ALIASES = {"os.path": lambda platform: "ntpath" if platform == "win32" else "posixpath"}


def absolute_name(text: str, importer: str, importer_is_package: bool) -> str | None:
    """``..sql.type_api`` as written in ``importer`` -> ``pkg.sql.type_api``; None when it
    climbs above the top-level package."""
    if not text.startswith("."):
        return text
    package = importer if importer_is_package else importer.rpartition(".")[0]
    try:
        return importlib.util.resolve_name(text, package)
    except (ImportError, ValueError):  # beyond the top-level package, or no package at all
        return None


def absolute_target(edge: ImportEdge, importer: str, importer_is_package: bool) -> str | None:
    """The absolute module an import statement names; None when it climbs above the top."""
    return absolute_name("." * edge.level + edge.module_text.lstrip("."), importer, importer_is_package)


class Resolver:
    def __init__(
        self,
        finder: ModuleFinder,
        source: FactsSource,
        package_dirs: frozenset[str],
        first_party: dict[str, ModuleFacts] | None = None,
    ) -> None:
        self.finder = finder
        self.source = source
        self.package_dirs = package_dirs  # first-party directories holding an __init__.py
        self.first_party = first_party or {}
        self._fallback: dict[str, tuple[str, ...]] = {}
        self._resolved: dict[tuple, Resolution] = {}
        self.test_dirs: frozenset[str] = frozenset()  # pytest basedirs and pythonpath (set by the engine)
        self._injected: dict[str, dict[str, set[str]]] = {}  # top-level package (or package:name) -> module -> attrs
        self._files: dict[str, list[tuple[str, str, bool]]] = {}  # installed top-level package -> its files
        self._facts: dict[str, ModuleFacts | None] = {}
        self._exports: dict[str, frozenset[str] | None] = {}
        self._provides: dict[tuple[str, str], Answer] = {}

    # -- facts -------------------------------------------------------------
    def facts_of(self, found: Found) -> ModuleFacts | None:
        if found.kind is not Kind.SOURCE or found.path is None:
            return None
        return self._load(found.path, found.name, found.is_package, False)

    def stub_facts_of(self, found: Found) -> ModuleFacts | None:
        if found.stub is None:
            return None
        return self._load(found.stub, found.name, found.is_package, True)

    def _load(self, path: str, name: str, is_package: bool, is_stub: bool) -> ModuleFacts | None:
        if path not in self._facts:
            self._facts[path] = self.source.facts(path, name, is_package, is_stub)
        return self._facts[path]

    # -- modules -----------------------------------------------------------
    def resolve(self, name: str, importer_path: str | None, extra_dirs: tuple[str, ...] = ()) -> Resolution:
        """``extra_dirs``: directories on sys.path only when the importer runs (see fallback_dirs).
        Memoized: within a run the answer depends only on the arguments."""
        key = (name, importer_path, extra_dirs)
        cached = self._resolved.get(key)
        if cached is None:
            cached = self._resolved[key] = self._resolve(name, importer_path, extra_dirs)
        return cached

    def _resolve(self, name: str, importer_path: str | None, extra_dirs: tuple[str, ...]) -> Resolution:
        found = self.finder.find(name, importer_path)
        if found is not None:
            return Resolution(name, found)
        if extra_dirs:
            head, _, rest = name.partition(".")
            local = self.finder.find_in(head, head, extra_dirs, True)
            if local is not None:
                for part in rest.split(".") if rest else ():
                    local = self.finder.find_in(local.name + "." + part, part, local.locations, True) if local.locations else None
                    if local is None:
                        break
                if local is not None:
                    return Resolution(name, local)
        alias = self._registered_alias(name)
        if alias is not None:
            return Resolution(name, alias)
        return self._explain_missing(name, importer_path)

    def script_dir_alternative(self, name: str, importer_path: str, extra_dirs: tuple[str, ...]) -> Found | None:
        """Another module of this name in the directories on sys.path only when the importer
        runs as a script or test (``fallback_dirs``), which Python puts first: when the file
        is instead imported through an import root (a directory without ``__init__.py`` inside
        one), the import root's module runs. Which one is unknowable here."""
        if not extra_dirs:
            return None
        found = self.finder.find(name, importer_path)
        if found is None:
            return None  # found only there (that is the answer already), or nowhere
        head, _, rest = name.partition(".")
        other = self.finder.find_in(head, head, extra_dirs, True)
        for part in rest.split(".") if rest else ():
            if other is None or not other.locations:
                return None
            other = self.finder.find_in(other.name + "." + part, part, other.locations, True)
        if other is None or other.path == found.path:
            return None
        return other

    def _registered_alias(self, name: str) -> Found | None:
        """``sys.modules["os.path"] = path`` where ``path`` is one known module."""
        if name in _PLATFORM_ALIASES:
            target = _PLATFORM_ALIASES[name](self.finder.env.platform)
            return self.finder.find(target, None)
        parent = name.rpartition(".")[0]
        while parent:
            found = self.finder.find(parent, None)
            facts = self.facts_of(found) if found is not None else None
            if facts is not None:
                for key, text in facts.registered_aliases:
                    if key == name:
                        target = absolute_name(text, facts.name or parent, facts.is_package)
                        return self.finder.find(target, found.path) if target else None
            parent = parent.rpartition(".")[0]
        return None

    def _explain_missing(self, name: str, importer_path: str | None) -> Resolution:
        parts = name.split(".")
        parent: Found | None = None
        for i in range(1, len(parts) + 1):
            prefix = ".".join(parts[:i])
            current = self.finder.find(prefix, importer_path)
            if current is None:
                if parent is not None:
                    why = self._dynamic_children(parent, prefix)
                    if why:
                        return Resolution(name, None, unknown=why, missing_part=prefix)
                elif self.finder.env.unknown_finders:
                    return Resolution(
                        name, None,
                        unknown="the target environment installs import hooks: " + ", ".join(self.finder.env.unknown_finders),
                        missing_part=prefix,
                    )
                return Resolution(name, None, missing_part=prefix)
            parent = current
        return Resolution(name, None, missing_part=name)

    def _dynamic_children(self, parent: Found, child: str) -> str | None:
        """Why a missing submodule of ``parent`` may still exist at run time."""
        if parent.kind in (Kind.EXTENSION, Kind.SOURCELESS, Kind.ARCHIVE, Kind.DYNAMIC, Kind.BUILTIN, Kind.STUB_ONLY):
            return f"{parent.name} is a {parent.kind.value} module whose submodules cannot be listed"
        # walk up: any ancestor that registers modules or installs a finder
        name = parent.name
        while name:
            found = self.finder.find(name, None) if name != parent.name else parent
            facts = self.facts_of(found) if found is not None else None
            if facts is not None:
                if child in facts.registers_modules:
                    return f"{name} registers {child} in sys.modules"
                if facts.installs_finder:
                    return f"{name} installs an import hook or fills sys.modules at run time"
                if facts.dynamic_path:
                    return f"{name} extends its __path__ at run time"
                if found is not None and not found.locations and facts.getattr is not None and (
                    facts.getattr.serves is None or "__path__" in facts.getattr.serves
                ):
                    return f"{name} is a module whose __getattr__ may give it a __path__"
                hook = self._hook_run_by(name, facts)
                if hook:
                    return f"{hook}, which {name} imports, installs an import hook"
            name = name.rpartition(".")[0]
        return None

    def _hook_run_by(self, package: str, facts: ModuleFacts) -> str | None:
        """A submodule the package imports at import time that installs an import hook
        (toolz's tlz/__init__.py runs tlz._build_tlz, which appends a finder to sys.meta_path)."""
        for edge in facts.imports:
            if not edge.guard.at_import:
                continue
            base = absolute_target(edge, facts.name or package, facts.is_package)
            if not base:
                continue
            candidates = [base] + ([f"{base}.{n.name}" for n in edge.names if n.name != "*"] if edge.is_from else [])
            for module in candidates:
                if not module.startswith(package + "."):
                    continue
                found = self.finder.find(module, None)
                below = self.facts_of(found) if found is not None else None
                if below is not None and below.installs_finder:
                    return module
        return None

    # -- names -------------------------------------------------------------
    def provides(self, found: Found, name: str) -> Answer:
        key = (found.path or found.name + "/", name)
        cached = self._provides.get(key)
        if cached is None:
            self._provides[key] = UNKNOWN  # recursion guard for cyclic re-export chains
            cached = self._provides[key] = self._provides_uncached(found, name)
        return cached

    def _provides_uncached(self, found: Found, name: str) -> Answer:
        if name.startswith("__") and name.endswith("__"):
            return YES  # module attributes (__version__ is not one, but dunders are too dynamic)
        if found.locations and self._submodule(found, name) is not None:
            return YES
        if found.kind is Kind.NAMESPACE:
            return Answer(Verdict.NO, f"{found.name} is a namespace package (a directory without __init__.py): it has only submodules")
        if found.kind is Kind.SOURCE and not found.first_party and found.path is not None and found.path not in self._facts:
            if self.source.binds(found.path, name):
                return YES  # its text proves it (an installed module's facts would say so too, or "unknown")
        facts = self.facts_of(found)
        if facts is None:
            stub = self.stub_facts_of(found)
            if stub is not None and found.kind in (Kind.EXTENSION, Kind.STUB_ONLY) and not _says_nothing(stub):
                answer = self._names_in(found, stub, name)
                if answer.verdict is Verdict.NO:
                    return Answer(Verdict.STUB_NO, answer.reason, answer.where)
            return UNKNOWN
        return self._names_in(found, facts, name)

    def _names_in(self, found: Found, facts: ModuleFacts, name: str) -> Answer:
        if facts.syntax_error is not None:
            return UNKNOWN
        if name in facts.defined:
            return YES
        if facts.dynamic:
            return UNKNOWN
        registered = f"{found.name}.{name}"
        if registered in facts.registers_modules:
            return YES
        lazy = facts.lazy_attach
        served = facts.getattr.serves if facts.getattr is not None else None
        if lazy is not None:
            if lazy.from_stub:
                stub = self.stub_facts_of(found)
                if stub is None or name in stub.defined or stub.dynamic:
                    return UNKNOWN if stub is None else YES
                if not any(e.is_star for e in stub.imports):
                    served = frozenset(stub.defined)  # attach_stub serves what the .pyi imports
            elif any(e.name == name for e in lazy.submodules) or any(e.name == name for _, e in lazy.attrs):
                return YES
        for star in self._star_sources(found, facts):
            if star is None:
                return UNKNOWN
            exported = self.exports(star)
            if exported is None or name in exported:
                return UNKNOWN if exported is None else YES
        if facts.getattr is not None:
            if served is None or name in served:
                return UNKNOWN if served is None else YES
        if found.locations and (facts.dynamic_path or found.kind is not Kind.SOURCE):
            return UNKNOWN
        injected = self.injected_into(found, name)
        if name in injected:
            return YES  # another module does `mod.name = ...` at import time
        if "*" in injected:
            return UNKNOWN  # some module does `setattr(mod, computed_name, ...)` (numpy.dtypes)
        if found.locations and facts.installs_finder:
            return UNKNOWN  # it installs an import hook that may serve submodules (setuptools.extern)
        if facts.module_calls and self.namespace_handed_over(found, facts):
            return UNKNOWN  # celery's recreate_module(__name__), matplotlib's @_Backend.export
        # certain: now say why
        if name in facts.typing_only:
            line = facts.typing_only[name]
            return Answer(Verdict.NO, f"'{name}' is only bound under `if TYPE_CHECKING:` (line {line}), which never runs", Location(facts.path, line))
        if name in facts.deleted:
            line = facts.deleted[name]
            return Answer(Verdict.NO, f"'{name}' is removed by `del` at line {line}", Location(facts.path, line))
        if name in facts.annotated_only:
            line = facts.annotated_only[name]
            return Answer(Verdict.NO, f"'{name}' is only annotated (line {line}), never assigned", Location(facts.path, line))
        if facts.getattr is not None and served is not None:
            names = sorted(n for n in served if not (n.startswith("__") and n.endswith("__"))) or sorted(served)
            listed = ", ".join(names[:12]) + (f" and {len(names) - 12} more" if len(names) > 12 else "")
            return Answer(Verdict.NO, f"its module-level __getattr__ only serves: {listed or 'nothing'}", facts.getattr.location)
        stars = [e for e in facts.imports if e.is_star and e.guard == e.guard.NONE]
        if stars:
            sources = ", ".join(e.module_text for e in stars)
            return Answer(Verdict.NO, f"it is not bound there, nor exported by its star import{'s' if len(stars) > 1 else ''} from {sources}")
        return Answer(Verdict.NO)

    def namespace_handed_over(self, found: Found, facts: ModuleFacts) -> bool:
        """Does a module-level call or decorator hand this module to a function that writes
        into modules it takes from ``sys.modules``? Then its namespace is unknowable.
        Asked only when a "no" is about to be given: it may parse the callees' modules."""
        for text in facts.module_calls:
            if text.startswith(":"):  # a function or class of this module
                if self._member_writes(found, facts, text[1:].split("."), 0):
                    return True
                continue
            absolute = absolute_name(text, found.name, found.is_package)
            if absolute and self._writes_namespace(absolute, found.path, 0):
                return True
        return False

    def _writes_namespace(self, dotted: str, importer: str | None, depth: int) -> bool:
        if depth > 5:
            return False
        parts = dotted.split(".")
        for i in range(len(parts) - 1, 0, -1):
            module = self.finder.find(".".join(parts[:i]), importer)
            if module is None:
                continue
            facts = self.facts_of(module)
            return facts is not None and self._member_writes(module, facts, parts[i:], depth)
        return False

    def _member_writes(self, module: Found, facts: ModuleFacts, member: list[str], depth: int) -> bool:
        if ".".join(member) in facts.namespace_writers:
            return True
        head, rest = member[0], member[1:]
        if head in facts.own_definitions:
            if len(rest) != 1:
                return False
            if any(writer.count(".") == 1 and writer.endswith("." + rest[0]) for writer in facts.namespace_writers):
                return True  # `registry.add()` on an instance of a class whose `add` writes (or a subclass's)
            if all(head != cls for cls, _ in facts.class_ends) and self._imported_class_method_writes(module, facts, rest[0], depth):
                return True  # an instance of an imported class: pretix's `settings_hierarkey = Hierarkey(...)`
            for cls, bases in facts.class_bases:  # an inherited method: look in the bases
                if cls != head:
                    continue
                for base in bases:
                    if "." not in base and base in facts.own_definitions:
                        if self._member_writes(module, facts, [base, *rest], depth + 1):
                            return True
                        continue
                    absolute = absolute_name(base, module.name, module.is_package)
                    if absolute and self._writes_namespace(".".join([absolute, *rest]), module.path, depth + 1):
                        return True
            return False
        for edge in facts.imports:  # re-exported: follow the import that binds it
            if not binds_module_name(edge, facts, head):
                continue
            if edge.is_from:
                for imported in edge.names:
                    if (imported.asname or imported.name) == head:
                        base = absolute_target(edge, module.name, module.is_package)
                        return bool(base) and self._writes_namespace(
                            ".".join([base, imported.name, *rest]), module.path, depth + 1
                        )
            elif edge.asname == head:
                return self._writes_namespace(".".join([edge.module_text, *rest]), module.path, depth + 1)
        return False

    def _imported_class_method_writes(self, module: Found, facts: ModuleFacts, method: str, depth: int) -> bool:
        """Does some class this module imports by name (``from hierarkey.models import Hierarkey``)
        have a method ``method`` that writes into modules? Which class a module-level instance
        belongs to is not in the facts, so any imported class counts (a name with a capital)."""
        for edge in facts.imports:
            if not edge.is_from or edge.is_star or edge.guard & Guard.FUNCTION:
                continue
            base = absolute_target(edge, module.name, module.is_package)
            for imported in edge.names:
                if base and imported.name[:1].isupper() and self._writes_namespace(f"{base}.{imported.name}.{method}", module.path, depth + 1):
                    return True
        return False

    def injected_into(self, found: Found, name: str) -> set[str]:
        """Attributes (among ``name`` and "*", a computed one) that modules of the same
        top-level package set on ``found`` (``mod.name = ...``, ``setattr(mod, ...)``).

        Asked only when a "no" is about to be given. For an installed package only the
        files whose text can write that attribute are parsed (the FactsSource tells,
        from the bytes), not the whole package.
        """
        top = found.name.split(".", 1)[0]
        key = top if found.first_party else f"{top}:{name}"
        table = self._injected.get(key)
        if table is None:
            table = self._injected[key] = {}
            for facts in self._package_facts(found, top, name):
                for text, attr in facts.injects:
                    target = absolute_name(text, facts.name, facts.is_package)
                    if target:
                        table.setdefault(target, set()).add(attr)
        return table.get(found.name, set()) & {name, "*"}

    def _package_facts(self, found: Found, top: str, name: str):
        if found.first_party:
            yield from (f for f in self.first_party.values() if f.name == top or f.name.startswith(top + "."))
            return
        writes = getattr(self.source, "attribute_writes", None)
        for path, module, is_package in self._package_files(top):
            if writes is not None:
                words = writes(path)
                if words is not None and name not in words and "*" not in words:
                    continue  # its text cannot set this attribute
            facts = self._load(path, module, is_package, False)
            if facts is not None:
                yield facts

    def _package_files(self, top: str) -> list[tuple[str, str, bool]]:
        """(path, module name, is package) of every .py file of an installed top-level package."""
        cached = self._files.get(top)
        if cached is not None:
            return cached
        out: list[tuple[str, str, bool]] = []
        package = self.finder.find(top, None)
        if package is not None and package.locations and package.kind is Kind.SOURCE:
            for location in package.locations:
                for directory, dirs, files in os.walk(location):
                    dirs[:] = [d for d in dirs if d.isidentifier()]
                    rel = os.path.relpath(directory, location)
                    prefix = top if rel == "." else top + "." + rel.replace(os.sep, ".")
                    for filename in files:
                        if filename.endswith(".py") and len(out) < 20000:
                            stem = filename[:-3]
                            is_package = stem == "__init__"
                            out.append((os.path.join(directory, filename), prefix if is_package else f"{prefix}.{stem}", is_package))
        self._files[top] = out
        return out

    def _submodule(self, found: Found, name: str) -> Found | None:
        if not found.locations:
            return None
        return self.finder.find_in(f"{found.name}.{name}", name, found.locations, found.first_party)

    def _star_sources(self, found: Found, facts: ModuleFacts):
        """Modules star-imported at run time; None for one that cannot be resolved."""
        for edge in facts.imports:
            if not edge.is_star or edge.guard & edge.guard.TYPE_CHECKING:
                continue
            target = absolute_target(edge, found.name, found.is_package)
            if target is None:
                yield None
                continue
            resolution = self.resolve(target, found.path)
            yield resolution.found

    def exports(self, found: Found) -> frozenset[str] | None:
        """What ``from found import *`` binds; None when unknowable."""
        key = found.path or found.name
        if key in self._exports:
            return self._exports[key]
        self._exports[key] = None  # cycle guard
        result = self._exports_uncached(found)
        self._exports[key] = result
        return result

    def _exports_uncached(self, found: Found) -> frozenset[str] | None:
        facts = self.facts_of(found)
        if facts is None:
            if found.kind is Kind.NAMESPACE:
                return frozenset()
            return None
        if facts.syntax_error is not None or facts.dynamic:
            return None
        if facts.all_entries is not None or facts.all_dynamic:
            if facts.all_dynamic:
                return None
            names = {e.name for e in facts.all_entries or ()}
            for ref in facts.all_sources:
                other = self._module_bound_to(found, facts, ref)
                if other is None:
                    return None
                other_exports = self.all_names(other)
                if other_exports is None:
                    return None
                names |= other_exports
            return frozenset(names)
        names = {n for n in facts.defined if not n.startswith("_")}
        for star in self._star_sources(found, facts):
            if star is None:
                return None
            exported = self.exports(star)
            if exported is None:
                return None
            names |= {n for n in exported if not n.startswith("_")}
        if facts.getattr is not None and facts.getattr.serves is None:
            pass  # star without __all__ reads __dict__ only: __getattr__ does not matter
        return frozenset(names)

    def all_names(self, found: Found) -> frozenset[str] | None:
        """The module's ``__all__`` (resolved through ``other.__all__`` references), or None."""
        facts = self.facts_of(found)
        if facts is None or facts.all_dynamic or facts.all_entries is None:
            return None
        return self.exports(found)

    def _module_bound_to(self, found: Found, facts: ModuleFacts, local: str) -> Found | None:
        """The module a local name like ``core`` (in ``core.__all__``) refers to."""
        head = local.split(".")[0]
        for edge in facts.imports:
            if not binds_module_name(edge, facts, head):
                continue
            if edge.is_from:
                for imported in edge.names:
                    if (imported.asname or imported.name) == head:
                        base = absolute_target(edge, found.name, found.is_package)
                        if base is None:
                            return None
                        resolution = self.resolve(f"{base}.{imported.name}", found.path)
                        if resolution.found is not None:
                            return resolution.found
                        return None
            elif (edge.asname or edge.module_text.split(".")[0]) == head:
                target = edge.module_text if edge.asname else local
                resolution = self.resolve(target, found.path)
                return resolution.found
        # a submodule referenced without import (bound because it was imported elsewhere)
        if found.locations:
            return self._submodule(found, head)
        return None

    def basedir(self, path: str) -> str:
        """The first directory above ``path`` that is not a regular package (pytest's "basedir")."""
        directory = os.path.dirname(path)
        while directory in self.package_dirs:
            parent = os.path.dirname(directory)
            if parent == directory:
                break
            directory = parent
        return directory

    def fallback_dirs(self, path: str) -> tuple[str, ...]:
        cached = self._fallback.get(path)
        if cached is None:
            cached = self._fallback[path] = self._fallback_dirs(path)
        return cached

    def _django_project_dirs(self, directory: str) -> list[str]:
        """Packages around the file whose directory holds Django's ``manage.py`` (label-studio's
        label_studio/): ``manage.py`` runs with that directory first on sys.path, so the app's
        modules import each other as ``core.x``, ``projects.y`` there."""
        out = []
        while True:
            if os.path.join(directory, "manage.py") in self.first_party and directory in self.package_dirs:
                out.append(directory)  # (a manage.py outside any package is the file's own directory or a root)
            parent = os.path.dirname(directory)
            if parent == directory:
                return out
            directory = parent

    def _fallback_dirs(self, path: str) -> tuple[str, ...]:
        """Directories that are on sys.path only in the way this file runs:
        its own directory when it runs as a script (not inside a package), and
        pytest's inserted basedirs and ``pythonpath`` when it is test code."""
        out: list[str] = []
        directory = os.path.dirname(path)
        if directory not in self.package_dirs:
            out.append(directory)
        out.extend(self._django_project_dirs(directory))
        if self.test_dirs and (_is_test_file(path) or self.basedir(path) in self.test_dirs):
            out.extend(d for d in sorted(self.test_dirs) if d not in out)
        return tuple(out)


def binds_module_name(edge: ImportEdge, facts: ModuleFacts, name: str) -> bool:
    """Can this import bind the module-level ``name``? One inside a function binds a local name,
    unless the function declares it ``global`` (the facts then have it bound on that line)."""
    if not edge.guard & Guard.FUNCTION:
        return True
    line = facts.defined.get(name)
    return line is not None and edge.location.line <= line <= edge.location.end_line


def _says_nothing(stub: ModuleFacts) -> bool:
    """An empty stub (matplotlib ships ``_backend_agg.pyi`` with no line in it) tells no names."""
    return not stub.defined and not stub.imports and stub.getattr is None and stub.all_entries is None and not stub.typing_only
