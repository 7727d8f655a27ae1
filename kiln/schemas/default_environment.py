"""Heat's default environment, where it maps resource types to templates Heat ships.

Heat 27 installs etc/heat/environment.d/default.yaml, whose resource_registry maps
AWS::RDS::DBInstance and AWS::CloudWatch::Alarm to templates it installs beside it
(file:///etc/heat/templates/*.yaml). Such a type is a TemplateResource
(heat/engine/resources/template_resource.py): its properties are the template's parameters,
its attributes the template's outputs. tools/gen_schemas.py records that registry as the
`aliases` of resources/index.json and copies the templates into templates/ beside it; this
module joins the two. See README.md (provenance and licence of the templates).
"""

from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from typing import Final

HEAT_TEMPLATES_URL: Final = "file:///etc/heat/templates/"
"""Where Heat's default environment points for the templates it ships."""


def templates_dir() -> str:
    """The directory of the shipped templates (a real directory: Kiln installs unzipped)."""
    return str(files("kiln.schemas") / "templates")


@cache
def template_types() -> Mapping[str, str]:
    """Type name -> path of the shipped template, for every type the built-in alias registry
    (followed to its end) maps to a template Heat ships and Kiln ships too."""
    # Imported here: reading the index is only needed when a type is looked up.
    from kiln.compiler.resource_types.registry import SchemaRegistry

    registry = SchemaRegistry((SchemaRegistry.builtin_dir(),))
    shipped = files("kiln.schemas") / "templates"
    found: dict[str, str] = {}
    for name in sorted(registry.aliases()):
        if name.endswith("*"):
            continue  # a glob maps type names to type names, never to one template
        target = registry.resolve_alias(name)
        if not target.startswith(HEAT_TEMPLATES_URL):
            continue
        template = shipped / target.removeprefix(HEAT_TEMPLATES_URL)
        if template.is_file():
            found[name] = str(template)
    return found


__all__ = ["HEAT_TEMPLATES_URL", "template_types", "templates_dir"]
