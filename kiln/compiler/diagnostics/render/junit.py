"""JUnit XML, as Jenkins (junit plugin) and GitLab (test reports) read it.

One `<testsuite>` per file and one `<testcase>` per finding, so a CI page lists each problem
with its place: GitLab shows each test case with its failure text, Jenkins one test per
finding. A test case's name is the code, its name and the logical path (no line number, so
that a finding keeps its test history when lines move); `file` and `line` say where it is.
Errors and warnings are `<failure type="error|warning">` whose message starts with
`file:line:col`, and whose text is what `kiln validate` prints (the source line and a caret);
info and hints pass, with the message in `<system-out>`. A file without findings (every
source Kiln read) gets one passing case, so the report shows what was checked.

`classname` is the path with its dots made underscores: Jenkins splits a class name at dots
into package and class, which would cut `web.yaml` in two.
"""

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import Final

from kiln.compiler.diagnostics import Diagnostic
from kiln.compiler.diagnostics.codes import Severity
from kiln.compiler.diagnostics.render.describe import Rules, relative_path
from kiln.compiler.source import SourceFile, render_excerpt

SUITES_NAME: Final = "kiln"
NO_FILE: Final = "<input>"
# Characters XML 1.0 cannot carry, even escaped (a template may hold them in a key).
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def render_junit(
    diagnostics: Sequence[Diagnostic],
    sources: Mapping[str, SourceFile],
    *,
    rules: Rules | None = None,
    root: str | None = None,
) -> str:
    del rules  # everything a test case shows is in the diagnostic
    by_file: dict[str, list[Diagnostic]] = {}
    for diagnostic in diagnostics:
        file = relative_path(diagnostic.span.file, root) if diagnostic.span else NO_FILE
        by_file.setdefault(file, []).append(diagnostic)
    for path in sources:
        by_file.setdefault(relative_path(path, root), [])
    suites = ET.Element("testsuites", name=SUITES_NAME)
    total = failed = 0
    for file in sorted(by_file):
        suite = _suite(file, by_file[file], sources, root)
        suites.append(suite)
        total += int(suite.get("tests", "0"))
        failed += int(suite.get("failures", "0"))
    suites.set("tests", str(total))
    suites.set("failures", str(failed))
    suites.set("errors", "0")
    suites.set("time", "0")
    ET.indent(suites)
    # ElementTree leaves CR in text as is, and XML readers turn it into LF: write it as a
    # character reference so that it survives (attributes already get one).
    body = ET.tostring(suites, "unicode").replace("\r", "&#13;")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def _suite(
    file: str,
    diagnostics: list[Diagnostic],
    sources: Mapping[str, SourceFile],
    root: str | None,
) -> ET.Element:
    suite = ET.Element("testsuite", name=_xml(file), file=_xml(file))
    classname = _xml(file.replace(".", "_"))
    failures = 0
    for diagnostic in diagnostics:
        case = ET.SubElement(
            suite, "testcase", name=_xml(_case_name(diagnostic)), classname=classname, time="0"
        )
        case.set("file", _xml(file))
        if diagnostic.span is not None:
            case.set("line", str(diagnostic.span.start.line))
        text = _xml(_details(diagnostic, file, sources, root))
        if diagnostic.severity >= Severity.WARNING:
            failures += 1
            failure = ET.SubElement(
                case,
                "failure",
                type=str(diagnostic.severity),
                message=_xml(f"{_where(diagnostic, file)}: {diagnostic.message}"),
            )
            failure.text = text
        else:
            ET.SubElement(case, "system-out").text = text
    if not diagnostics:
        ET.SubElement(suite, "testcase", name="no findings", classname=classname, time="0")
    suite.set("tests", str(max(1, len(diagnostics))))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("skipped", "0")
    suite.set("time", "0")
    return suite


def _case_name(diagnostic: Diagnostic) -> str:
    name = f"{diagnostic.code.id} {diagnostic.code.name}"
    return f"{name} at {diagnostic.dotted_path}" if diagnostic.path else name


def _details(
    diagnostic: Diagnostic, file: str, sources: Mapping[str, SourceFile], root: str | None
) -> str:
    """What `kiln validate` prints for the finding, with paths relative to the root."""
    code = diagnostic.code
    lines = [
        f"{_where(diagnostic, file)}: {diagnostic.severity} {code.id} {diagnostic.message} "
        f"[{code.name}]"
    ]
    span = diagnostic.span
    source = sources.get(span.file) if span is not None else None
    if span is not None and source is not None:
        excerpt = render_excerpt(source, span)
        if excerpt:
            lines.append(excerpt)
    if diagnostic.path:
        lines.append(f"      = at {diagnostic.dotted_path}")
    for note in diagnostic.notes:
        where = ""
        if note.span is not None:
            note_file = relative_path(note.span.file, root)
            where = f"{note_file}:{note.span.start.line}:{note.span.start.column}: "
        lines.append(f"      = note: {where}{note.message}")
    if diagnostic.fix is not None:
        lines.append(f"      = help: {diagnostic.fix.description}")
    return "\n".join(lines)


def _where(diagnostic: Diagnostic, file: str) -> str:
    span = diagnostic.span
    return f"{file}:{span.start.line}:{span.start.column}" if span is not None else file


def _xml(text: str) -> str:
    """Text XML 1.0 can hold: a character it cannot is written as its \\x.. escape."""
    return _NOT_XML.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
