"""The evaluator over the shared corpus: every output and every resource's properties (and
metadata) of every HOT and CloudFormation template, evaluated with its parameters' defaults.
No exception may escape: an exception is an internal error."""

import csv
import traceback
from pathlib import Path

import pytest

from kiln.compiler.driver import compile_file
from kiln.compiler.evaluate import Evaluator
from kiln.compiler.evaluate.parameters import fallback_parameters

pytestmark = pytest.mark.corpus


def _rows(corpus: Path) -> list[dict[str, str]]:
    with (corpus / "INDEX.tsv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [row for row in rows if row["format"] in ("hot", "cfn") and row["parse"] == "ok"]


def _evaluate(path: Path, registries) -> int:
    result = compile_file(str(path), registries)
    if result.unit is None:
        return 0
    count = 0
    for template in result.unit.all_templates():
        facts = result.unit.facts_of(template)
        evaluator = Evaluator(
            template,
            parameters=facts.parameters or fallback_parameters(template),
            files=result.unit.files,
        )
        for name in template.outputs:
            evaluator.output(name)
            count += 1
        for name, resource in template.resources.items():
            evaluator.resource_enabled(name)
            for field in ("properties", "metadata", "update_policy", "deletion_policy"):
                value = getattr(resource, field)
                if value is not None:
                    evaluator.evaluate(value, ("resources", name, field))
                    count += 1
    return count


def test_every_output_and_property_evaluates_without_an_internal_error(corpus, registries):
    rows = _rows(corpus)
    assert rows
    failures = []
    evaluated = 0
    for row in rows:
        try:
            evaluated += _evaluate(corpus / row["path"], registries)
        except Exception as error:  # an internal error: a bug in Kiln
            frames = traceback.extract_tb(error.__traceback__)[-3:]
            where = " <- ".join(f"{Path(f.filename).name}:{f.lineno}" for f in reversed(frames))
            failures.append(f"{row['path']}: {type(error).__name__}: {error} at {where}")
    assert not failures, f"{len(failures)} of {len(rows)} templates raised:\n" + "\n".join(failures)
    assert evaluated > len(rows)
