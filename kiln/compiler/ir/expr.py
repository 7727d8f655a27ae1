"""The canonical expression language shared by HOT and CloudFormation.

One node per meaning, not per spelling: `get_param` and CloudFormation's `Ref` to a parameter are
both `ParamRef`; `str_replace`, `Fn::Sub` and `Fn::Replace` are all `Interpolate`. Every function
node keeps `spelling`, the name the user wrote, so diagnostics quote it and a HOT round trip is
faithful; behaviour that differs between spellings or versions is looked up in tables by it.
Spans take no part in equality.
"""

from dataclasses import field
from typing import Literal

from kiln.compiler.ir.frozen import FrozenMap, frozen_dataclass
from kiln.compiler.source import Span


def _span() -> Span | None:
    return field(default=None, compare=False, repr=False)


# --- literals ------------------------------------------------------------------------------


@frozen_dataclass(kw_only=True)
class Str:
    value: str
    span: Span | None = _span()


@frozen_dataclass(kw_only=True)
class Int:
    value: int
    span: Span | None = _span()


@frozen_dataclass(kw_only=True)
class Float:
    value: float
    span: Span | None = _span()


@frozen_dataclass(kw_only=True)
class Bool:
    value: bool
    span: Span | None = _span()


@frozen_dataclass(kw_only=True)
class Null:
    span: Span | None = _span()


@frozen_dataclass(kw_only=True)
class ListExpr:
    items: tuple["Expr", ...]
    span: Span | None = _span()


@frozen_dataclass(kw_only=True)
class MapExpr:
    """A literal mapping. Keys are strings (YAML's `80:` becomes "80"); their spans are kept
    beside the values, in source order, for diagnostics on keys."""

    items: FrozenMap[str, "Expr"]
    key_spans: tuple[Span | None, ...] = field(default=(), compare=False, repr=False)
    span: Span | None = _span()

    def key_span(self, key: str) -> Span | None:
        for position, name in enumerate(self.items):
            if name == key:
                return self.key_spans[position] if position < len(self.key_spans) else None
        return None


# --- references ----------------------------------------------------------------------------


@frozen_dataclass(kw_only=True)
class ParamRef:
    """`get_param: [name, path...]`, or CloudFormation `Ref` to a parameter."""

    name: str
    path: tuple["Expr", ...] = ()
    spelling: str
    span: Span | None = _span()


@frozen_dataclass(kw_only=True)
class ResourceRef:
    """`get_resource: name`, or `Ref` to a resource: the resource's reference id."""

    name: str
    spelling: str
    span: Span | None = _span()


@frozen_dataclass(kw_only=True)
class AttrRef:
    """`get_attr: [resource, attribute, path...]` or `Fn::GetAtt`. `attribute` is None for
    the all-attributes form `get_attr: [resource]` (HOT 2015-10-15 and later)."""

    resource: str
    attribute: "Expr | None"
    path: tuple["Expr", ...] = ()
    spelling: str
    span: Span | None = _span()


@frozen_dataclass(kw_only=True)
class PseudoRef:
    """A pseudo parameter: `AWS::Region`, `AWS::StackName`, `OS::stack_id`, ..."""

    name: str
    spelling: str
    span: Span | None = _span()


@frozen_dataclass(kw_only=True)
class UnresolvedRef:
    """CloudFormation `Ref` before resolve_references binds it (or finds it names nothing)."""

    name: str
    spelling: str
    span: Span | None = _span()


@frozen_dataclass(kw_only=True)
class ConditionRef:
    """A condition named where a boolean is expected (`{Condition: name}`, `if: [name, ...]`)."""

    name: str
    spelling: str
    span: Span | None = _span()


# --- strings and lists ---------------------------------------------------------------------


@frozen_dataclass(kw_only=True)
class Join:
    """`list_join: [delimiter, list, list...]` or `Fn::Join: [delimiter, list]`."""

    delimiter: "Expr"
    lists: tuple["Expr", ...]
    spelling: str
    span: Span | None = _span()


@frozen_dataclass(kw_only=True)
class Interpolate:
    """`str_replace` (and its strict forms), `Fn::Sub`, `Fn::Replace`: a template string with
    bindings. For `Fn::Sub` without a map, `bindings` is None and `${Name}` refers to the
    template's own names."""

    template: "Expr"
    bindings: "Expr | None"
    spelling: str
    span: Span | None = _span()


