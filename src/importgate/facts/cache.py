"""Parse each file once, ever: a persistent store of per-module facts.

One SQLite database per store (stdlib, one file, safe when two CI jobs, an
editor and a pre-commit hook run at once: WAL journal plus a busy timeout).

- Project files: facts keyed by (path, content hash, parser key); a stat table
  (path, size, mtime) lets an unchanged tree cost a directory walk and no reads.
  A file restored to old content hashes to an old key and reuses its entry.
- Installed (third-party and stdlib) files: keyed by (path, size, mtime), in a
  user-level store shared by every project.
- Target interpreters: their description, keyed by a signature of the files
  that decide sys.path.

A store that is corrupt, truncated or unreadable is deleted and rebuilt with a
warning; it never fails a run and never serves facts for other content.
"""

from __future__ import annotations

import io
import os
import pickle
import sqlite3
import sys
import time
from dataclasses import dataclass

from importgate.version import __version__
from importgate.model import Problem

TYPE_CHECKING = False
if TYPE_CHECKING:
    from importgate.facts.model import ModuleFacts

try:  # the same function hashlib.blake2b is, without loading OpenSSL on every start
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python built without it
    from hashlib import blake2b

SCHEMA = 4  # 4: ModuleFacts.runtime_loads, class_ends (3 was only ever an unreleased draft)


def _code_fingerprint() -> str:
    """Facts depend on the parser's code and on the facts' classes, not only on the version
    number: two checkouts of one version (or a development tree) must never read each
    other's pickles, which would load with missing fields. So do the stored environments
    and distribution indexes on their classes. The files are read, not imported: a warm run
    never needs the parser or the facts' classes."""
    h = blake2b(digest_size=6)
    here = os.path.dirname(os.path.abspath(__file__))
    for name in ("model.py", "parse.py", "environment.py", "distributions.py"):
        try:
            with open(os.path.join(here, name), "rb") as fh:
                h.update(fh.read())
        except (OSError, TypeError):
            h.update(name.encode())
    return h.hexdigest()


PARSER_KEY = f"{__version__}|{sys.version_info[0]}.{sys.version_info[1]}.{sys.version_info[2]}|s{SCHEMA}|{_code_fingerprint()}"
_RACY_SECONDS = 2.0  # a file modified this recently may change again within the same mtime tick
_REFRESH_SECONDS = 30.0  # a report or facts used again are marked as used at most this often (a write)

_SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, digest BLOB);
CREATE TABLE IF NOT EXISTS facts (path TEXT, digest BLOB, parser TEXT, data BLOB, used REAL,
                                  PRIMARY KEY (path, digest, parser));
CREATE TABLE IF NOT EXISTS site (path TEXT, parser TEXT, size INTEGER, mtime_ns INTEGER, data BLOB,
                                 PRIMARY KEY (path, parser));
CREATE TABLE IF NOT EXISTS env (key TEXT PRIMARY KEY, signature BLOB, data BLOB);
CREATE TABLE IF NOT EXISTS reports (key BLOB PRIMARY KEY, data BLOB, used REAL);
CREATE INDEX IF NOT EXISTS reports_by_use ON reports (used);
"""


def parser_key(target_version: tuple[int, int] | None) -> str:
    """What facts depend on besides the bytes: importgate's parser and the target's grammar."""
    return f"{PARSER_KEY}|t{target_version}"


def digest(source: bytes) -> bytes:
    return blake2b(source, digest_size=16).digest()


# (importgate.incremental: its Record, the interface record stored beside a report)
_ALLOWED_MODULES = frozenset({"importgate.model", "importgate.facts.model", "importgate.facts.environment", "importgate.facts.distributions",
                              "importgate.incremental"})


class _FactsUnpickler(pickle.Unpickler):
    """Only importgate's own data classes and plain builtins: a cache file is data, never code."""

    _BUILTINS = {"frozenset", "set", "dict", "tuple", "list", "str", "int", "bool", "bytes"}

    _found: dict[tuple[str, str], object] = {}  # a warm run loads ~200 pickles naming the same ~6 classes

    def find_class(self, module: str, name: str):
        found = self._found.get((module, name))
        if found is not None:
            return found
        if module in _ALLOWED_MODULES or (module == "builtins" and name in self._BUILTINS):
            found = super().find_class(module, name)
        elif module == "copyreg" and name in ("__newobj__", "_reconstructor"):
            found = super().find_class(module, name)
        else:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name} from the cache")
        self._found[module, name] = found
        return found


