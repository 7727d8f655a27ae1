"""`file:line:col: severity CODE message [name]`, then the source line with a caret."""

from collections.abc import Mapping, Sequence

from kiln.compiler.diagnostics import Diagnostic
from kiln.compiler.source import SourceFile, render_excerpt


def _location(diagnostic: Diagnostic) -> str:
    if diagnostic.span is None:
        return "<input>"
    span = diagnostic.span
    return f"{span.file}:{span.start.line}:{span.start.column}"


def render_one(diagnostic: Diagnostic, sources: Mapping[str, SourceFile]) -> str:
    lines = [
        f"{_location(diagnostic)}: {diagnostic.severity} {diagnostic.code.id} "
        f"{diagnostic.message} [{diagnostic.code.name}]"
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
        where = f"{note.span}: " if note.span is not None else ""
        lines.append(f"      = note: {where}{note.message}")
    if diagnostic.fix is not None:
        lines.append(f"      = help: {diagnostic.fix.description}")
    return "\n".join(lines)


def render_text(diagnostics: Sequence[Diagnostic], sources: Mapping[str, SourceFile]) -> str:
    if not diagnostics:
        return ""
    return "\n".join(render_one(item, sources) for item in diagnostics) + "\n"
