"""Arguments -> Config -> engine -> reporter -> exit code. Nothing else lives here."""

from __future__ import annotations

import argparse
import os
import sys
import types

from importgate.version import __version__

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _help_width() -> int:
    """What argparse would ask shutil for, without importing shutil on every run."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return (columns if columns > 0 else 80) - 2  # shutil's fallback when nothing says


class _Formatter(argparse.HelpFormatter):
    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24, width: int | None = None) -> None:
        super().__init__(prog, indent_increment, max_help_position, width if width is not None else _help_width())


class _Parser(argparse.ArgumentParser):
    """Sub-commands' parsers are made with type(parent): they get the formatter too."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)


_COMMANDS = ("check", "probe", "rules", "exports")


def _parser(only: str | None = None) -> argparse.ArgumentParser:
    """``only``: the command the arguments name, whose sub-parser alone is built (every run pays
    for building them; help without a command lists them all)."""
    from importgate.report import FORMATS

    parser = _Parser(
        prog="importgate",
        description="Stop broken imports before they reach production.",
    )
    parser.add_argument("--version", action="version", version=f"importgate {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    if only in (None, "check"):
        _check_parser(sub, FORMATS)
    if only in (None, "probe"):
        from importgate.probe.command import add_parser as add_probe_parser

        add_probe_parser(sub, FORMATS)
    if only in (None, "rules"):
        rules = sub.add_parser("rules", help="list every rule with its code and default severity")
        rules.add_argument("--format", choices=("text", "json"), default="text")
    if only in (None, "exports"):
        exports = sub.add_parser("exports", help="show the public API of first-party packages: each exported name, where it is defined, who imports it")
        exports.add_argument("packages", nargs="*", metavar="PACKAGE", help="dotted package names (default: [tool.importgate.exports] packages, else every first-party package)")
        exports.add_argument("--project", default=".", metavar="PATH", help="a path inside the project (default: .)")
        exports.add_argument("--format", choices=("text", "json"), default="text")
        exports.add_argument("--python", metavar="PATH", help="the target interpreter or venv")
    return parser


def _check_parser(sub, formats) -> None:
    check = sub.add_parser("check", help="statically check every import of a project (never runs its code)")
    check.add_argument("paths", nargs="*", default=["."], metavar="PATH", help="files or directories (default: .)")
    check.add_argument("--format", choices=formats, default="text", help="output format (default: text)")
    check.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of stdout")
    check.add_argument("--select", action="append", metavar="RULE", help="only these rules (names, codes or prefixes; repeatable, comma-separated)")
    check.add_argument("--ignore", action="append", metavar="RULE", help="skip these rules (repeatable, comma-separated)")
    check.add_argument("--python", metavar="PATH", help="the target interpreter or venv (default: $VIRTUAL_ENV, ./.venv, then this Python)")
    check.add_argument("--entry", action="append", metavar="MODULE", help="a start-up module (MODULE or MODULE:ATTR); findings say by which import chain start-up reaches them")
    check.add_argument("--fail-on", choices=("info", "warning", "error"), help="lowest severity that makes the exit status 1 (default: error)")
    check.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    check.add_argument("--cache-dir", metavar="DIR", help="where to keep parsed facts (default: .importgate_cache/ in the project, installed packages in ~/.cache/importgate)")
    check.add_argument("--no-cache", action="store_true", help="parse everything, read and write no cache")
    check.add_argument("--jobs", "-j", type=int, metavar="N", help="processes for parsing and the import-cycle simulation (default: one per CPU; 1: all in this process)")
    check.add_argument("--groups", action="append", metavar="GROUP", help="dependency groups the deployment installs (repeatable, comma-separated; 'all')")
    check.add_argument("--extras", action="append", metavar="EXTRA", help="extras the deployment installs (repeatable, comma-separated; 'all')")
    check.add_argument("--only-runtime", action="store_true", default=None, help="the deployment installs the runtime dependencies only (overrides groups/extras from the config)")
    check.add_argument("--fix", action="store_true", help="apply every unambiguous fix (missing re-exports, false __all__ entries), then report what remains")
    check.add_argument("--diff", action="store_true", help="print the unified diff of what --fix would change, and change nothing")
    check.add_argument("--unsafe-fixes", action="store_true", help="also plan fixes that guess intent (misspelled names)")


class TtyProgress:
    """One status line on a terminal's stderr, drawn only once a run has taken a second."""

    def __init__(self, stream, delay: float = 1.0) -> None:
        import time

        self.stream = stream
        self.clock = time.monotonic
        self.start = self.clock()
        self.delay = delay
        self.last = 0.0
        self.drawn = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = self.clock()
        if now - self.start < self.delay or (now - self.last < 0.1 and done < total):
            return
        self.last = now
        width = 24
        filled = width * done // total if total else width
        self.stream.write(f"\r\x1b[2K{stage:<9} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}  {now - self.start:.1f}s")
        self.stream.flush()
        self.drawn = True

    def clear(self) -> None:
        if self.drawn:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()


def _split(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def _use_color(choice: str, stream) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(stream, "isatty") and stream.isatty()


def run() -> None:
    """The console command: ``main``, then exit without tearing the heap down object by object
    (a big project's facts take tens of milliseconds to free, for nothing). Every stream we
    wrote is flushed first; ``check`` leaves no process or thread behind."""
    _import_dataclasses_without_inspect()
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe: nothing more can be said
        pass
    os._exit(code)


class _InspectOnFirstUse(types.ModuleType):
    """Stands for ``inspect`` in ``dataclasses``: imports the real module when first used."""

    def __getattr__(self, attr: str):
        import inspect

        self.__dict__.update(inspect.__dict__)
        return getattr(inspect, attr)


def _import_dataclasses_without_inspect() -> None:
    """On Python 3.10 and 3.11 ``dataclasses`` imports ``inspect`` (and with it ast, dis and
    tokenize: ~6 ms, an eighth of a run answered from the cache) only to write a docstring for
    a class that has none. Our classes have docstrings: it is given a stand-in that imports the
    real module on first use. Only ``dataclasses`` holds the stand-in; ``import inspect``
    anywhere else gets the real module. From 3.12 on dataclasses uses inspect for every class:
    there the real module is imported at the first class, as without the stand-in.
    (``importlib.util.LazyLoader`` does not do here: ``import inspect`` reads the module's
    ``__spec__``, and any read loads a lazy module, so it would load at that statement.)"""
    if "dataclasses" in sys.modules or "inspect" in sys.modules:
        return
    stand_in = sys.modules["inspect"] = _InspectOnFirstUse("inspect")
    try:
        import dataclasses  # noqa: F401 - imported now, while the stand-in is there
    finally:
        if sys.modules.get("inspect") is stand_in:
            del sys.modules["inspect"]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = _parser(argv[0] if argv and argv[0] in _COMMANDS else None)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    if args.command is None:
        parser.print_help()
        return EXIT_ERROR
    try:
        if args.command == "check":
            return _check(args)
        if args.command == "rules":
            return _rules(args)
        if args.command == "exports":
            return _exports(args)
        if args.command == "probe":
            return _probe(args)
    except KeyboardInterrupt:
        print("importgate: interrupted", file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:  # noqa: BLE001 - the CLI's last line of defence
        from importgate.config import ConfigError
        from importgate.facts.environment import EnvironmentError_

        from importgate.probe.runner import ProbeError

        if isinstance(exc, (ConfigError, EnvironmentError_, ProbeError)):
            print(f"importgate: error: {exc}", file=sys.stderr)
            return EXIT_ERROR
        import traceback

        traceback.print_exc()
        print(f"importgate: internal error: {exc!r} (please report it)", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_ERROR


def _check(args) -> int:
    from importgate import api, engine
    from importgate.report import render

    configs = api.configs_for(
        tuple(args.paths),
        select=_split(args.select),
        ignore=_split(args.ignore),
        python=args.python,
        entries=_split(args.entry),
        fail_on=args.fail_on,
        dep_groups=_split(args.groups),
        dep_extras=_split(args.extras),
        only_runtime=args.only_runtime,
        cache=False if args.no_cache else None,
        cache_dir=args.cache_dir,
        jobs=args.jobs,
    )
    fix_mode = "diff" if args.diff else "apply" if args.fix else "show" if args.unsafe_fixes or args.format == "json" else None
    if fix_mode is None:
        progress = TtyProgress(sys.stderr) if _use_color("auto", sys.stderr) else None
        try:
            reports = [engine.check(config, progress=progress) for config in configs]
        finally:
            if progress is not None:
                progress.clear()
    else:
        from importgate.fix import run as fixes

        outcomes = [fixes.run(config, mode=fix_mode, unsafe=args.unsafe_fixes) for config in configs]
        reports = [o.report for o in outcomes]
        if fix_mode == "diff":
            return _diff(args, outcomes, engine.exit_code(api.merge_reports(reports), configs[0].fail_on))
    report = api.merge_reports(reports)
    out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout
    try:
        out.write(render(report, args.format, color=_use_color(args.color, out)))
    finally:
        if args.output:
            out.close()
    for problem in report.problems:
        print(f"importgate: warning: {problem.message}", file=sys.stderr)
    return EXIT_FINDINGS if engine.exit_code(report, configs[0].fail_on) else EXIT_CLEAN


def _rules(args) -> int:
    from importgate.catalogue import RULES

    if args.format == "json":
        import json

        print(json.dumps([{"code": r.code, "name": r.name, "severity": str(r.severity), "summary": r.summary} for r in RULES], indent=2))
    else:
        for r in RULES:
            print(f"{r.code}  {r.name:<28} {str(r.severity):<8} {r.summary}")
    return EXIT_CLEAN


def _diff(args, outcomes, failing: bool) -> int:
    from importgate.fix.run import unified_diff

    changes = [c for o in outcomes for c in o.changes]
    text = unified_diff(changes)
    out = open(args.output, "w", encoding="utf-8", newline="") if args.output else sys.stdout
    try:
        out.write(text)
    finally:
        if args.output:
            out.close()
    fixable = sum(o.fixable for o in outcomes)
    remaining = sum(len(o.report.findings) for o in outcomes) - fixable
    print(
        f"importgate: --fix would change {len(changes)} file{'s' if len(changes) != 1 else ''}, fixing {fixable} "
        f"finding{'s' if fixable != 1 else ''}; {remaining} would remain",
        file=sys.stderr,
    )
    for o in outcomes:
        for problem in o.report.problems:
            print(f"importgate: warning: {problem.message}", file=sys.stderr)
    return EXIT_FINDINGS if changes or failing else EXIT_CLEAN


def _exports(args) -> int:
    from importgate import api, engine, public_api
    from importgate.config import ConfigError
    from importgate.report import display_path

    (config,) = api.configs_for((args.project,), python=args.python)
    names = list(args.packages) or public_api.configured_packages(config.project_root)
    project, _ = engine.build_project(config)
    try:
        apis = public_api.collect(project, names)
    except LookupError as exc:
        known = ", ".join(sorted(public_api.first_party_packages(project))[:10]) or "none"
        raise ConfigError(f"no first-party package or module named {exc.args[0]!r} (packages: {known})") from None
    render = public_api.render_json if args.format == "json" else public_api.render_text
    sys.stdout.write(render(apis, display_path))
    return EXIT_CLEAN

def _probe(args) -> int:
    from importgate.probe.command import run

    return run(args, split=_split, use_color=_use_color)
