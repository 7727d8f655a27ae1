"""A located JSON parser: RFC 8259 JSON into the located syntax tree.

The standard library's json module keeps no positions, so this is a small recursive-descent
parser over the same regular expressions and the C string scanner json itself uses. It is
iterative in depth (an explicit stack), so hostile nesting cannot overflow the C stack.
"""

import json.decoder
import re
from collections.abc import Callable

from kiln.compiler.source import SourceFile, Span
from kiln.frontends.syntax import LMap, LNode, LScalar, LSeq

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_LITERALS: dict[str, tuple[str, object]] = {
    "t": ("true", True),
    "f": ("false", False),
    "n": ("null", None),
}
scanstring: Callable[[str, int, bool], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]


class JsonSyntaxError(Exception):
    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


class NestingError(Exception):
    def __init__(self, offset: int) -> None:
        super().__init__("nesting too deep")
        self.offset = offset


class _Frame:
    """An open container: its start offset, its items, and for objects their keys."""

    __slots__ = ("is_object", "items", "keys", "start")

    def __init__(
        self, start: int, is_object: bool, items: list[LNode], keys: list[LScalar]
    ) -> None:
        self.start = start
        self.is_object = is_object
        self.items = items
        self.keys = keys


KeyHook = Callable[[LScalar, list[LScalar]], None]


def parse_json(source: SourceFile, max_depth: int, on_key: KeyHook) -> LNode:
    """Parse `source.text`; `on_key(key, earlier_keys)` is called for every object key
    so the loader can report duplicates. Raises JsonSyntaxError or NestingError."""
    text = source.text
    span = source.span
    end = len(text)
    position = _WHITESPACE.match(text, 0).end()  # type: ignore[union-attr]
    stack: list[_Frame] = []
    result: LNode | None = None

    def expect_more(at: int) -> None:
        if at >= end:
            raise JsonSyntaxError("unexpected end of file", at)

    while True:
        expect_more(position)
        char = text[position]
        value: LNode | None = None
        if char == "{" or char == "[":
            if len(stack) >= max_depth:
                raise NestingError(position)
            stack.append(_Frame(position, char == "{", [], []))
            position = _WHITESPACE.match(text, position + 1).end()  # type: ignore[union-attr]
            expect_more(position)
            closing = "}" if char == "{" else "]"
            if text[position] != closing:
                if char == "{":
                    position = _read_key(text, position, stack[-1], span, on_key)
                continue
            value, position = _close(stack.pop(), position, span)
        elif char == '"':
            string, after = _scan(text, position)
            value, position = LScalar(string, span(position, after)), after
        elif char in _LITERALS:
            word, literal = _LITERALS[char]
            if not text.startswith(word, position):
                raise JsonSyntaxError(f"expected {word!r}", position)
            after = position + len(word)
            value, position = LScalar(literal, span(position, after)), after  # type: ignore[arg-type]
        else:
            match = _NUMBER.match(text, position)
            if match is None or match.end() == position:
                raise JsonSyntaxError(f"unexpected character {char!r}", position)
            integer, fraction, exponent = match.group(0), match.group(1), match.group(2)
            try:
                number: int | float = float(integer) if fraction or exponent else int(integer)
            except ValueError:  # more digits than int() converts (sys.get_int_max_str_digits)
                raise JsonSyntaxError("integer too large", position) from None
            value, position = LScalar(number, span(position, match.end())), match.end()

        # Attach the finished value to its parent, closing every container it completes.
        while True:
            position = _WHITESPACE.match(text, position).end()  # type: ignore[union-attr]
            if not stack:
                result = value
                break
            frame = stack[-1]
            frame.items.append(value)
            expect_more(position)
            char = text[position]
            if char == ",":
                position = _WHITESPACE.match(text, position + 1).end()  # type: ignore[union-attr]
                if frame.is_object:
                    position = _read_key(text, position, frame, span, on_key)
                break
            if char == ("}" if frame.is_object else "]"):
                value, position = _close(stack.pop(), position, span)
                continue
            expected = "',' or '}'" if frame.is_object else "',' or ']'"
            raise JsonSyntaxError(f"expected {expected}", position)
        if result is not None and not stack:
            break

    if position != end:
        raise JsonSyntaxError("extra data after the document", position)
    return result


def _scan(text: str, position: int) -> tuple[str, int]:
    try:
        return scanstring(text, position + 1, True)
    except json.JSONDecodeError as error:
        # json's messages end in " at" where it appends the position; ours is the span.
        raise JsonSyntaxError(error.msg.lower().removesuffix(" at"), error.pos) from None


def _read_key(
    text: str, position: int, frame: _Frame, span: Callable[[int, int], Span], on_key: KeyHook
) -> int:
    if position >= len(text) or text[position] != '"':
        raise JsonSyntaxError("expected a string key in double quotes", position)
    string, after = _scan(text, position)
    key = LScalar(string, span(position, after))
    on_key(key, frame.keys)
    frame.keys.append(key)
    colon = _WHITESPACE.match(text, after).end()  # type: ignore[union-attr]
    if colon >= len(text) or text[colon] != ":":
        raise JsonSyntaxError("expected ':' after the key", colon)
    return _WHITESPACE.match(text, colon + 1).end()  # type: ignore[union-attr]


def _close(frame: _Frame, position: int, span: Callable[[int, int], Span]) -> tuple[LNode, int]:
    where = span(frame.start, position + 1)
    if frame.is_object:
        return LMap(tuple(zip(frame.keys, frame.items, strict=True)), where), position + 1
    return LSeq(tuple(frame.items), where), position + 1
