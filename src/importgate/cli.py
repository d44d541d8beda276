"""Arguments -> Config -> engine -> reporter -> exit code. Nothing else lives here."""

from __future__ import annotations

import argparse
import os
import sys

from importgate import __version__

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    from importgate.report import FORMATS

    parser = argparse.ArgumentParser(
        prog="importgate",
        description="Stop broken imports before they reach production.",
    )
    parser.add_argument("--version", action="version", version=f"importgate {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = sub.add_parser("check", help="statically check every import of a project (never runs its code)")
    check.add_argument("paths", nargs="*", default=["."], metavar="PATH", help="files or directories (default: .)")
    check.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    check.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of stdout")
    check.add_argument("--select", action="append", metavar="RULE", help="only these rules (names, codes or prefixes; repeatable, comma-separated)")
    check.add_argument("--ignore", action="append", metavar="RULE", help="skip these rules (repeatable, comma-separated)")
    check.add_argument("--python", metavar="PATH", help="the target interpreter or venv (default: $VIRTUAL_ENV, ./.venv, then this Python)")
    check.add_argument("--entry", action="append", metavar="MODULE", help="a start-up module (MODULE or MODULE:ATTR); findings say by which import chain start-up reaches them")
    check.add_argument("--fail-on", choices=("info", "warning", "error"), help="lowest severity that makes the exit status 1 (default: error)")
    check.add_argument("--color", choices=("auto", "always", "never"), default="auto")

    from importgate.probe.command import add_parser as add_probe_parser

    add_probe_parser(sub, FORMATS)

    rules = sub.add_parser("rules", help="list every rule with its code and default severity")
    rules.add_argument("--format", choices=("text", "json"), default="text")
    return parser


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


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
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
    )
    reports = [engine.check(config) for config in configs]
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
    from importgate.rules.catalogue import RULES

    if args.format == "json":
        import json

        print(json.dumps([{"code": r.code, "name": r.name, "severity": str(r.severity), "summary": r.summary} for r in RULES], indent=2))
    else:
        for r in RULES:
            print(f"{r.code}  {r.name:<28} {str(r.severity):<8} {r.summary}")
    return EXIT_CLEAN


def _probe(args) -> int:
    from importgate.probe.command import run

    return run(args, split=_split, use_color=_use_color)
