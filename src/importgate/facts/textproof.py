"""Names an installed module surely binds, read from its text without parsing it.

A cold run asks most installed modules only whether they bind a few names
(``from datetime import timedelta``). Parsing such a module whole costs ten to a hundred
times more than finding ``class timedelta`` at the start of a line in its text. The text
answers only "yes", and only when the answer cannot differ from the parsed facts':

- the line binds the name at module level, at column 0: ``def``/``async def``/``class``,
  ``from X import ...`` (one line, or a parenthesised list), ``import X as name``, or
  ``name = ...`` outside any bracket;
- the line is code, not the inside of a string (a scan of the strings and comments before
  it; any string it cannot read for sure, such as an f-string that may nest quotes, makes it
  give up on the whole file);
- no ``del`` statement anywhere may remove the name (any line with ``del`` and the name as
  a word counts; for a ``del`` that goes on past its line, any word after it in the file).

In a file Python can parse, such a line is a statement of the module body, and the parsed
facts list the name as bound (``ModuleFacts.defined``). In a file it cannot parse, the facts
would answer "unknown", which the rules treat as "yes" too. Anything else ("no", or a name
bound some other way) is left to the parsed facts.

The strings are found with one regular expression, not with the ``tokenize`` module: in
CPython 3.11 that is pure Python, and tokenizing a file costs more than parsing it.
"""

from __future__ import annotations

import bisect
import keyword
import re

# a comment, or a string literal (its prefix letters are looked at apart); a string that does
# not end (at the end of its line, or of the file) is matched as far as it goes
_TOKENS = re.compile(
    rb"#[^\n]*"
    rb"|'''[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*(?:'''|\Z)"
    rb'|"""[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*(?:"""|\Z)'
    rb"|'[^'\\\n]*(?:\\.[^'\\\n]*)*(?:'|(?=\n)|\Z)"
    rb'|"[^"\\\n]*(?:\\.[^"\\\n]*)*(?:"|(?=\n)|\Z)',
    re.S,
)
_PREFIX_BYTES = frozenset(b"rRbBuUfF")
_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")

# a statement at column 0 that may bind a name (the newline before it is part of the match)
_HEAD = re.compile(rb"\n(?:(?:async[ \t]+)?def|class|from|import)[ \t][^\n]*|\n[A-Za-z_][A-Za-z0-9_]*[ \t]*=(?!=)")
_DEF = re.compile(rb"(?:async[ \t]+)?(?:def|class)[ \t]+([A-Za-z_][A-Za-z0-9_]*)[ \t]*[(:\[]")
_FROM = re.compile(rb"from[ \t]+[\w.]+[ \t]+import[ \t]+")
_IMPORT = re.compile(rb"import[ \t]+")
_ASSIGN = re.compile(rb"([A-Za-z_][A-Za-z0-9_]*)[ \t]*=")
_NAME = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*")
_DOTTED = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_DEL = re.compile(rb"del\b[^\n]*")
_BRACKETS = (b"(", b"[", b"{"), (b")", b"]", b"}")
_KEYWORDS = frozenset(k.encode() for k in keyword.kwlist)


