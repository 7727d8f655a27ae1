"""Property schemas compiled for validation, and Heat's property value coercion.

A type's JSON Schema (``kiln/schemas/README.md``) is compiled once into `PropSchema` trees: Heat's
type names, the constraints as the IR's constraint nodes (shared with parameters), support
status. Provider templates get the same shape from their parameters, as Heat's
Properties.schema_from_params does.

Coercion mirrors heat/engine/properties.py Property._get_string/_get_integer/_get_number/
_get_bool/_get_map/_get_list and constraints.Schema.to_schema_type: "5" is an Integer, ints and
bools are Strings, only "true"/"false" (any case) are Boolean strings, null means the default
(or the type's empty value). Messages are Heat's.
"""

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import field
from typing import Any, Final

from kiln.compiler import parameters as p
from kiln.compiler.ir import nodes as n
from kiln.compiler.ir.expr import Null, literal
from kiln.compiler.ir.frozen import frozen_dataclass
from kiln.compiler.ir.types import ParamType
from kiln.compiler.resource_types.model import SupportStatus

STRING, INTEGER, NUMBER, BOOLEAN, MAP, LIST, ANY = (
    "String", "Integer", "Number", "Boolean", "Map", "List", "Any",
)  # fmt: skip
_JSON_TYPES: Final = {
    "string": STRING,
    "integer": INTEGER,
    "number": NUMBER,
    "boolean": BOOLEAN,
    "object": MAP,
    "array": LIST,
}
NO_DEFAULT: Final = object()
_SUPPORTED: Final = SupportStatus("SUPPORTED")


class PropertyError(ValueError):
    """A value Heat rejects for a property; the message is Heat's."""


@frozen_dataclass
class PropSchema:
    type: str
    required: bool = False
    default: object = NO_DEFAULT
    properties: Mapping[str, "PropSchema"] | None = None  # a Map with a schema
    items: "PropSchema | None" = None  # a List's item schema
    constraints: tuple[n.Constraint, ...] = ()
    support: SupportStatus = _SUPPORTED
    implemented: bool = True
    allow_conversion: bool = False

    @property
    def has_default(self) -> bool:
        return self.default is not NO_DEFAULT and self.default is not None


@frozen_dataclass
class ObjectSchema:
    """A resource's properties (or a nested Map's keys)."""

    properties: Mapping[str, PropSchema] = field(default_factory=dict)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.properties)


ANY_SCHEMA: Final = PropSchema(ANY)


# --- compiling --------------------------------------------------------------------------------


def compile_object(schema: Mapping[str, Any]) -> ObjectSchema:
    """A JSON Schema object (``properties`` + ``required``) as an ObjectSchema."""
    required = set(schema.get("required") or ())
    children = schema.get("properties") or {}
    return ObjectSchema(
        {name: compile_property(child, name in required) for name, child in children.items()}
    )


def compile_property(schema: Mapping[str, Any], required: bool = False) -> PropSchema:
    kind = _JSON_TYPES.get(schema.get("type", ""), ANY)
    items = schema.get("items")
    item_schema: PropSchema | None = None
    if isinstance(items, Mapping):
        item_schema = compile_property(items, bool(items.get("x-required")))
    properties = None
    if kind == MAP and isinstance(schema.get("properties"), Mapping):
        properties = compile_object(schema).properties
    return PropSchema(
        type=kind,
        required=required,
        default=schema.get("default", NO_DEFAULT),
        properties=properties,
        items=item_schema,
        constraints=_constraints(schema, kind),
        support=SupportStatus.from_json(schema.get("x-support")),
        implemented=schema.get("x-implemented", True) is not False,
        allow_conversion=schema.get("x-allow-conversion", False) is True,
    )


def _constraints(schema: Mapping[str, Any], kind: str) -> tuple[n.Constraint, ...]:
    """The README's mapping back to Heat's constraint objects, in a fixed order (the files
    keep no order; no built-in property has two constraints that could both fail
    differently)."""
    notes = schema.get("x-constraint-descriptions") or {}
    found: list[n.Constraint] = []
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None or high is not None:
        found.append(n.Range(min=low, max=high, description=notes.get("range")))
    bounds = {STRING: ("minLength", "maxLength"), LIST: ("minItems", "maxItems")}.get(
        kind, ("minProperties", "maxProperties")
    )
    low, high = schema.get(bounds[0]), schema.get(bounds[1])
    if low is not None or high is not None:
        found.append(n.Length(min=low, max=high, description=notes.get("length")))
    modulo = schema.get("x-modulo")
    if isinstance(modulo, Mapping):
        found.append(
            n.Modulo(
                step=modulo.get("step", 1),
                offset=modulo.get("offset", 0),
                description=notes.get("modulo"),
            )
        )
    if "enum" in schema:
        values = tuple(_literal(value) for value in schema["enum"])
        found.append(n.AllowedValues(values=values, description=notes.get("allowed_values")))
    if "pattern" in schema:
        found.append(
            n.AllowedPattern(pattern=schema["pattern"], description=notes.get("allowed_pattern"))
        )
    for name in schema.get("x-constraints") or ():
        description = notes.get(f"custom_constraint:{name}")
        found.append(n.CustomConstraint(name=name, description=description))
    return tuple(found)


def _literal(value: object) -> Any:
    return literal(value)


# Heat's Schema.from_parameter: parameter types as property types.
_FROM_PARAMETER: Final = {
    ParamType.STRING: STRING,
    ParamType.NUMBER: NUMBER,
    ParamType.COMMA_DELIMITED_LIST: LIST,
    ParamType.JSON: MAP,
    ParamType.BOOLEAN: BOOLEAN,
}


