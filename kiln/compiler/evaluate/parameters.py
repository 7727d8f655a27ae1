"""Parameter values as Heat types them, for when validate_parameters has not filled
facts.parameters (its values always win).

Heat's Parameter.value() (heat/engine/parameters.py): a string is str(value) (so a YAML
`true` default is "True"); a number is int(text), else float(text); a comma_delimited_list
splits on commas, keeping spaces and empty items; json parses text and round-trips anything
else; a boolean is oslo's bool_from_string(str(value), strict=True). A value Heat would reject
is Unknown here (validate_parameters reports it).
"""

import json
from collections.abc import Mapping
from typing import Final

from kiln.compiler.evaluate.values import Unknown, Value
from kiln.compiler.ir import expr as e
from kiln.compiler.ir.nodes import Parameter, Template
from kiln.compiler.ir.types import ParamType

# oslo_utils.strutils TRUE_STRINGS / FALSE_STRINGS.
_TRUE: Final = frozenset({"1", "t", "true", "on", "y", "yes"})
_FALSE: Final = frozenset({"0", "f", "false", "off", "n", "no"})


class _Invalid(Exception):
    pass


def literal_value(expr: e.Expr) -> object:
    """A literal expression as the plain value Heat reads from the template."""
    if isinstance(expr, e.Str | e.Int | e.Float | e.Bool):
        return expr.value
    if isinstance(expr, e.ListExpr):
        return [literal_value(item) for item in expr.items]
    if isinstance(expr, e.MapExpr):
        return {key: literal_value(item) for key, item in expr.items.items()}
    if isinstance(expr, e.UnknownFn):
        return {expr.name: literal_value(expr.args)}
    return None


def coerce(parameter: Parameter, raw: object) -> Value:
    """The value Heat's Parameter.value() gives `raw` (a default, or a given value)."""
    try:
        return _coerce(parameter.type, raw)
    except (_Invalid, ValueError, TypeError, OverflowError):
        return Unknown(
            parameter.type.value_type, f"parameter {parameter.name!r}: {raw!r} is not valid"
        )


def _coerce(kind: ParamType, raw: object) -> Value:
    if kind is ParamType.STRING:
        return _text(raw)
    if kind is ParamType.NUMBER:
        if isinstance(raw, bool | int | float):
            return raw
        if not isinstance(raw, str):
            raise _Invalid
        try:
            return int(raw)
        except ValueError:
            return float(raw)
    if kind is ParamType.COMMA_DELIMITED_LIST:
        if isinstance(raw, list):
            return [_text(item) for item in raw]
        if not isinstance(raw, str):
            raise _Invalid
        return [] if raw == "" else list(raw.split(","))
    if kind is ParamType.JSON:
        text = raw if isinstance(raw, str) else json.dumps(raw)
        return _plain(json.loads(text)) if text else ""
    lowered = _text(raw).strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise _Invalid


def _text(raw: object) -> str:
    """Python's str(), which Heat applies (str(True) is "True", str([1]) is "[1]")."""
    return raw if isinstance(raw, str) else str(raw)


def _plain(value: object) -> Value:
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    raise _Invalid


def fallback_parameters(
    template: Template,
    given: Mapping[str, object] | None = None,
    *,
    nested: bool = False,
) -> dict[str, Value]:
    """Every declared parameter's value: the given value, else the default; Unknown when
    there is neither. In a nested template every value is Unknown: the parent passes its
    properties, which are not evaluated here."""
    values: dict[str, Value] = {}
    for name, parameter in template.parameters.items():
        if nested:
            values[name] = Unknown(parameter.type.value_type, f"parameter {name!r}: from parent")
            continue
        raw: object = None
        if given is not None and name in given:
            raw = given[name]
        elif parameter.default is not None:
            raw = literal_value(parameter.default)
        if raw is None:
            values[name] = Unknown(parameter.type.value_type, f"parameter {name!r} has no value")
        else:
            values[name] = coerce(parameter, raw)
    return values
