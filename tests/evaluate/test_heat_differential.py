"""Kiln's evaluator against Heat 27 itself: every case of the table resolved by Heat's engine
in-process (heat_snippets.py, run once with KILN_HEAT_PYTHON, JSON in and out).

Heat's answer must be Kiln's expected value (or an error carrying the same message, where Kiln
expects a diagnostic), except for the cases marked `heat=H(answer, reason)`: those are the
intentional differences, each with its reason, and Heat must give exactly that other answer.
The resources each case enables (conditions) are compared too.
"""

import json
import os
import subprocess
from pathlib import Path

import pytest
from kiln_answers import kiln_answer, same
from snippets import E, H, HeatError, U
from test_evaluate import CASES

from kiln.compiler.evaluate import Unknown

HEAT_PYTHON = os.environ.get("KILN_HEAT_PYTHON")
SCRIPT = Path(__file__).with_name("heat_snippets.py")

pytestmark = pytest.mark.skipif(
    not HEAT_PYTHON,
    reason="set KILN_HEAT_PYTHON to a Python that imports openstack-heat 27 "
    "(e.g. .venv-heat/bin/python) to compare the evaluator with Heat",
)

# The intentional differences, by reason (the cases say which and why).
INTENTIONAL = {case.id: case.heat.reason for case in CASES if isinstance(case.heat, H)}


@pytest.fixture(scope="module")
def heat_answers() -> dict[str, dict]:
    request = {
        "cases": [
            {
                "id": case.id,
                "template": case.template(),
                "params": case.params,
                "resource_data": case.resource_data,
                "files": case.files,
            }
            for case in CASES
        ]
    }
    process = subprocess.run(
        [str(HEAT_PYTHON), str(SCRIPT)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        check=False,
    )
    assert process.returncode == 0, process.stderr[-4000:]
    return json.loads(process.stdout)


def _check_heat(expected, heat: dict) -> None:
    if isinstance(expected, HeatError):
        assert "error" in heat, f"Heat gave {heat.get('value')!r}, not an error"
        assert expected.text in heat["error"], heat["error"]
    else:
        assert "value" in heat, f"Heat failed: {heat['error']}"
        assert same(heat["value"], expected), f"Heat gave {heat['value']!r}"


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_same_answer_as_heat(case, heat_answers, tmp_path, registries):
    answer = heat_answers[case.id]
    assert answer["outputs"], answer["validate_error"]
    heat = answer["outputs"]["result"]
    if isinstance(case.heat, H):
        _check_heat(case.heat.answer, heat)
    elif isinstance(case.expected, E):
        _check_heat(HeatError(case.expected.heat_text), heat)
    else:
        assert not isinstance(case.expected, U), "a Kiln Unknown needs heat=H(answer, reason)"
        _check_heat(case.expected, heat)
    kiln = kiln_answer(case, tmp_path, registries)
    if isinstance(answer["enabled"], list) and not any(
        isinstance(v, Unknown) for v in kiln.enabled.values()
    ):
        assert sorted(n for n, v in kiln.enabled.items() if v) == answer["enabled"]
    # Every named condition: Heat's boolean, or Unknown where Heat fails on that condition
    # (not where it fails to parse the whole section).
    for name, truth in answer["conditions"].items():
        if isinstance(truth, bool):
            assert kiln.conditions[name] is truth, name
        elif f'"{name}"' in truth["error"]:
            assert isinstance(kiln.conditions[name], Unknown), (name, truth)


def test_intentional_differences_are_few_and_explained():
    assert all(reason for reason in INTENTIONAL.values())
    assert len(INTENTIONAL) < len(CASES) // 5, sorted(INTENTIONAL)
