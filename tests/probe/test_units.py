"""Small pure pieces: env files, entry parsing, the child's log parser, settings validation."""

from __future__ import annotations

import pytest

from importgate.config import ConfigError
from importgate.probe.plan import entry_points, parse_entry
from importgate.probe.results import BEGIN_MARK, parse_log
from importgate.probe.settings import from_table, read_env_file


def test_env_file_syntax(tmp_path):
    path = tmp_path / ".env"
    path.write_text(
        "# comment\n\nexport A=1\nB = 'two words'\nC=\"line\\nbreak\"\nD=value # trailing comment\nE=\n"
    )
    assert read_env_file(str(path)) == [("A", "1"), ("B", "two words"), ("C", "line\nbreak"), ("D", "value"), ("E", "")]
    path.write_text("not an assignment\n")
    with pytest.raises(ConfigError, match=r"\.env:1"):
        read_env_file(str(path))


def test_parse_entry():
    assert parse_entry("pkg.mod") == ("pkg.mod", None)
    assert parse_entry("pkg.mod:app") == ("pkg.mod", "app")
    assert parse_entry(" pkg.cli:main.run [extra1, extra2] ") == ("pkg.cli", "main.run")


def test_entry_points_table():
    pyproject = {"project": {"scripts": {"a": "x:main"}, "entry-points": {"g": {"p": "y:P"}}, "gui-scripts": {"w": "z:w"}}}
    assert [v for _, v in entry_points(pyproject)] == ["x:main", "z:w", "y:P"]
    assert entry_points({}) == []


def test_log_parser_reads_importtime_and_the_importing_threads_dump():
    child = "/site/importgate/probe/child.py"
    text = "\n".join([
        "import time:       100 |        100 | json",  # before the mark: the interpreter's own start-up
        BEGIN_MARK,
        "import time:       250 |        900 | app",
        "noise from the moduleimport time:       650 |        650 |   app.db",
        "Timeout (0:00:02)!",
        "Thread 0x00007f0000000001 (most recent call first):",
        '  File "/usr/lib/python3.11/threading.py", line 320 in wait',
        "",
        "Thread 0x00007f0000000002 (most recent call first):",
        '  File "/proj/app/db.py", line 7 in connect',
        '  File "/proj/app/db.py", line 12 in <module>',
        f'  File "{child}", line 300 in probe',
    ])
    facts = parse_log(text, child)
    assert facts.began and facts.timed_out
    assert [(t.module, t.self_us, t.cumulative_us, t.depth) for t in facts.timings] == [("app", 250, 900, 0), ("app.db", 650, 650, 1)]
    assert [(f.path, f.line) for f in facts.dump] == [("/proj/app/db.py", 7), ("/proj/app/db.py", 12), (child, 300)]


def test_settings_validation(tmp_path):
    settings = from_table({"timeout": 5, "jobs": 3, "env": {"A": "b"}, "env-file": ".env", "skip": "x.*"}, str(tmp_path))
    assert settings.timeout == 5.0 and settings.jobs == 3 and settings.env == (("A", "b"),)
    assert settings.env_files == (str(tmp_path / ".env"),) and settings.skip == ("x.*",)
    for bad in ({"timeout": 0}, {"jobs": 1.5}, {"jobs": True}, {"isolation": "thread"}, {"env": {"A": 1}},
                {"expected": [{"exception": "X"}]}, {"expected": "pkg.*"}, {"slowest": -1}):
        with pytest.raises(ConfigError):
            from_table(bad, str(tmp_path))
