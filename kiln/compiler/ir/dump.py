"""A deterministic text dump of the IR, for golden tests and `kiln dump-ir`.

One node per line: its class, then its plain fields (names, spellings, literal values), then
its child nodes indented beneath, labelled with the field they sit in. With `spans=True` each
line ends with the node's `@line:col`, so golden files pin positions too.
"""

import dataclasses
from enum import Enum
from typing import Any

from kiln.compiler.ir.frozen import FrozenMap
from kiln.compiler.ir.visit import is_node

_HIDDEN = frozenset({"span", "key_spans", "type_span", "name_span", "parameters_span", "file"})


def dump(node: object, *, spans: bool = False) -> str:
    lines: list[str] = []
    _dump(node, 0, "", lines, spans)
    return "\n".join(lines) + "\n"


def _plain(value: Any) -> str:
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, str):
        return repr(value)
    return str(value)


def _is_plain(value: Any) -> bool:
    return (
        value is None
        or isinstance(value, str | int | float | bool | Enum)
        or (isinstance(value, tuple) and all(isinstance(item, str) for item in value))
    )


def _dump(node: Any, depth: int, label: str, lines: list[str], spans: bool) -> None:
    pad = "  " * depth
    prefix = f"{label}: " if label else ""
    if not is_node(node):
        lines.append(f"{pad}{prefix}{_plain(node)}")
        return
    plain: list[str] = []
    nested: list[tuple[str, Any]] = []
    for field in dataclasses.fields(node):
        if field.name in _HIDDEN or field.name.startswith("_"):
            continue
        value = getattr(node, field.name)
        if value is None or value == () or (isinstance(value, FrozenMap) and not value):
            continue
        if value is False and field.name not in ("value", "unique"):
            continue
        if field.name == "name" and label == repr(value):
            continue  # already the label it is listed under
        if _is_plain(value):
            plain.append(f"{field.name}={_plain(value)}")
        else:
            nested.append((field.name, value))
    where = ""
    span = getattr(node, "span", None)
    if spans and span is not None:
        where = f" @{span.start.line}:{span.start.column}"
    head = " ".join([type(node).__name__, *plain])
    lines.append(f"{pad}{prefix}{head}{where}")
    for name, value in nested:
        # A literal list's or map's items sit directly under it; other fields get a label.
        inner = depth + 1 if name == "items" else depth + 2
        if name != "items" and isinstance(value, FrozenMap | tuple):
            lines.append(f"{pad}  {name}:")
        if isinstance(value, FrozenMap):
            for key, item in value.items():
                _dump(item, inner, repr(key), lines, spans)
        elif isinstance(value, tuple):
            for index, item in enumerate(value):
                _dump(item, inner, str(index), lines, spans)
        else:
            _dump(value, depth + 1, name, lines, spans)
