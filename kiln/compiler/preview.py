"""`kiln preview`: what Heat's stack preview shows, offline.

Every resource (nested templates' included) with its properties resolved as far as they can be
before deployment, the outputs, the parameters and conditions they were resolved with. What
cannot be known yet (a resource's id, an attribute) stays symbolic with its type.

The JSON document (`preview_document`) is stable; tools and the differential tests compare it:

    {
      "kiln_preview": 1,
      "template": "<path>", "dialect": "hot" | "cfn", "version": "<canonical version>",
      "parameters": {name: VALUE},           # hidden parameters show "******"
      "conditions": {name: true | false | UNKNOWN},
      "resources": [RESOURCE, ...],          # creation order: by wave, then name
      "outputs": {name: VALUE}               # null when the output's condition is false
    }
    RESOURCE = {
      "name": str, "type": str,
      "enabled": true | false | null,        # false: condition false (Heat drops it); null: unknown
      "wave": int | null,                    # parallel creation wave, 0 first
      "requires": [name, ...],               # what it waits for (explicit, references, implicit)
      "properties": {name: VALUE} | VALUE | null,   # as written, resolved; null when disabled
      "nested": {"template": path, "resources": [RESOURCE, ...], "outputs": {...}}  # if any
    }
    VALUE = JSON value | UNKNOWN
    UNKNOWN = {"$unknown": "string" | "number" | "integer" | "boolean" | "list" | "map" | "any",
               "reason": str}

Schema defaults are not filled in: properties are what the template says, resolved, which is
what Heat's `function.resolve(definition.properties)` gives.
"""

import json
from collections.abc import Mapping
from typing import Any, Final

from kiln.compiler.evaluate import ABSENT, Evaluator, Unknown, Value
from kiln.compiler.ir.nodes import Template
from kiln.compiler.unit import CompilationUnit

FORMAT_VERSION: Final = 1
HIDDEN: Final = "******"


def encode(value: object) -> Any:
    """A value as JSON: Unknown becomes {"$unknown": type, "reason": ...}."""
    if isinstance(value, Unknown):
        return {"$unknown": str(value.type), "reason": value.reason}
    if isinstance(value, list):
        return [encode(item) for item in value if item is not ABSENT]
    if isinstance(value, dict):
        return {str(key): encode(item) for key, item in value.items() if item is not ABSENT}
    if value is ABSENT:
        return None
    return value


def preview_document(unit: CompilationUnit, schemas: Any = None) -> dict[str, Any]:
    """The preview of a compiled unit. With the schema registry, unknown attributes carry the
    type their resource type declares."""
    root = unit.root
    typer = None
    if schemas is not None:
        from kiln.compiler.resource_types.validator import attribute_typer

        typer = attribute_typer(schemas)
    body = _template(unit, root, set(), typer)
    return {
        "kiln_preview": FORMAT_VERSION,
        "template": root.file,
        "dialect": root.dialect,
        "version": root.version,
        **body,
    }


def _template(
    unit: CompilationUnit, template: Template, seen: set[str], typer: Any
) -> dict[str, Any]:
    facts = unit.facts_of(template)
    evaluator = Evaluator(
        template,
        parameters=facts.parameters,
        conditions=facts.conditions or None,
        files=unit.files,
        attribute_type=typer,
    )
    parameters = {
        name: HIDDEN if template.parameters[name].hidden else encode(value)
        for name, value in facts.parameters.items()
        if name in template.parameters
    }
    graph = facts.graph
    nested = {
        ref.resource: ref.nested_file for ref in unit.nested if ref.template_file == template.file
    }
    resources: list[dict[str, Any]] = []
    for name, resource in template.resources.items():
        enabled = evaluator.resource_enabled(name)
        wave = graph.wave_of(name) if graph is not None and name in graph.types else None
        entry: dict[str, Any] = {
            "name": name,
            "type": resource.type,
            "enabled": enabled if isinstance(enabled, bool) else None,
            "wave": wave,
            "requires": sorted(graph.requires(name))
            if graph is not None and name in graph.types
            else [],
            "properties": None,
        }
        if enabled is not False and resource.properties is not None:
            entry["properties"] = encode(
                evaluator.evaluate(resource.properties, ("resources", name))
            )
        elif enabled is not False:
            entry["properties"] = {}
        nested_file = nested.get(name)
        nested_template = unit.templates.get(nested_file) if nested_file else None
        if nested_template is not None and nested_file not in seen and enabled is not False:
            inner = _template(unit, nested_template, seen | {template.file}, typer)
            entry["nested"] = {
                "template": nested_file,
                **_without(inner, "parameters", "conditions"),
            }
        resources.append(entry)
    resources.sort(
        key=lambda item: (item["wave"] if item["wave"] is not None else 1 << 30, item["name"])
    )
    return {
        "parameters": parameters,
        "conditions": {name: encode(value) for name, value in facts.conditions.items()},
        "resources": resources,
        "outputs": {name: encode(evaluator.output(name)) for name in template.outputs},
    }


def _without(document: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    return {key: value for key, value in document.items() if key not in keys}


def render_text(document: Mapping[str, Any]) -> str:
    """A readable form of the preview document."""
    lines = [f"preview of {document['template']} ({document['dialect']} {document['version']})"]
    if document["parameters"]:
        lines.append("parameters:")
        lines += [f"  {name} = {_show(value)}" for name, value in document["parameters"].items()]
    if document["conditions"]:
        lines.append("conditions:")
        lines += [f"  {name} = {_show(value)}" for name, value in document["conditions"].items()]
    lines.append("resources:")
    _resources(document["resources"], 1, lines)
    if document["outputs"]:
        lines.append("outputs:")
        lines += [f"  {name} = {_show(value)}" for name, value in document["outputs"].items()]
    return "\n".join(lines) + "\n"


def _resources(resources: list[dict[str, Any]], depth: int, lines: list[str]) -> None:
    pad = "  " * depth
    for item in resources:
        wave = f"[wave {item['wave']}] " if item["wave"] is not None else ""
        state = {False: " (disabled: condition false)", None: " (condition unknown)"}.get(
            item["enabled"], ""
        )
        lines.append(f"{pad}{wave}{item['name']}: {item['type']}{state}")
        if item["requires"]:
            lines.append(f"{pad}  requires: {', '.join(item['requires'])}")
        properties = item["properties"]
        if isinstance(properties, dict):
            lines += [f"{pad}  {key}: {_show(value)}" for key, value in properties.items()]
        elif properties is not None:
            lines.append(f"{pad}  properties: {_show(properties)}")
        nested = item.get("nested")
        if nested:
            lines.append(f"{pad}  nested {nested['template']}:")
            _resources(nested["resources"], depth + 2, lines)
            for name, value in nested["outputs"].items():
                lines.append(f"{pad}    output {name} = {_show(value)}")


def _show(value: Value | Any) -> str:
    """One line: unknowns as <type: reason>, containers inline, long ones cut."""
    text = _inline(value)
    return text if len(text) <= 200 else text[:197] + "..."


def _inline(value: Any) -> str:
    if isinstance(value, dict) and set(value) == {"$unknown", "reason"}:
        return f"<{value['$unknown']}: {value['reason']}>"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {_inline(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_inline(item) for item in value) + "]"
    return json.dumps(value)
