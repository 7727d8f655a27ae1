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
            # The Rules section's functions: AWS's own samples write them short
            # (aws-cloudformation-templates AWSSupplyChain/SapPrivateLink: `!ValueOf`).
            "ValueOf",
            "ValueOfAll",
            "EachMemberEquals",
            "EachMemberIn",
            "RefAll",
            "Contains",
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
# Resolver.resolve's table for plain scalars, by first character ("" for an empty scalar):
# the resolvers for that character, then the wildcard ones, in PyYAML's order.
_WILDCARD: Final[tuple[tuple[str, re.Pattern[str]], ...]] = tuple(
    _resolver.yaml_implicit_resolvers.get(None, [])
)
_IMPLICIT: Final[dict[str, tuple[tuple[str, re.Pattern[str]], ...]]] = {
    first: (*rules, *_WILDCARD)
    for first, rules in _resolver.yaml_implicit_resolvers.items()
    if first is not None
}
_constructor = yaml.constructor.SafeConstructor()


def _any_rule(rules: tuple[tuple[str, re.Pattern[str]], ...]) -> Any:
    """One regular expression matching where any of `rules` matches (`match` of it), or None
    for no rules: a plain scalar that none matches is a string, the common case, found with
    one call instead of a loop over the rules."""
    if not rules:
        return None
    parts = [f"(?{'x' if rule.flags & re.X else ''}:{rule.pattern})" for _, rule in rules]
    return re.compile("|".join(parts)).match


# First character -> _any_rule of the rules Resolver.resolve tries for it (_IMPLICIT), and the
# wildcard rules' (under None). Compiled on first use: a few milliseconds of start-up otherwise.
_MATCH_ANY: dict[str | None, Any] = {}


def _matchers() -> dict[str | None, Any]:
    if not _MATCH_ANY:
        _MATCH_ANY.update((first, _any_rule(rules)) for first, rules in _IMPLICIT.items())
        _MATCH_ANY[None] = _any_rule(_WILDCARD)
    return _MATCH_ANY


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
    data = read_file(path, options)
    if isinstance(data, LoadResult):
        return data
    return load_bytes(data, str(path), options)


def read_file(path: str | Path, options: LoadOptions = LoadOptions()) -> bytes | LoadResult:
    """The bytes of a file, or the failed LoadResult that says why there are none (missing,
    unreadable, too large). load_file is this and load_bytes; a cache of parsed files reads
    with this to compare a file's bytes with the ones it parsed."""
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
    return data


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


class _Open:
    """A mapping or sequence being composed."""

    __slots__ = (
        "anchor",
        "complex_keys",
        "flow",
        "is_map",
        "items",
        "last_end",
        "merges",
        "seen",
        "size",
        "start",
        "tag",
    )  # fmt: skip

    def __init__(self, is_map: bool, event: Any, start: Position, tag: str | None) -> None:
        self.is_map = is_map
        self.start = start
        self.tag = tag
        self.anchor: str | None = event.anchor
        self.flow = bool(event.flow_style)
        self.items: list[LNode] = []
        self.size = 1
        self.seen: dict[object, LScalar] = {}  # key marker -> the key's first node
        self.merges: list[int] = []  # entry indices of `<<` merge keys
        self.complex_keys = False  # a key that is no scalar (reported when the map ends)
        self.last_end: Position | None = None  # where the last item's text ends


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


_ScalarEvent: Final = yaml.ScalarEvent
_AliasEvent: Final = yaml.AliasEvent
_MappingStartEvent: Final = yaml.MappingStartEvent
_SequenceStartEvent: Final = yaml.SequenceStartEvent
_MappingEndEvent: Final = yaml.MappingEndEvent
_SequenceEndEvent: Final = yaml.SequenceEndEvent
_DocumentStartEvent: Final = yaml.DocumentStartEvent
_StreamEndEvent: Final = yaml.StreamEndEvent
_new_tuple: Final = tuple.__new__
# Line breaks other than "\n" (YAML also breaks at \r, NEL and the Unicode separators): where
# libyaml's line and column differ from ours.
_OTHER_BREAKS: Final = ("\r", "\x85", "\u2028", "\u2029")


