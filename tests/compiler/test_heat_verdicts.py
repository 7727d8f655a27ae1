"""Kiln's parameter parsing, custom constraints and property coercion against Heat's verdicts.

heat_verdicts.json was produced by heat_verdicts.py with Heat 27.0.1's own classes; these tests
hold Kiln to it without Heat. With KILN_HEAT_PYTHON pointing at a Python that can import heat,
the last test regenerates the table and checks the committed one is still what Heat says.
"""

import json
import math
import os
import subprocess
from pathlib import Path

import pytest
import verdict_cases as cases

from kiln.compiler import constraints as custom
from kiln.compiler import parameters as params
from kiln.compiler.ir import expr as e
from kiln.compiler.ir import nodes as n
from kiln.compiler.ir.types import ParamType
from kiln.compiler.resource_types import property_schema as ps
from kiln.compiler.resource_types.validator import PropertyValidator

HERE = Path(__file__).parent
TABLE = json.loads((HERE / "heat_verdicts.json").read_text(encoding="utf-8"))


def _constraint(definition: dict) -> n.Constraint:
    description = definition.get("description")
    if "range" in definition:
        return n.Range(description=description, **definition["range"])
    if "length" in definition:
        return n.Length(description=description, **definition["length"])
    if "modulo" in definition:
        return n.Modulo(description=description, **definition["modulo"])
    if "allowed_values" in definition:
        values = tuple(e.literal(v) for v in definition["allowed_values"])
        return n.AllowedValues(values=values, description=description)
    if "allowed_pattern" in definition:
        return n.AllowedPattern(pattern=definition["allowed_pattern"], description=description)
    return n.CustomConstraint(name=definition["custom_constraint"], description=description)


def _same(kiln: object, heat: object) -> bool:
    if isinstance(kiln, float) and isinstance(heat, float) and math.isnan(kiln):
        return math.isnan(heat)
    if isinstance(kiln, str) and isinstance(heat, str) and heat in ("nan", "inf"):
        return kiln == heat
    return kiln == heat and type(kiln) is type(heat)


@pytest.mark.parametrize(
    ("case", "heat"),
    list(zip(cases.PARAMETERS, TABLE["parameters"], strict=True)),
    ids=[f"{c[0]}-{c[2]!r}-{i}" for i, c in enumerate(cases.PARAMETERS)],
)
def test_parameter_verdicts(case: tuple, heat: dict) -> None:
    kind, constraint_defs, value, hidden = case
    parameter = n.Parameter(
        name="p",
        type=ParamType(kind),
        type_spelling=kind,
        hidden=hidden,
        constraints=tuple(_constraint(c) for c in constraint_defs),
    )
    problem = params.check_value(parameter, value)
    if heat["ok"]:
        assert problem is None, problem
        assert _same(params.parse(parameter, value), heat["value"])
        return
    assert problem is not None
    quoted = (f'"{value}"', f"'{value}'", f"{value} is")
    if hidden and any(text in heat["message"] for text in quoted):
        # Heat echoes the value; Kiln never does for a hidden parameter.
        assert params.MASK in problem.message
        assert not any(text in problem.message for text in quoted)
    else:
        assert problem.message == heat["message"]


@pytest.mark.parametrize(
    ("case", "heat"),
    list(zip(cases.CUSTOM, TABLE["custom"], strict=True)),
    ids=[f"{c[0]}-{c[1]!r}"[:60] for c in cases.CUSTOM],
)
def test_custom_constraint_verdicts(case: tuple, heat: dict) -> None:
    name, value = case
    message = custom.check(name, value)
    assert (message is None) == heat["ok"], message


def _schema(definition: dict) -> ps.PropSchema:
    nested = definition.get("schema")
    items = properties = None
    if nested is not None and definition["type"] == "List":
        items = _schema(nested)
    elif nested is not None:
        properties = {key: _schema(value) for key, value in nested.items()}
    return ps.PropSchema(
        type=definition["type"],
        required=definition.get("required", False),
        default=definition.get("default", ps.NO_DEFAULT),
        properties=properties,
        items=items,
        constraints=tuple(_constraint(c) for c in definition.get("constraints", [])),
    )


def _no_evaluation(node: e.Expr, path: tuple) -> object:
    raise AssertionError(f"plain values need no evaluation: {node}")


@pytest.mark.parametrize(
    ("case", "heat"),
    list(zip(cases.PROPERTIES, TABLE["properties"], strict=True)),
    ids=[f"{c[0]['type']}-{c[1]!r}-{i}"[:60] for i, c in enumerate(cases.PROPERTIES)],
)
def test_property_verdicts(case: tuple, heat: dict) -> None:
    definition, value = case
    validator = PropertyValidator(_no_evaluation, lambda node: None, ())  # type: ignore[arg-type]
    validator.value(_schema(definition), value, None, ())
    if heat["ok"]:
        assert validator.findings == []
        return
    assert validator.findings, f"Heat: {heat['message']}"
    first = validator.findings[0]
    assert first.message == heat["message"]
    assert [str(item) for item in first.path] == heat["path"] or not heat["path"]


def test_hidden_values_are_masked() -> None:
    parameter = n.Parameter(
        name="p",
        type=ParamType.STRING,
        type_spelling="string",
        hidden=True,
        constraints=(n.AllowedPattern(pattern="[a-z]+"), n.CustomConstraint(name="ip_addr")),
    )
    problem = params.check_value(parameter, "s3cret!")
    assert problem is not None
    assert "s3cret" not in problem.message and params.MASK in problem.message


@pytest.mark.skipif(
    not os.environ.get("KILN_HEAT_PYTHON"),
    reason="set KILN_HEAT_PYTHON to a Python that can import heat to regenerate the table",
)
def test_table_is_what_heat_says() -> None:
    output = subprocess.run(
        [os.environ["KILN_HEAT_PYTHON"], str(HERE / "heat_verdicts.py")],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    fresh = json.loads(output)
    # Compared as text: NaN is never equal to itself. Expiration dates are kept far from now.
    assert json.dumps(fresh, sort_keys=True) == json.dumps(TABLE, sort_keys=True)
