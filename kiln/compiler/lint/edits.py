"""Text edits for autofixes, computed from spans so untouched lines keep their bytes.

Fixes edit the source text, never re-serialise the tree: comments, quoting and layout of
everything else survive (`kiln lint --fix` must not reformat a file).
"""

from kiln.compiler.diagnostics import TextEdit
from kiln.compiler.source import SourceFile, Span


def replace_span(span: Span, text: str) -> TextEdit:
    """Replace exactly what the span covers (e.g. a key, to rename a property)."""
    return TextEdit(span.file, span.start.offset, span.end.offset, text)


def insert_entry_after(source: SourceFile, sibling_key: Span, key: str, value: str) -> TextEdit:
    """Insert `key: value` as a new entry of a block mapping, on its own line after the entry
    whose key is `sibling_key`, at the sibling's indentation. The new line goes after the whole
    sibling entry, so it is placed after the last line of the sibling's value."""
    indent = " " * (sibling_key.start.column - 1)
    line_text = source.line_text(sibling_key.start.line)
    if line_text[: sibling_key.start.column - 1].strip():
        raise ValueError("the sibling key is not the first thing on its line (flow mapping)")
    end_line = _entry_last_line(source, sibling_key)
    offset = _line_end_offset(source, end_line)
    newline = "\r\n" if source.text[offset - 2 : offset] == "\r\n" else "\n"
    if offset == len(source.text) and not source.text.endswith("\n"):
        return TextEdit(source.path, offset, offset, f"{newline}{indent}{key}: {value}")
    return TextEdit(source.path, offset, offset, f"{indent}{key}: {value}{newline}")


def _entry_last_line(source: SourceFile, key: Span) -> int:
    """The last line of the entry starting at `key`: following lines that are blank, comments,
    or indented deeper than the key belong to it (block YAML)."""
    column = key.start.column
    last = key.start.line
    line = last + 1
    while line <= source.line_count:
        text = source.line_text(line)
        stripped = text.lstrip(" ")
        if stripped and not stripped.startswith("#"):
            if len(text) - len(stripped) + 1 <= column:
                break
            last = line
        line += 1
    return last


def _line_end_offset(source: SourceFile, line: int) -> int:
    """Offset just after the line break ending `line` (or the end of the text)."""
    return source.line_start(line + 1)
