"""What evaluation yields: plain JSON-like Python values, or Unknown where a value cannot be
known before deployment (a resource's id or attribute), with its type."""

from dataclasses import dataclass

from kiln.compiler.ir.types import ValueType


@dataclass(frozen=True, slots=True)
class Unknown:
    type: ValueType
    reason: str  # e.g. "get_attr server.first_address: known after create"


Value = str | int | float | bool | None | list["Value"] | dict[str, "Value"] | Unknown
