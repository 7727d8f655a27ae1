"""The Expr-aware property validator: a resource's properties against its type's schema.

It walks the properties as written (literal maps and lists keep their own spans, so a problem
deep in `networks[1].fixed_ip` points there) and, where the template calls a function, checks
what the function evaluates to: a concrete value goes through Heat's coercion and constraints
(property_schema.py); an Unknown (a resource attribute, a parameter without a value) only has
to have a type the property can take.

Kiln is stricter than `openstack orchestration template validate` (which checks no values:
strict_validate=False in heat/engine/service.py) and as strict as `stack create`
(heat/engine/properties.py Properties.validate(with_value=True)), where values are known.
It also reports every problem, where Heat stops at the first.
"""

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Final, Literal

from kiln.compiler.diagnostics import Diagnostic
from kiln.compiler.evaluate import Evaluator
from kiln.compiler.evaluate.parameters import literal_value
from kiln.compiler.evaluate.values import Absent, Unknown, Value
from kiln.compiler.ir import expr as e
from kiln.compiler.ir.frozen import frozen_dataclass
from kiln.compiler.ir.nodes import Template
from kiln.compiler.ir.types import ValueType
from kiln.compiler.ir.visit import transform
from kiln.compiler.names import suggest
from kiln.compiler.parameters import MASK
from kiln.compiler.resource_types import property_schema as ps
from kiln.compiler.resource_types.rules import UNKNOWN
from kiln.compiler.source import Span

Path = tuple[str | int, ...]
# The value of an expression; Absent where a false two-argument `if` drops it (Heat).
Evaluate = Callable[[e.Expr, Path], Value | Absent]
Kind = Literal[
    "unknown-property", "missing-property", "type", "constraint", "deprecated",
    "not-implemented", "conflict",
]  # fmt: skip


@frozen_dataclass
class Finding:
    kind: Kind
    path: Path  # below the resource's properties section
    span: Span | None
    message: str
    name: str = ""
    hint: str = ""
    # For a deprecated property Heat renames (translation rules): the new name, when the
    # map does not already give it (then the rename is a safe fix).
    replacement: str = ""


# Which value types a property type can take when the value itself is not known yet
# (Property.get_value's conversions: ints and bools are Strings, "5" is an Integer, ...).
_ACCEPTS: Final[dict[str, frozenset[ValueType]]] = {
    ps.STRING: frozenset(
        {ValueType.STRING, ValueType.NUMBER, ValueType.INTEGER, ValueType.BOOLEAN}
    ),
    ps.INTEGER: frozenset(
        {ValueType.STRING, ValueType.NUMBER, ValueType.INTEGER, ValueType.BOOLEAN}
    ),
    ps.NUMBER: frozenset(
        {ValueType.STRING, ValueType.NUMBER, ValueType.INTEGER, ValueType.BOOLEAN}
    ),
    ps.BOOLEAN: frozenset({ValueType.STRING, ValueType.BOOLEAN}),
    ps.MAP: frozenset({ValueType.MAP}),
    ps.LIST: frozenset({ValueType.LIST}),
}
_ALWAYS: Final = frozenset({ValueType.ANY, ValueType.NULL})
_LITERALS: Final = (e.Str, e.Int, e.Float, e.Bool, e.Null, e.ListExpr, e.MapExpr)


# What the evaluator yields for a false two-argument `if` (the value drops out).
_ABSENT: Final[type] = Absent


# A value inside a list or map that is not known (for messages, constraints and rules).
OPAQUE: Final = UNKNOWN


def accepts(schema: ps.PropSchema, value_type: ValueType) -> bool:
    """Whether a value of this type could be valid for the property (Unknown values)."""
    if schema.type == ps.ANY or value_type in _ALWAYS:
        return True
    allowed = _ACCEPTS[schema.type]
    if schema.allow_conversion and schema.type in (ps.MAP, ps.LIST):
        allowed = (
            allowed
            | {ValueType.STRING}
            | ({ValueType.LIST} if schema.type == ps.MAP else frozenset())
        )
    return value_type in allowed


