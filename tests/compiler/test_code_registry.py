"""The code registry: every code is well formed, has a message, and is exercised by a case."""

import re
from pathlib import Path

import pytest
from kiln_testing import EXPECT

from kiln.compiler.diagnostics import codes
from kiln.compiler.diagnostics.messages import MESSAGES

TESTS = Path(__file__).resolve().parents[1]

# Codes a case file cannot carry (they need options, a huge file, or a broken plugin), each
# with the test that exercises it; the test file must name the code.
DEDICATED = {
    "SYN005": "frontends/test_loader.py",
    "FIL004": "frontends/includes/test_includes.py",
    "PLG001": "plugins/test_plugins.py",
    # Environment diagnostics given with -e: checked at their line by the paired-file tests.
    "ENV004": "frontends/environment/test_env_cases.py",
    "ENV007": "frontends/environment/test_env_cases.py",
    # A plan against recorded state: an immutable property changed, a restricted action.
    "RUN004": "runtime/plan/test_decisions.py",
    "RUN005": "runtime/plan/test_decisions.py",
}


def expected_codes() -> set[str]:
    found: set[str] = set()
    for path in TESTS.rglob("*"):
        # Template fixtures anywhere under tests/ (cases/, trees/, paired/), not Python files.
        if not path.is_file() or path.suffix == ".py" or ".hypothesis" in path.parts:
            continue
        if path.name.endswith(".expect"):
            found.update(line.split()[1] for line in path.read_text().splitlines() if line.strip())
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for match in EXPECT.finditer(text):
            found.update(code.strip() for code in match.group("codes").split(","))
    return found


@pytest.mark.parametrize("code", codes.BUILTIN_CODES, ids=lambda code: code.id)
def test_code_is_well_formed(code):
    assert re.fullmatch(r"[A-Z]{1,3}[0-9]{3}", code.id)
    assert re.fullmatch(r"[a-z]+(-[a-z0-9]+)*", code.name)
    assert code.summary.endswith(".")
    assert code.id in MESSAGES, f"{code.id} has no message template in messages.py"


def test_ids_and_names_are_unique():
    ids = [code.id for code in codes.BUILTIN_CODES]
    names = [code.name for code in codes.BUILTIN_CODES]
    assert len(ids) == len(set(ids)) and len(names) == len(set(names))


def test_every_code_has_a_bad_case():
    covered = expected_codes()
    missing = []
    for code in codes.BUILTIN_CODES:
        if code.id in covered:
            continue
        dedicated = DEDICATED.get(code.id)
        if dedicated and code.id in (TESTS / dedicated).read_text():
            continue
        missing.append(f"{code.id} {code.name}")
    assert not missing, f"codes without a `# expect:` case: {missing}"


def test_every_cases_folder_has_a_good_case():
    folders = {path.parent for path in TESTS.rglob("cases/*") if path.is_file()}
    without_good = [
        str(folder.relative_to(TESTS))
        for folder in folders
        if not any(
            path.suffix in (".yaml", ".json", ".template") and not _has_expectations(path)
            for path in folder.iterdir()
        )
    ]
    assert not without_good, f"cases folders with no clean case: {without_good}"


def _has_expectations(path: Path) -> bool:
    if path.with_name(path.name + ".expect").exists():
        return True
    try:
        return bool(EXPECT.search(path.read_text(encoding="utf-8")))
    except UnicodeDecodeError:
        return True
