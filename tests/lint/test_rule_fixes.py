"""The autofixes of the resources, dependencies, deprecation, versions, portability, durability
and heat-target rules, through `kiln lint --fix --unsafe-fixes`.

Every bad case of a fixable rule with a golden `<case>.fixed` is fixed in a temporary copy
(only that rule selected) and compared with the golden (rewrite with --update-golden). The
session keeps a fix only when the result still compiles with no new error and the fixed
findings are gone, so a passing case also says the fix does what it claims.
"""

import shutil
from pathlib import Path

import pytest
from kiln_testing import compare_golden, expectations, lint_case_options
from lintkit import lint

CASES = Path(__file__).parent / "cases"
PREFIXES = ("RES", "DPN", "DPR", "VER", "PRT", "DUR", "HTG")
FIXED = sorted(
    path
    for folder in CASES.iterdir()
    if folder.name.startswith(PREFIXES)
    for path in folder.iterdir()
    if path.with_name(path.name + ".fixed").exists()
)


@pytest.mark.parametrize("case", FIXED, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_fix(case, registries, tmp_path, update_golden):
    rule_id = case.parent.name
    assert any(code == rule_id for _, code in expectations(case)), "not a bad case"
    copy = tmp_path / case.name
    shutil.copyfile(case, copy)
    target = lint_case_options(case).get("target")
    options = {"select": [rule_id], "target": target, "unsafe_fixes": True}
    before = lint(registries, copy, **options)
    fixable = sum(1 for d in before.diagnostics if d.autofix is not None)
    assert fixable, "the case has no fixable finding"

    report = lint(registries, copy, fix=True, **options)

    assert report.fix_problems == []
    assert report.fixed == {rule_id: fixable}
    assert len(report.diagnostics) == len(before.diagnostics) - fixable
    compare_golden(copy.read_text(), case.with_name(case.name + ".fixed"), update_golden)


def test_every_fixable_rule_has_a_fixed_case(registries):
    fixable = {r.id for r in registries.lint_rules if r.fixable and r.id.startswith(PREFIXES)}
    covered = {case.parent.name for case in FIXED}
    assert fixable <= covered, sorted(fixable - covered)
