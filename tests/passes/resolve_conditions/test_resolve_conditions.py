"""resolve_conditions: inline-expect cases (CND codes), and the facts it records."""

from pathlib import Path

import pytest
from kiln_testing import check_case

from kiln.compiler.driver import CompileOptions, compile_file
from kiln.compiler.evaluate import Unknown

CASES_DIR = Path(__file__).parent / "cases"
CASES = sorted(p for p in CASES_DIR.iterdir() if p.suffix in (".yaml", ".json"))


@pytest.mark.parametrize("path", CASES, ids=[p.name for p in CASES])
def test_case(path, registries):
    check_case(path, registries)


def _facts(name: str, registries, **options):
    result = compile_file(str(CASES_DIR / name), registries, CompileOptions(**options))
    assert result.unit is not None
    return result.unit.facts_of(result.unit.root)


def test_good_conditions_facts(registries):
    facts = _facts("good_conditions.yaml", registries)
    assert dict(facts.conditions) == {
        "is_prod": True,
        "is_dev": False,
        "flagged": True,
        "both": True,
        "either": True,
        "computed": True,
    }
    assert facts.disabled == {"dev_box", "inline_box"}


def test_parameters_given_change_the_facts(registries):
    facts = _facts("good_conditions.yaml", registries, parameters=(("env", "dev"),))
    assert facts.conditions["is_prod"] is False and facts.conditions["is_dev"] is True
    assert facts.disabled == {"prod_box", "inline_box"}


def test_cfn_facts(registries):
    facts = _facts("good_cfn_conditions.yaml", registries)
    assert dict(facts.conditions) == {"IsProd": True, "IsDev": False, "Big": True, "Either": True}
    assert facts.disabled == {"DevBox"}


def test_cycle_and_undefined_names_are_unknown(registries):
    facts = _facts("bad_condition_cycle.yaml", registries)
    assert all(isinstance(value, Unknown) for value in facts.conditions.values())
    assert facts.disabled == frozenset()  # an Unknown condition disables nothing