def _compose(
    source: SourceFile, options: LoadOptions, diagnostics: list[Diagnostic]
) -> LNode | None:
    """Build the first document's tree from parser events, iteratively."""
    path = source.path
    text = source.text
    max_depth = options.max_depth
    max_nodes = options.max_nodes
    stack: list[_Open] = []
    anchors: dict[str, tuple[LNode, int]] = {}
    total = 0
    root: LNode | None = None
    documents = 0

    # libyaml's own line and column agree with ours unless the text has line breaks other
    # than "\n"; then look them up (a third of load time was these lookups). At the very end
    # of the text libyaml also counts a line break the text may not have (its stream end
    # "forces a new line"), so a mark there is looked up too.
    exact_marks = not any(other in text for other in _OTHER_BREAKS)
    position = source.position
    length = len(text)
    if not exact_marks:

        def at(mark: Any) -> Position:
            return position(mark.index)

    else:

        def at(mark: Any) -> Position:
            index = mark.index
            if index >= length:
                return position(index)
            return _new_tuple(Position, (mark.line + 1, mark.column + 1, index))

    def span_of(event: Any) -> Span:
        return Span(path, at(event.start_mark), at(event.end_mark))

    new_tuple = _new_tuple
    matchers = _matchers()
    match_any = matchers.get
    match_wildcard = matchers[None]
    parser = _Parser(text)
    get_event = parser.get_event
    try:
        while True:
            event = get_event()
            kind = event.__class__
            node: LNode
            end: Position  # where the node's text ends (an alias: where the alias ends)
            if kind is _ScalarEvent:
                # The most frequent event: positions and plain strings inline.
                if exact_marks:
                    mark = event.start_mark
                    index = mark.index
                    if index < length:
                        start = new_tuple(Position, (mark.line + 1, mark.column + 1, index))
                    else:
                        start = position(index)
                    mark = event.end_mark
                    index = mark.index
                    if index < length:
                        end = new_tuple(Position, (mark.line + 1, mark.column + 1, index))
                    else:
                        end = position(index)
                else:
                    start = at(event.start_mark)
                    end = at(event.end_mark)
                span = Span(path, start, end)
                value = event.value
                if event.tag is not None:
                    node = _scalar(event, span, diagnostics)
                elif not event.implicit[0]:
                    node = LScalar(value, span)  # quoted: a string
                else:
                    # Plain: a string unless an implicit resolver for its first character
                    # matches (as Resolver.resolve says); those are read by _scalar.
                    match = match_any(value[:1], match_wildcard)
                    if match is None or match(value) is None:
                        node = LScalar(value, span)
                    else:
                        node = _scalar(event, span, diagnostics)
                size = 1
                if event.anchor is not None:
                    anchors[event.anchor] = (node, size)
                total += 1
            elif kind is _MappingStartEvent or kind is _SequenceStartEvent:
                if len(stack) >= max_depth:
                    raise _Fatal(make(c.NESTING_TOO_DEEP, span_of(event), limit=max_depth))
                tag = _explicit_tag(event)
                stack.append(_Open(kind is _MappingStartEvent, event, at(event.start_mark), tag))
                continue
            elif kind is _MappingEndEvent or kind is _SequenceEndEvent:
                frame = stack.pop()
                # A block collection's end event sits at the next token, past trailing lines
                # and comments: end the span where its last item ends instead.
                # (libyaml's own mark there can be a line further, at the end of the text.)
                last_end = frame.last_end
                end = last_end if last_end is not None and not frame.flow else at(event.end_mark)
                whole = Span(path, frame.start, end)
                items = frame.items
                if frame.is_map:
                    if frame.complex_keys:
                        entries = tuple(
                            (_key(items[i], diagnostics), items[i + 1])
                            for i in range(0, len(items), 2)
                        )
                    else:
                        pairs = iter(items)  # key, value, key, value, ...
                        entries = tuple(zip(pairs, pairs, strict=True))  # type: ignore[arg-type]
                    if frame.merges:
                        entries = _merge(entries, frame.merges)
                    node = LMap(entries, whole)
                else:
                    node = LSeq(tuple(items), whole)
                size = frame.size
                if frame.tag is not None:
                    node = _apply_tag(node, frame.tag, whole, diagnostics)
                if frame.anchor is not None:
                    anchors[frame.anchor] = (node, size)
                total += 1
            elif kind is _AliasEvent:
                target = anchors.get(event.anchor)
                if target is None:
                    raise yaml.composer.ComposerError(
                        None, None, f"found undefined alias {event.anchor!r}", event.start_mark
                    )
                node, size = target
                end = at(event.end_mark)
                total += size
            elif kind is _DocumentStartEvent:
                documents += 1
                if documents > 1:
                    diagnostics.append(make(c.MULTIPLE_DOCUMENTS, span_of(event)))
                    break
                continue
            elif kind is _StreamEndEvent:
                break
            else:
                continue  # the stream's start and document ends
            if total > max_nodes:
                raise _Fatal(make(c.ALIAS_LIMIT, span_of(event), limit=max_nodes))
            if not stack:
                root = node
                continue
            parent = stack[-1]
            parent_items = parent.items
            if parent.is_map and not len(parent_items) & 1:
                if (
                    kind is _ScalarEvent
                    and (event.tag is not None or event.value == "<<")
                    and _is_merge_key(event)
                ):
                    parent.merges.append(len(parent_items) // 2)
                elif node.__class__ is LScalar:
                    # A string key is its own marker; others carry their type (True == 1).
                    key = node.value
                    marker = key if key.__class__ is str else (key.__class__, key)
                    seen = parent.seen
                    first = seen.get(marker)
                    if first is None:
                        seen[marker] = node
                    else:
                        _duplicate(first, node, diagnostics)
                else:
                    parent.complex_keys = True
            parent_items.append(node)
            parent.size += size
            parent.last_end = end
    finally:
        parser.dispose()
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


def _duplicate(first: LScalar, key: LScalar, diagnostics: list[Diagnostic]) -> None:
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
    if tag is None:
        # PyYAML's Resolver.resolve without the call: a quoted scalar is a string; a plain one
        # is whatever the first implicit resolver for its first character matches.
        if not event.implicit[0]:
            return LScalar(value, span)
        for rule_tag, regexp in _IMPLICIT.get(value[:1], _WILDCARD):
            if regexp.match(value):
                return LScalar(_construct(rule_tag, value, event), span)
        return LScalar(value, span)
    if tag == "!":
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
    except (KeyError, ValueError, IndexError):  # IndexError: an empty `!!int` or `!!float`
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
