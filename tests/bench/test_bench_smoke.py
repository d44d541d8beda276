"""bench/run.py end to end on its synthetic `tiny` corpus: no network, importgate only.

It checks the harness, not speed: the table has importgate's rows, the identical-findings
verdict is computed, the findings are read from importgate's real output, and the file that
"one file changed" edits is put back afterwards."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

RUN = Path(__file__).resolve().parents[2] / "bench" / "run.py"


def test_quick_run_on_tiny_corpus(tmp_path):
    work, results = tmp_path / "work", tmp_path / "results.md"
    proc = subprocess.run(
        [sys.executable, str(RUN), "--quick", "--tools", "importgate", "--corpus", "tiny",
         "--work", str(work), "--results", str(results)],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    for mode in ("cold", "warm", "one file changed", "one definition added", "one import added", "one first-party import added",
                 "one new first-party module imported",
                 "one deferred first-party import added"):
        assert f"| importgate | {mode} | 1 |" in out, out
    assert "importgate findings identical across modes and runs: PASS" in out, out
    assert "| tool | mode | runs | median s |" in results.read_text()

    data = json.loads((work / "results.json").read_text())
    (corpus,) = data["corpora"]
    assert corpus["corpus"] == "tiny" and corpus["files"] == 11
    cold = next(r for r in corpus["results"] if r["mode"] == "cold")
    found = {(f["path"], f["line"], f["kind"]) for f in cold["import_findings"]}
    # the corpus's deliberate bugs; its guarded `import ujson` is not one
    assert ("app/broken.py", 2, "unresolved") in found
    assert ("app/broken.py", 1, "missing") in found
    assert ("app/api/urls.py", 1, "missing") in found
    assert not any(path == "app/guarded.py" for path, _, _ in found)

    touched = work / "corpora" / "tiny" / "app" / "util.py"
    assert "importgate bench" not in touched.read_text()  # the edit was undone
