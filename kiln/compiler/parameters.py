"""Heat's parameter value semantics: parsing a value per type, and checking constraints.

Sources (Heat 27.0.1): heat/engine/parameters.py (Schema, NumberParam, BooleanParam,
StringParam, CommaDelimitedListParam, JsonParam, Parameters), heat/engine/hot/parameters.py
(HOTParamSchema), heat/engine/constraints.py (Range, Length, Modulo, AllowedValues,
AllowedPattern, CustomConstraint and their messages), oslo_utils.strutils.bool_from_string.

Heat is permissive and Kiln copies it: a number accepts "1e2", "007" and " 5"; a boolean accepts
on/t/y/0/1/yes/true (any case, surrounding blanks); a comma_delimited_list keeps blanks and
empty items; a json parameter accepts null, 42 and "str". Messages use Heat's wording. A hidden
parameter (HOT `hidden`, CloudFormation `NoEcho`) never shows its value: Heat's '******' stands
in for it.
"""

import json
import numbers
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from kiln.compiler import constraints as custom
from kiln.compiler.ir import expr as e
from kiln.compiler.ir import nodes as n
from kiln.compiler.ir.types import ParamType

MASK: Final = "******"  # Heat's Parameter.__str__ for hidden parameters

TRUE_STRINGS: Final = ("1", "t", "true", "on", "y", "yes")
FALSE_STRINGS: Final = ("0", "f", "false", "off", "n", "no")

# constraints.py valid_types, in parameter types (Schema._is_valid_constraint).
_VALID_TYPES: Final[dict[type, frozenset[ParamType]]] = {
    n.Range: frozenset({ParamType.NUMBER}),
    n.Modulo: frozenset({ParamType.NUMBER}),
    n.Length: frozenset({ParamType.STRING, ParamType.COMMA_DELIMITED_LIST, ParamType.JSON}),
    n.AllowedValues: frozenset(
        {ParamType.STRING, ParamType.NUMBER, ParamType.BOOLEAN, ParamType.COMMA_DELIMITED_LIST}
    ),
    n.AllowedPattern: frozenset({ParamType.STRING}),
    n.CustomConstraint: frozenset(
        {ParamType.STRING, ParamType.NUMBER, ParamType.BOOLEAN, ParamType.COMMA_DELIMITED_LIST}
    ),
}
# The class names Heat's message uses ("Range constraint invalid for string").
_CONSTRAINT_CLASS: Final = {
    n.Range: "Range",
    n.Modulo: "Modulo",
    n.Length: "Length",
    n.AllowedValues: "AllowedValues",
    n.AllowedPattern: "AllowedPattern",
    n.CustomConstraint: "CustomConstraint",
}
# The HOT key of each constraint kind, as diagnostics name it.
CONSTRAINT_KEYS: Final = {
    n.Range: "range",
    n.Modulo: "modulo",
    n.Length: "length",
    n.AllowedValues: "allowed_values",
    n.AllowedPattern: "allowed_pattern",
    n.CustomConstraint: "custom_constraint",
}


class InvalidValue(ValueError):
    """A value Heat cannot read as the parameter's type; the message is Heat's."""


@dataclass(frozen=True, slots=True)
class Problem:
    kind: Literal["type", "constraint"]
    message: str
    constraint: n.Constraint | None = None
    # A non-string value (a YAML/JSON number) under a length or pattern check of a string
    # parameter: Heat's check fails on the Python type; AWS would read the value as text.
    text_expected: bool = False


Shown = Callable[[object], str]


def _plain(value: object) -> str:
    return str(value)


def _masked(value: object) -> str:
    del value
    return MASK


def shown_for(parameter: n.Parameter) -> Shown:
    """How a message shows a value of this parameter."""
    return _masked if parameter.hidden else _plain


def type_name(parameter: n.Parameter) -> str:
    """The type as Heat names it in messages (HOT lower case, or the CloudFormation word)."""
    return parameter.type_spelling or str(parameter.type)


# --- literal expressions as the plain values Heat sees ---------------------------------------


def to_python(node: e.Expr) -> object:
    """A literal expression as the plain value Heat's YAML/JSON loader would give; a function
    call stays the one-key map the template wrote (what Heat sees in data sections)."""
    if isinstance(node, e.Str | e.Int | e.Float | e.Bool):
        return node.value
    if isinstance(node, e.Null):
        return None
    if isinstance(node, e.ListExpr):
        return [to_python(item) for item in node.items]
    if isinstance(node, e.MapExpr):
        return {key: to_python(value) for key, value in node.items.items()}
    return {getattr(node, "spelling", type(node).__name__): "..."}


# --- parsing (Parameter._validate's type checks and Parameter.value) --------------------------


