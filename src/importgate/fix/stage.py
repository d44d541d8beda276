"""The engine stage that attaches fixes to findings (``engine.check(..., fixer=Fixer())``).

Findings whose fixes touch the same file are rendered together, so three names
re-exported from one module become one import statement and one ``__all__``
edit. The text edits of a file ride on the first of those findings (in report
order); the others' fixes say so and carry no edits. So the edits of every fix
in a report never overlap, and applying all of them gives exactly what
``--fix`` writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from importgate.model import Edit, Finding, Fix, Problem, Report

TYPE_CHECKING = False
if TYPE_CHECKING:  # planning is imported when there is something to plan (not on a replay)
    from importgate.project import Project

MAX_PASSES = 8
# what the stage adds to a finding's hint (``plans_hold`` reads the plans back from them)
_REFUSED = "not fixed automatically: "
_UNSAFE = "`--unsafe-fixes` would "


@dataclass
class FileChange:
    """One file's bytes before and after its fixes (a diff or a write is made from it)."""

    path: str
    old: bytes
    new: bytes
    old_text: str
    new_text: str
    encoding: str


@dataclass
class Fixer:
    """Attaches fixes to findings during a check and stages the edited files."""

    unsafe: bool = False
    reuse: bool = False  # show mode: rendered fixes may come from the cache (no file is written)
    files: dict[str, FileChange] = field(default_factory=dict)
    applied: list[str] = field(default_factory=list)  # one line per fixed finding
    problems: list[Problem] = field(default_factory=list)
    touched: set[str] = field(default_factory=set)

    def __call__(self, findings: list[Finding], project: Project) -> list[Finding]:
        from importgate.fix import plan as P

        out = list(findings)
        planned: dict[int, P.Planned] = {}
        cache: dict = {}
        for i, finding in enumerate(findings):
            decision = P.plan(finding, project, cache)
            if isinstance(decision, P.Refused):
                out[i] = _with_hint(finding, _REFUSED + decision.reason)
            elif isinstance(decision, P.Planned):
                if decision.applicability == "unsafe" and not self.unsafe:
                    out[i] = _with_hint(finding, _UNSAFE + decision.description)
                else:
                    planned[i] = decision
        # files whose bytes the rendered edits depend on (a replayed report checks them)
        self.touched.update(c.path for decision in planned.values() for c in decision.changes)
        if not planned:
            return out
        key = self._reuse_key(out, planned, project) if self.reuse and project.cache is not None else None
        if key is not None:
            stored = project.cache.lookup_blob(key)
            if isinstance(stored, list) and len(stored) == len(out):
                return [replace(f, fix=fix, hint=hint) for f, (fix, hint) in zip(out, stored)]
        try:
            from importgate.fix import apply as A
        except ImportError as exc:  # libcst missing or broken: report, never crash
            self.problems.append(Problem(f"fixes are unavailable: cannot import libcst ({exc}); pip install libcst"))
            return out
        rendered, failed = self._render(out, planned, project, A)
        for i, reason in failed.items():
            out[i] = _with_hint(out[i], _REFUSED + reason)
            del planned[i]
        self._attach(out, planned, rendered, project, A)
        if key is not None and not self.problems:
            project.cache.remember_blob(key, [(f.fix, f.hint) for f in out])
        return out

    def _reuse_key(self, findings, planned, project) -> str | None:
        """Rendered edits depend on the plans, the bytes of the files they touch, the style and
        the fix code itself; with those unchanged, a later run reuses them without libcst."""
        import os

        from importgate.facts.cache import blake2b, digest

        h = blake2b(digest_size=20)
        h.update(repr((self.unsafe, _style(project))).encode())
        for finding in findings:  # the stored (fix, hint) of every finding is reused, not only the planned ones'
            h.update(repr((finding.sort_key(), finding.hint)).encode())
        for i in sorted(planned):
            h.update(repr((findings[i].sort_key(), planned[i])).encode())
        paths = sorted({c.path for decision in planned.values() for c in decision.changes})
        code_dir = os.path.dirname(__file__)
        for path in paths + [os.path.join(code_dir, n) for n in ("plan.py", "apply.py", "edits.py", "stage.py")]:
            try:
                with open(path, "rb") as fh:
                    h.update(path.encode() + b"\0" + digest(fh.read()))
            except OSError:
                return None
        return "fixes|" + h.hexdigest()

    def plans_hold(self, project: Project, report: Report) -> bool:
        """Would the fix stage plan the re-exports of this report as it did? It adds an import to a
        package only if no module-level import it would run needs the half-built package
        (``fix.plan.circular`` reads every such import, even one the simulation knows runs
        nothing), so after an import edit at module level each such plan is made again and must
        say the same: the same fix (its description names the import and the __all__ edit), or
        the same reason to refuse."""
        cache: dict = {}
        for f in report.findings:
            hint = f.hint or ""
            if f.rule.name not in ("missing-name", "undefined-export"):
                continue
            if f.fix is None and _REFUSED not in hint and _UNSAFE not in hint:
                continue  # no fix stage made this report, or it had nothing to plan here
            from importgate.fix import plan as P  # planning only: no renderer

            decision = P.plan(f, project, cache)
            if isinstance(decision, P.Refused):
                if f.fix is not None or _REFUSED + decision.reason not in hint:
                    return False
            elif isinstance(decision, P.Planned):
                if f.fix is None:
                    if _UNSAFE + decision.description not in hint:
                        return False
                elif not f.fix.description.startswith(decision.description):
                    return False
            elif f.fix is not None:
                return False
        return True

    def prepare(self, findings: list[Finding]) -> None:
        """Load the renderer ahead of time (libcst takes ~0.2 s to import), if one of these
        findings may get a fix: most reports have none that can."""
        from importgate.fix.plan import FIXED_RULES

        if not any(f.rule.name in FIXED_RULES for f in findings):
            return
        try:
            from importgate.fix import apply  # noqa: F401
        except ImportError:
            pass  # reported when a fix is rendered

    # -- rendering ---------------------------------------------------------------
    def _render(self, findings, planned, project, A):
        """path -> Rewriter, and the findings whose changes could not be made (with why)."""
        failed: dict[int, str] = {}
        style = _style(project)
        for _ in range(MAX_PASSES):  # a finding that fails in one file is withdrawn from all
            rewriters: dict[str, object] = {}
            newly: dict[int, str] = {}
            order = sorted(planned, key=lambda i: findings[i].sort_key())
            for i in order:
                if i in failed:
                    continue
                by_path: dict[str, list] = {}
                for change in planned[i].changes:
                    by_path.setdefault(change.path, []).append(change)
                for path, changes in by_path.items():
                    rewriter = rewriters.get(path)
                    if rewriter is None:
                        rewriter = self._rewriter(path, project, style, A)
                        if isinstance(rewriter, str):
                            newly[i] = rewriter
                            break
                        rewriters[path] = rewriter
                    try:
                        rewriter.apply(changes)
                    except A.CannotApply as exc:
                        newly[i] = str(exc)
                        break
            for path, rewriter in rewriters.items():
                if rewriter.module is rewriter.original:
                    continue
                problem = _does_not_parse(rewriter.data, path, project)
                if problem:  # never write a file Python cannot read; tell the user (a bug of ours)
                    self.problems.append(Problem(f"a fix would have broken {project.rel(path)} ({problem}); left as it was", path))
                    for i in order:
                        if any(c.path == path for c in planned[i].changes):
                            newly[i] = "the rewritten file would not parse"
            if not newly:
                return rewriters, failed
            failed.update(newly)
        return {}, {**failed, **{i: "the fixes did not settle" for i in planned if i not in failed}}

    @staticmethod
    def _rewriter(path, project, style, A):
        facts = project.facts.get(path)
        if facts is None or facts.is_stub:
            return f"{project.rel(path)} is not a first-party source file"
        try:
            with open(path, "rb") as fh:
                source = fh.read()
        except OSError as exc:
            return f"cannot read {project.rel(path)}: {exc.strerror or exc}"
        try:
            return A.Rewriter(source, facts.name, facts.is_package, *style)
        except A.CannotApply as exc:
            return str(exc)

    # -- attaching -----------------------------------------------------------------
    def _attach(self, out, planned, rewriters, project, A) -> None:
        from importgate.fix import plan as P

        from importgate.fix.edits import text_edits

        order = sorted(planned, key=lambda i: out[i].sort_key())
        owner: dict[str, int] = {}
        for i in order:
            for change in planned[i].changes:
                owner.setdefault(change.path, i)
        edits: dict[str, list[Edit]] = {}
        for path, rewriter in rewriters.items():
            old_text, new_text = rewriter.original.code, rewriter.code
            if old_text == new_text:
                continue
            edits[path] = text_edits(path, old_text, new_text)
            self.files[path] = FileChange(path, rewriter.source, rewriter.data, old_text, new_text, rewriter.encoding)
        for i in order:
            decision = planned[i]
            paths = list(dict.fromkeys(c.path for c in decision.changes))
            if not any(p in self.files for p in paths):
                continue  # nothing to change after all (already there)
            mine = [p for p in paths if owner.get(p) == i]
            description = decision.description
            unsafe = decision.applicability == "unsafe"
            for path in mine:
                others = [j for j in order if j != i and any(c.path == path for c in planned[j].changes)]
                unsafe = unsafe or any(planned[j].applicability == "unsafe" for j in others)
                if others:
                    description += f" (the edits of {project.rel(path)} also fix {len(others)} other finding{'s' if len(others) > 1 else ''})"
            for path in paths:
                if path not in mine:
                    loc = out[owner[path]].location
                    description += f" (its edits of {project.rel(path)} are in the fix of {project.rel(loc.path)}:{loc.line}:{loc.column})"
            owned = tuple(e for p in mine for e in edits.get(p, ()))
            out[i] = replace(out[i], fix=Fix("unsafe" if unsafe else "safe", description, owned))
            notes = []
            previous = None
            for change in decision.changes:
                rewriter = rewriters[change.path]
                text = rewriter.original.code if isinstance(change, P.RemoveFromAll) else rewriter.code
                facts = project.facts[change.path]
                line = A.locate(change, text, facts.name, facts.is_package)
                where = project.rel(change.path) if change.path != previous else ""
                previous = change.path
                where += f":{line}" if line else ""
                notes.append(f"{where} {rewriter.notes.get(change, 'changed')}")
            loc = out[i].location
            self.applied.append(
                f"{project.rel(loc.path)}:{loc.line}:{loc.column} {out[i].rule.name} '{out[i].name}': " + ", ".join(notes)
            )


