"""Turn planned changes into source text with a concrete syntax tree (libcst).

Every byte the change does not touch stays as it was: comments, quote style,
trailing commas, parenthesised and multi-line imports, blank lines and the
file's newline style and encoding. The few things a rewrite must decide itself
follow what the file already does (relative or absolute imports, sorted or not,
the quote of the other ``__all__`` entries) and fall back on black/isort style.
"""

from __future__ import annotations

import ast
import bisect
import re

import libcst as cst

from importgate.fix.plan import AddImport, AddToAll, Change, RemoveFromAll, RenameImport, RenameInAll
from importgate.resolve import absolute_name

SW = cst.SimpleWhitespace
DEFAULT = cst.MaybeSentinel.DEFAULT


class CannotApply(Exception):
    """The file is not shaped the way a safe rewrite needs; the message says how."""


def _pw(first_line: cst.TrailingWhitespace | None = None, empty_lines=(), indent: bool = True, last: str | SW = "") -> cst.ParenthesizedWhitespace:
    return cst.ParenthesizedWhitespace(
        first_line=first_line or cst.TrailingWhitespace(),
        empty_lines=tuple(empty_lines),
        indent=indent,
        last_line=last if isinstance(last, SW) else SW(last),
    )


def _space() -> cst.Comma:
    return cst.Comma(whitespace_before=SW(""), whitespace_after=SW(" "))


def import_sort_key(name: str) -> tuple:
    """isort's default order inside one statement: CONSTANTS, Classes, then everything else."""
    kind = 0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2
    return kind, name.lower(), name


SORT_KEYS = (import_sort_key, lambda n: (n.lower(), n), lambda n: n)


def sorted_position(names: list[str], new: str, preferred=None) -> int | None:
    """Where ``new`` goes if ``names`` are sorted by a common convention (``preferred``
    first, then isort's order-by-type, case-insensitive, plain); None when they are not
    (or too few to tell)."""
    if len(names) < 2:
        return None
    for key in ((preferred,) if preferred else ()) + SORT_KEYS:
        keys = [key(n) for n in names]
        if keys == sorted(keys):
            return bisect.bisect(keys, key(new))
    return None


def _alias_name(alias: cst.ImportAlias) -> str:
    return alias.name.value if isinstance(alias.name, cst.Name) else _dotted(alias.name)


def _module_text(node: cst.ImportFrom) -> str:
    """The module of a from-import as written: ".sub", "pkg.sub", "."."""
    return "." * len(node.relative) + (_dotted(node.module) if node.module is not None else "")


def _dotted(node) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""


def _string_value(node) -> str | None:
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _quote_of(node: cst.SimpleString) -> tuple[str, str]:
    value = node.value
    prefix = re.match(r"[A-Za-z]*", value).group(0)
    body = value[len(prefix):]
    quote = body[:3] if body[:3] in ('"""', "'''") else body[:1]
    return prefix, quote


# -- bracketed sequences -----------------------------------------------------------------


