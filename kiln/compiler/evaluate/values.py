"""What evaluation yields: plain JSON-like Python values, or Unknown where a value cannot be
known before deployment (a resource's id or attribute), with its type."""

from typing import Final

from kiln.compiler.ir.frozen import frozen_dataclass
from kiln.compiler.ir.types import ValueType


@frozen_dataclass
class Unknown:
    type: ValueType
    reason: str  # e.g. "get_attr server.first_address: known after create"


Value = str | int | float | bool | None | list["Value"] | dict[str, "Value"] | Unknown


class Absent:
    """What Heat's two-argument `if` yields when its condition is false (Heat uses Python's
    Ellipsis): the enclosing list item or map key is dropped, and a whole value becomes None
    (heat/engine/function.py, resolve(nullable=...)). Never stored in a Value."""

    _instance: "Absent | None" = None

    def __new__(cls) -> "Absent":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Final = Absent()

Item = Value | Absent
"""A value in a position that may drop it (a list item, a map value, a macro's result)."""


def is_concrete(value: Value) -> bool:
    """True when no Unknown hides anywhere inside the value."""
    stack: list[Value] = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, Unknown):
            return False
        if isinstance(current, list):
            stack.extend(current)
        elif isinstance(current, dict):
            stack.extend(current.values())
    return True


def first_unknown(value: Value) -> Unknown | None:
    """The first Unknown inside a value (depth first), to carry its reason on."""
    stack: list[Value] = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, Unknown):
            return current
        if isinstance(current, list):
            stack.extend(reversed(current))
        elif isinstance(current, dict):
            stack.extend(reversed(list(current.values())))
    return None


def value_type(value: Value) -> ValueType:
    """The ValueType of a value (an Unknown's own type)."""
    if isinstance(value, Unknown):
        return value.type
    if value is None:
        return ValueType.NULL
    if isinstance(value, bool):
        return ValueType.BOOLEAN
    if isinstance(value, int):
        return ValueType.INTEGER
    if isinstance(value, float):
        return ValueType.NUMBER
    if isinstance(value, str):
        return ValueType.STRING
    if isinstance(value, list):
        return ValueType.LIST
    return ValueType.MAP


def heat_repr(value: Value) -> str:
    """repr() of a value as Heat's messages show it (Python's repr of the same objects), with
    an Unknown shown as <unknown>."""
    if isinstance(value, Unknown):
        return "<unknown>"
    if isinstance(value, list):
        return "[" + ", ".join(heat_repr(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key!r}: {heat_repr(item)}" for key, item in value.items()) + "}"
    return repr(value)


def heat_str(value: Value) -> str:
    """str() of a value as Heat's messages show it (str of a container is its repr)."""
    return value if isinstance(value, str) else heat_repr(value)