class PropertyValidator:
    """One resource's properties. `renames` maps a map's schema path (list items as '*') to
    the deprecated names Heat's translation rules move to new ones there."""

    def __init__(
        self,
        evaluate: Evaluate,
        attribute_type: Callable[[e.AttrRef], ValueType],
        base: Path,
        renames: Mapping[tuple[str, ...], Mapping[str, str]] | None = None,
        secrets: Iterable[str] = (),
    ) -> None:
        self.evaluate = evaluate
        self.attribute_type = attribute_type
        self.base = base
        self.renames = renames or {}
        # Values of hidden parameters: never shown in a message, whatever carried them here.
        self.secrets = sorted((s for s in secrets if s), key=len, reverse=True)
        self.findings: list[Finding] = []

    # --- entry points ------------------------------------------------------------------------

    def validate(
        self, schema: ps.ObjectSchema, properties: e.Expr | None, span: Span | None
    ) -> None:
        node: object = properties if properties is not None else {}
        self.properties(schema, node, span, (), ())

    def value(self, schema: ps.PropSchema, node: object, span: Span | None, path: Path) -> None:
        """Check one value (an expression or a plain value) against a property schema."""
        self._value(schema, node, span, path, ())

    # --- maps of properties ------------------------------------------------------------------

    def properties(
        self,
        schema: ps.ObjectSchema,
        node: object,
        span: Span | None,
        path: Path,
        where: tuple[str, ...],
    ) -> None:
        node, span = self._resolve(node, span, path)
        if isinstance(node, _ABSENT):
            node = {}  # a false two-argument `if` (or AWS::NoValue): no properties at all
        if isinstance(node, Unknown):
            if not (node.type in _ALWAYS or node.type is ValueType.MAP):
                self._add("type", path, span, f"{_unknown(node)}; the properties need a Map")
            return
        if not isinstance(node, e.MapExpr | dict):
            self._add("type", path, span, f'"{_shown(node)}" is not a map')
            return
        entries: list[tuple[str, object, Span | None]] = []
        written = list(_entries(node, span))
        keys = {key for key, _, _ in written}  # with nulls and dropped values: a rename target
        for key, value, key_span in written:
            settled, _ = self._settle(value, key_span, (*path, key))
            if not isinstance(settled, _ABSENT):
                entries.append((key, settled, key_span))
        present = {key for key, value, _ in entries if not _is_null(value)}
        renames = self.renames.get(where, {})
        for key, value, key_span in entries:
            child = schema.properties.get(key)
            if child is None:
                hint = suggest(key, list(schema.properties))
                message = f"Unknown Property {key}"
                self._add("unknown-property", (*path, key), key_span, message, name=key, hint=hint)
                continue
            self._support(key, child, key_span, (*path, key), renames, keys)
            if not child.implemented:
                message = f"Property {key} not implemented yet"
                self._add("not-implemented", (*path, key), key_span, message, name=key)
            if key in renames:
                # Heat skips the replaced name and validates its value under the new one.
                target = schema.properties.get(renames[key])
                if renames[key] in present:
                    message = (
                        "Cannot define the following properties at the same time: "
                        f"{renames[key]}, {key}"
                    )
                    self._add("conflict", (*path, key), key_span, message, name=key)
                if target is not None:
                    self._value(target, value, _span(value, key_span), (*path, key), where)
                continue
            self._value(child, value, _span(value, key_span), (*path, key), (*where, key))
        replaced = {new for old, new in renames.items() if old in present}
        entry_keys = {key for key, _, _ in entries}
        for name, child in schema.properties.items():
            given = name in present or name in replaced or name in entry_keys
            if child.required and not child.has_default and not given:
                message = f"Property {name} not assigned"
                self._add("missing-property", (*path, name), span, message, name=name)

    def _support(
        self,
        key: str,
        schema: ps.PropSchema,
        span: Span | None,
        path: Path,
        renames: Mapping[str, str],
        keys: set[str],
    ) -> None:
        status = schema.support
        if status.status not in ("DEPRECATED", "HIDDEN", "UNSUPPORTED"):
            return
        replacement = renames.get(key)
        message = status.message or ""
        hint = (
            f"; use {replacement!r} instead" if replacement and replacement not in message else ""
        )
        rename = replacement if replacement and replacement not in keys else ""
        self._add("deprecated", path, span, message, name=key, hint=hint, replacement=rename)

    # --- values ------------------------------------------------------------------------------

    def _value(
        self,
        schema: ps.PropSchema,
        node: object,
        span: Span | None,
        path: Path,
        where: tuple[str, ...],
    ) -> None:
        node, span = self._resolve(node, span, path)
        if isinstance(node, _ABSENT):
            return
        if isinstance(node, Unknown):
            if not accepts(schema, node.type):
                message = f"{_unknown(node)}, but the property is a {schema.type}"
                self._add("type", path, span, message)
            return
        if schema.type == ps.LIST and isinstance(node, e.ListExpr | list):
            self._list(schema, node, span, path, where)
            return
        if schema.type == ps.MAP and isinstance(node, e.MapExpr | dict):
            if schema.properties is not None:
                self.properties(ps.ObjectSchema(schema.properties), node, span, path, where)
            self._constraints(schema, self.concrete(node, path), span, path)
            return
        value = self.concrete(node, path)
        try:
            coerced = ps.coerce(schema, value)
        except ps.PropertyError as error:
            self._add("type", path, span, str(error))
            return
        if schema.type == ps.LIST and isinstance(coerced, list) and schema.items is not None:
            for index, item in enumerate(coerced):
                self._value(schema.items, item, span, (*path, index), (*where, "*"))
        self._constraints(schema, coerced, span, path)

    def _list(
        self,
        schema: ps.PropSchema,
        node: e.ListExpr | list[object],
        span: Span | None,
        path: Path,
        where: tuple[str, ...],
    ) -> None:
        items: list[object] = list(node.items) if isinstance(node, e.ListExpr) else node
        for index, item in enumerate(items):
            item, _ = self._settle(item, span, (*path, index))
            if isinstance(item, _ABSENT):
                continue
            if schema.items is not None:
                self._value(schema.items, item, _span(item, span), (*path, index), (*where, "*"))
        # 2-argument `if` items may vanish: the length is only known without functions.
        if all(isinstance(item, _LITERALS) or not isinstance(item, e.Expr) for item in items):
            self._constraints(schema, self.concrete(node, path), span, path)

    def _constraints(
        self, schema: ps.PropSchema, value: object, span: Span | None, path: Path
    ) -> None:
        if not schema.constraints or _has_opaque(value):
            return
        message = ps.constraint_failure(schema, value)
        if message is not None:
            self._add("constraint", path, span, message)

    # --- expressions -------------------------------------------------------------------------

    def _settle(self, node: object, span: Span | None, path: Path) -> tuple[object, Span | None]:
        """An `if` resolved now, so a false two-argument one can drop its key or item."""
        if isinstance(node, e.If):
            return self._resolve(node, span, path)
        return node, span

    def _resolve(self, node: object, span: Span | None, path: Path) -> tuple[object, Span | None]:
        """A function call as the value it evaluates to (get_attr as its attribute's type)."""
        if not isinstance(node, e.Expr) or isinstance(node, _LITERALS):
            return node, span
        where = _span(node, span)
        if isinstance(node, e.AttrRef):
            return Unknown(self.attribute_type(node), _describe(node)), where
        if isinstance(node, e.UnknownFn):
            # Reported by check_functions (FN001/FN002); Heat would see a one-key map.
            return Unknown(ValueType.ANY, node.name), where
        return self.evaluate(node, (*self.base, *path)), where

    def concrete(self, node: object, path: Path = ()) -> object:
        """A plain Python value for messages and constraints; unknown parts become OPAQUE.
        `path` (below the properties) is where functions inside are evaluated."""
        if isinstance(node, e.Str | e.Int | e.Float | e.Bool):
            return node.value
        if isinstance(node, e.Null):
            return None
        if isinstance(node, e.ListExpr | list):
            items = node.items if isinstance(node, e.ListExpr) else node
            values = (self.concrete(item, (*path, i)) for i, item in enumerate(items))
            return [value for value in values if not isinstance(value, _ABSENT)]
        if isinstance(node, e.MapExpr | dict):
            entries = node.items.items() if isinstance(node, e.MapExpr) else node.items()
            pairs = ((key, self.concrete(value, (*path, key))) for key, value in entries)
            return {key: value for key, value in pairs if not isinstance(value, _ABSENT)}
        if isinstance(node, e.Expr):
            resolved, _ = self._resolve(node, None, path)
            return OPAQUE if isinstance(resolved, Unknown) else self.concrete(resolved, path)
        if isinstance(node, Unknown):
            return OPAQUE
        return node

    def _add(
        self,
        kind: Kind,
        path: Path,
        span: Span | None,
        message: str,
        *,
        name: str = "",
        hint: str = "",
        replacement: str = "",
    ) -> None:
        for secret in self.secrets:
            message = message.replace(secret, MASK)
        self.findings.append(Finding(kind, path, span, message, name, hint, replacement))


