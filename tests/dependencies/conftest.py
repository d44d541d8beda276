"""A throwaway venv with real distributions from the package registry, shared by the session
(and by xdist workers: the first one builds it under a lock, the others wait)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

# chosen for what each one exercises; pinned so that the requirement graph cannot move under the tests
PACKAGES = (
    "PyYAML==6.0.4",  # import name `yaml` differs from the distribution name
    "attrs==26.1.0",  # two top-level modules: `attr` and `attrs`
    "protobuf==7.36.2",  # `google.protobuf`, in the `google` namespace ...
    "googleapis-common-protos==1.76.0",  # ... shared with `google.api`, `google.rpc`, `google.type`; requires protobuf
    "requests==2.34.2",  # requires urllib3, idna, charset-normalizer: transitive dependencies
    "urllib3==2.8.0",
    "idna==3.20",
    "charset-normalizer==3.5.3",
    "certifi==2026.10.19.post1",
    "python-dateutil==4.0.0",  # `dateutil`; requires tzdata
    "tzdata==2026.6",
    "tomli==2.5.0",  # declared behind a python_version marker
)


def _build(venv: Path) -> None:
    # the pins need Python 3.11+ (python-dateutil 4): a 3.10 running the tests targets a 3.11 venv
    base = sys.executable
    if sys.version_info < (3, 11):
        from support import find_python

        base = find_python(11) or find_python(12) or sys.executable
    subprocess.run([base, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    proc = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *PACKAGES],
        capture_output=True, text=True, timeout=900,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"pip install failed: {proc.stderr[-2000:]}")


@pytest.fixture(scope="session")
def thirdparty_python(tmp_path_factory) -> str:
    """Path of a python whose site-packages holds PACKAGES (and nothing of importgate)."""
    key = hashlib.sha256(("\n".join(PACKAGES) + sys.version).encode()).hexdigest()[:12]
    base = tmp_path_factory.getbasetemp().parent
    venv = base / f"importgate-deps-venv-{key}"
    ready = venv / ".ready"
    lock = base / f"importgate-deps-venv-{key}.lock"
    deadline = time.monotonic() + 900
    while not ready.exists():
        try:
            os.mkdir(lock)
        except FileExistsError:
            if time.time() - lock.stat().st_mtime > 900:  # a builder that died
                os.rmdir(lock)
            elif time.monotonic() > deadline:
                pytest.fail("timed out waiting for the shared test venv")
            time.sleep(1)
            continue
        try:
            if not ready.exists():
                if venv.exists():
                    import shutil

                    shutil.rmtree(venv)
                _build(venv)
                ready.write_text("ok")
        finally:
            os.rmdir(lock)
    return str(venv / "bin" / "python")
