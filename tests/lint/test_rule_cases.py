"""Every lint rule against its cases: tests/lint/cases/<RULE_ID>/*.{yaml,json,template}.

Each folder holds at least one bad case (an `# expect: <RULE_ID>` at the line) and one good
case (no expectation of that rule). A case is compiled, linted, and everything reported
(validation and lint) must equal its expectations, so fixtures are valid templates apart from
what they show.
"""

from pathlib import Path

import pytest
from kiln_testing import check_lint_case, expectations

CASES = Path(__file__).parent / "cases"
SUFFIXES = (".yaml", ".yml", ".json", ".template")


def case_files() -> list[Path]:
    return sorted(path for path in CASES.rglob("*") if path.suffix in SUFFIXES)


@pytest.mark.parametrize("path", case_files(), ids=lambda p: str(p.relative_to(CASES)))
def test_case(path, registries):
    check_lint_case(path, registries)


def test_every_rule_has_a_good_and_a_bad_case(registries):
    problems = []
    for lint_rule in registries.lint_rules:
        folder = CASES / lint_rule.id
        files = [p for p in folder.glob("*") if p.suffix in SUFFIXES] if folder.is_dir() else []
        bad = [p for p in files if any(code == lint_rule.id for _, code in expectations(p))]
        good = [p for p in files if not any(code == lint_rule.id for _, code in expectations(p))]
        if not bad or not good:
            problems.append(f"{lint_rule.id} {lint_rule.name}: bad={len(bad)} good={len(good)}")
    assert not problems, problems


def test_rules_are_well_formed(registries):
    import re

    ids = [r.id for r in registries.lint_rules]
    names = [r.name for r in registries.lint_rules]
    assert len(ids) == len(set(ids)) and len(names) == len(set(names))
    for lint_rule in registries.lint_rules:
        assert re.fullmatch(r"[A-Z]{3}[0-9]{3}", lint_rule.id), lint_rule.id
        assert re.fullmatch(r"[a-z]+(-[a-z0-9]+)*", lint_rule.name), lint_rule.name
        assert lint_rule.code.summary.endswith("."), lint_rule.id
        assert lint_rule.doc.strip(), lint_rule.id
