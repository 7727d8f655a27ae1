"""EVL cases: templates with `# expect: CODE` lines, compiled by the pipeline and then
evaluated the way Heat resolves a stack (every output, every resource's properties), so the
errors Heat raises only while resolving are found where they are."""

from collections import Counter
from pathlib import Path

import pytest
from kiln_testing import expectations

from kiln.compiler.driver import compile_file
from kiln.compiler.evaluate import Evaluator
from kiln.compiler.evaluate.parameters import fallback_parameters

CASES = sorted((Path(__file__).parent / "cases").glob("*.yaml"))


def evaluate_everything(path: Path, registries) -> list:
    result = compile_file(str(path), registries)
    diagnostics = list(result.diagnostics)
    unit = result.unit
    if unit is not None:
        template = unit.root
        facts = unit.facts_of(template)
        evaluator = Evaluator(
            template,
            parameters=facts.parameters or fallback_parameters(template),
            conditions=facts.conditions or None,
            files=unit.files,
        )
        for name in template.outputs:
            evaluator.output(name)
        for name, resource in template.resources.items():
            if resource.properties is not None:
                evaluator.evaluate(resource.properties, ("resources", name, "properties"))
        seen = {(d.code.id, d.span, d.message) for d in diagnostics}
        diagnostics += [
            d
            for d in evaluator.diagnostics + evaluator.condition_diagnostics
            if (d.code.id, d.span, d.message) not in seen
        ]
    return diagnostics


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case(path, registries):
    got: Counter[tuple[int, str]] = Counter()
    diagnostics = evaluate_everything(path, registries)
    for diagnostic in diagnostics:
        line = diagnostic.span.start.line if diagnostic.span is not None else 0
        got[(line, diagnostic.code.id)] += 1
    expected = expectations(path)
    detail = "\n".join(f"  {d.span}: {d.code.id} {d.message}" for d in diagnostics)
    assert got == expected, f"missing {expected - got}, unexpected {got - expected}\n{detail}"
