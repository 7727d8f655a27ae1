"""`kiln preview` against Heat's own resolution of the same templates and parameters.

For every HOT corpus template that both Kiln and Heat find valid, Heat's oracle resolves each
resource's properties, the conditions and the outputs before anything is created; Kiln's
preview document must give the same value wherever it claims one. Where Kiln says a value is
unknown before deployment (a resource's id, an attribute), Heat has a stand-in (the resource's
name, None): that is the one expected difference, and the comparison skips it.
"""

import csv
from pathlib import Path
from typing import Any

import pytest

from kiln.compiler.driver import CompileOptions, compile_file
from kiln.compiler.preview import preview_document

pytestmark = pytest.mark.corpus


def _hot_templates(corpus: Path) -> list[Path]:
    with (corpus / "INDEX.tsv").open(newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [corpus / row["path"] for row in rows if row["format"] == "hot" and row["parse"] == "ok"]


def differences(kiln: Any, heat: Any, path: str = "") -> list[str]:
    """Where Kiln claims a value that Heat does not give; Kiln's unknowns match anything."""
    if isinstance(kiln, dict) and set(kiln) == {"$unknown", "reason"}:
        return []
    if isinstance(kiln, dict) and isinstance(heat, dict):
        found = []
        for key in sorted(set(kiln) | set(heat)):
            if key not in kiln or key not in heat:
                mine, theirs = kiln.get(key, "<absent>"), heat.get(key, "<absent>")
                found.append(f"{path}.{key}: kiln {mine!r} heat {theirs!r}")
            else:
                found += differences(kiln[key], heat[key], f"{path}.{key}")
        return found
    if isinstance(kiln, list) and isinstance(heat, list) and len(kiln) == len(heat):
        return [
            d
            for i, (a, b) in enumerate(zip(kiln, heat, strict=True))
            for d in differences(a, b, f"{path}[{i}]")
        ]
    if kiln == heat and type(kiln) is type(heat):
        return []
    if _client_rewritten_path(kiln, heat):
        return []
    if isinstance(kiln, int | float) and isinstance(heat, int | float) and kiln == heat:
        return []
    return [f"{path}: kiln {kiln!r} heat {heat!r}"]


def _client_rewritten_path(kiln: Any, heat: Any) -> bool:
    """heatclient rewrites a relative template path (a group's member type) into the file://
    URL it stores the file under; Heat sees the URL, the template says the path."""
    return (
        isinstance(kiln, str)
        and isinstance(heat, str)
        and heat.startswith("file://")
        and heat.endswith("/" + kiln.lstrip("./"))
    )


def test_preview_matches_heat_resolution(corpus, heat_oracle, registries, heat_report):
    templates = _hot_templates(corpus)
    units = {}
    for path in templates:
        result = compile_file(str(path), registries, CompileOptions(allow_paths=(str(corpus),)))
        if result.unit is not None and not result.has_errors:
            units[str(path)] = result.unit
    answers = heat_oracle.run([{"id": path, "template": path, "resolve": True} for path in units])
    compared = 0
    mismatches: list[str] = []
    for path, unit in units.items():
        heat = answers[path]
        if not heat.get("valid") or heat.get("resources") is None:
            continue
        compared += 1
        document = preview_document(unit)
        for name, value in document["conditions"].items():
            for problem in differences(value, heat["conditions"].get(name, "<absent>")):
                mismatches.append(f"{path}: conditions.{name}{problem}")
        for name, value in document["parameters"].items():
            if value != "******" and name in heat["parameters"]:
                for problem in differences(value, heat["parameters"][name]):
                    mismatches.append(f"{path}: parameters.{name}{problem}")
        for resource in document["resources"]:
            heat_properties = heat["resources"].get(resource["name"])
            if resource["enabled"] is False:
                if heat_properties is not None:
                    mismatches.append(f"{path}: {resource['name']} disabled in Kiln, not in Heat")
                continue
            if heat_properties is None or resource["properties"] is None:
                continue
            for problem in differences(resource["properties"], heat_properties):
                mismatches.append(f"{path}: resources.{resource['name']}{problem}")
        for name, value in document["outputs"].items():
            heat_value = heat["outputs"].get(name)
            if isinstance(heat_value, dict) and set(heat_value) == {"error"}:
                continue  # Heat fails to resolve it; validation reports such outputs separately
            for problem in differences(value, heat_value):
                mismatches.append(f"{path}: outputs.{name}{problem}")
    heat_report.append(
        f"preview vs Heat resolution: {compared} templates compared, {len(mismatches)} mismatches"
    )
    assert compared > 100, f"only {compared} templates were compared"
    assert not mismatches, "\n".join(mismatches[:40])
