"""YAML and JSON into the located syntax tree; never builds IR, never raises on bad input.

YAML goes through libyaml's event parser (PyYAML's C binding when present) and an iterative
composer written here, for three reasons: positions on every node, limits enforced while
reading (nesting depth, alias expansion), and no recursion that hostile nesting could use to
overflow the C stack (PyYAML's own composer segfaults on 200 000 nested brackets).

Scalars follow PyYAML's SafeLoader, which is what Heat uses, except that timestamps stay
strings (Heat's template_format maps the timestamp tag to str, so `2016-10-14` is a string).
CloudFormation short-form tags (`!Ref x`, `!GetAtt a.b`, ...) become their long form.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

import yaml

from kiln.compiler.diagnostics import Diagnostic, Note, make
from kiln.compiler.diagnostics import codes as c
from kiln.compiler.diagnostics.messages import format_message
from kiln.compiler.source import Position, SourceFile, Span
from kiln.frontends.json_parser import JsonSyntaxError, NestingError, parse_json
from kiln.frontends.syntax import LMap, LNode, LScalar, LSeq, ScalarValue

try:
    _Parser: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Parser = yaml.SafeLoader

DEFAULT_MAX_BYTES: Final = 10 * 1024 * 1024
DEFAULT_MAX_NODES: Final = 1_000_000
DEFAULT_MAX_DEPTH: Final = 256

# CloudFormation short forms: tag -> long-form key. `!GetAtt a.b` also splits at the first dot.
CFN_SHORT_TAGS: Final[dict[str, str]] = {
    "!Ref": "Ref",
    "!Condition": "Condition",
    **{
        f"!{name}": f"Fn::{name}"
        for name in (
            "GetAtt",
            "Sub",
            "Join",
            "If",
            "Select",
            "Split",
            "FindInMap",
            "Base64",
            "Equals",
            "And",
            "Or",
            "Not",
            "GetAZs",
            "ImportValue",
            "Cidr",
            "Length",
            "ToJsonString",
            "Transform",
            "ForEach",
        )
    },
}

_YAML_TAG: Final = "tag:yaml.org,2002:"
_MERGE_TAG: Final = _YAML_TAG + "merge"
# Characters YAML does not allow in a stream (PyYAML's reader.Reader.NON_PRINTABLE).
_NON_PRINTABLE: Final = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
# An int that str() cannot print (sys.get_int_max_str_digits, 4300 digits by default) would
# crash whoever formats it; a longer literal would also cost quadratic time (`1:2:3:...`).
_MAX_INT_CHARS: Final = 4300
_MAX_INT_BITS: Final = 14_000
_resolver = yaml.resolver.Resolver()
_constructor = yaml.constructor.SafeConstructor()


@dataclass(frozen=True, slots=True)
class LoadOptions:
    max_bytes: int = DEFAULT_MAX_BYTES
    max_nodes: int = DEFAULT_MAX_NODES
    max_depth: int = DEFAULT_MAX_DEPTH


@dataclass(frozen=True, slots=True)
class LoadResult:
    source: SourceFile | None
    root: LNode | None
    format: Literal["yaml", "json"]
    diagnostics: tuple[Diagnostic, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.root is not None


def load_file(path: str | Path, options: LoadOptions = LoadOptions()) -> LoadResult:
    """Read and parse one file. A missing or unreadable file is a diagnostic too."""
    name = str(path)
    fmt: Literal["yaml", "json"] = "json" if name.endswith(".json") else "yaml"
    try:
        size = Path(path).stat().st_size
        if size > options.max_bytes:
            return _failed(name, fmt, c.FILE_TOO_LARGE, size=size, limit=options.max_bytes)
        # Bounded: a device or a growing file (/dev/zero) has no size to check beforehand.
        with open(path, "rb") as handle:
            data = handle.read(options.max_bytes + 1)
    except OSError as error:
        return _failed(name, fmt, c.MISSING_FILE, what="file", path=f"{name} ({error.strerror})")
    if len(data) > options.max_bytes:
        more = f"more than {options.max_bytes}"
        return _failed(name, fmt, c.FILE_TOO_LARGE, size=more, limit=options.max_bytes)
    return load_bytes(data, name, options)


def load_bytes(data: bytes, name: str, options: LoadOptions = LoadOptions()) -> LoadResult:
    fmt: Literal["yaml", "json"] = "json" if name.endswith(".json") else "yaml"
    if len(data) > options.max_bytes:
        return _failed(name, fmt, c.FILE_TOO_LARGE, size=len(data), limit=options.max_bytes)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        # error.start counts bytes of the data after any BOM; spans count characters.
        source = SourceFile(name, error.object.decode("utf-8", errors="replace"))
        start = len(error.object[: error.start].decode("utf-8"))
        span = source.span(start, start + 1)
        return LoadResult(source, None, fmt, (make(c.UNDECODABLE, span, problem=error.reason),))
    return load_text(text, name, options)


def load_text(text: str, name: str, options: LoadOptions = LoadOptions()) -> LoadResult:
    """Parse text as JSON when it is named .json or starts with '{', else as YAML."""
    fmt: Literal["yaml", "json"] = "json" if name.endswith(".json") else "yaml"
    if len(text) * 4 > options.max_bytes:  # cheap bound first: UTF-8 takes at most 4 bytes
        size = len(text.encode("utf-8", errors="surrogatepass"))
        if size > options.max_bytes:
            return _failed(name, fmt, c.FILE_TOO_LARGE, size=size, limit=options.max_bytes)
    source = SourceFile(name, text)
    stripped = text.lstrip()
    if not stripped:
        return LoadResult(source, None, fmt, (make(c.EMPTY_DOCUMENT, source.span(0, 0)),))
    if name.endswith(".json") or stripped.startswith("{"):
        result = _load_json(source, options)
        if result.ok or name.endswith(".json"):
            return result
        # Not JSON after all: a YAML flow mapping. Keep the JSON error if YAML fails too.
        yaml_result = _load_yaml(source, options)
        return yaml_result if yaml_result.ok else result
    return _load_yaml(source, options)


def _failed(name: str, fmt: Literal["yaml", "json"], code: c.Code, **fields: Any) -> LoadResult:
    # Not make(): MISSING_FILE's message has a `path` field, which is make's logical path.
    message = format_message(code, fields)
    diagnostic = Diagnostic(code, code.default_severity, message, None)
    return LoadResult(None, None, fmt, (diagnostic,))


# --- JSON ----------------------------------------------------------------------------------


def _load_json(source: SourceFile, options: LoadOptions) -> LoadResult:
    diagnostics: list[Diagnostic] = []

    def on_key(key: LScalar, earlier: list[LScalar]) -> None:
        _check_duplicate(key, earlier, diagnostics)

    try:
        root = parse_json(source, options.max_depth, on_key)
    except NestingError as error:
        span = source.span(error.offset, error.offset + 1)
        return LoadResult(
            source, None, "json", (make(c.NESTING_TOO_DEEP, span, limit=options.max_depth),)
        )
    except JsonSyntaxError as error:
        span = source.span(error.offset, error.offset + 1)
        return LoadResult(
            source, None, "json", (make(c.INVALID_JSON, span, problem=error.message),)
        )
    return LoadResult(source, root, "json", tuple(diagnostics))


def _check_duplicate(key: LScalar, earlier: list[LScalar], diagnostics: list[Diagnostic]) -> None:
    # Linear scan only while small; the caller's list is per mapping.
    for first in earlier:
        if first.value == key.value and type(first.value) is type(key.value):
            first_line = first.span.line if first.span else 0
            diagnostics.append(
                make(
                    c.DUPLICATE_KEY,
                    key.span,
                    notes=[Note("first defined here", first.span)],
                    key=key.value,
                    first_line=first_line,
                )
            )
            return


# --- YAML ----------------------------------------------------------------------------------


class _Fatal(Exception):
    """Stops composing: a limit was exceeded or the document cannot be read (bad `<<`)."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


