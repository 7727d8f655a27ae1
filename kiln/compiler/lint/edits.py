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


def append_entry(source: SourceFile, body: Span, key: str, value: str) -> TextEdit:
    """Add `key: value` as the last entry of the mapping whose span is `body` (a parameter's
    or a resource's body). Block YAML gets a new line at the entries' indentation; a flow
    mapping or JSON object gets `, key: value` before its closing brace (JSON keys quoted,
    `value` must then be JSON text)."""
    text = source.text
    if text[body.start.offset : body.start.offset + 1] == "{":
        close = text.rindex("}", body.start.offset, max(body.end.offset, body.start.offset + 1))
        last = close - 1
        while last > body.start.offset and text[last] in " \t\r\n":
            last -= 1
        is_json = source.path.endswith((".json", ".template")) or text.lstrip().startswith("{")
        entry = f'"{key}": {value}' if is_json else f"{key}: {value}"
        if text[last] == "{":  # empty mapping
            return TextEdit(source.path, last + 1, last + 1, entry)
        multiline = "\n" in text[body.start.offset : close]
        if multiline:
            entry_line = source.position(last).line
            line = source.line_text(entry_line)
            indent = line[: len(line) - len(line.lstrip())]
            return TextEdit(source.path, last + 1, last + 1, f",\n{indent}{entry}")
        return TextEdit(source.path, last + 1, last + 1, f", {entry}")
    indent = " " * (body.start.column - 1)
    last_line = body.end.line if body.end.column > 1 else body.end.line - 1
    while last_line > body.start.line and not source.line_text(last_line).strip():
        last_line -= 1
    offset = source.line_start(last_line + 1)
    if offset == len(text) and not text.endswith("\n"):
        return TextEdit(source.path, offset, offset, f"\n{indent}{key}: {value}")
    return TextEdit(source.path, offset, offset, f"{indent}{key}: {value}\n")


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