def str_to_num(value: object, shown: Shown = _plain) -> int | float:
    """Schema.str_to_num: numbers as they are (booleans included), else int(), else float()."""
    if isinstance(value, numbers.Number):
        return value  # type: ignore[return-value]  # bool and every Number pass as in Heat
    if isinstance(value, str | bytes):
        try:
            return int(value)
        except ValueError:
            try:
                return float(value)
            except ValueError:
                raise InvalidValue(
                    f"could not convert string to float: {_repr(value, shown)}"
                ) from None
    raise InvalidValue(
        "int() argument must be a string, a bytes-like object or a real number, "
        f"not '{type(value).__name__}'"
    )


def bool_from_string(value: object, shown: Shown = _plain) -> bool:
    """oslo_utils strutils.bool_from_string(value, strict=True)."""
    if isinstance(value, bool):
        return value
    lowered = str(value).strip().lower()
    if lowered in TRUE_STRINGS:
        return True
    if lowered in FALSE_STRINGS:
        return False
    acceptable = ", ".join(f"'{s}'" for s in sorted(TRUE_STRINGS + FALSE_STRINGS))
    raise InvalidValue(f"Unrecognized value '{shown(value)}', acceptable values are: {acceptable}")


def parse_list(value: object) -> list[str]:
    """CommaDelimitedListParam.parse: a list's items as str(), a string split on ','."""
    if isinstance(value, list):
        return [_python_str(item) for item in value]
    if isinstance(value, str):
        return [] if value == "" else value.split(",")
    raise InvalidValue(
        "Value must be a comma-delimited list string: "
        f"'{type(value).__name__}' object has no attribute 'split'"
    )


def parse_json(value: object) -> object:
    """JsonParam.parse: a string is decoded (an empty one stays ''), anything else is
    round-tripped through JSON."""
    if not isinstance(value, str):
        try:
            value = json.dumps(value)
        except (TypeError, ValueError) as error:
            raise InvalidValue(f"Value must be valid JSON: {error}") from None
    if not value:
        return value
    try:
        return json.loads(value)
    except ValueError as error:
        raise InvalidValue(f"Value must be valid JSON: {error}") from None


def parse(parameter: n.Parameter, value: object) -> object:
    """The typed value Heat's Parameter.value() gives for a raw value; raises InvalidValue
    with Heat's message when the raw value is not of the parameter's type."""
    shown = shown_for(parameter)
    kind = parameter.type
    if kind is ParamType.NUMBER:
        return str_to_num(value, shown)
    if kind is ParamType.BOOLEAN:
        bool_from_string(value, shown)  # _validate checks the value itself ...
        return bool_from_string(_python_str(value), shown)  # ... value() reads str() of it
    if kind is ParamType.COMMA_DELIMITED_LIST:
        return parse_list(value)
    if kind is ParamType.JSON:
        return parse_json(value)
    return _python_str(value)  # StringParam.value: to_schema_type -> str()


# --- checking (Parameter._validate and Schema.validate) --------------------------------------


def invalid_constraints(parameter: n.Parameter) -> list[tuple[n.Constraint, str]]:
    """Constraints Heat rejects for this parameter type (Schema.validate):
    "Range constraint invalid for string"."""
    found: list[tuple[n.Constraint, str]] = []
    for constraint in parameter.constraints:
        if parameter.type not in _VALID_TYPES[type(constraint)]:
            name = _CONSTRAINT_CLASS[type(constraint)]
            found.append((constraint, f"{name} constraint invalid for {type_name(parameter)}"))
    return found


def check_value(
    parameter: n.Parameter,
    value: object,
    *,
    custom_constraints: bool = True,
    known_constraints: frozenset[str] | None = None,
) -> Problem | None:
    """Heat's Parameter._validate for one raw value: the type first, then the constraints in
    declaration order (the first failure wins, as in Heat). Constraints Heat rejects for the
    type are skipped (reported once elsewhere); service-backed custom constraints are left for
    deploy time, and unknown ones (not in `known_constraints`) are reported elsewhere."""
    shown = shown_for(parameter)
    try:
        parsed = parse(parameter, value)
    except InvalidValue as error:
        return Problem("type", str(error))
    # Heat validates lists and json on the parsed value, the others on the raw one.
    subject = (
        parsed if parameter.type in (ParamType.COMMA_DELIMITED_LIST, ParamType.JSON) else value
    )
    valid = _VALID_TYPES
    for constraint in parameter.constraints:
        if parameter.type not in valid[type(constraint)]:
            continue
        if isinstance(constraint, n.CustomConstraint):
            if not custom_constraints or not custom.is_pure(constraint.name):
                continue
            if known_constraints is not None and constraint.name not in known_constraints:
                continue
        message = constraint_message(constraint, subject, _SCHEMA_TYPE[parameter.type], shown)
        if message is not None:
            text_expected = not isinstance(subject, str) and isinstance(
                constraint, n.Length | n.AllowedPattern
            )
            return Problem("constraint", message, constraint, text_expected)
    return None


