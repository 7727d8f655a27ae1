"""The evaluator's table (snippets.py and cases_*.py): Kiln's value for every case, and the
diagnostics the evaluator reports for it (none, unless the case expects an error)."""

import cases_collections
import cases_conditions
import cases_more
import cases_strings
import cases_values
import pytest
from kiln_answers import kiln_answer, same
from snippets import E, U

from kiln.compiler.evaluate import Unknown

CASES = [
    *cases_values.CASES,
    *cases_strings.CASES,
    *cases_collections.CASES,
    *cases_conditions.CASES,
    *cases_more.CASES,
]


def test_the_table_is_broad_and_ids_are_unique():
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    assert len(CASES) >= 150


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_case(case, tmp_path, registries):
    answer = kiln_answer(case, tmp_path, registries)
    codes = [d.code.id for d in answer.evaluator]
    if isinstance(case.expected, E):
        assert isinstance(answer.value, Unknown), answer.value
        matching = [d for d in answer.evaluator if d.code.id == case.expected.code]
        assert matching, f"expected {case.expected.code}, got {codes}"
        assert any(case.expected.text in d.message for d in matching), [d.message for d in matching]
        return
    assert not codes, [d.message for d in answer.evaluator]
    if isinstance(case.expected, U):
        assert isinstance(answer.value, Unknown), answer.value
        assert answer.value.type.value == case.expected.type, answer.value
        return
    assert same(answer.value, case.expected), answer.value
