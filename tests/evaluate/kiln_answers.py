"""Kiln's answer for an evaluator case: the template compiled by the driver, its output
`result` evaluated with the case's parameters and resource data."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from snippets import Case

from kiln.compiler.diagnostics import Diagnostic
from kiln.compiler.driver import compile_file
from kiln.compiler.evaluate import Evaluator, Unknown
from kiln.compiler.evaluate.parameters import fallback_parameters
from kiln.plugins.host import Registries


@dataclass
class Answer:
    value: Any
    evaluator: list[Diagnostic]  # what the evaluator reported (EVL and CND)
    compiler: list[Diagnostic]  # what the pipeline reported
    enabled: dict[str, Any]
    conditions: dict[str, Any]


def kiln_answer(case: Case, directory: Path, registries: Registries) -> Answer:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{case.id}.yaml"
    path.write_text(case.template(), encoding="utf-8")
    for name, content in case.files.items():
        (directory / name).write_text(content, encoding="utf-8")
    result = compile_file(str(path), registries)
    assert result.unit is not None, [d.message for d in result.diagnostics]
    template = result.unit.root
    evaluator = Evaluator(
        template,
        parameters=fallback_parameters(template, case.params),
        resource_data=case.resource_data,
        files=result.unit.files,
    )
    value = evaluator.output("result")
    enabled = {name: evaluator.resource_enabled(name) for name in template.resources}
    conditions = {name: evaluator.condition(name) for name in template.conditions}
    return Answer(
        value,
        evaluator.diagnostics + evaluator.condition_diagnostics,
        list(result.diagnostics),
        enabled,
        conditions,
    )


def same(a: Any, b: Any) -> bool:
    """Equal, and of the same JSON types all the way down (1 is not 1.0 nor true)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, Unknown):
        return a.type == b.type
    return bool(a == b)