def dumps(value) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def loads(blob: bytes):
    return _FactsUnpickler(io.BytesIO(blob)).load()


@dataclass
class CacheStats:
    """How much of a run the cache answered."""

    hits: int = 0
    misses: int = 0
    parsed: int = 0  # first-party files parsed


class NullCache:
    """--no-cache: every lookup misses, nothing is written."""

    problems: tuple[Problem, ...] = ()

    def __init__(self) -> None:
        self.stats = CacheStats()
        self.blob_digests: dict[str, bytes] = {}

    def remember_stat(self, path: str, size: int, mtime_ns: int, key: bytes) -> None:
        pass

    def known_digest(self, path: str, size: int, mtime_ns: int) -> bytes | None:
        return None

    def lookup_raw(self, path: str, key: bytes, parser: str) -> bytes | None:
        return None

    def stored_raw(self, path: str, key: bytes, parser: str) -> bytes | None:
        return None

    def remember(self, path: str, size: int, mtime_ns: int, key: bytes, parser: str, blob: bytes) -> None:
        pass

    def lookup_site(self, path: str, size: int, mtime_ns: int) -> ModuleFacts | None:
        return None

    def remember_site(self, path: str, size: int, mtime_ns: int, blob: bytes) -> None:
        pass

    def lookup_env(self, key: str):
        return None

    def env_signature(self, key: str) -> bytes | None:
        return None

    def remember_env(self, key: str, signature: bytes, value) -> None:
        pass

    def lookup_report(self, key: bytes):
        return None

    def has_report(self, key: bytes) -> bool:
        return False

    def used_together(self, key: bytes, others: tuple[bytes, ...]) -> None:
        pass

    def lookup_blob(self, key: str):
        return None

    def remember_blob(self, key: str, value) -> None:
        pass

    def remember_report(self, key: bytes, report) -> None:
        pass

    def close(self) -> None:
        pass


