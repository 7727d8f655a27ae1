"""Heat's parameter semantics (kiln/compiler/parameters.py) beyond the verdict table."""

import pytest

from kiln.compiler import parameters as p
from kiln.compiler.ir import expr as e
from kiln.compiler.ir import nodes as n
from kiln.compiler.ir.types import ParamType


def _parameter(kind: ParamType, *constraints: n.Constraint, hidden: bool = False) -> n.Parameter:
    return n.Parameter(
        name="p", type=kind, type_spelling=str(kind), hidden=hidden, constraints=constraints
    )


@pytest.mark.parametrize(
    ("kind", "constraint", "valid"),
    [
        (ParamType.STRING, n.Range(min=1), False),
        (ParamType.NUMBER, n.Range(min=1), True),
        (ParamType.NUMBER, n.AllowedPattern(pattern="x"), False),
        (ParamType.JSON, n.Length(min=1), True),
        (ParamType.JSON, n.AllowedValues(values=()), False),
        (ParamType.JSON, n.CustomConstraint(name="ip_addr"), False),
        (ParamType.BOOLEAN, n.Length(min=1), False),
        (ParamType.COMMA_DELIMITED_LIST, n.AllowedValues(values=()), True),
    ],
)
def test_constraint_kinds_per_type(kind: ParamType, constraint: n.Constraint, valid: bool) -> None:
    found = p.invalid_constraints(_parameter(kind, constraint))
    assert (not found) == valid
    if found:
        assert found[0][1].endswith(f"constraint invalid for {kind}")


def test_first_failing_constraint_wins_in_order() -> None:
    parameter = _parameter(ParamType.STRING, n.AllowedPattern(pattern="[a-z]*"), n.Length(min=3))
    problem = p.check_value(parameter, "AB")
    assert problem is not None and isinstance(problem.constraint, n.AllowedPattern)


def test_service_backed_and_unknown_custom_constraints_are_not_judged() -> None:
    parameter = _parameter(
        ParamType.STRING, n.CustomConstraint(name="nova.flavor"), n.CustomConstraint(name="nope")
    )
    assert (
        p.check_value(parameter, "anything", known_constraints=frozenset({"nova.flavor"})) is None
    )


def test_hidden_type_errors_do_not_show_the_value() -> None:
    problem = p.check_value(_parameter(ParamType.NUMBER, hidden=True), "hunter2")
    assert problem is not None and problem.kind == "type"
    assert "hunter2" not in problem.message and p.MASK in problem.message


def test_literals_as_heat_sees_them() -> None:
    node = e.literal({"a": [1, True, None], "b": 1.5})
    assert p.to_python(node) == {"a": [1, True, None], "b": 1.5}


def test_pattern_is_anchored_like_heat() -> None:
    # re.match then end == len: 'a|ab' does not accept "ab", though fullmatch would.
    assert not p.pattern_matches("a|ab", "ab")
    assert p.pattern_matches("ab|a", "ab")
    # A pattern Python cannot compile is PAR010's alone: no second error about the value.
    assert p.pattern_matches("[", "x")
