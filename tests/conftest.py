"""Fixtures shared by every test folder; helpers live in support.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from support import write_project


@pytest.fixture
def make_project(tmp_path):
    """make_project({"pkg/__init__.py": "..."}) -> the project's root."""

    def make(files: dict[str, str | bytes], subdir: str = "proj") -> Path:
        return write_project(tmp_path / subdir, files)

    return make