class _Store:
    """One SQLite file; every failure degrades to "no cache" with a problem noted."""

    def __init__(self, path: str, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems
        self.db: sqlite3.Connection | None = None
        self._open()

    def _open(self) -> None:
        try:
            self.db = self._connect()
        except (sqlite3.DatabaseError, OSError) as exc:
            self._rebuild(exc)

    def _connect(self) -> sqlite3.Connection:
        directory = os.path.dirname(self.path)
        os.makedirs(directory, exist_ok=True)
        _mark_cache_dir(directory)
        db = sqlite3.connect(self.path, timeout=15, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA busy_timeout = 15000")
        try:
            db.execute("PRAGMA journal_mode = WAL")
        except sqlite3.OperationalError:
            pass  # another process holds it; the default journal also works
        db.execute("PRAGMA synchronous = NORMAL")
        db.executescript(_SCHEMA_SQL)
        row = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        if row is None:
            db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (str(SCHEMA),))
        elif row[0] != str(SCHEMA):  # written by another importgate version: start afresh, quietly
            db.close()
            for suffix in ("", "-wal", "-shm"):
                try:
                    os.remove(self.path + suffix)
                except OSError:
                    pass
            return self._connect()
        # touch every table so that a truncated file fails here, not mid-run
        db.execute("SELECT count(*) FROM files").fetchone()
        return db

    def _rebuild(self, exc: Exception) -> None:
        self.problems.append(Problem(f"the cache at {self.path} was unreadable ({exc}); it was rebuilt", self.path))
        for suffix in ("", "-wal", "-shm", "-journal"):
            try:
                os.remove(self.path + suffix)
            except OSError:
                pass
        try:
            self.db = self._connect()
        except (sqlite3.DatabaseError, OSError) as again:
            self.problems.append(Problem(f"running without a cache: {again}", self.path))
            self.db = None

    def query(self, sql: str, args: tuple = ()):
        if self.db is None:
            return None
        try:
            return self.db.execute(sql, args).fetchone()
        except sqlite3.DatabaseError as exc:
            self.db.close()
            self._rebuild(exc)
            return None

    def write(self, sql: str, rows: list[tuple]) -> None:
        self.write_all([(sql, rows)])

    def write_all(self, statements: list[tuple[str, list[tuple]]]) -> None:
        """Each (statement, rows) in one transaction: one commit, whatever the run learnt."""
        statements = [(sql, rows) for sql, rows in statements if rows]
        if self.db is None or not statements:
            return
        try:
            self.db.execute("BEGIN IMMEDIATE")
            for sql, rows in statements:
                self.db.executemany(sql, rows)
            self.db.execute("COMMIT")
        except sqlite3.OperationalError as exc:  # locked for longer than the timeout: skip, never fail
            try:
                self.db.execute("ROLLBACK")
            except sqlite3.DatabaseError:
                pass
            self.problems.append(Problem(f"could not update the cache ({exc}); the next run will parse again", self.path))
        except sqlite3.DatabaseError as exc:
            self.db.close()
            self._rebuild(exc)

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None


_SITE_ROW = "SELECT size, mtime_ns, data FROM site WHERE path = ? AND parser = ?"


def _site_facts(row, size: int, mtime_ns: int) -> ModuleFacts | None:
    """A stored installed module's facts, if the row is for the file as it is now and loads."""
    if row is None or row[0] != size or row[1] != mtime_ns:
        return None
    try:
        return loads(row[2])
    except Exception:  # noqa: BLE001 - a damaged row is a miss
        return None


class ForkedSiteCache:
    """A forked child's view of the installed-module facts: reads through a connection of its
    own (one must not cross a fork), keeps what it would write for the parent to store."""

    def __init__(self, cache: "FactsCache | NullCache | ForkedSiteCache") -> None:
        site = getattr(cache, "site", None)
        self.database: str | None = getattr(site, "path", None) or getattr(cache, "database", None)
        self.db: sqlite3.Connection | None = None
        self.remembered: list[tuple[str, int, int, bytes]] = []

    def lookup_site(self, path: str, size: int, mtime_ns: int) -> ModuleFacts | None:
        if self.database is None:
            return None
        try:
            if self.db is None:
                self.db = sqlite3.connect(f"file:{self.database}?mode=ro", uri=True, timeout=15, isolation_level=None)
            row = self.db.execute(_SITE_ROW, (path, PARSER_KEY)).fetchone()
        except sqlite3.Error:
            self.database = None  # unreadable here: parse instead
            return None
        return _site_facts(row, size, mtime_ns)

    def remember_site(self, path: str, size: int, mtime_ns: int, blob: bytes) -> None:
        self.remembered.append((path, size, mtime_ns, blob))


def _mark_cache_dir(directory: str) -> None:
    """Keep the cache out of git and out of backups (as pytest and ruff do)."""
    ignore = os.path.join(directory, ".gitignore")
    if not os.path.exists(ignore):
        try:
            with open(ignore, "w") as fh:
                fh.write("# created by importgate\n*\n")
            with open(os.path.join(directory, "CACHEDIR.TAG"), "w") as fh:
                fh.write("Signature: 8a477f597d28d172789f06886806bc55\n# importgate cache\n")
        except OSError:
            pass


class FactsCache:
    def __init__(self, project_dir: str, site_dir: str) -> None:
        self._problems: list[Problem] = []
        self.project = _Store(os.path.join(project_dir, "facts.sqlite3"), self._problems)
        self.site = self.project if os.path.abspath(site_dir) == os.path.abspath(project_dir) else _Store(
            os.path.join(site_dir, "site.sqlite3"), self._problems
        )
        self.stats = CacheStats()
        self._files: list[tuple] = []
        self._facts: list[tuple] = []
        self._site: list[tuple] = []
        self._facts_used: list[tuple] = []
        self._reports_used: list[tuple] = []
        self._reports: list[tuple] = []
        self._stat_rows: dict[str, tuple[int, int, bytes]] | None = None
        self._now = time.time()
        # path -> digest of its stored facts: equal digests mean equal facts (see run_key)
        self.blob_digests: dict[str, bytes] = {}

    @property
    def problems(self) -> tuple[Problem, ...]:
        return tuple(self._problems)

    # -- project files ---------------------------------------------------------
    def _stat_table(self) -> dict[str, tuple[int, int, bytes]]:
        if self._stat_rows is None:
            rows: dict[str, tuple[int, int, bytes]] = {}
            db = self.project.db
            if db is not None:
                try:
                    for path, size, mtime, key in db.execute("SELECT path, size, mtime_ns, digest FROM files"):
                        rows[path] = (size, mtime, key)
                except sqlite3.DatabaseError as exc:
                    self.project.close()
                    self.project._rebuild(exc)
            self._stat_rows = rows
        return self._stat_rows

    def known_digest(self, path: str, size: int, mtime_ns: int) -> bytes | None:
        """The content hash of a file whose stat is unchanged since it was hashed."""
        row = self._stat_table().get(path)
        if row is None or row[0] != size or row[1] != mtime_ns or size < 0:
            return None
        return row[2]

    def lookup_raw(self, path: str, key: bytes, parser: str) -> bytes | None:
        """The stored facts, still pickled: a run that turns out to be a replay never loads them."""
        blob = self.stored_raw(path, key, parser)
        if blob is None:
            self.stats.misses += 1
            return None
        self.stats.hits += 1
        self.blob_digests[path] = digest(blob)
        return blob

    def stored_raw(self, path: str, key: bytes, parser: str) -> bytes | None:
        """The stored facts of this content, pickled; marked as used (no hit counted, no digest
        noted: also read for an earlier version of the file, to compare with)."""
        row = self.project.query("SELECT data, used FROM facts WHERE path = ? AND digest = ? AND parser = ?", (path, key, parser))
        if row is None or not isinstance(row[0], bytes):
            return None
        if not isinstance(row[1], float) or self._now - row[1] > _REFRESH_SECONDS:
            # as for reports, at most this often: each such write rewrites the row, blob and all
            # (every file's, when a run loads them all: 0.8 MB of journal on pylint's tree)
            self._facts_used.append((self._now, path, key, parser))
        return row[0]

    def remember(self, path: str, size: int, mtime_ns: int, key: bytes, parser: str, blob: bytes) -> None:
        """Facts of a file's content (its stat: ``remember_stat``, when it was hashed)."""
        self.blob_digests[path] = digest(blob)
        self._facts.append((path, key, parser, blob, time.time()))

    def remember_stat(self, path: str, size: int, mtime_ns: int, key: bytes) -> None:
        if size >= 0 and self._now - mtime_ns / 1e9 > _RACY_SECONDS:
            self._files.append((path, size, mtime_ns, key))

    # -- installed files ---------------------------------------------------------
    def lookup_site(self, path: str, size: int, mtime_ns: int) -> ModuleFacts | None:
        return _site_facts(self.site.query(_SITE_ROW, (path, PARSER_KEY)), size, mtime_ns)

    def remember_site(self, path: str, size: int, mtime_ns: int, blob: bytes) -> None:
        self._site.append((path, PARSER_KEY, size, mtime_ns, blob))

    # -- environments ------------------------------------------------------------
    def lookup_env(self, key: str):
        """(signature, value) stored for ``key`` by this build of importgate; the caller decides
        if it still holds. (The cache outside the project is shared by every build: one whose
        classes had other fields once loaded an environment without its ``path``.)"""
        row = self.site.query("SELECT signature, data FROM env WHERE key = ?", (f"{PARSER_KEY}|{key}",))
        if row is None:
            return None
        try:
            return row[0], loads(row[1])
        except Exception:  # noqa: BLE001
            return None

    def env_signature(self, key: str) -> bytes | None:
        """The signature stored with ``key`` by this build, without loading its value."""
        row = self.site.query("SELECT signature FROM env WHERE key = ?", (f"{PARSER_KEY}|{key}",))
        return row[0] if row is not None else None

    def remember_env(self, key: str, signature: bytes, value) -> None:
        full, suffix = f"{PARSER_KEY}|{key}", f"|{key}"
        self.site.write_all([
            ("DELETE FROM env WHERE key <> ? AND (key = ? OR substr(key, -?) = ?)", [(full, key, len(suffix), suffix)]),  # other builds'
            ("INSERT OR REPLACE INTO env VALUES (?, ?, ?)", [(full, signature, dumps(value))]),
        ])

    # -- derived results keyed by their inputs (e.g. rendered fixes) ---------------
    def lookup_blob(self, key: str):
        row = self.project.query("SELECT data FROM env WHERE key = ?", (key,))
        if row is None:
            return None
        try:
            return loads(row[0])
        except Exception:  # noqa: BLE001
            return None

    def remember_blob(self, key: str, value) -> None:
        self.project.write("INSERT OR REPLACE INTO env VALUES (?, ?, ?)", [(key, b"", dumps(value))])

    # -- whole reports ---------------------------------------------------------
    def lookup_report(self, key: bytes):
        row = self.project.query("SELECT data, used FROM reports WHERE key = ?", (key,))
        if row is None:
            return None
        if not isinstance(row[1], float) or self._now - row[1] > _REFRESH_SECONDS:
            self._reports_used.append((self._now, key))  # least recently used goes first
        try:
            return loads(row[0])
        except Exception:  # noqa: BLE001
            return None

    def has_report(self, key: bytes) -> bool:
        """Is it stored? (Not loaded, not marked as used.)"""
        return self.project.query("SELECT 1 FROM reports WHERE key = ?", (key,)) is not None

    def used_together(self, key: bytes, others: tuple[bytes, ...]) -> None:
        """Whenever ``key`` is marked as used, so are ``others``: entries that only answer
        together (a report, the same report under its facts key, the interface record an edit
        is compared with) must be evicted together, or a report replayed for ever would keep
        the state it answers from ever having its record again."""
        if any(used == key for _, used in self._reports_used):
            self._reports_used.extend((self._now, other) for other in others)

    def remember_report(self, key: bytes, report) -> None:
        """Written when the run closes, with everything else it learnt."""
        self._reports.append((key, dumps(report), time.time()))

    def close(self) -> None:
        statements = [
            ("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?)", self._files),
            ("INSERT OR REPLACE INTO facts VALUES (?, ?, ?, ?, ?)", self._facts),
            ("UPDATE facts SET used = ? WHERE path = ? AND digest = ? AND parser = ?", self._facts_used),
            # keep the few most recent versions of each changed file, and always the one its stat
            # row names (the content last seen on disk, which the next edit is compared with)
            # (counted first: a path with few versions, every path of a first run, sorts nothing)
            ("DELETE FROM facts WHERE path = ? AND (SELECT count(*) FROM facts WHERE path = ?) > 8 AND rowid NOT IN "
             "(SELECT rowid FROM facts WHERE path = ? ORDER BY used DESC LIMIT 8) "
             "AND digest IS NOT (SELECT digest FROM files WHERE path = ?)",
             [(row[0], row[0], row[0], row[0]) for row in self._facts]),
            ("UPDATE reports SET used = ? WHERE key = ?", self._reports_used),
            ("INSERT OR REPLACE INTO reports VALUES (?, ?, ?)", self._reports),
        ]
        if self._reports:
            # the recently used ones are enough: a few states of the tree (a branch switched, an
            # edit undone) times a few settings (--select, --entry), each with its keys and record.
            # Never one used within the last refresh period: its `used` is marked at most that
            # often, and quick edits (a save every few seconds) write many entries meanwhile; the
            # state they are compared with must stay
            recent = self._now - 2 * _REFRESH_SECONDS
            statements.append(
                ("DELETE FROM reports WHERE used < ? AND key NOT IN (SELECT key FROM reports ORDER BY used DESC LIMIT 48)",
                 [(recent,)])
            )
        if self.site is self.project:
            statements.append(("INSERT OR REPLACE INTO site VALUES (?, ?, ?, ?, ?)", self._site))
        else:
            self.site.write("INSERT OR REPLACE INTO site VALUES (?, ?, ?, ?, ?)", self._site)
        self.project.write_all(statements)
        self._files, self._facts, self._site, self._facts_used, self._reports_used, self._reports = [], [], [], [], [], []
        self.project.close()
        if self.site is not self.project:
            self.site.close()


def open_cache(project_root: str, cache_dir: str | None, enabled: bool) -> FactsCache | NullCache:
    if not enabled:
        return NullCache()
    project_dir = os.path.abspath(cache_dir) if cache_dir else os.path.join(project_root, ".importgate_cache")
    site_dir = project_dir if cache_dir else _user_cache_dir()
    return FactsCache(project_dir, site_dir)


def _user_cache_dir() -> str:
    base = os.environ.get("IMPORTGATE_CACHE_HOME")
    if base:
        return base
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(xdg, "importgate")