@frozen_dataclass(kw_only=True)
class Select:
    index: "Expr"
    sequence: "Expr"
    spelling: str
    span: Span | None = _span()


@frozen_dataclass(kw_only=True)
class Split:
    """`str_split: [delimiter, string, index?]` or `Fn::Split: [delimiter, string]`."""

    delimiter: "Expr"
    value: "Expr"
    index: "Expr | None" = None
    spelling: str
    span: Span | None = _span()


@frozen_dataclass(kw_only=True)
class Base64:
    value: "Expr"
    spelling: str
    span: Span | None = _span()


@frozen_dataclass(kw_only=True)
class Digest:
    algorithm: "Expr"
    value: "Expr"
    spelling: str
    span: Span | None = _span()


@frozen_dataclass(kw_only=True)
class ListConcat:
    """`list_concat` / `list_concat_unique` (unique drops repeats)."""

    lists: "Expr"
    unique: bool
    spelling: str
    span: Span | None = _span()


@frozen_dataclass(kw_only=True)
class Filter:
    """`filter: [values_to_remove, list]`."""

    remove: "Expr"
    sequence: "Expr"
    spelling: str
    span: Span | None = _span()


@frozen_dataclass(kw_only=True)
class Contains:
    value: "Expr"
    sequence: "Expr"
    spelling: str
    span: Span | None = _span()


@frozen_dataclass(kw_only=True)
class Length:
    """CloudFormation `Fn::Length` (not in Heat)."""

    value: "Expr"
    spelling: str
    span: Span | None = _span()


@frozen_dataclass(kw_only=True)
class Cidr:
    """CloudFormation `Fn::Cidr: [ip_block, count, cidr_bits]` (not in Heat)."""

    block: "Expr"
    count: "Expr"
    bits: "Expr"
    spelling: str
    span: Span | None = _span()


@frozen_dataclass(kw_only=True)
class ToJsonString:
    """CloudFormation `Fn::ToJsonString` (not in Heat)."""

    value: "Expr"
    spelling: str
    span: Span | None = _span()


# --- maps ----------------------------------------------------------------------------------


@frozen_dataclass(kw_only=True)
class MapMerge:
    maps: "Expr"
    spelling: str
    span: Span | None = _span()


@frozen_dataclass(kw_only=True)
class MapReplace:
    """`map_replace: [map, {keys: {...}, values: {...}}]`."""

    map: "Expr"
    keys: "Expr | None"
    values: "Expr | None"
    spelling: str
    span: Span | None = _span()


@frozen_dataclass(kw_only=True)
class FindInMap:
    """`Fn::FindInMap: [map, top_key, second_key]` (+ the AWS default value form)."""

    map_name: "Expr"
    top_key: "Expr"
    second_key: "Expr"
    default: "Expr | None" = None
    spelling: str
    span: Span | None = _span()


@frozen_dataclass(kw_only=True)
class MemberListToMap:
    """Heat's CFN extension `Fn::MemberListToMap: [key_name, value_name, members]`."""

    key_name: "Expr"
    value_name: "Expr"
    members: "Expr"
    spelling: str
    span: Span | None = _span()


@frozen_dataclass(kw_only=True)
class MakeUrl:
    parts: "Expr"
    spelling: str
    span: Span | None = _span()


# --- control and conditions ----------------------------------------------------------------


@frozen_dataclass(kw_only=True)
class If:
    """`if: [condition, then, else]`; `otherwise` is None in the two-argument form
    (2021-04-16), where a false condition drops the enclosing item."""

    condition: "Expr"
    then: "Expr"
    otherwise: "Expr | None"
    spelling: str
    span: Span | None = _span()


@frozen_dataclass(kw_only=True)
class Equals:
    left: "Expr"
    right: "Expr"
    spelling: str
    span: Span | None = _span()


@frozen_dataclass(kw_only=True)
class And:
    conditions: tuple["Expr", ...]
    spelling: str
    span: Span | None = _span()


@frozen_dataclass(kw_only=True)
class Or:
    conditions: tuple["Expr", ...]
    spelling: str
    span: Span | None = _span()


