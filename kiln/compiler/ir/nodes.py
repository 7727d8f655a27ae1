"""Template-level IR nodes: one shape for HOT and CloudFormation.

Frozen, slotted value types; spans take no part in equality. Facts computed by passes live in
side tables on the compilation unit, never on these nodes.
"""

from dataclasses import field
from typing import Literal

from kiln.compiler.ir.expr import Expr, Str
from kiln.compiler.ir.frozen import FrozenMap, frozen_dataclass
from kiln.compiler.ir.types import ParamType
from kiln.compiler.source import Span

Dialect = Literal["hot", "cfn"]


def _span() -> Span | None:
    return field(default=None, compare=False, repr=False)


# --- parameter constraints (Heat's vocabulary; CloudFormation's keys map onto it) ----------


@frozen_dataclass(kw_only=True)
class Length:
    min: int | float | None = None
    max: int | float | None = None
    description: str | None = None
    span: Span | None = _span()


@frozen_dataclass(kw_only=True)
class Range:
    min: int | float | None = None
    max: int | float | None = None
    description: str | None = None
    span: Span | None = _span()


@frozen_dataclass(kw_only=True)
class Modulo:
    step: int | float
    offset: int | float
    description: str | None = None
    span: Span | None = _span()


@frozen_dataclass(kw_only=True)
class AllowedValues:
    values: tuple[Expr, ...]
    description: str | None = None
    span: Span | None = _span()


@frozen_dataclass(kw_only=True)
class AllowedPattern:
    pattern: str
    description: str | None = None
    span: Span | None = _span()


@frozen_dataclass(kw_only=True)
class CustomConstraint:
    name: str
    description: str | None = None
    span: Span | None = _span()


Constraint = Length | Range | Modulo | AllowedValues | AllowedPattern | CustomConstraint


# --- sections --------------------------------------------------------------------------------


@frozen_dataclass(kw_only=True)
class Parameter:
    """`type_spelling` keeps what the user wrote (`CommaDelimitedList`,
    `List<AWS::EC2::Subnet::Id>`)."""

    name: str
    type: ParamType
    type_spelling: str
    default: Expr | None = None
    description: str | None = None
    label: str | None = None
    hidden: bool = False
    immutable: bool = False
    tags: tuple[str, ...] = ()
    constraints: tuple[Constraint, ...] = ()
    name_span: Span | None = _span()  # the key naming it
    span: Span | None = _span()


@frozen_dataclass(kw_only=True)
class ParameterGroup:
    label: str | None
    description: str | None
    parameters: tuple[Str, ...]
    # Where `parameters` is written; None when the key is absent or has no value (Heat tells
    # that apart from `parameters: []`).
    parameters_span: Span | None = _span()
    span: Span | None = _span()


@frozen_dataclass(kw_only=True)
class Resource:
    """`type` keeps the upstream spelling (`OS::Nova::Server`, or a provider template path)."""

    name: str
    type: str
    properties: Expr | None = None
    depends_on: tuple[Str, ...] = ()
    condition: Expr | None = None
    deletion_policy: Expr | None = None
    update_policy: Expr | None = None
    metadata: Expr | None = None
    external_id: Expr | None = None
    description: str | None = None
    # CloudFormation-only attributes Heat ignores; kept so converters can say what they drop.
    creation_policy: Expr | None = None
    update_replace_policy: Expr | None = None
    type_span: Span | None = _span()
    name_span: Span | None = _span()  # the key naming it
    span: Span | None = _span()


@frozen_dataclass(kw_only=True)
class Output:
    name: str
    value: Expr | None
    description: str | None = None
    condition: Expr | None = None
    export: Expr | None = None
    name_span: Span | None = _span()  # the key naming it
    span: Span | None = _span()


@frozen_dataclass(kw_only=True)
class Condition:
    name: str
    expr: Expr
    span: Span | None = _span()


@frozen_dataclass(kw_only=True)
class Mapping:
    """A CloudFormation mapping: top-level key -> second-level key -> value."""

    name: str
    entries: Expr
    span: Span | None = _span()


@frozen_dataclass(kw_only=True)
class Template:
    """One template file. `version` is canonical (a HOT date, `2010-09-09`, `2012-12-12`, or
    "" for a CloudFormation template without a version key); `version_spelling` keeps what the
    user wrote (`rocky`)."""

    dialect: Dialect
    version: str
    version_spelling: str
    file: str
    description: str | None = None
    parameters: FrozenMap[str, Parameter] = field(default_factory=FrozenMap)
    parameter_groups: tuple[ParameterGroup, ...] = ()
    mappings: FrozenMap[str, Mapping] = field(default_factory=FrozenMap)
    conditions: FrozenMap[str, Condition] = field(default_factory=FrozenMap)
    resources: FrozenMap[str, Resource] = field(default_factory=FrozenMap)
    outputs: FrozenMap[str, Output] = field(default_factory=FrozenMap)
    metadata: Expr | None = None
    # CloudFormation sections Heat does not have, kept for converters and diagnostics.
    transform: Expr | None = None
    rules: Expr | None = None
    span: Span | None = _span()
