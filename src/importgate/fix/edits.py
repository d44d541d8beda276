"""Text edits between two versions of a file, in the JSON report's coordinates.

Lines are 1-based and end at LF, CRLF or CR (as for Python's tokenizer); columns are
1-based and count characters; the end is exclusive. Edits from one call never
overlap, so applying all of them (last first) turns the old text into the new one.
"""

from __future__ import annotations

import bisect
import difflib
import re

from importgate.model import Edit

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def split_lines(text: str) -> list[str]:
    """Lines with their endings."""
    return _LINE.findall(text)


def text_edits(path: str, old: str, new: str) -> list[Edit]:
    """Minimal non-overlapping edits (1-based, end exclusive, columns in characters) turning old into new."""
    a, b = split_lines(old), split_lines(new)
    starts = [0]
    for line in a:
        starts.append(starts[-1] + len(line))

    def position(offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(starts, offset) - 1
        if index == len(a) and a and not a[-1].endswith(("\n", "\r")):
            return len(a), len(a[-1]) + 1  # the end of a last line without a newline
        return index + 1, offset - starts[index] + 1

    edits = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        old_part, new_part = "".join(a[i1:i2]), "".join(b[j1:j2])
        prefix = 0
        limit = min(len(old_part), len(new_part))
        while prefix < limit and old_part[prefix] == new_part[prefix]:
            prefix += 1
        if prefix and old_part[prefix - 1:prefix + 1] == "\r\n":
            prefix -= 1
        suffix = 0
        limit -= prefix
        while suffix < limit and old_part[len(old_part) - 1 - suffix] == new_part[len(new_part) - 1 - suffix]:
            suffix += 1
        if suffix and old_part[len(old_part) - suffix - 1:len(old_part) - suffix + 1] == "\r\n":
            suffix -= 1
        start = starts[i1] + prefix
        end = starts[i2] - suffix
        line, column = position(start)
        end_line, end_column = position(end)
        edits.append(Edit(path, line, column, end_line, end_column, new_part[prefix:len(new_part) - suffix]))
    return edits