def constraint_message(
    constraint: n.Constraint,
    value: object,
    convert: Callable[[object, Shown], object],
    shown: Shown = _plain,
) -> str | None:
    """None when `value` satisfies `constraint`, else Heat's message (the constraint's
    description when it has one, as Constraint.validate does). `convert` is the schema's
    to_schema_type, which AllowedValues compares through."""
    try:
        failure = _failure(constraint, value, convert, shown)
    except InvalidValue as error:
        failure = str(error)
    except (TypeError, ValueError) as error:  # Heat lets these escape with this text
        failure = str(error)
    if failure is None:
        return None
    return constraint.description or failure


def _failure(
    constraint: n.Constraint,
    value: object,
    convert: Callable[[object, Shown], object],
    shown: Shown,
) -> str | None:
    if isinstance(constraint, n.Range):
        number = str_to_num(value, shown)
        if _outside(number, constraint.min, constraint.max):
            return f"{shown(value)} is out of range (min: {constraint.min}, max: {constraint.max})"
        return None
    if isinstance(constraint, n.Length):
        length = len(value)  # type: ignore[arg-type]  # TypeError for a number, as in Heat
        if _outside(length, constraint.min, constraint.max):
            return (
                f"length ({length}) is out of range (min: {constraint.min}, max: {constraint.max})"
            )
        return None
    if isinstance(constraint, n.Modulo):
        number = str_to_num(value, shown)
        if number % constraint.step != constraint.offset:
            return (
                f"{shown(value)} is not a multiple of {constraint.step} "
                f"with an offset of {constraint.offset}"
            )
        return None
    if isinstance(constraint, n.AllowedValues):
        allowed = [to_python(item) for item in constraint.values]
        if _allowed(value, allowed, convert, shown):
            return None
        listed = ", ".join(json.dumps(item) for item in allowed)
        dumped = json.dumps(MASK) if shown is _masked else json.dumps(value)
        return f"{dumped} is not an allowed value [{listed}]"
    if isinstance(constraint, n.AllowedPattern):
        if pattern_matches(constraint.pattern, value):
            return None
        return f'"{shown(value)}" does not match pattern "{constraint.pattern}"'
    if not custom.is_pure(constraint.name):
        return f'"{shown(value)}" does not validate {constraint.name} (constraint not found)'
    return custom.check(constraint.name, value, None if shown is _plain else MASK)


def _outside(number: float, low: float | None, high: float | None) -> bool:
    return (low is not None and number < low) or (high is not None and number > high)


def _allowed(
    value: object,
    allowed: Sequence[object],
    convert: Callable[[object, Shown], object],
    shown: Shown,
) -> bool:
    """AllowedValues._is_valid: list items as they are; scalars after to_schema_type."""
    if isinstance(value, list):
        return all(item in allowed for item in value)
    return convert(value, shown) in [convert(item, shown) for item in allowed]


def _to_bool(value: object, shown: Shown) -> object:
    try:
        return bool_from_string(_python_str(value), shown)
    except InvalidValue:
        raise InvalidValue(f'Value "{shown(value)}" is invalid for data type "Boolean".') from None


def _to_number(value: object, shown: Shown) -> object:
    try:
        return str_to_num(value, shown)
    except InvalidValue:
        raise InvalidValue(f'Value "{shown(value)}" is invalid for data type "Number".') from None


# Schema.to_schema_type per parameter type (json and lists keep the value).
_SCHEMA_TYPE: Final[dict[ParamType, Callable[[object, Shown], object]]] = {
    ParamType.STRING: lambda value, shown: _python_str(value),
    ParamType.NUMBER: _to_number,
    ParamType.BOOLEAN: _to_bool,
    ParamType.COMMA_DELIMITED_LIST: lambda value, shown: value,
    ParamType.JSON: lambda value, shown: value,
}

_PATTERNS: dict[str, re.Pattern[str] | None] = {}


def pattern_matches(pattern: str, value: object) -> bool:
    """AllowedPattern._is_valid: re.match, then the match must reach the end (not fullmatch:
    with alternations the two differ). A pattern Python cannot compile says nothing of the
    value: Heat fails to build the constraint before any value is checked, and
    validate_parameters reports the pattern itself (PAR010), once."""
    if pattern not in _PATTERNS:
        try:
            _PATTERNS[pattern] = re.compile(pattern)
        except re.error:
            _PATTERNS[pattern] = None
    compiled = _PATTERNS[pattern]
    if compiled is None:
        return True
    match = compiled.match(value)  # type: ignore[call-overload]  # TypeError as in Heat
    return match is not None and match.end() == len(value)  # type: ignore[arg-type]


# --- Python's own text for values, as Heat's str() gives it ----------------------------------


def _python_str(value: object) -> str:
    """str() of a value as Python (and so Heat) writes it: True, 1.5, [1, 'a'], {'k': 1}."""
    return str(value)


def _repr(value: object, shown: Shown) -> str:
    return repr(value) if shown is _plain else repr(MASK)
