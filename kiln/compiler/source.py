"""Source files, positions and spans, and the excerpt shown under a diagnostic.

Lines and columns are 1-based (what editors and humans count); offsets are 0-based
character offsets into the decoded text, for slicing.
"""

import bisect
from dataclasses import FrozenInstanceError, dataclass, field
from typing import Any, NamedTuple


# Positions and spans are made three times per node of every file read; they were frozen
# dataclasses, whose __init__ costs twice as much. Same attributes, equality, hash, order and
# repr as the dataclasses had.
class Position(NamedTuple):
    line: int
    column: int
    offset: int = 0


class Span:
    """A region of one file. `file` is the path as the user named it. Immutable."""

    __slots__ = ("end", "file", "start")
    __match_args__ = ("file", "start", "end")
    file: str
    start: Position
    end: Position

    def __init__(self, file: str, start: Position, end: Position) -> None:
        _set_file(self, file)
        _set_start(self, start)
        _set_end(self, end)

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return (self.file, self.start, self.end) == (other.file, other.start, other.end)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.file, self.start, self.end))

    def __repr__(self) -> str:
        return f"Span(file={self.file!r}, start={self.start!r}, end={self.end!r})"

    def __reduce__(self) -> tuple[type["Span"], tuple[str, Position, Position]]:
        return (Span, (self.file, self.start, self.end))

    @property
    def line(self) -> int:
        return self.start.line

    @property
    def column(self) -> int:
        return self.start.column

    def __str__(self) -> str:
        return f"{self.file}:{self.start.line}:{self.start.column}"


_new_tuple = tuple.__new__
_bisect_right = bisect.bisect_right
_set_file = vars(Span)["file"].__set__
_set_start = vars(Span)["start"].__set__
_set_end = vars(Span)["end"].__set__


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
        if offset < 0:
            offset = 0
        elif offset > len(self.text):
            offset = len(self.text)
        starts = self._line_starts
        line_index = _bisect_right(starts, offset) - 1
        return _new_tuple(Position, (line_index + 1, offset - starts[line_index] + 1, offset))

    def span(self, start: int, end: int) -> Span:
        first = self.position(start)
        starts = self._line_starts
        if first.offset <= end <= len(self.text) and (
            first.line == len(starts) or end < starts[first.line]
        ):
            # On the same line: no second search.
            last = _new_tuple(Position, (first.line, first.column + end - first.offset, end))
            return Span(self.path, first, last)
        return Span(self.path, first, self.position(end))

    def line_start(self, line: int) -> int:
        """The offset where a 1-based line starts (the text's length past the last line)."""
        if line < 1:
            return 0
        if line > len(self._line_starts):
            return len(self.text)
        return self._line_starts[line - 1]

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