@dataclass(slots=True)
class _Open:
    """A mapping or sequence being composed."""

    is_map: bool
    start: Span
    tag: str | None
    anchor: str | None
    flow: bool = False
    items: list[LNode] = field(default_factory=list)
    size: int = 1
    seen: dict[tuple[type, ScalarValue], LScalar] = field(default_factory=dict)
    merges: list[int] = field(default_factory=list)  # entry indices of `<<` merge keys
    last_end: int = -1  # offset where the last item's text ends


def _load_yaml(source: SourceFile, options: LoadOptions) -> LoadResult:
    diagnostics: list[Diagnostic] = []
    try:
        root = _compose(source, options, diagnostics)
    except _Fatal as limit:
        return LoadResult(source, None, "yaml", (*diagnostics, limit.diagnostic))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        offset = mark.index if mark is not None else 0
        span = source.span(offset, offset + 1)
        problem = error.problem or "malformed document"
        if error.context:
            problem = f"{problem} ({error.context})"
        return LoadResult(source, None, "yaml", (make(c.INVALID_YAML, span, problem=problem),))
    except yaml.YAMLError as error:
        # A ReaderError (a character YAML forbids) carries no mark, and libyaml's position
        # counts UTF-8 bytes: find the character ourselves.
        bad = _NON_PRINTABLE.search(source.text)
        span = source.span(bad.start(), bad.end()) if bad else source.span(0, 0)
        return LoadResult(source, None, "yaml", (make(c.INVALID_YAML, span, problem=str(error)),))
    if root is None:
        return LoadResult(source, None, "yaml", (make(c.EMPTY_DOCUMENT, source.span(0, 0)),))
    return LoadResult(source, root, "yaml", tuple(diagnostics))