def heat_properties(schema: ps.ObjectSchema, values: Mapping[str, object]) -> dict[str, object]:
    """The properties as a plugin's validate() reads them (`self.properties[name]`,
    heat/engine/properties.py Properties._get_property_value): every property of the schema,
    a given value coerced by Property.get_value (an explicit null becomes the default or the
    type's empty value: a null String is '', which `is not None`), an absent one its default
    or None; maps with a schema and lists of them the same way inside (_get_children).
    `values` are plain values with OPAQUE where unknown; what coercion rejects stays as it
    is (the type error is reported by the validator)."""
    found: dict[str, object] = {
        key: value for key, value in values.items() if key not in schema.properties
    }
    for name, child in schema.properties.items():
        if name in values:
            found[name] = _heat_value(child, values[name])
        elif child.has_default:
            found[name] = _heat_value(child, None)
        else:
            found[name] = None
    return found


def _heat_value(schema: ps.PropSchema, value: object) -> object:
    if value is OPAQUE:
        return value
    try:
        coerced = ps.coerce(schema, value)
    except ps.PropertyError:
        return value
    if schema.properties is not None and isinstance(coerced, Mapping):
        return heat_properties(ps.ObjectSchema(schema.properties), coerced)
    if schema.items is not None and isinstance(coerced, list):
        return [_heat_value(schema.items, item) for item in coerced]
    return coerced