def _with_hint(finding: Finding, text: str) -> Finding:
    hint = f"{finding.hint}; {text}" if finding.hint else text
    return replace(finding, hint=hint)


def _does_not_parse(data: bytes, path: str, project: Project) -> str | None:
    """Why Python cannot read the rewritten file; the target's grammar decides when it is newer
    than this interpreter's (a `type X = ...` file of a 3.12 project fixed from 3.11)."""
    import ast

    try:
        ast.parse(data, filename=path)
    except SyntaxError as exc:
        from importgate.facts import target_parse

        if target_parse.newer_than_here(project.env.version[:2]):
            return target_parse.syntax_error_there(data, path, project.env.executable)
        return f"line {exc.lineno}: {exc.msg}"
    except ValueError as exc:
        return str(exc)
    return None


def _style(project: Project) -> tuple[int, bool]:
    """The project's formatter settings: line length (ruff, then black, else black's 88)
    and isort's force-single-line (one imported name per statement)."""
    from importgate.config import read_pyproject

    data, _ = read_pyproject(project.config.project_root)
    tool = data.get("tool", {}) if isinstance(data, dict) else {}

    def table(*keys):
        node = tool
        for key in keys:
            node = node.get(key) if isinstance(node, dict) else None
        return node if isinstance(node, dict) else {}

    length = 88
    for section in (table("ruff"), table("black")):
        value = section.get("line-length")
        if isinstance(value, int) and 40 <= value <= 400:
            length = value
            break
    single = any(
        section.get(key) is True
        for section, key in (
            (table("isort"), "force_single_line"),
            (table("ruff", "lint", "isort"), "force-single-line"),
            (table("ruff", "isort"), "force-single-line"),
        )
    )
    return length, single
