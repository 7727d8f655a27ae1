"""Diagnostics: what every stage returns instead of raising on a user's mistake.

A `Diagnostic` names a `Code` from the registry, a severity (the code's default unless
configured), a message bound to the code in messages.py, a span and a logical path
(`resources.server.properties.image`), plus optional notes at other places and a fix hint.
"""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from kiln.compiler.diagnostics.codes import Code, Severity
from kiln.compiler.diagnostics.messages import format_message
from kiln.compiler.source import Span

PathItem = str | int
LogicalPath = tuple[PathItem, ...]


@dataclass(frozen=True, slots=True)
class Note:
    message: str
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class Fix:
    """A hint in words: what the user should do."""

    description: str


@dataclass(frozen=True, slots=True)
class TextEdit:
    """Replace text[start:end] of `file` (0-based character offsets) with `text`."""

    file: str
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Autofix:
    """Edits that mend a finding (`kiln lint --fix`). `safe` promises that applying them
    changes nothing else about the template's meaning; unsafe ones need --unsafe-fixes."""

    description: str
    edits: tuple[TextEdit, ...]
    safe: bool = True


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: Code
    severity: Severity
    message: str
    span: Span | None
    path: LogicalPath = ()
    notes: tuple[Note, ...] = ()
    fix: Fix | None = None
    autofix: Autofix | None = None

    @property
    def dotted_path(self) -> str:
        return ".".join(str(item) for item in self.path)

    def sort_key(self) -> tuple[str, int, int, str]:
        if self.span is None:
            return ("", 0, 0, self.code.id)
        return (self.span.file, self.span.start.line, self.span.start.column, self.code.id)


def make(
    code: Code,
    span: Span | None,
    path: LogicalPath = (),
    /,
    *,
    notes: Sequence[Note] = (),
    fix: str | None = None,
    **fields: object,
) -> Diagnostic:
    """Build a diagnostic whose message comes from the code's template."""
    return Diagnostic(
        code=code,
        severity=code.default_severity,
        message=format_message(code, fields),
        span=span,
        path=path,
        notes=tuple(notes),
        fix=Fix(fix) if fix else None,
    )


@dataclass(slots=True)
class DiagnosticSink:
    """Collects diagnostics for one run. The only mutable object passes share."""

    items: list[Diagnostic] = field(default_factory=list)

    def add(self, diagnostic: Diagnostic) -> None:
        self.items.append(diagnostic)

    def report(
        self,
        code: Code,
        span: Span | None,
        path: LogicalPath = (),
        /,
        *,
        notes: Sequence[Note] = (),
        fix: str | None = None,
        **fields: object,
    ) -> None:
        self.items.append(make(code, span, path, notes=notes, fix=fix, **fields))

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.items.extend(diagnostics)

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def has_errors(self) -> bool:
        return any(item.severity >= Severity.ERROR for item in self.items)


def sorted_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return sorted(diagnostics, key=Diagnostic.sort_key)


def files_shown(diagnostics: Iterable[Diagnostic]) -> set[str]:
    """The files the diagnostics or their notes point into: the sources a renderer needs."""
    shown: set[str] = set()
    for diagnostic in diagnostics:
        if diagnostic.span is not None:
            shown.add(diagnostic.span.file)
        shown.update(note.span.file for note in diagnostic.notes if note.span is not None)
    return shown


__all__ = [
    "Autofix",
    "Code",
    "Diagnostic",
    "DiagnosticSink",
    "Fix",
    "LogicalPath",
    "Note",
    "Severity",
    "TextEdit",
    "files_shown",
    "make",
    "sorted_diagnostics",
]
