"""Source files, positions and spans, and the excerpt shown under a diagnostic.

Lines and columns are 1-based (what editors and humans count); offsets are 0-based
character offsets into the decoded text, for slicing.
"""

import bisect
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True, order=True)
class Position:
    line: int
    column: int
    offset: int = 0


@dataclass(frozen=True, slots=True)
class Span:
    """A region of one file. `file` is the path as the user named it."""

    file: str
    start: Position
    end: Position

    @property
    def line(self) -> int:
        return self.start.line

    @property
    def column(self) -> int:
        return self.start.column

    def __str__(self) -> str:
        return f"{self.file}:{self.start.line}:{self.start.column}"


@dataclass(frozen=True, slots=True)
class SourceFile:
    """The decoded text of one input file, with a line index for position lookups."""

    path: str
    text: str
    _line_starts: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        starts = [0]
        find = self.text.find
        index = find("\n")
        while index != -1:
            starts.append(index + 1)
            index = find("\n", index + 1)
        object.__setattr__(self, "_line_starts", tuple(starts))

    @property
    def line_count(self) -> int:
        return len(self._line_starts)

    def position(self, offset: int) -> Position:
        """The 1-based line and column of a 0-based character offset."""
        offset = max(0, min(offset, len(self.text)))
        line_index = bisect.bisect_right(self._line_starts, offset) - 1
        return Position(line_index + 1, offset - self._line_starts[line_index] + 1, offset)

    def span(self, start: int, end: int) -> Span:
        return Span(self.path, self.position(start), self.position(end))

    def line_text(self, line: int) -> str:
        """The text of a 1-based line without its line break ('' when out of range)."""
        if line < 1 or line > len(self._line_starts):
            return ""
        start = self._line_starts[line - 1]
        end = self._line_starts[line] - 1 if line < len(self._line_starts) else len(self.text)
        return self.text[start:end].rstrip("\r")


def render_excerpt(source: SourceFile, span: Span) -> str:
    """Two-line excerpt: the source line and a caret run under the span, rust/mypy style."""
    text = source.line_text(span.start.line)
    if not text and span.start.line > source.line_count:
        return ""
    gutter = f"{span.start.line:>5} | "
    start_col = max(1, span.start.column)
    if span.end.line == span.start.line and span.end.column > start_col:
        width = span.end.column - start_col
    else:
        width = max(1, len(text) - start_col + 1)
    width = max(1, min(width, max(1, len(text) - start_col + 1)))
    # Tabs keep their width in the caret line so the caret lines up in a terminal.
    prefix = "".join("\t" if ch == "\t" else " " for ch in text[: start_col - 1])
    caret = " " * (len(gutter) - 2) + "| " + prefix + "^" + "~" * (width - 1)
    return f"{gutter}{text}\n{caret}"
