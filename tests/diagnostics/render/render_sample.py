"""The findings every CI-renderer test renders: a real template compiled and linted, plus the
shapes a template cannot produce on its own yet (an autofix, a hint, an info finding without
a place, text that needs escaping)."""

from dataclasses import dataclass, replace
from pathlib import Path

from kiln_testing import expectations

from kiln.compiler.diagnostics import Autofix, Diagnostic, Fix, Note, sorted_diagnostics
from kiln.compiler.diagnostics.codes import Code, Severity
from kiln.compiler.driver import compile_file
from kiln.compiler.lint.edits import replace_span
from kiln.compiler.lint.runner import run_rules
from kiln.compiler.source import SourceFile

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]  # the repository: paths in the output are relative to it
CASE = HERE / "sample" / "bad.yaml"

# A code of the kind a plugin declares, at the severities a template cannot reach yet.
INFO_CODE = Code("TST001", "renderer-sample", "A finding without a place.", Severity.INFO, "TST")


@dataclass(frozen=True)
class Sample:
    diagnostics: list[Diagnostic]
    sources: dict[str, SourceFile]
    lint_rules: tuple


def build_sample(registries, case: Path = CASE) -> Sample:
    result = compile_file(str(case), registries)
    assert result.unit is not None
    # One lint rule only: the output must not change when rules are added.
    rules = [rule for rule in registries.lint_rules if rule.id == "UNU001"]
    found = list(result.diagnostics) + run_rules(result.unit, rules, registries)
    got = {(d.span.start.line, d.code.id) for d in found if d.span is not None}
    assert got == set(expectations(case)), "the sample template no longer reports what it says"
    duplicate = next(d for d in found if d.code.id == "SYN003")
    assert duplicate.span is not None
    unused = next(d for d in found if d.code.id == "UNU001")
    fixed = replace(
        unused,
        notes=(*unused.notes, Note("also shown in a note, 100% sure", None)),
        fix=Fix("rename it: flavor_2, or drop it"),
        autofix=Autofix(
            "rename the second parameter",
            (replace_span(duplicate.span, "flavor_2"),),
            safe=False,
        ),
    )
    extra = Diagnostic(
        code=INFO_CODE,
        severity=Severity.INFO,
        message="line one, 50%\nline two: a:b\r\nand a control \x01 char",
        span=None,
        path=("parameters", "flavor"),
    )
    diagnostics = [fixed if d is unused else d for d in found] + [extra]
    return Sample(sorted_diagnostics(diagnostics), dict(result.sources), registries.lint_rules)
