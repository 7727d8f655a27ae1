"""GitHub Actions workflow commands: one annotation line per finding.

    ::error file=t.yaml,line=3,col=5,endLine=3,endColumn=9,title=REF001 undefined-reference::message

Errors are `::error`, warnings `::warning`, info and hints `::notice`. Paths are relative to
a root (the working directory unless given), as GitHub wants them relative to the checkout.
The message carries the logical path, the notes and the hint on following lines.

Escaping follows the runner's rules (actions/toolkit, core/src/command.ts): in the message
`%`, CR and LF become %25, %0D, %0A; in a property value `:` and `,` also become %3A, %2C.
"""

from collections.abc import Mapping, Sequence

from kiln.compiler.diagnostics import Diagnostic
from kiln.compiler.diagnostics.render.describe import GITHUB_COMMAND, Rules, relative_path
from kiln.compiler.source import SourceFile


def render_github(
    diagnostics: Sequence[Diagnostic],
    sources: Mapping[str, SourceFile],
    *,
    rules: Rules | None = None,
    root: str | None = None,
) -> str:
    del sources, rules  # positions and words are in the diagnostics
    if not diagnostics:
        return ""
    return "".join(annotation(d, root) + "\n" for d in diagnostics)


def annotation(diagnostic: Diagnostic, root: str | None = None) -> str:
    properties: list[tuple[str, object]] = []
    span = diagnostic.span
    if span is not None:
        properties += [
            ("file", relative_path(span.file, root)),
            ("line", span.start.line),
            ("col", span.start.column),
            ("endLine", span.end.line),
            ("endColumn", span.end.column),
        ]
    properties.append(("title", f"{diagnostic.code.id} {diagnostic.code.name}"))
    joined = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties)
    command = GITHUB_COMMAND[diagnostic.severity]
    return f"::{command} {joined}::{escape_data(_message(diagnostic, root))}"


def _message(diagnostic: Diagnostic, root: str | None) -> str:
    lines = [diagnostic.message]
    if diagnostic.path:
        lines.append(f"at {diagnostic.dotted_path}")
    for note in diagnostic.notes:
        where = ""
        if note.span is not None:
            file = relative_path(note.span.file, root)
            where = f"{file}:{note.span.start.line}:{note.span.start.column}: "
        lines.append(f"note: {where}{note.message}")
    if diagnostic.fix is not None:
        lines.append(f"help: {diagnostic.fix.description}")
    return "\n".join(lines)


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
