"""The located syntax tree: what the loader produces and frontends read.

Every mapping, sequence and scalar knows its span. This layer knows nothing of templates:
the IR never imports it back, and it never imports the IR.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field

from kiln.compiler.source import Span

ScalarValue = str | int | float | bool | None


# The loader makes one of these per node of every file read: each class writes its own
# __init__ through the slot descriptors, which costs half of what a frozen dataclass's
# object.__setattr__ calls do. They stay frozen dataclasses for everything else.


@dataclass(frozen=True, slots=True, init=False)
class LScalar:
    value: ScalarValue
    span: Span | None = field(default=None, compare=False)
    tag: str | None = field(default=None, compare=False)

    def __init__(
        self, value: ScalarValue, span: Span | None = None, tag: str | None = None
    ) -> None:
        _scalar_value(self, value)
        _scalar_span(self, span)
        _scalar_tag(self, tag)

    @property
    def kind(self) -> str:
        return describe(self)


@dataclass(frozen=True, slots=True, init=False)
class LSeq:
    items: tuple["LNode", ...]
    span: Span | None = field(default=None, compare=False)
    tag: str | None = field(default=None, compare=False)

    def __init__(
        self, items: tuple["LNode", ...], span: Span | None = None, tag: str | None = None
    ) -> None:
        _seq_items(self, items)
        _seq_span(self, span)
        _seq_tag(self, tag)

    def __iter__(self) -> Iterator["LNode"]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


@dataclass(frozen=True, slots=True, init=False)
class LMap:
    """An ordered mapping. Duplicate keys were reported by the loader; the last one wins,
    as in PyYAML and json, which is what Heat sees."""

    entries: tuple[tuple[LScalar, "LNode"], ...]
    span: Span | None = field(default=None, compare=False)
    tag: str | None = field(default=None, compare=False)
    _index: dict[ScalarValue, int] = field(init=False, repr=False, compare=False)

    def __init__(
        self,
        entries: tuple[tuple[LScalar, "LNode"], ...],
        span: Span | None = None,
        tag: str | None = None,
    ) -> None:
        _map_entries(self, entries)
        _map_span(self, span)
        _map_tag(self, tag)
        _map_index(self, {key.value: position for position, (key, _) in enumerate(entries)})

    def get(self, key: ScalarValue) -> "LNode | None":
        position = self._index.get(key)
        return None if position is None else self.entries[position][1]

    def key_node(self, key: ScalarValue) -> LScalar | None:
        position = self._index.get(key)
        return None if position is None else self.entries[position][0]

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def __len__(self) -> int:
        return len(self._index)

    def items(self) -> Iterator[tuple[LScalar, "LNode"]]:
        """Entries in source order, the last of any duplicates only."""
        if len(self._index) == len(self.entries):  # no duplicates: nearly every mapping
            return iter(self.entries)
        return self._last_of_duplicates()

    def _last_of_duplicates(self) -> Iterator[tuple[LScalar, "LNode"]]:
        for position, (key, value) in enumerate(self.entries):
            if self._index.get(key.value) == position:
                yield key, value

    def keys(self) -> list[ScalarValue]:
        return [key.value for key, _ in self.items()]


_scalar_value = vars(LScalar)["value"].__set__
_scalar_span = vars(LScalar)["span"].__set__
_scalar_tag = vars(LScalar)["tag"].__set__
_seq_items = vars(LSeq)["items"].__set__
_seq_span = vars(LSeq)["span"].__set__
_seq_tag = vars(LSeq)["tag"].__set__
_map_entries = vars(LMap)["entries"].__set__
_map_span = vars(LMap)["span"].__set__
_map_tag = vars(LMap)["tag"].__set__
_map_index = vars(LMap)["_index"].__set__

LNode = LScalar | LSeq | LMap


def describe(node: LNode | None) -> str:
    """A short phrase for messages: 'a mapping', 'a list', 'the string "x"', 'null'."""
    if node is None:
        return "nothing"
    if isinstance(node, LMap):
        return "a mapping"
    if isinstance(node, LSeq):
        return "a list"
    value = node.value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    shown = value if len(value) <= 40 else value[:37] + "..."
    return f"the string {shown!r}"


def to_plain(node: LNode) -> object:
    """The plain Python value (dicts, lists, scalars), as PyYAML or json would load it."""
    if isinstance(node, LScalar):
        return node.value
    if isinstance(node, LSeq):
        return [to_plain(item) for item in node.items]
    return {key.value: to_plain(value) for key, value in node.items()}