class _Seq:
    """Import names or a list/tuple/set display as (elements, open whitespace, close whitespace).

    ``open``/``close`` are the whitespace just inside the brackets, None when there are no brackets.
    """

    def __init__(self, node: cst.CSTNode) -> None:
        self.node = node
        self.is_tuple = isinstance(node, cst.Tuple)
        if isinstance(node, cst.ImportFrom):
            if isinstance(node.names, cst.ImportStar):
                raise CannotApply("a star import")
            self.elements = list(node.names)
            self.open = node.lpar.whitespace_after if node.lpar else None
            self.close = node.rpar.whitespace_before if node.rpar else None
        elif isinstance(node, cst.List):
            self.elements = list(node.elements)
            self.open, self.close = node.lbracket.whitespace_after, node.rbracket.whitespace_before
        elif isinstance(node, cst.Set):
            self.elements = list(node.elements)
            self.open, self.close = node.lbrace.whitespace_after, node.rbrace.whitespace_before
        elif isinstance(node, cst.Tuple):
            self.elements = list(node.elements)
            self.open = node.lpar[-1].whitespace_after if node.lpar else None
            self.close = node.rpar[0].whitespace_before if node.rpar else None
        else:  # pragma: no cover - callers only pass the kinds above
            raise CannotApply(f"unexpected node {type(node).__name__}")

    @property
    def multiline(self) -> bool:
        spaces = [self.open, self.close] + [e.comma.whitespace_after for e in self.elements if isinstance(e.comma, cst.Comma)]
        return any(isinstance(s, cst.ParenthesizedWhitespace) for s in spaces)

    def _lead(self, i: int):
        """The whitespace right before element i."""
        return self.open if i == 0 else self.elements[i - 1].comma.whitespace_after

    def _set_lead(self, i: int, ws) -> None:
        if i == 0:
            self.open = ws
        else:
            prev = self.elements[i - 1]
            self.elements[i - 1] = prev.with_changes(comma=prev.comma.with_changes(whitespace_after=ws))

    def insert(self, i: int, new, indent: str) -> None:
        n = len(self.elements)
        if n == 0:
            if isinstance(self.open, cst.ParenthesizedWhitespace):  # only comments inside: keep them
                self.open = self.open.with_changes(last_line=SW(indent))
                self.elements = [new.with_changes(comma=cst.Comma(whitespace_before=SW(""), whitespace_after=SW("")))]
                self.close = _pw()
            else:
                self.elements = [new.with_changes(comma=DEFAULT)]
                if self.open is not None:
                    self.open, self.close = SW(""), SW("")
            return
        if i >= n:
            self._append(new, indent)
            return
        lead = self._lead(i)
        if isinstance(lead, cst.ParenthesizedWhitespace):
            # own line; comment lines that preceded element i stay right above it
            self._set_lead(i, lead.with_changes(empty_lines=()))
            comma = cst.Comma(
                whitespace_before=SW(""),
                whitespace_after=_pw(empty_lines=lead.empty_lines, indent=lead.indent, last=lead.last_line),
            )
        else:
            comma = _space()
        self.elements.insert(i, new.with_changes(comma=comma))

    def _trail(self, element):
        """The whitespace after the last element: on its comma, or (libcst's usual way) inside the bracket."""
        if isinstance(element.comma, cst.Comma) and isinstance(element.comma.whitespace_after, cst.ParenthesizedWhitespace):
            return element.comma.whitespace_after, True
        return self.close, False

    def _append(self, new, indent: str) -> None:
        n = len(self.elements)
        last = self.elements[-1]
        has_comma = isinstance(last.comma, cst.Comma)
        trail, on_comma = self._trail(last)
        if isinstance(trail, cst.ParenthesizedWhitespace):
            inner = self._lead(n - 1)
            line = inner.last_line if isinstance(inner, cst.ParenthesizedWhitespace) else SW(indent)
            last_comma = cst.Comma(
                whitespace_before=last.comma.whitespace_before if has_comma else SW(""),
                whitespace_after=trail.with_changes(last_line=line),
            )
            fresh = _pw(indent=trail.indent, last=trail.last_line)
            if on_comma:
                new_comma = cst.Comma(whitespace_before=SW(""), whitespace_after=fresh)
            else:
                new_comma = cst.Comma(whitespace_before=SW(""), whitespace_after=SW("")) if has_comma else DEFAULT
                self.close = fresh
        else:
            last_comma = _space()
            new_comma = last.comma if has_comma else DEFAULT
            if self.is_tuple and n == 1:
                new_comma = DEFAULT  # ("a",): that comma made the tuple, it was not a style
        self.elements[-1] = last.with_changes(comma=last_comma)
        self.elements.append(new.with_changes(comma=new_comma))

    def remove(self, i: int) -> None:
        n = len(self.elements)
        victim = self.elements[i]
        if n == 1:
            self.elements = []
            if isinstance(self.open, cst.ParenthesizedWhitespace) and any(e.comment for e in self.open.empty_lines):
                self.open = self.open.with_changes(last_line=SW(""))
            elif self.open is not None:
                self.open = SW("")
            if self.close is not None:
                self.close = SW("")
            return
        if i < n - 1:
            lead, trail = self._lead(i), victim.comma.whitespace_after
            if isinstance(lead, cst.ParenthesizedWhitespace) and isinstance(trail, cst.ParenthesizedWhitespace):
                # drop the entry and its own trailing comment, keep comment lines around it
                self._set_lead(i, lead.with_changes(
                    empty_lines=tuple(lead.empty_lines) + tuple(trail.empty_lines), last_line=trail.last_line))
            del self.elements[i]
            return
        prev = self.elements[i - 1]
        lead = prev.comma.whitespace_after
        has_comma = isinstance(victim.comma, cst.Comma)
        trail, on_comma = self._trail(victim)
        if isinstance(lead, cst.ParenthesizedWhitespace) and isinstance(trail, cst.ParenthesizedWhitespace):
            merged = lead.with_changes(empty_lines=tuple(lead.empty_lines) + tuple(trail.empty_lines), last_line=trail.last_line)
            if on_comma:
                prev = prev.with_changes(comma=prev.comma.with_changes(whitespace_after=merged))
            else:
                comma = cst.Comma(whitespace_before=SW(""), whitespace_after=SW("")) if has_comma else DEFAULT
                prev = prev.with_changes(comma=comma)
                self.close = merged
        else:
            prev = prev.with_changes(comma=victim.comma)
        self.elements[i - 1] = prev
        del self.elements[i]
        if self.is_tuple and len(self.elements) == 1 and not isinstance(self.elements[0].comma, cst.Comma):
            self.elements[0] = self.elements[0].with_changes(comma=cst.Comma(whitespace_before=SW(""), whitespace_after=SW("")))

    def wrap(self, indent: str) -> None:
        """One element per line with a trailing comma, black style (for sequences that were on one line)."""
        out = []
        for k, e in enumerate(self.elements):
            last = k == len(self.elements) - 1
            after = SW("") if last else _pw(last=indent)
            out.append(e.with_changes(comma=cst.Comma(whitespace_before=SW(""), whitespace_after=after)))
        self.elements = out
        self.open, self.close = _pw(last=indent), _pw()

    def build(self):
        node = self.node
        if isinstance(node, cst.ImportFrom):
            if self.open is None:
                return node.with_changes(names=self.elements)
            lpar = (node.lpar or cst.LeftParen()).with_changes(whitespace_after=self.open)
            rpar = (node.rpar or cst.RightParen()).with_changes(whitespace_before=self.close)
            return node.with_changes(names=self.elements, lpar=lpar, rpar=rpar)
        if isinstance(node, cst.List):
            return node.with_changes(
                elements=self.elements,
                lbracket=node.lbracket.with_changes(whitespace_after=self.open),
                rbracket=node.rbracket.with_changes(whitespace_before=self.close),
            )
        if isinstance(node, cst.Set):
            return node.with_changes(
                elements=self.elements,
                lbrace=node.lbrace.with_changes(whitespace_after=self.open),
                rbrace=node.rbrace.with_changes(whitespace_before=self.close),
            )
        if self.open is None:
            if not self.elements:
                return node.with_changes(elements=[], lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
            return node.with_changes(elements=self.elements)
        lpar = list(node.lpar) or [cst.LeftParen()]
        rpar = list(node.rpar) or [cst.RightParen()]
        lpar[-1] = lpar[-1].with_changes(whitespace_after=self.open)
        rpar[0] = rpar[0].with_changes(whitespace_before=self.close)
        return node.with_changes(elements=self.elements, lpar=lpar, rpar=rpar)


# -- the rewriter ----------------------------------------------------------------------------


class _Names(cst.CSTVisitor):
    """Every use of an identifier outside import aliases (and every string equal to it)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.count = 0

    def visit_ImportAlias(self, node) -> bool:
        return False

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == self.name:
            self.count += 1

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if _string_value(node) == self.name:
            self.count += 1


class Rewriter:
    """One file's tree; each ``apply`` either makes all of a finding's changes or none."""

    def __init__(self, source: bytes, module: str, is_package: bool, line_length: int = 88, single_line: bool = False) -> None:
        try:
            self.module = cst.parse_module(source)
        except cst.ParserSyntaxError as exc:
            raise CannotApply(f"libcst cannot parse the file: {exc.message}") from None
        self.original = self.module
        self.source = source  # the bytes as read, to detect a file changed under our feet
        self.package = module if is_package else module.rpartition(".")[0]
        self.module_name = module
        self.line_length = line_length
        self.single_line = single_line  # isort's force-single-line
        self.notes: dict[Change, str] = {}

    @property
    def code(self) -> str:
        return self.module.code

    @property
    def data(self) -> bytes:
        return self.module.bytes

    @property
    def encoding(self) -> str:
        return self.module.encoding

    def apply(self, changes) -> None:
        before, notes = self.module, dict(self.notes)
        try:
            for change in changes:
                self._one(change)
        except CannotApply:
            self.module, self.notes = before, notes
            raise

    def _one(self, change: Change) -> None:
        if isinstance(change, AddImport):
            self.add_import(change)
        elif isinstance(change, AddToAll):
            self.add_to_all(change)
        elif isinstance(change, RemoveFromAll):
            self.edit_all(change, change.name, None)
        elif isinstance(change, RenameInAll):
            self.edit_all(change, change.old, change.new)
        elif isinstance(change, RenameImport):
            self.rename_import(change)

    # -- helpers -----------------------------------------------------------
    def absolute(self, node: cst.ImportFrom) -> str | None:
        module = _dotted(node.module) if node.module is not None else ""
        return absolute_name("." * len(node.relative) + module, self.package, True)

    def _replace(self, old, new) -> None:
        self.module = self.module.deep_replace(old, new)

    def _too_long(self, node) -> bool:
        return any(len(line) > self.line_length for line in self.module.code_for_node(node).splitlines())

    def _one_line(self, node) -> bool:
        if hasattr(node, "leading_lines"):
            node = node.with_changes(leading_lines=())
        return "\n" not in self.module.code_for_node(node).strip("\r\n")

    # -- imports -----------------------------------------------------------
    def _top_imports(self):
        for index, stmt in enumerate(self.module.body):
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, (cst.Import, cst.ImportFrom)):
                        yield index, stmt, small

    def _own(self, node) -> bool:
        if not isinstance(node, cst.ImportFrom):
            return False
        target = self.absolute(node) or ""
        return bool(self.package) and (target == self.package or target.startswith(self.package + "."))

    def add_import(self, change: AddImport) -> None:
        same = []  # top-level `from <source> import ...` statements, in file order
        for index, stmt, small in self._top_imports():
            if not isinstance(small, cst.ImportFrom) or isinstance(small.names, cst.ImportStar):
                continue
            if self.absolute(small) != change.source:
                continue
            if any(a.asname is None and _alias_name(a) == change.name for a in small.names):
                self.notes[change] = f"'{change.name}' was already imported"
                return
            same.append((index, stmt, small))
        if not same:
            self._new_import(change)
        elif self._one_name_per_statement():
            self._new_single_import(change, same)
        else:
            self._merge_import(change, *same[0][1:])

    def _name_order(self):
        """The order the file keeps imported names in (judged from all its own imports)."""
        runs: list[list[str]] = []
        previous = None
        for _, _, small in self._top_imports():
            if not isinstance(small, cst.ImportFrom) or isinstance(small.names, cst.ImportStar):
                previous = None
                continue
            names = [_alias_name(a) for a in small.names]
            module = self.absolute(small)
            if len(names) == 1 and module == previous and runs:
                runs[-1].extend(names)  # one name per statement: consecutive statements form the run
            else:
                runs.append(names)
            previous = module if len(names) == 1 else None
        runs = [r for r in runs if len(r) > 1]
        for key in SORT_KEYS:
            if runs and all([key(n) for n in r] == sorted(key(n) for n in r) for r in runs):
                return key
        return import_sort_key

    def _merge_import(self, change: AddImport, stmt, small) -> None:
        names = [_alias_name(a) for a in small.names]
        order = self._name_order()
        index = sorted_position(names, change.name, order)
        if index is None:
            index = len(names)
            if len(names) == 1 and order(change.name) < order(names[0]):
                index = 0
        seq = _Seq(small)
        was_one_line = self._one_line(small)
        seq.insert(index, cst.ImportAlias(name=cst.Name(change.name)), self.module.default_indent)
        new = seq.build()
        if was_one_line and self._too_long_statement(stmt, small, new):
            seq.wrap(self.module.default_indent)
            new = seq.build()
        self._replace(small, new)
        self.notes[change] = f"added '{change.name}' to the existing `from {_module_text(small)} import ...`"

    def _one_name_per_statement(self) -> bool:
        """isort's force_single_line style: configured, or the file imports one name per statement on purpose."""
        if self.single_line:
            return True
        counts: dict[str, int] = {}
        for _, _, small in self._top_imports():
            if not self._own(small) or isinstance(small.names, cst.ImportStar):
                continue
            if len(small.names) > 1:
                return False
            key = self.absolute(small) or ""
            counts[key] = counts.get(key, 0) + 1
        return any(n > 1 for n in counts.values())

    def _new_single_import(self, change: AddImport, same) -> None:
        text = f"from {_module_text(same[0][2])} import {change.name}\n"
        stmt = cst.parse_statement(text, config=self.module.config_for_parsing)
        names = [_alias_name(small.names[0]) for _, _, small in same]
        order = self._name_order()
        index = sorted_position(names, change.name, order)
        if index is None and len(names) == 1:
            index = 0 if order(change.name) < order(names[0]) else 1
        body = list(self.module.body)
        if index is None or index >= len(same):
            position = same[-1][0] + 1
        else:
            position = same[index][0]
            stmt = stmt.with_changes(leading_lines=body[position].leading_lines)
            body[position] = body[position].with_changes(leading_lines=())
        body.insert(position, stmt)
        self.module = self.module.with_changes(body=body)
        self.notes[change] = f"added `{text.strip()}`"

    def _too_long_statement(self, stmt, small, new) -> bool:
        probe = stmt.with_changes(body=[new if s is small else s for s in stmt.body], leading_lines=())
        return self._too_long(probe)

    def _spelling(self, source: str) -> str:
        """Relative (`.sub`) unless the file imports its own package's modules absolutely."""
        relative = absolute = 0
        for _, _, small in self._top_imports():
            if self._own(small):
                if small.relative:
                    relative += 1
                else:
                    absolute += 1
        if self.package and source.startswith(self.package + ".") and not (absolute and not relative):
            return "." + source[len(self.package) + 1:]
        return source

    def _new_import(self, change: AddImport) -> None:
        text = f"from {self._spelling(change.source)} import {change.name}\n"
        stmt = cst.parse_statement(text, config=self.module.config_for_parsing)
        body = list(self.module.body)
        own = [i for i, s, small in self._top_imports() if self._own(small)]
        if own:
            last = own[-1]
            first = last
            while first - 1 in own:
                first -= 1
            keys = [self.absolute(self._first_import(body[i])) or "" for i in range(first, last + 1)]
            position = first + bisect.bisect(keys, change.source) if keys == sorted(keys) else last + 1
            if position == first:  # takes over the run's leading blank line and section comment
                stmt = stmt.with_changes(leading_lines=body[first].leading_lines)
                body[first] = body[first].with_changes(leading_lines=())
        else:
            position = self._header_end(body)
            if position > 0:  # after the docstring, or a new section after other imports
                stmt = stmt.with_changes(leading_lines=(cst.EmptyLine(),))
            if position < len(body) and not self._is_import_line(body[position]) and not body[position].leading_lines:
                body[position] = body[position].with_changes(leading_lines=(cst.EmptyLine(),))
        body.insert(position, stmt)
        ends = self.module.has_trailing_newline or not self.module.body  # an empty file gains a newline
        self.module = self.module.with_changes(body=body, has_trailing_newline=ends)
        self.notes[change] = f"added `{text.strip()}`"

    @staticmethod
    def _first_import(stmt):
        for small in stmt.body:
            if isinstance(small, cst.ImportFrom):
                return small
        return stmt.body[0]

    @staticmethod
    def _is_import_line(stmt) -> bool:
        return isinstance(stmt, cst.SimpleStatementLine) and all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body)

    def _header_end(self, body) -> int:
        """After the docstring and the leading block of imports."""
        i = 0
        if body and isinstance(body[0], cst.SimpleStatementLine) and len(body[0].body) == 1:
            first = body[0].body[0]
            if isinstance(first, cst.Expr) and _string_value(first.value) is not None:
                i = 1
        while i < len(body) and self._is_import_line(body[i]):
            i += 1
        return i

    # -- __all__ --------------------------------------------------------------
    @staticmethod
    def _is_all(target) -> bool:
        return isinstance(target, cst.Name) and target.value == "__all__"

    def _literals(self, value):
        """The list/tuple/set displays an __all__ value is made of, left to right."""
        if isinstance(value, (cst.List, cst.Tuple, cst.Set)):
            yield value
        elif isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.Add):
            yield from self._literals(value.left)
            yield from self._literals(value.right)
        elif isinstance(value, cst.Call) and _dotted(value.func) in ("list", "tuple") and len(value.args) == 1:
            yield from self._literals(value.args[0].value)

    def _all_statements(self, body):
        """(statement, small statement) for every module-level statement that builds __all__."""
        for stmt in body:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, cst.Assign) and any(self._is_all(t.target) for t in small.targets):
                        yield stmt, small
                    elif isinstance(small, (cst.AnnAssign, cst.AugAssign)) and self._is_all(small.target):
                        yield stmt, small
                    elif isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
                        func = small.value.func
                        if isinstance(func, cst.Attribute) and self._is_all(func.value):
                            yield stmt, small
            elif isinstance(stmt, (cst.If, cst.Try, cst.With)):
                for block in self._blocks(stmt):
                    yield from self._all_statements(block.body)

    @staticmethod
    def _blocks(stmt):
        if isinstance(stmt, cst.If):
            yield stmt.body
            if stmt.orelse is not None:
                yield from Rewriter._blocks(stmt.orelse) if isinstance(stmt.orelse, cst.If) else [stmt.orelse.body]
        elif isinstance(stmt, cst.Else):
            yield stmt.body
        elif isinstance(stmt, cst.Try):
            yield stmt.body
            for handler in stmt.handlers:
                yield handler.body
            if stmt.orelse is not None:
                yield stmt.orelse.body
            if stmt.finalbody is not None:
                yield stmt.finalbody.body
        elif isinstance(stmt, cst.With):
            yield stmt.body

    def _listed(self) -> set[str]:
        names = set()
        for _, small in self._all_statements(self.module.body):
            value = small.value.args[-1].value if isinstance(small, cst.Expr) and small.value.args else getattr(small, "value", None)
            if value is None:
                continue
            direct = _string_value(value)
            if direct is not None:
                names.add(direct)
            for literal in self._literals(value):
                names.update(v for v in (_string_value(e.value) for e in literal.elements if isinstance(e, cst.Element)) if v)
        return names

    def add_to_all(self, change: AddToAll) -> None:
        if change.name in self._listed():
            self.notes[change] = f"'{change.name}' was already in __all__"
            return
        target = None
        for stmt in self.module.body:  # the last top-level assignment is the one that counts
            if not isinstance(stmt, cst.SimpleStatementLine):
                continue
            for small in stmt.body:
                assigns = isinstance(small, cst.Assign) and any(self._is_all(t.target) for t in small.targets)
                annotated = isinstance(small, cst.AnnAssign) and self._is_all(small.target) and small.value is not None
                if assigns or annotated:
                    literals = list(self._literals(small.value))
                    target = (stmt, small, literals[-1] if literals else None)
        if target is None or target[2] is None:
            raise CannotApply("__all__ is not a list or tuple display at module level")
        stmt, small, literal = target
        elements = [e for e in literal.elements if isinstance(e, cst.Element)]
        if len(elements) != len(literal.elements):
            raise CannotApply("__all__ unpacks other sequences")
        strings = [e.value for e in elements if isinstance(e.value, cst.SimpleString)]
        prefix, quote = _quote_of(strings[0]) if strings else ("", '"')
        prefix = prefix.replace("b", "").replace("B", "").replace("f", "").replace("F", "")
        values = [_string_value(e.value) or "" for e in elements]
        index = sorted_position(values, change.name)
        if index is None:
            index = len(values)
        seq = _Seq(literal)
        was_one_line = self._one_line(stmt)
        seq.insert(index, cst.Element(value=cst.SimpleString(f"{prefix}{quote}{change.name}{quote}")), self.module.default_indent)
        new = seq.build()
        if was_one_line:
            probe = stmt.deep_replace(literal, new).with_changes(leading_lines=())
            if self._too_long(probe):
                seq.wrap(self.module.default_indent)
                new = seq.build()
        self._replace(literal, new)
        self.notes[change] = f"added '{change.name}' to __all__"

    def edit_all(self, change, name: str, new_name: str | None) -> None:
        """Remove (new_name None) or rename every literal occurrence of ``name`` in __all__."""
        done = False
        for _ in range(32):  # each pass rewrites one occurrence; duplicates need several
            hit = self._find_in_all(name)
            if hit is None:
                break
            done = True
            kind, stmt, node, index = hit
            if new_name is not None:
                element = node.elements[index] if kind == "literal" else None
                string = element.value if element is not None else node
                prefix, quote = _quote_of(string) if isinstance(string, cst.SimpleString) else ("", '"')
                self._replace(string, cst.SimpleString(f"{prefix}{quote}{new_name}{quote}"))
            elif kind == "literal":
                seq = _Seq(node)
                seq.remove(index)
                self._replace(node, seq.build())
            else:  # __all__.append("name") as a statement of its own
                if len(stmt.body) != 1:
                    raise CannotApply(f"'{name}' is appended to __all__ in a statement that does other things")
                self._remove_statement(stmt)
        if not done:
            raise CannotApply(f"'{name}' is added to __all__ in a way importgate does not rewrite")
        what = f"renamed '{name}' to '{new_name}' in __all__" if new_name else f"removed '{name}' from __all__"
        self.notes[change] = what

    def _remove_statement(self, stmt) -> None:
        if stmt in self.module.body:
            body = [s for s in self.module.body if s is not stmt]
            self.module = self.module.with_changes(body=body)
            return
        for block_owner in self._all_blocks(self.module.body):
            if stmt in block_owner.body:
                if len(block_owner.body) == 1:
                    self._replace(stmt, cst.SimpleStatementLine(body=[cst.Pass()], leading_lines=stmt.leading_lines))
                else:
                    self._replace(block_owner, block_owner.with_changes(body=[s for s in block_owner.body if s is not stmt]))
                return
        raise CannotApply("cannot find the statement to remove")

    def _all_blocks(self, body):
        for stmt in body:
            if isinstance(stmt, (cst.If, cst.Try, cst.With)):
                for block in self._blocks(stmt):
                    yield block
                    yield from self._all_blocks(block.body)

    def _find_in_all(self, name: str):
        for stmt, small in self._all_statements(self.module.body):
            if isinstance(small, cst.Expr):
                call = small.value
                method = call.func.attr.value
                if method in ("append", "insert") and call.args and _string_value(call.args[-1].value) == name:
                    return ("call", stmt, call.args[-1].value, None)
                if method != "extend" or not call.args:
                    continue
                value = call.args[0].value
            else:
                value = small.value
            if value is None:
                continue
            for literal in self._literals(value):
                for index, element in enumerate(literal.elements):
                    if isinstance(element, cst.Element) and _string_value(element.value) == name:
                        return ("literal", stmt, literal, index)
        return None

    # -- typos in importers ----------------------------------------------------------
    def rename_import(self, change: RenameImport) -> None:
        hits = []
        for node in _walk_imports(self.module):
            if isinstance(node.names, cst.ImportStar) or self.absolute(node) != change.source:
                continue
            for alias in node.names:
                if isinstance(alias.name, cst.Name) and alias.name.value == change.old:
                    hits.append(alias)
        if not hits:
            raise CannotApply(f"cannot find `from {change.source} import {change.old}`")
        counter = _Names(change.old)
        self.module.visit(counter)
        keep_name = counter.count > 0  # the misspelled name is used: keep it bound
        for alias in hits:
            asname = alias.asname
            if asname is None and keep_name:
                asname = cst.AsName(name=cst.Name(change.old))
            self._replace(alias, alias.with_changes(name=cst.Name(change.new), asname=asname))
        self.notes[change] = f"imported '{change.new}' instead of '{change.old}'" + (f" (as '{change.old}', which the module uses)" if keep_name else "")


