"""JUnit XML: one test case per finding (one passing case when clean)."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from importgate.model import Report, Severity
from importgate.report import display_path


def render(report: Report, suite: str = "importgate") -> str:
    failures = [f for f in report.findings if f.effective_severity >= Severity.ERROR]
    root = ET.Element("testsuites")
    ts = ET.SubElement(
        root,
        "testsuite",
        name=suite,
        tests=str(max(len(report.findings), 1)),
        failures=str(len(failures)),
        errors="0",
        time=f"{report.seconds:.3f}",
    )
    if not report.findings:
        ET.SubElement(ts, "testcase", classname="importgate", name="no import problems")
    for f in report.findings:
        path = display_path(f.location.path)
        case = ET.SubElement(
            ts, "testcase", classname=path, name=f"{f.rule.code} {f.rule.name} at {path}:{f.location.line}"
        )
        body = f.message + (f"\nhelp: {f.hint}" if f.hint else "")
        if f.effective_severity >= Severity.ERROR:
            failure = ET.SubElement(case, "failure", message=f.message, type=f.rule.name)
            failure.text = body
        else:
            out = ET.SubElement(case, "system-out")
            out.text = f"{f.effective_severity}: {body}"
    return ET.tostring(root, encoding="unicode") + "\n"
