"""`importgate probe` on the command line: its arguments and the run.

Kept out of cli.py so that the shared CLI stays a thin dispatcher; imported
lazily, like everything the CLI runs.
"""

from __future__ import annotations

import sys

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def add_parser(sub, formats) -> None:
    probe = sub.add_parser("probe", help="import every module in an isolated process of the target interpreter (runs its code)")
    probe.add_argument("paths", nargs="*", default=["."], metavar="PATH", help="files or directories (default: .)")
    probe.add_argument("--entry", action="append", metavar="MODULE[:ATTR]", help="probe only these modules (ATTR: check the object exists); repeatable")
    probe.add_argument("--entry-points", action="store_true", help="probe the console scripts and entry points declared in pyproject.toml")
    probe.add_argument("--python", metavar="PATH", help="the target interpreter or venv (default: $VIRTUAL_ENV, ./.venv, then this Python)")
    probe.add_argument("--jobs", "-j", type=int, metavar="N", help="parallel imports (default: the number of CPUs)")
    probe.add_argument("--timeout", type=float, metavar="S", help="seconds one import may take before it is killed (default: 30)")
    probe.add_argument("--isolation", choices=("auto", "fork", "spawn"), help="fork: a warm fork server (default where available); spawn: a fresh interpreter per module")
    probe.add_argument("--max-import-seconds", type=float, metavar="S", help="report imports whose first-party module code runs longer than S seconds")
    probe.add_argument("--env", action="append", metavar="KEY=VAL", help="environment variable the service would see; repeatable")
    probe.add_argument("--env-file", action="append", metavar="FILE", help="dotenv file of KEY=VAL lines; repeatable")
    probe.add_argument("--slowest", type=int, metavar="N", help="list the N slowest imports (text output; default: 10, 0 to hide)")
    probe.add_argument("--format", choices=formats, default="text", help="output format (default: text)")
    probe.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of stdout")
    probe.add_argument("--select", action="append", metavar="RULE", help="only these rules (repeatable, comma-separated)")
    probe.add_argument("--ignore", action="append", metavar="RULE", help="skip these rules (repeatable, comma-separated)")
    probe.add_argument("--fail-on", choices=("info", "warning", "error"), help="lowest severity that makes the exit status 1 (default: error)")
    probe.add_argument("--color", choices=("auto", "always", "never"), default="auto")


def run(args, *, split, use_color) -> int:
    from importgate import engine
    from importgate.config import ConfigError
    from importgate.model import Severity
    from importgate.probe import api as probe_api
    from importgate.probe.output import Progress, merged_report, render_runs
    from importgate.probe.settings import parse_env_assignment

    for flag, value in (("--jobs", args.jobs), ("--timeout", args.timeout), ("--max-import-seconds", args.max_import_seconds)):
        if value is not None and value <= 0:
            raise ConfigError(f"{flag} must be positive, not {value}")
    if args.slowest is not None and args.slowest < 0:
        raise ConfigError(f"--slowest must not be negative, not {args.slowest}")
    env = tuple(parse_env_assignment(item) for item in args.env or ())
    progress = Progress(sys.stderr)
    try:
        runs = probe_api.probe_paths(
            tuple(args.paths),
            entries=tuple(split(args.entry) or ()),
            entry_points=args.entry_points,
            config_overrides={
                "select": split(args.select),
                "ignore": split(args.ignore),
                "python": args.python,
                "fail_on": args.fail_on,
            },
            progress=progress,
            notes=lambda message: None,
            timeout=args.timeout,
            jobs=args.jobs,
            isolation=args.isolation,
            max_import_seconds=args.max_import_seconds,
            env=env or None,
            env_files=tuple(args.env_file) if args.env_file else None,
            slowest=args.slowest,
        )
    finally:
        progress.close()
    report = merged_report(runs)
    out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout
    try:
        out.write(render_runs(runs, args.format, color=use_color(args.color, out)))
    finally:
        if args.output:
            out.close()
    for problem in report.problems:
        print(f"importgate: warning: {problem.message}", file=sys.stderr)
    if any(r.targets and len(r.verdicts.internal) == r.targets for r in runs):
        print("importgate: error: no module could be probed: the target interpreter cannot run the probe", file=sys.stderr)
        return EXIT_ERROR
    fail_on = Severity.parse(args.fail_on) if args.fail_on else runs[0].fail_on if runs else Severity.ERROR
    return EXIT_FINDINGS if engine.exit_code(report, fail_on) else EXIT_CLEAN