def _entries(
    node: e.MapExpr | dict[str, object], span: Span | None
) -> Iterator[tuple[str, object, Span | None]]:
    if isinstance(node, e.MapExpr):
        for key, item in node.items.items():
            yield key, item, node.key_span(key) or item.span or span
    else:
        for key, value in node.items():
            yield str(key), value, span


def _is_null(node: object) -> bool:
    return node is None or isinstance(node, e.Null)


def _span(node: object, fallback: Span | None) -> Span | None:
    own: Span | None = getattr(node, "span", None) if isinstance(node, e.Expr) else None
    return own or fallback


def _has_opaque(value: object) -> bool:
    if value is OPAQUE:
        return True
    if isinstance(value, list):
        return any(_has_opaque(item) for item in value)
    if isinstance(value, dict):
        return any(_has_opaque(item) for item in value.values())
    return False


def _shown(node: object) -> str:
    """A value as Heat's message prints it (str() of the plain value: `[1, 2]`, `None`)."""
    if isinstance(node, e.Str | e.Int | e.Float | e.Bool | e.Null | e.ListExpr | e.MapExpr):
        return str(literal_value(node))
    return str(node)


def _unknown(value: Unknown) -> str:
    reason = f" ({value.reason})" if value.reason else ""
    return f"the value is a {value.type}{reason}"


def _describe(node: e.AttrRef) -> str:
    attribute = node.attribute.value if isinstance(node.attribute, e.Str) else "..."
    path = "".join(
        f".{item.value}" if isinstance(item, e.Str | e.Int) else ".?" for item in node.path
    )
    return f"get_attr {node.resource}.{attribute}{path}"


# --- evaluation: the shared evaluator, or literal values where it is not there --------------

_ATTRIBUTE_TYPES: Final = {
    "string": ValueType.STRING,
    "map": ValueType.MAP,
    "list": ValueType.LIST,
    "integer": ValueType.INTEGER,
    "number": ValueType.NUMBER,
    "boolean": ValueType.BOOLEAN,
}


def attribute_typer(schemas: Any) -> Callable[[str, str], ValueType]:
    """(resource type, attribute) -> the attribute's declared type (ANY when undeclared, for
    provider templates and for dynamic attributes such as ResourceGroup's resource.0)."""

    def attribute_type(type_name: str, attribute: str) -> ValueType:
        schema = schemas.get(type_name) or schemas.get(schemas.resolve_alias(type_name))
        found = schema.attribute(attribute) if schema is not None else None
        kind = found.get("type") if found is not None else None
        return _ATTRIBUTE_TYPES.get(kind, ValueType.ANY) if isinstance(kind, str) else ValueType.ANY

    return attribute_type


def make_evaluate(
    template: Template,
    parameters: Mapping[str, Value],
    conditions: Mapping[str, bool | Unknown] | None,
    files: Mapping[str, str],
    attribute_type: Callable[[str, str], ValueType],
) -> tuple[Evaluate, list[Diagnostic]]:
    """The evaluator the passes share, as a function (expression, path) -> value, plus the
    list its diagnostics go to."""
    evaluator = Evaluator(
        template,
        parameters=parameters,
        conditions=conditions or None,
        resource_data=None,
        files=files,
        attribute_type=attribute_type,
    )
    return evaluator.evaluate_item, evaluator.diagnostics


# --- group members -------------------------------------------------------------------------

DEFAULT_INDEX_VAR: Final = "%index%"


def index_var(group: e.MapExpr) -> str | None:
    """ResourceGroup's `index_var` (default %index%); None when it is not a literal."""
    node = group.items.get("index_var")
    if node is None or isinstance(node, e.Null):
        return DEFAULT_INDEX_VAR
    return node.value if isinstance(node, e.Str) else None


def with_index(node: e.Expr, variable: str | None, name: str = "0") -> e.Expr:
    """The member definition as ResourceGroup.build_resource_definition makes it for member
    `name`: index_var replaced in every string (_handle_repl_val), here the literal ones."""
    if not variable:
        return node

    def replace(item: e.Expr) -> e.Expr:
        if isinstance(item, e.Str) and variable in item.value:
            return e.Str(value=item.value.replace(variable, name), span=item.span)
        return item

    return transform(node, replace)
