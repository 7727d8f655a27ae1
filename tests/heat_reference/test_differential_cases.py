"""Generated differential cases: one minimal template per error Heat's offline validation raises
(the path tools/heat_oracle.py runs: Template.validate, parameters, parameter groups, conditions,
resource definitions, deletion and update policies, properties, dependencies, outputs), plus
the valid neighbours that keep each check narrow. Each is judged by Heat and by Kiln.

Every file in differential/ starts with comment lines saying what each side says:

    # heat: valid | needs-value | <exception class>: <part of Heat's message>
    # kiln: valid | CODE, CODE, ...        (every code Kiln reports, warnings included)
    # differs: kiln-stricter|kiln-laxer: <why Kiln differs on purpose>      (optional)
    # gap: <what Kiln misses, and where the fix belongs>                     (optional)

Without `differs` or `gap`, Kiln's verdict (valid: no error) is Heat's ("needs-value": Heat
cannot decide without a parameter's value, and Kiln reports no error). `differs` and `gap` pin
the disagreement, so a change on either side shows. Kiln is checked against the headers
always; Heat (KILN_HEAT_PYTHON) keeps the `heat:` lines honest. Files starting with `_` are
included by the cases, not cases.
"""

from dataclasses import dataclass
from pathlib import Path

import pytest

from kiln.compiler.diagnostics.codes import Severity
from kiln.compiler.driver import CompileOptions, compile_file
from kiln.plugins.host import Registries

CASES_DIR = Path(__file__).parent / "differential"
CASES = sorted(p for p in CASES_DIR.glob("*.yaml") if not p.name.startswith("_"))


@dataclass(frozen=True)
class Header:
    heat: str  # "valid", "needs-value" or "<exception class>: <message part>"
    kiln: frozenset[str]  # empty: valid
    differs: str = ""  # "kiln-stricter: ..." or "kiln-laxer: ..."
    gap: str = ""

    @property
    def heat_valid(self) -> bool:
        return self.heat in ("valid", "needs-value")


def header(path: Path) -> Header:
    fields: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("# "):
            break
        key, _, value = line[2:].partition(": ")
        fields[key] = value.strip()
    kiln = fields["kiln"]
    codes = frozenset() if kiln == "valid" else frozenset(c.strip() for c in kiln.split(","))
    return Header(fields["heat"], codes, fields.get("differs", ""), fields.get("gap", ""))


@pytest.mark.parametrize("path", CASES, ids=[p.name for p in CASES])
def test_kiln_reaches_heats_verdict(path: Path, registries: Registries) -> None:
    expected = header(path)
    result = compile_file(str(path), registries, CompileOptions())
    codes = frozenset(d.code.id for d in result.diagnostics)
    shown = "\n".join(f"  {d.code.id} {d.span}: {d.message}" for d in result.diagnostics)
    assert codes == expected.kiln, f"Kiln reports other codes than the header:\n{shown}"
    kiln_valid = not any(d.severity >= Severity.ERROR for d in result.diagnostics)
    if expected.gap or expected.differs.startswith("kiln-laxer"):
        assert kiln_valid and not expected.heat_valid, f"the disagreement is gone: {path.name}"
    elif expected.differs.startswith("kiln-stricter"):
        assert not kiln_valid and expected.heat_valid, f"the disagreement is gone: {path.name}"
    else:
        assert not expected.differs, f"unknown `differs` kind: {expected.differs}"
        assert kiln_valid == expected.heat_valid, f"Heat: {expected.heat}\nKiln:\n{shown}"


@pytest.fixture(scope="module")
def heat_verdicts(heat_oracle) -> dict[str, dict]:
    requests = [{"id": p.name, "template": str(p)} for p in CASES]
    return heat_oracle.run(requests, unknown_parameters=True)


@pytest.mark.parametrize("path", CASES, ids=[p.name for p in CASES])
def test_heat_says_what_the_header_says(path: Path, heat_verdicts) -> None:
    expected = header(path).heat
    result = heat_verdicts[path.name]
    if expected == "valid":
        assert result["valid"], result
        return
    assert not result["valid"], result
    if expected == "needs-value":
        assert result["needs_value"], result
        return
    error_type, _, text = expected.partition(": ")
    assert result["error_type"] == error_type, result
    assert text in (result["error"] or ""), result