def from_parameters(
    parameters: Mapping[str, n.Parameter], defaults: Mapping[str, object]
) -> ObjectSchema:
    """A provider template's properties (TemplateResource.get_schemas): one per parameter,
    required when it has no default and parameter_defaults gives none; lists and json
    allow conversion, as Heat's allow_conversion does."""
    properties: dict[str, PropSchema] = {}
    for name, parameter in parameters.items():
        kind = _FROM_PARAMETER[parameter.type]
        has_default = _has_default(parameter) or name in defaults
        properties[name] = PropSchema(
            type=kind,
            required=not has_default,
            constraints=parameter.constraints,
            allow_conversion=kind in (LIST, MAP),
        )
    return ObjectSchema(properties)


def _has_default(parameter: n.Parameter) -> bool:
    """Heat reads `default: null` as no default at all."""
    return parameter.default is not None and not isinstance(parameter.default, Null)


# --- coercion (Property.get_value) ------------------------------------------------------------


def coerce(schema: PropSchema, value: object) -> object:
    """The value Heat's Property.get_value makes of `value` (children not included: the
    caller walks them with their own schemas); raises PropertyError with Heat's message."""
    kind = schema.type
    if kind == STRING:
        return _get_string(schema, value)
    if kind == INTEGER:
        return _get_integer(schema, value)
    if kind == NUMBER:
        return _get_number(schema, value)
    if kind == BOOLEAN:
        return _get_bool(schema, value)
    if kind == MAP:
        return _get_map(schema, value)
    if kind == LIST:
        return _get_list(schema, value)
    return value


def _or(schema: PropSchema, empty: object) -> object:
    """`self.has_default() and self.default() or <empty>`: a falsy default gives empty."""
    return (schema.default if schema.has_default else None) or empty


def _get_string(schema: PropSchema, value: object) -> str:
    if value is None:
        value = _or(schema, "")
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int):
        return str(value)
    raise PropertyError(f"Value must be a string; got {value!r}")


def _get_integer(schema: PropSchema, value: object) -> int:
    if value is None:
        value = _or(schema, 0)
    try:
        number: int = int(value)  # type: ignore[call-overload]  # TypeError as in Heat
        return number
    except ValueError:
        raise PropertyError(f"Value '{value}' is not an integer") from None
    except TypeError as error:
        raise PropertyError(str(error)) from None


def _get_number(schema: PropSchema, value: object) -> int | float:
    if value is None:
        value = _or(schema, 0)
    try:
        return p.str_to_num(value)
    except p.InvalidValue as error:
        raise PropertyError(str(error)) from None


def _get_bool(schema: PropSchema, value: object) -> bool:
    if value is None:
        value = _or(schema, False)
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        normalised = value.lower()
        if normalised not in ("true", "false"):
            raise PropertyError(f'"{normalised}" is not a valid boolean')
        return normalised == "true"
    raise PropertyError(f'"{value}" is not a valid boolean')


def _get_map(schema: PropSchema, value: object) -> object:
    if value is None:
        value = schema.default if schema.has_default else {}
    if isinstance(value, Mapping):
        return value
    if schema.allow_conversion:
        if isinstance(value, str):
            return value
        if isinstance(value, Sequence):
            return json.dumps(value)
    raise PropertyError(f'"{value}" is not a map')


def _get_list(schema: PropSchema, value: object) -> object:
    if value is None:
        value = _or(schema, [])
    if schema.allow_conversion and isinstance(value, str):
        value = [] if value == "" else value.split(",")
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise PropertyError(f'"{value!r}" is not a list')
    return value


# --- constraints (Schema.validate_constraints on the coerced value) -------------------------


def _to_integer(value: object, shown: p.Shown) -> object:
    try:
        number = p.str_to_num(value)
    except p.InvalidValue:
        number = None
    if number is None or isinstance(number, float):
        raise p.InvalidValue(f'Value "{shown(value)}" is invalid for data type "Integer".')
    return number


def _to_number(value: object, shown: p.Shown) -> object:
    try:
        return p.str_to_num(value)
    except p.InvalidValue:
        raise p.InvalidValue(f'Value "{shown(value)}" is invalid for data type "Number".') from None


def _to_bool(value: object, shown: p.Shown) -> object:
    try:
        return p.bool_from_string(str(value))
    except p.InvalidValue:
        raise p.InvalidValue(
            f'Value "{shown(value)}" is invalid for data type "Boolean".'
        ) from None


# constraints.Schema.to_schema_type by property type.
TO_SCHEMA_TYPE: Final[dict[str, Callable[[object, p.Shown], object]]] = {
    STRING: lambda value, shown: str(value),
    INTEGER: _to_integer,
    NUMBER: _to_number,
    BOOLEAN: _to_bool,
}


def _keep(value: object, shown: p.Shown) -> object:
    return value


def constraint_failure(schema: PropSchema, value: object, pure_only: bool = True) -> str | None:
    """The first constraint of `schema` the coerced `value` breaks, with Heat's message.
    Service-backed custom constraints are never judged (deploy time)."""
    convert = TO_SCHEMA_TYPE.get(schema.type, _keep)
    for constraint in schema.constraints:
        if isinstance(constraint, n.CustomConstraint) and pure_only:
            from kiln.compiler import constraints as custom

            if not custom.is_pure(constraint.name):
                continue
        message = p.constraint_message(constraint, value, convert)
        if message is not None:
            return message
    return None
