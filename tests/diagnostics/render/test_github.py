"""GitHub workflow-command annotations, read back the way the Actions runner reads them
(actions/runner src/Runner.Worker/ActionCommandManager.cs: the command up to the first space,
properties split at `,` and `=`, the message after the next `::`, then unescaped)."""

import re
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from kiln_testing import compare_golden
from render_sample import ROOT

from kiln.compiler.diagnostics import Diagnostic
from kiln.compiler.diagnostics.codes import Severity
from kiln.compiler.diagnostics.render import RENDERERS
from kiln.compiler.diagnostics.render.github import annotation
from kiln.compiler.source import Position, Span

GOLDEN = Path(__file__).resolve().parent / "golden"
COMMAND = re.compile(r"^::(?P<command>\w+)(?: (?P<properties>.*?))?::(?P<message>.*)$", re.DOTALL)


def unescape_data(text: str) -> str:
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def unescape_property(text: str) -> str:
    return (
        text.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
    )


def parse(line: str) -> tuple[str, dict[str, str], str]:
    match = COMMAND.match(line)
    assert match is not None, line
    properties = {}
    for pair in (match["properties"] or "").split(","):
        if pair:
            key, _, value = pair.partition("=")
            properties[key] = unescape_property(value)
    return match["command"], properties, unescape_data(match["message"])


def test_one_annotation_per_finding(sample):
    output = RENDERERS["github"](sample.diagnostics, sample.sources, root=str(ROOT))
    lines = output.splitlines()
    assert len(lines) == len(sample.diagnostics)
    commands = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
    for line, diagnostic in zip(lines, sample.diagnostics, strict=True):
        command, properties, message = parse(line)
        assert command == commands[diagnostic.severity]
        assert properties["title"] == f"{diagnostic.code.id} {diagnostic.code.name}"
        assert message.splitlines()[0] == diagnostic.message.splitlines()[0]
        span = diagnostic.span
        if span is None:
            assert "file" not in properties
            continue
        assert properties["file"] == "tests/diagnostics/render/sample/bad.yaml"
        assert (properties["line"], properties["col"]) == (
            str(span.start.line),
            str(span.start.column),
        )
        assert (properties["endLine"], properties["endColumn"]) == (
            str(span.end.line),
            str(span.end.column),
        )
    unused = next(parse(line)[2] for line in lines if "UNU001" in line)
    assert unused.splitlines()[1:] == [
        "at parameters.flavor",
        "note: also shown in a note, 100% sure",
        "help: rename it: flavor_2, or drop it",
    ]


def test_no_findings_no_output():
    assert RENDERERS["github"]([], {}) == ""


def _code():
    from kiln.compiler.diagnostics.codes import BUILTIN_CODES

    return BUILTIN_CODES[0]


@given(message=st.text(min_size=1), file=st.text(min_size=1).filter(lambda f: "/" not in f))
def test_escaping_round_trips(message, file):
    """Whatever the message and the file name, the runner reads back what Kiln meant."""
    span = Span(file, Position(3, 5, 0), Position(3, 9, 4))
    diagnostic = Diagnostic(_code(), Severity.WARNING, message, span)
    line = annotation(diagnostic, root="/nonexistent-root")
    assert "\n" not in line and "\r" not in line
    command, properties, shown = parse(line)
    assert command == "warning"
    assert shown == message
    assert properties["line"] == "3" and properties["endColumn"] == "9"
    assert properties["file"] == file


def test_golden(sample, update_golden):
    output = RENDERERS["github"](sample.diagnostics, sample.sources, root=str(ROOT))
    compare_golden(output, GOLDEN / "bad.github.txt", update_golden)
