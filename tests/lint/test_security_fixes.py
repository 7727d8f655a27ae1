"""The secret-parameter-not-hidden autofix (SEC001), through `kiln lint --fix`.

Each bad case of SEC001 is fixed in a temporary copy and compared with its golden
`<case>.fixed` (rewrite with --update-golden): block, flow and JSON parameter bodies get
`hidden: true` / `"NoEcho": true`, every other byte stays, and a parameter that says
`hidden: false` on purpose is reported but left alone.
"""

import shutil
from pathlib import Path

import pytest
from kiln_testing import compare_golden, expectations
from lintkit import lint

CASES = Path(__file__).parent / "cases" / "SEC001"
BAD = sorted(
    path
    for path in CASES.iterdir()
    if path.suffix in (".yaml", ".json") and any(code == "SEC001" for _, code in expectations(path))
)


@pytest.mark.parametrize("case", BAD, ids=lambda path: path.name)
def test_fix_adds_hidden(case, registries, tmp_path, update_golden):
    copy = tmp_path / case.name
    shutil.copyfile(case, copy)
    before = lint(registries, copy, select=["SEC001"])
    fixable = sum(1 for d in before.diagnostics if d.autofix is not None and d.autofix.safe)
    assert fixable, "the case has no fixable finding"

    report = lint(registries, copy, select=["SEC001"], fix=True)

    assert report.fix_problems == []
    assert report.fixed == {"SEC001": fixable}
    # What is left is what had no autofix: the parameters that say `hidden: false`.
    assert len(report.diagnostics) == len(before.diagnostics) - fixable
    assert all(d.autofix is None for d in report.diagnostics)
    compare_golden(copy.read_text(), case.with_name(case.name + ".fixed"), update_golden)


def test_explicit_hidden_false_has_no_autofix(registries):
    report = lint(registries, CASES / "bad.yaml", select=["SEC001"])
    by_parameter = {d.path[-1]: d for d in report.diagnostics}
    assert by_parameter["admin_secret"].autofix is None
    assert by_parameter["db_password"].autofix is not None
