"""Text edits for autofixes, computed from spans so untouched lines keep their bytes.

Fixes edit the source text, never re-serialise the tree: comments, quoting and layout of
everything else survive (`kiln lint --fix` must not reformat a file).
"""

from collections.abc import Sequence

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


def remove_sequence_item(source: SourceFile, items: Sequence[Span], index: int) -> TextEdit:
    """Remove one item of a sequence that keeps at least one other (the spans of all its
    items, in order): its whole line in a block sequence (`- item`), or the item and one
    separating comma in a flow sequence or JSON array. Raises ValueError for a layout it does
    not recognise (e.g. two block items on one line), so a fix is never a guess."""
    if len(items) < 2 or not 0 <= index < len(items):
        raise ValueError("a sequence item is removed only when another one stays")
    item = items[index]
    text = source.text
    before = source.line_text(item.start.line)[: item.start.column - 1]
    if before.strip() == "-":  # block sequence: `  - item` on its own line
        after = text[item.end.offset : source.line_start(item.end.line + 1)]
        if after.strip() and not after.strip().startswith("#"):
            raise ValueError("something follows the item on its line")
        start = source.line_start(item.start.line)
        return TextEdit(source.path, start, source.line_start(item.end.line + 1), "")
    if index + 1 < len(items):  # flow: `a, b` -> `b`
        following = items[index + 1]
        _expect_comma(text, item.end.offset, following.start.offset)
        return TextEdit(source.path, item.start.offset, following.start.offset, "")
    previous = items[index - 1]  # the last one: `a, b` -> `a`
    _expect_comma(text, previous.end.offset, item.start.offset)
    return TextEdit(source.path, previous.end.offset, item.end.offset, "")


def remove_entry(source: SourceFile, key: Span, value_end: int) -> TextEdit:
    """Remove a whole `key: value` entry of a mapping, given its key's span (quotes included
    for a quoted key) and the offset where its value ends: its lines in block YAML, or the
    entry and one separating comma in a flow mapping or JSON object."""
    text = source.text
    line_text = source.line_text(key.start.line)
    if not line_text[: key.start.column - 1].strip():  # block mapping: the key starts its line
        end_line = max(_entry_last_line(source, key), source.position(value_end).line)
        start = source.line_start(key.start.line)
        return TextEdit(source.path, start, _line_end_offset(source, end_line), "")
    after = value_end
    while after < len(text) and text[after] in " \t\r\n":
        after += 1
    if after < len(text) and text[after] == ",":  # `k: v, next` -> `next`
        after += 1
        while after < len(text) and text[after] in " \t":
            after += 1
        return TextEdit(source.path, key.start.offset, after, "")
    before = key.start.offset - 1
    while before >= 0 and text[before] in " \t\r\n":
        before -= 1
    if before >= 0 and text[before] == ",":  # `prev, k: v` -> `prev`
        return TextEdit(source.path, before, value_end, "")
    raise ValueError("the entry is neither on its own lines nor comma-separated")


def _expect_comma(text: str, start: int, end: int) -> None:
    between = text[start:end]
    if between.count(",") != 1 or between.replace(",", "").strip():
        raise ValueError("the items are not separated by a single comma")