class ModuleText:
    """One installed module's source, asked name by name (its scans are made once, and the
    scan of strings only as far as the lines asked about)."""

    def __init__(self, source: bytes) -> None:
        self.source = source
        self._lines: dict[str, list[tuple[int, bool]]] | None = None  # name -> (offset, needs depth 0)
        self._deleted: frozenset[str] | None = None
        self._scan = _Scan(source)
        self._depths = [0]  # open brackets at the start of each piece of code between two skipped spans

    def binds(self, name: str) -> bool:
        """Is ``name`` surely bound in the module's namespace once it has run (see the module doc)?"""
        if self._lines is None:
            self._lines = _binding_lines(self.source)
        places = self._lines.get(name)
        if not places or name in self._deleted_names():
            return False
        return any(self._in_code(offset) and (not outside or self._depth(offset) == 0) for offset, outside in places)

    def _deleted_names(self) -> frozenset[str]:
        """Every word on a line with ``del``; for a ``del`` that goes on past its line
        (``del (a,`` then ``b)``), every word from there to the end of the file."""
        if self._deleted is None:
            names: set[bytes] = set()
            source = self.source
            for match in _DEL.finditer(source):
                if match.start() and source[match.start() - 1] in _WORD_BYTES:
                    continue  # "model_del x": not the keyword
                line = match.group()
                if _balance(line, 0, len(line)) or line.rstrip().endswith(b"\\"):
                    names.update(_NAME.findall(source, match.start()))
                    break
                names.update(_NAME.findall(line))
            self._deleted = frozenset(n.decode("ascii") for n in names)
        return self._deleted

    def _in_code(self, offset: int) -> bool:
        scan = self._scan
        if not scan.past(offset):
            return False
        i = bisect.bisect_right(scan.starts, offset) - 1
        return i < 0 or scan.ends[i] <= offset

    def _depth(self, offset: int) -> int:
        """How many brackets are open at ``offset`` (which is code, and scanned past); -1 when
        the line before continues onto this one."""
        if self.source[max(offset - 3, 0) : offset].rstrip(b"\r\n").endswith(b"\\"):
            return -1
        starts, ends, depths = self._scan.starts, self._scan.ends, self._depths
        while len(depths) <= len(starts):
            k = len(depths) - 1  # the code piece before skipped span k
            depths.append(depths[-1] + _balance(self.source, ends[k - 1] if k else 0, starts[k]))
        i = bisect.bisect_right(starts, offset)  # code piece i starts after skipped span i - 1
        return depths[i] + _balance(self.source, ends[i - 1] if i else 0, offset)


class _Scan:
    """The string literals and comments of a source, in order, found as far as asked
    (``past``). ``unsure`` when some string is not certainly read right: letters before a
    quote that are no prefix, an unterminated string, or an f-string whose braces do not
    balance (Python 3.12 lets one nest its own quotes)."""

    def __init__(self, source: bytes) -> None:
        self.source = source
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.position = 0
        # lines that end in a bare "\r" (Python reads it as a newline; the patterns here do not),
        # or an encoding in which a byte below 128 may be half of a character (Shift-JIS's "表"
        # ends in the byte of a backslash): Python reads characters, the patterns here bytes
        self.unsure = (b"\r" in source and source.count(b"\r") != source.count(b"\r\n")) or not _ascii_safe(source)
        self._tokens = _TOKENS.finditer(source)

    def past(self, offset: int) -> bool:
        """Scan until every span that starts at or before ``offset`` is known; False if unsure."""
        source = self.source
        while not self.unsure and self.position <= offset:
            match = next(self._tokens, None)
            if match is None:
                self.position = len(source) + 1
                break
            start, end = match.span()
            if source[start] != 35:  # a string, not a comment ("#")
                quote = source[start : start + 3] if source[start : start + 3] in (b"'''", b'"""') else source[start : start + 1]
                begin = start
                while begin > 0 and start - begin < 2 and source[begin - 1] in _PREFIX_BYTES:
                    begin -= 1
                if (
                    end - start < 2 * len(quote) or source[end - len(quote) : end] != quote  # unterminated
                    or begin > 0 and (source[begin - 1] in _WORD_BYTES or source[begin - 1] >= 0x80)
                    or b"f" in source[begin:start].lower() and not _braces_balance(source[start:end])
                ):
                    self.unsure = True
                    break
                start = begin
            self.starts.append(start)
            self.ends.append(end)
            self.position = end
        return not self.unsure


# encodings in which every byte below 128 is that ASCII character
_ASCII_SAFE = ("utf-8", "ascii", "latin-1", "iso8859-", "cp125", "koi8-", "mac-")