def _events(text: str) -> Iterator[Any]:
    parser = _Parser(text)
    try:
        while parser.check_event():
            yield parser.get_event()
    finally:
        parser.dispose()


def _compose(
    source: SourceFile, options: LoadOptions, diagnostics: list[Diagnostic]
) -> LNode | None:
    """Build the first document's tree from parser events, iteratively."""
    path = source.path
    stack: list[_Open] = []
    anchors: dict[str, tuple[LNode, int]] = {}
    total = 0
    root: LNode | None = None
    documents = 0

    # libyaml's own line and column agree with ours unless the text has line breaks other
    # than "\n" (YAML also breaks at \r, NEL and the Unicode separators); then look them up.
    text = source.text
    if "\r" in text or "\x85" in text or "\u2028" in text or "\u2029" in text:

        def span_of(event: Any) -> Span:
            return Span(
                path,
                source.position(event.start_mark.index),
                source.position(event.end_mark.index),
            )

    else:

        def span_of(event: Any) -> Span:
            start, end = event.start_mark, event.end_mark
            return Span(
                path,
                Position(start.line + 1, start.column + 1, start.index),
                Position(end.line + 1, end.column + 1, end.index),
            )

    for event in _events(source.text):
        kind = type(event)
        if kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                diagnostics.append(make(c.MULTIPLE_DOCUMENTS, span_of(event)))
                break
            continue
        node: LNode
        size = 1
        if kind is yaml.ScalarEvent:
            node = _scalar(event, span_of(event), diagnostics)
        elif kind is yaml.AliasEvent:
            target = anchors.get(event.anchor)
            if target is None:
                raise yaml.composer.ComposerError(
                    None, None, f"found undefined alias {event.anchor!r}", event.start_mark
                )
            node, size = target
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            if len(stack) >= options.max_depth:
                raise _Fatal(make(c.NESTING_TOO_DEEP, span_of(event), limit=options.max_depth))
            stack.append(
                _Open(
                    kind is yaml.MappingStartEvent,
                    span_of(event),
                    _explicit_tag(event),
                    event.anchor,
                    flow=bool(event.flow_style),
                )
            )
            continue
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            frame = stack.pop()
            # A block collection's end event sits at the next token, past trailing lines and
            # comments: end the span where its last item ends instead.
            block = frame.last_end >= 0 and not frame.flow
            end_offset: int = frame.last_end if block else event.end_mark.index
            whole = Span(path, frame.start.start, source.position(end_offset))
            if frame.is_map:
                pairs = frame.items
                entries = tuple(
                    (_key(pairs[i], diagnostics), pairs[i + 1]) for i in range(0, len(pairs), 2)
                )
                if frame.merges:
                    entries = _merge(entries, frame.merges)
                node = LMap(entries, whole)
            else:
                node = LSeq(tuple(frame.items), whole)
            size = frame.size
            node = _apply_tag(node, frame.tag, whole, diagnostics)
            if frame.anchor is not None:
                anchors[frame.anchor] = (node, size)
        else:
            continue  # stream and document boundaries
        if kind is yaml.ScalarEvent and event.anchor is not None:
            anchors[event.anchor] = (node, size)

        total += size if kind is yaml.AliasEvent else 1
        if total > options.max_nodes:
            raise _Fatal(make(c.ALIAS_LIMIT, span_of(event), limit=options.max_nodes))
        if not stack:
            root = node
            continue
        parent = stack[-1]
        if parent.is_map and len(parent.items) % 2 == 0:
            if kind is yaml.ScalarEvent and _is_merge_key(event):
                parent.merges.append(len(parent.items) // 2)
            else:
                _note_key(parent, node, diagnostics)
        parent.items.append(node)
        parent.size += size
        is_end = kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent
        parent.last_end = end_offset if is_end else event.end_mark.index
    return root


def _is_merge_key(event: Any) -> bool:
    """`<<` as a plain key (or `!!merge`): PyYAML's SafeLoader merges the mapping(s) it names."""
    if event.tag is None:
        return bool(event.implicit[0]) and event.value == "<<"
    return bool(event.tag == _MERGE_TAG)


def _merge(
    entries: tuple[tuple[LScalar, LNode], ...], merges: list[int]
) -> tuple[tuple[LScalar, LNode], ...]:
    """Apply `<<` merge keys as PyYAML's flatten_mapping does: merged entries first (of a list
    of mappings, the earlier wins), then the mapping's own, so that its own keys win."""
    merged: list[tuple[LScalar, LNode]] = []
    own: list[tuple[LScalar, LNode]] = []
    for index, (key, value) in enumerate(entries):
        if index not in merges:
            own.append((key, value))
            continue
        sources = value.items if isinstance(value, LSeq) else (value,)
        for source in reversed(sources):
            if not isinstance(source, LMap):
                problem = "expected a mapping or list of mappings for merging (<<)"
                raise _Fatal(make(c.INVALID_YAML, source.span, problem=problem))
            merged.extend(source.entries)
    return (*merged, *own)


def _note_key(parent: _Open, key: LNode, diagnostics: list[Diagnostic]) -> None:
    if not isinstance(key, LScalar):
        return
    marker = (type(key.value), key.value)
    first = parent.seen.get(marker)
    if first is None:
        parent.seen[marker] = key
        return
    diagnostics.append(
        make(
            c.DUPLICATE_KEY,
            key.span,
            notes=[Note("first defined here", first.span)],
            key=key.value,
            first_line=first.span.line if first.span else 0,
        )
    )


def _key(node: LNode, diagnostics: list[Diagnostic]) -> LScalar:
    """Mapping keys are scalars; a complex key is reported and kept as its text form."""
    if isinstance(node, LScalar):
        return node
    diagnostics.append(
        make(c.NON_STRING_KEY, node.span, key="<complex key>", kind=_kind_word(node))
    )
    return LScalar(repr(node), node.span)


def _kind_word(node: LNode) -> str:
    return "mapping" if isinstance(node, LMap) else "list"


def _explicit_tag(event: Any) -> str | None:
    tag: str | None = event.tag
    if tag is None or tag == "!" or tag.startswith(_YAML_TAG):
        return None
    return tag


def _scalar(event: Any, span: Span, diagnostics: list[Diagnostic]) -> LNode:
    tag = event.tag
    value: str = event.value
    if tag is None or tag == "!":
        # PyYAML (pure and libyaml) resolves `! 12` like a plain `12`: Heat reads an int.
        tag = _resolver.resolve(yaml.ScalarNode, value, event.implicit)  # type: ignore[no-untyped-call]
    if tag.startswith(_YAML_TAG):
        return LScalar(_construct(tag, value, event), span)
    # A local tag on a scalar: a CloudFormation short form or an unknown tag.
    return _apply_tag(LScalar(value, span), tag, span, diagnostics)


def _construct(tag: str, value: str, event: Any) -> ScalarValue:
    kind = tag[len(_YAML_TAG) :]
    if kind == "str" or kind == "timestamp" or kind == "binary":
        return value
    if kind == "null":
        return None
    node = yaml.ScalarNode(tag, value, event.start_mark, event.end_mark)
    try:
        if kind == "bool":
            return bool(_constructor.construct_yaml_bool(node))
        if kind == "int":
            too_large = yaml.constructor.ConstructorError(
                None, None, "integer too large", event.start_mark
            )
            if len(value.replace("_", "")) > _MAX_INT_CHARS:
                raise too_large
            number = int(_constructor.construct_yaml_int(node))
            if number.bit_length() > _MAX_INT_BITS:
                raise too_large
            return number
        if kind == "float":
            return float(_constructor.construct_yaml_float(node))
    except (KeyError, ValueError):
        problem = f"cannot read {value[:40]!r} as {kind}"
        raise yaml.constructor.ConstructorError(None, None, problem, event.start_mark) from None
    return value


def _apply_tag(node: LNode, tag: str | None, span: Span, diagnostics: list[Diagnostic]) -> LNode:
    """Turn `!Fn value` into `{Fn: value}`; unknown local tags are reported the same way."""
    if tag is None:
        return node
    long_form = CFN_SHORT_TAGS.get(tag)
    if long_form is None:
        long_form = tag.lstrip("!")
        diagnostics.append(make(c.UNKNOWN_TAG, span, tag=tag, name=long_form))
    if long_form == "Fn::GetAtt" and isinstance(node, LScalar) and isinstance(node.value, str):
        resource, dot, attribute = node.value.partition(".")
        if dot:
            node = LSeq((LScalar(resource, node.span), LScalar(attribute, node.span)), node.span)
    key = LScalar(long_form, span, tag=tag)
    return LMap(((key, node),), span, tag=tag)