@frozen_dataclass(kw_only=True)
class Not:
    condition: "Expr"
    spelling: str
    span: Span | None = _span()


@frozen_dataclass(kw_only=True)
class Repeat:
    """`repeat: {for_each: {placeholder: list}, template: ..., permutations: bool}`."""

    template: "Expr"
    for_each: "Expr"
    permutations: "Expr | None" = None
    spelling: str
    span: Span | None = _span()


@frozen_dataclass(kw_only=True)
class Yaql:
    expression: "Expr"
    data: "Expr"
    spelling: str
    span: Span | None = _span()


# --- environment and stack -----------------------------------------------------------------


@frozen_dataclass(kw_only=True)
class GetFile:
    """`get_file: path`; the content is read by the frontend into the unit's file table."""

    path: str
    spelling: str
    span: Span | None = _span()


@frozen_dataclass(kw_only=True)
class GetAZs:
    region: "Expr"
    spelling: str
    span: Span | None = _span()


@frozen_dataclass(kw_only=True)
class ResourceFacade:
    """`resource_facade: metadata|deletion_policy|update_policy` in a provider template."""

    kind: "Expr"
    spelling: str
    span: Span | None = _span()


@frozen_dataclass(kw_only=True)
class ImportValue:
    """CloudFormation `Fn::ImportValue` (not in Heat)."""

    name: "Expr"
    spelling: str
    span: Span | None = _span()


@frozen_dataclass(kw_only=True)
class StackOutput:
    """CloudFormation `Fn::GetStackOutput: {StackName, OutputName, Region?, RoleArn?}`: another
    stack's output, read at deploy time (not in Heat)."""

    arguments: "Expr"
    spelling: str
    span: Span | None = _span()


@frozen_dataclass(kw_only=True)
class Transform:
    """CloudFormation `Fn::Transform: {Name, Parameters}` (a macro; not in Heat)."""

    arguments: "Expr"
    spelling: str
    span: Span | None = _span()


UnknownReason = Literal["unknown", "not-yet", "removed", "bad-arguments"]


@frozen_dataclass(kw_only=True)
class UnknownFn:
    """A function call Kiln could not turn into a canonical node: an unknown name (e.g. from an
    unknown YAML tag), a function this version does not have yet (Heat keeps those as plain
    maps), one it no longer has, or one with arguments of the wrong shape. Never a crash."""

    name: str
    args: "Expr"
    reason: UnknownReason
    span: Span | None = _span()


Scalar = Str | Int | Float | Bool | Null

Expr = (
    Str
    | Int
    | Float
    | Bool
    | Null
    | ListExpr
    | MapExpr
    | ParamRef
    | ResourceRef
    | AttrRef
    | PseudoRef
    | UnresolvedRef
    | ConditionRef
    | Join
    | Interpolate
    | Select
    | Split
    | Base64
    | Digest
    | ListConcat
    | Filter
    | Contains
    | Length
    | Cidr
    | ToJsonString
    | MapMerge
    | MapReplace
    | FindInMap
    | MemberListToMap
    | MakeUrl
    | If
    | Equals
    | And
    | Or
    | Not
    | Repeat
    | Yaql
    | GetFile
    | GetAZs
    | ResourceFacade
    | ImportValue
    | StackOutput
    | Transform
    | UnknownFn
)

SCALAR_TYPES = (Str, Int, Float, Bool, Null)


def literal(value: object, span: Span | None = None) -> Expr:
    """A plain Python value (from JSON, or a -P argument) as a literal expression."""
    if value is None:
        return Null(span=span)
    if isinstance(value, bool):
        return Bool(value=value, span=span)
    if isinstance(value, int):
        return Int(value=value, span=span)
    if isinstance(value, float):
        return Float(value=value, span=span)
    if isinstance(value, str):
        return Str(value=value, span=span)
    if isinstance(value, list | tuple):
        return ListExpr(items=tuple(literal(item, span) for item in value), span=span)
    if isinstance(value, dict):
        return MapExpr(
            items=FrozenMap((str(key), literal(item, span)) for key, item in value.items()),
            span=span,
        )
    return Str(value=str(value), span=span)