def _ascii_safe(source: bytes) -> bool:
    """Is the source's encoding (its BOM or PEP 263 cookie, read as Python reads it) one of those?"""
    import codecs
    import io
    import tokenize  # imported already: dataclasses imports inspect, which imports it

    try:
        name = codecs.lookup(tokenize.detect_encoding(io.BytesIO(source).readline)[0]).name
    except (SyntaxError, LookupError):  # a cookie naming no codec, or one that contradicts the BOM
        return False
    return name.startswith(_ASCII_SAFE)


def _braces_balance(text: bytes) -> bool:
    text = text.replace(b"{{", b"").replace(b"}}", b"")
    return text.count(b"{") == text.count(b"}")


def _balance(source: bytes, start: int, end: int) -> int:
    opened = sum(source.count(b, start, end) for b in _BRACKETS[0])
    return opened - sum(source.count(b, start, end) for b in _BRACKETS[1])


def _binding_lines(source: bytes) -> dict[str, list[tuple[int, bool]]]:
    """name -> [(offset of a column-0 statement that binds it, whether it must be outside brackets)]."""
    out: dict[str, list[tuple[int, bool]]] = {}
    text = b"\n" + source  # a match's offset in ``text`` is its line's offset in ``source``
    for match in _HEAD.finditer(text):
        offset = match.start()
        line = match.group()[1:]
        head = _DEF.match(line)
        if head is not None:
            out.setdefault(head.group(1).decode("ascii"), []).append((offset, False))
            continue
        if _FROM.match(line) or _IMPORT.match(line):
            for name in _imported_names(line, text, match.end()):
                out.setdefault(name, []).append((offset, False))
            continue
        assigned = _ASSIGN.match(line)
        if assigned is not None and assigned.group(1) not in _KEYWORDS:
            out.setdefault(assigned.group(1).decode("ascii"), []).append((offset, True))
    return out


def _imported_names(line: bytes, text: bytes, line_end: int) -> list[str]:
    """The local names an import statement at column 0 binds, when its text says so plainly:
    ``from X import a, b as c``, ``from X import (`` and its names on the lines up to ``)``,
    ``import X as c`` (a plain ``import X`` is left to the parse)."""
    line = line.split(b"#", 1)[0]
    if b";" in line or b"\\" in line:
        return []
    head = _FROM.match(line)
    if head is not None:
        items = line[head.end() :]
        if items.lstrip().startswith(b"(") and b")" not in items:
            close = text.find(b")", line_end)
            if close < 0:
                return []
            items += text[line_end : close + 1]
        pairs = import_list(items)
        if pairs is None or any(b"." in imported for imported, _ in pairs):
            return []
        return [(alias or imported).decode("ascii") for imported, alias in pairs]
    head = _IMPORT.match(line)
    pairs = import_list(line[head.end() :]) if head is not None else None
    return [alias.decode("ascii") for _, alias in pairs or () if alias is not None]


def import_list(items: bytes) -> list[tuple[bytes, bytes | None]] | None:
    """``a, b.c as d`` or ``(a,  # note`` ... ``)`` as [(imported, alias or None)]; None when it
    is not that plainly (``*``, a continued line, anything else). The engine reads the names a
    project's ``from X import`` lines ask for with it too."""
    items = b"\n".join(part.split(b"#", 1)[0] for part in items.split(b"\n")).strip()
    if items.startswith(b"(") and items.endswith(b")"):
        items = items[1:-1]
    pairs: list[tuple[bytes, bytes | None]] = []
    for item in items.split(b","):
        words = item.split()
        if not words:
            continue
        if len(words) == 1 and _DOTTED.fullmatch(words[0]):
            pairs.append((words[0], None))
        elif len(words) == 3 and words[1] == b"as" and _DOTTED.fullmatch(words[0]) and _NAME.fullmatch(words[2]):
            pairs.append((words[0], words[2]))
        else:
            return None
    return pairs
