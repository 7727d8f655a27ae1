"""The type an expression has before anything is deployed, as far as the template shows it.

Literals have their own type; a parameter reference has its parameter's type (Heat's
get_param gives numbers as int/float, comma_delimited_list as a list, booleans as bool:
heat/engine/parameters.py `value()`); an attribute reference has the type the resource type's
schema declares for it (None there: any); a resource reference is a string. A json parameter
may hold a map or a list (JsonParam), so it is ANY. Functions have their result type.
ANY means "not known here": checks never report it.
"""

from collections.abc import Callable
from typing import Final

from kiln.compiler.ir import expr as e
from kiln.compiler.ir.nodes import Template
from kiln.compiler.ir.types import ParamType, ValueType

AttributeType = Callable[[str, str], str | None]

# Heat's attribute type names (attributes.Schema, lower-cased in the schema files).
_ATTRIBUTE_TYPES: Final = {
    "string": ValueType.STRING,
    "map": ValueType.MAP,
    "list": ValueType.LIST,
    "integer": ValueType.INTEGER,
    "number": ValueType.NUMBER,
    "boolean": ValueType.BOOLEAN,
}

_RESULT_TYPES: Final[dict[type, ValueType]] = {
    e.Str: ValueType.STRING,
    e.Int: ValueType.INTEGER,
    e.Float: ValueType.NUMBER,
    e.Bool: ValueType.BOOLEAN,
    e.Null: ValueType.NULL,
    e.ListExpr: ValueType.LIST,
    e.MapExpr: ValueType.MAP,
    e.PseudoRef: ValueType.STRING,
    e.ResourceRef: ValueType.STRING,
    e.ConditionRef: ValueType.BOOLEAN,
    e.Join: ValueType.STRING,
    e.Interpolate: ValueType.STRING,
    e.Base64: ValueType.STRING,
    e.Digest: ValueType.STRING,
    e.ListConcat: ValueType.LIST,
    e.Filter: ValueType.LIST,
    e.Contains: ValueType.BOOLEAN,
    e.Length: ValueType.INTEGER,
    e.Cidr: ValueType.LIST,
    e.ToJsonString: ValueType.STRING,
    e.MapMerge: ValueType.MAP,
    e.MapReplace: ValueType.MAP,
    e.MemberListToMap: ValueType.MAP,
    e.MakeUrl: ValueType.STRING,
    e.Equals: ValueType.BOOLEAN,
    e.And: ValueType.BOOLEAN,
    e.Or: ValueType.BOOLEAN,
    e.Not: ValueType.BOOLEAN,
    e.Repeat: ValueType.LIST,
    e.GetFile: ValueType.STRING,
    e.GetAZs: ValueType.LIST,
}

_PARAMETER_TYPES: Final = {
    ParamType.STRING: ValueType.STRING,
    ParamType.NUMBER: ValueType.NUMBER,
    ParamType.COMMA_DELIMITED_LIST: ValueType.LIST,
    ParamType.JSON: ValueType.ANY,
    ParamType.BOOLEAN: ValueType.BOOLEAN,
}

NUMERIC: Final = frozenset({ValueType.INTEGER, ValueType.NUMBER})


class StaticTypes:
    """static_type for the expressions of one template."""

    def __init__(self, template: Template, attribute_type: AttributeType) -> None:
        self.template = template
        self.attribute_type = attribute_type

    def of(self, node: e.Expr) -> ValueType:
        found = _RESULT_TYPES.get(type(node))
        if found is not None:
            return found
        if isinstance(node, e.ParamRef):
            parameter = self.template.parameters.get(node.name)
            if parameter is None or node.path:
                return ValueType.ANY
            return _PARAMETER_TYPES[parameter.type]
        if isinstance(node, e.AttrRef):
            if node.path or not isinstance(node.attribute, e.Str):
                return ValueType.ANY if node.attribute is not None else ValueType.MAP
            declared = self.attribute_type(node.resource, node.attribute.value)
            return _ATTRIBUTE_TYPES.get(declared or "", ValueType.ANY)
        if isinstance(node, e.Split):
            return ValueType.LIST if node.index is None else ValueType.STRING
        if isinstance(node, e.If):
            if node.otherwise is None:
                return ValueType.ANY
            then, otherwise = self.of(node.then), self.of(node.otherwise)
            return then if then == otherwise else ValueType.ANY
        return ValueType.ANY


def describe(node: e.Expr, kind: ValueType) -> str:
    """How a message names what was given: the literal itself when short, else its type."""
    if isinstance(node, e.Str):
        text = node.value if len(node.value) <= 40 else node.value[:37] + "..."
        return f"the string {text!r}"
    if isinstance(node, e.Int | e.Float):
        return f"the number {node.value}"
    if isinstance(node, e.Bool):
        return f"the boolean {str(node.value).lower()}"
    if isinstance(node, e.Null):
        return "null"
    if isinstance(node, e.ListExpr):
        return "a list"
    if isinstance(node, e.MapExpr):
        return "a map"
    article = "an" if kind in (ValueType.INTEGER,) else "a"
    what = {ValueType.NUMBER: "number"}.get(kind, str(kind))
    return f"{article} {what} ({_source(node)})"


def _source(node: e.Expr) -> str:
    if isinstance(node, e.ParamRef):
        return f"parameter {node.name!r}"
    if isinstance(node, e.AttrRef):
        attribute = node.attribute.value if isinstance(node.attribute, e.Str) else "..."
        return f"attribute {attribute!r} of {node.resource!r}"
    spelling = getattr(node, "spelling", "")
    return f"from {spelling}" if spelling else "computed"


def is_empty_literal(node: e.Expr) -> bool:
    """A literal Python treats as false (Heat skips these in several `if value:` tests)."""
    if isinstance(node, e.Null):
        return True
    if isinstance(node, e.Str | e.Int | e.Float | e.Bool):
        return not node.value
    if isinstance(node, e.ListExpr | e.MapExpr):
        return not node.items
    return False