def _walk_imports(module: cst.Module):
    found = []

    class _Collect(cst.CSTVisitor):
        def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
            found.append(node)

    module.visit(_Collect())
    return found


# -- where a change ended up -------------------------------------------------------------------


def locate(change: Change, text: str, module: str, is_package: bool) -> int | None:
    """The line of ``change`` in ``text`` (the new text; the old one for removals)."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return None
    package = module if is_package else module.rpartition(".")[0]
    if isinstance(change, (AddImport, RenameImport)):
        wanted = change.name if isinstance(change, AddImport) else change.new
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and _ast_absolute(node, package) == change.source:
                for alias in node.names:
                    if alias.name == wanted:
                        return getattr(alias, "lineno", node.lineno)
        return None
    wanted = change.name if isinstance(change, (AddToAll, RemoveFromAll)) else change.new
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            targets = [node.target]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name) and node.func.value.id == "__all__":
            for sub in ast.walk(node):
                if isinstance(sub, ast.Constant) and sub.value == wanted:
                    return sub.lineno
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
            for sub in ast.walk(node.value) if node.value is not None else ():
                if isinstance(sub, ast.Constant) and sub.value == wanted:
                    return sub.lineno
    return None


def _ast_absolute(node: ast.ImportFrom, package: str) -> str | None:
    return absolute_name("." * node.level + (node.module or ""), package, True)
