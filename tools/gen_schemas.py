"""Generate Kiln's resource-type schema data from OpenStack Heat's resource plugins.

The output under ``kiln/schemas/resources/`` is committed; this script is only run to regenerate
it. It installs nothing itself. It needs a Python environment that has the pinned Heat release
installed; Kiln does not need Heat at runtime::

    python3 -m venv /path/to/heat-venv
    /path/to/heat-venv/bin/pip install openstack-heat==27.0.1
    /path/to/heat-venv/bin/python tools/gen_schemas.py

Options: ``--out DIR`` writes somewhere other than ``kiln/schemas/resources`` (used by the
determinism test), ``--templates-out DIR`` somewhere other than ``templates`` beside it,
``--environment FILE`` reads the alias registry from another ``environment.d/default.yaml`` (the
default is the one pip installs under ``<venv>/etc/heat``).

What it does: ``heat.engine.resources.global_env()`` (no database, keystone or network), then for
every entry of ``env.registry._registry`` (all 201 types, HIDDEN and AWS::* included) it converts
the plugin class's ``properties_schema``, ``attributes_schema`` (plus ``base_attributes_schema``),
``update_policy_schema`` and ``support_status`` into one JSON file per type (with
``x-snapshot-delete`` when the class has ``handle_snapshot_delete``). Property schemas become
JSON Schema draft 2020-12; Heat semantics JSON Schema cannot express become ``x-`` keywords. See
``kiln/schemas/README.md`` for the format and ``kiln/schemas/meta/resource-type.schema.json`` for
the contract. The templates the default environment maps types to
(``file:///etc/heat/templates/*.yaml``: AWS::RDS::DBInstance, AWS::CloudWatch::Alarm) are copied
byte for byte from ``<venv>/etc/heat/templates`` into ``kiln/schemas/templates/``. Output is
deterministic: running it twice yields identical bytes.
"""

import argparse
import importlib.metadata
import importlib.util
import inspect
import json
import logging
import sys
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

HEAT_DISTRIBUTION: Final = "openstack-heat"
HEAT_VERSION: Final = "27.0.1"
JSON_SCHEMA_DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"
INDEX_FILE: Final = "index.json"
GENERATOR: Final = "tools/gen_schemas.py"
# Where Heat's default environment points for the templates Heat installs (etc/heat/templates).
HEAT_TEMPLATES_URL: Final = "file:///etc/heat/templates/"

REPO_ROOT: Final = Path(__file__).resolve().parent.parent
DEFAULT_OUT: Final = REPO_ROOT / "kiln" / "schemas" / "resources"

# Heat properties.Schema type -> JSON Schema type; "Any" has no JSON Schema type.
PROPERTY_TYPES: Final[Mapping[str, str | None]] = {
    "String": "string",
    "Integer": "integer",
    "Number": "number",
    "Boolean": "boolean",
    "Map": "object",
    "List": "array",
    "Any": None,
}

# Length applies to strings, lists and maps; the JSON Schema keywords differ per type.
LENGTH_KEYWORDS: Final[Mapping[str, tuple[str, str]]] = {
    "String": ("minLength", "maxLength"),
    "List": ("minItems", "maxItems"),
    "Map": ("minProperties", "maxProperties"),
}

# Constraint kinds, spelled as Heat serialises them (constraints.Constraint._name()).
RANGE: Final = "range"
LENGTH: Final = "length"
MODULO: Final = "modulo"
ALLOWED_VALUES: Final = "allowed_values"
ALLOWED_PATTERN: Final = "allowed_pattern"
CUSTOM_CONSTRAINT: Final = "custom_constraint"

# Custom constraints implemented in pure Python (no service client) live in this module and have
# no "<service>." prefix. ("nova.network" is also bound to a class there, TestConstraintDelay, as
# a placeholder for the removed nova-network service; it is not a pure validator.)
PURE_CONSTRAINT_MODULE: Final = "heat.engine.constraint.common_constraints"


class GenerationError(Exception):
    """Heat data that this generator cannot represent faithfully."""


def type_to_filename(type_name: str) -> str:
    """Map a resource type to its data file name: ``OS::Nova::Server`` -> ``os_nova_server.json``.

    This is the only place that maps type names to file names; readers use ``index.json``.
    """
    return type_name.lower().replace("::", "_") + ".json"


def to_json_value(value: Any) -> Any:
    """Convert Heat data (tuples, lazy i18n ``Message`` strings) to plain JSON values."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, Mapping):
        return {str(key): to_json_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_json_value(item) for item in value]
    raise GenerationError(f"value {value!r} of type {type(value).__name__} is not JSON data")


def optional_text(value: Any) -> str | None:
    return None if value is None else str(value)


def docstring(cls: type) -> str | None:
    """The class's own docstring (not an inherited one), trimmed with ``inspect.cleandoc``."""
    doc = cls.__dict__.get("__doc__")
    if not isinstance(doc, str) or not doc.strip():
        return None
    return inspect.cleandoc(doc)


class Converter:
    """Converts Heat schema objects to Kiln's JSON data; holds the lookups needing the registry."""

    def __init__(self, heat_root: Path, class_to_type: Mapping[type, str]) -> None:
        self.heat_root = heat_root
        self.class_to_type = class_to_type

    # -- support status -------------------------------------------------------------------------

    def support(self, status: Any) -> dict[str, Any]:
        """``heat.engine.support.SupportStatus`` -> ``{status, version, message, previous}``."""
        result: dict[str, Any] = {
            "status": str(status.status),
            "version": optional_text(status.version),
            "message": optional_text(status.message),
            "previous": (
                None if status.previous_status is None else self.support(status.previous_status)
            ),
        }
        substitute = status.substitute_class
        if substitute is not None:
            result["substitute"] = self.class_to_type.get(
                substitute, f"{substitute.__module__}.{substitute.__qualname__}"
            )
        return result

    # -- properties -----------------------------------------------------------------------------

    def object_schema(self, schemata: Mapping[str, Any], *, top_level: bool) -> dict[str, Any]:
        """A mapping of property name -> ``properties.Schema`` as a closed JSON Schema object."""
        from heat.engine import properties

        converted: dict[str, Any] = {}
        required: list[str] = []
        for name, raw in schemata.items():
            schema = properties.Schema.from_legacy(raw)
            converted[str(name)] = self.property_schema(schema, path=str(name))
            if schema.required:
                required.append(str(name))
        result: dict[str, Any] = {
            "type": "object",
            "properties": converted,
            "required": sorted(required),
            "additionalProperties": False,
        }
        if top_level:
            result["$schema"] = JSON_SCHEMA_DIALECT
        return result

    def property_schema(self, schema: Any, *, path: str) -> dict[str, Any]:
        """One ``heat.engine.properties.Schema`` -> JSON Schema plus ``x-`` keywords."""
        from heat.engine import constraints, properties

        heat_type = str(schema.type)
        if heat_type not in PROPERTY_TYPES:
            raise GenerationError(f"{path}: unknown property type {heat_type!r}")
        result: dict[str, Any] = {}
        json_type = PROPERTY_TYPES[heat_type]
        if json_type is not None:
            result["type"] = json_type
        if schema.description is not None:
            result["description"] = str(schema.description)
        if schema.default is not None:
            result["default"] = to_json_value(schema.default)
        result["x-update-allowed"] = bool(schema.update_allowed)
        result["x-immutable"] = bool(schema.immutable)
        result["x-support"] = self.support(schema.support_status)
        if not schema.implemented:
            result["x-implemented"] = False
        if schema.allow_conversion:
            result["x-allow-conversion"] = True

        nested = schema.schema
        if isinstance(nested, constraints.AnyIndexDict):
            item = properties.Schema.from_legacy(nested.value)
            result["items"] = self.property_schema(item, path=f"{path}.*")
            if item.required:
                # A required list item has no parent object to carry "required"; keep the flag.
                result["items"]["x-required"] = True
        elif nested is not None:
            nested_object = self.object_schema(nested, top_level=False)
            result["properties"] = nested_object["properties"]
            result["required"] = nested_object["required"]
            result["additionalProperties"] = False

        self.add_constraints(result, schema, path=path)
        return result

    def add_constraints(self, result: dict[str, Any], schema: Any, *, path: str) -> None:
        """Map Heat constraints to JSON Schema keywords, or to ``x-`` keywords where it has none."""
        from heat.engine import constraints

        heat_type = str(schema.type)
        seen: set[str] = set()
        custom: list[str] = []
        descriptions: dict[str, str] = {}
        for constraint in schema.constraints:
            if isinstance(constraint, constraints.CustomConstraint):
                kind = CUSTOM_CONSTRAINT
                key = f"{CUSTOM_CONSTRAINT}:{constraint.name}"
            else:
                kind = constraint._name()
                key = kind
                if kind in seen:
                    raise GenerationError(
                        f"{path}: two {kind} constraints on one property cannot be represented"
                    )
            seen.add(kind)
            if constraint.description is not None:
                descriptions[key] = str(constraint.description)

            if isinstance(constraint, constraints.Length):  # before Range: Length subclasses it
                if heat_type not in LENGTH_KEYWORDS:
                    raise GenerationError(f"{path}: length constraint on {heat_type}")
                low, high = LENGTH_KEYWORDS[heat_type]
                if constraint.min is not None:
                    result[low] = constraint.min
                if constraint.max is not None:
                    result[high] = constraint.max
            elif isinstance(constraint, constraints.Range):
                if constraint.min is not None:
                    result["minimum"] = constraint.min
                if constraint.max is not None:
                    result["maximum"] = constraint.max
            elif isinstance(constraint, constraints.Modulo):
                result["x-modulo"] = {"step": constraint.step, "offset": constraint.offset}
            elif isinstance(constraint, constraints.AllowedValues):
                allowed = to_json_value(list(constraint.allowed))
                if heat_type == "List":
                    # Heat checks every element of a list value against the allowed values.
                    items = result.setdefault("items", {})
                    if "enum" in items:
                        raise GenerationError(f"{path}: allowed_values on a list and its items")
                    items["enum"] = allowed
                else:
                    result["enum"] = allowed
            elif isinstance(constraint, constraints.AllowedPattern):
                result["pattern"] = str(constraint.pattern)
                result["x-pattern-anchored"] = "match"
            elif isinstance(constraint, constraints.CustomConstraint):
                custom.append(str(constraint.name))
            else:
                raise GenerationError(f"{path}: unknown constraint {type(constraint).__name__}")
        if custom:
            result["x-constraints"] = custom
        if descriptions:
            result["x-constraint-descriptions"] = descriptions

    # -- attributes and whole types -------------------------------------------------------------

    def attribute(self, schema: Any) -> dict[str, Any]:
        heat_type = schema.type
        return {
            "type": None if heat_type is None else str(heat_type).lower(),
            "description": optional_text(schema.description),
            "x-support": self.support(schema.support_status),
            "x-cache-mode": str(schema.cache_mode),
        }

    def resource_type(self, type_name: str, cls: type) -> dict[str, Any]:
        resource_cls: Any = cls
        attributes = dict(resource_cls.attributes_schema)
        # Resource.__init__ does attributes_schema.update(base_attributes_schema): base wins.
        attributes.update(resource_cls.base_attributes_schema)
        update_policy = resource_cls.update_policy_schema
        data: dict[str, Any] = {
            "type": type_name,
            "heat_version": HEAT_VERSION,
            "description": docstring(cls),
            "x-support": self.support(resource_cls.support_status),
            "x-source": self.source_file(cls),
            "x-class": f"{cls.__module__}.{cls.__qualname__}",
            "x-client": optional_text(resource_cls.default_client_name),
            "properties": self.object_schema(resource_cls.properties_schema, top_level=True),
            "attributes": {str(name): self.attribute(attr) for name, attr in attributes.items()},
            "update_policy": self.object_schema(update_policy, top_level=True)
            if update_policy
            else None,
        }
        # Resource.validate_deletion_policy: "Snapshot" only for a class that can take one.
        if callable(getattr(resource_cls, "handle_snapshot_delete", None)):
            data["x-snapshot-delete"] = True
        return data

    def source_file(self, cls: type) -> str:
        # Heat's PluginManager loads plugin modules without keeping them in sys.modules, so
        # inspect.getfile() fails; ask the import system where the module lives instead.
        spec = importlib.util.find_spec(cls.__module__)
        if spec is None or spec.origin is None:
            raise GenerationError(f"cannot locate the source of {cls.__module__}")
        return Path(spec.origin).resolve().relative_to(self.heat_root).as_posix()


def load_aliases(environment_file: Path) -> dict[str, str]:
    """The ``resource_registry`` type mappings of Heat's default environment file, verbatim."""
    import yaml

    data = yaml.safe_load(environment_file.read_text(encoding="utf-8")) or {}
    registry = data.get("resource_registry") or {}
    return {str(key): str(value) for key, value in registry.items() if isinstance(value, str)}


def copy_templates(aliases: Mapping[str, str], environment_file: Path, out: Path) -> int:
    """Copy the templates the aliases map types to (file:///etc/heat/templates/NAME) from the
    ``templates`` directory beside ``environment.d``, byte for byte; delete stale copies."""
    source = environment_file.resolve().parent.parent / "templates"
    names = sorted(
        {
            target.removeprefix(HEAT_TEMPLATES_URL)
            for target in aliases.values()
            if target.startswith(HEAT_TEMPLATES_URL)
        }
    )
    out.mkdir(parents=True, exist_ok=True)
    for name in names:
        if not (source / name).is_file():
            raise GenerationError(f"the default environment maps a type to {name}, not in {source}")
        data = (source / name).read_bytes()
        target = out / name
        if not target.exists() or target.read_bytes() != data:
            target.write_bytes(data)
    for stale in sorted(out.glob("*.yaml")):
        if stale.name not in names:
            stale.unlink()
    return len(names)


def dump_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def write_if_changed(path: Path, text: str) -> None:
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8", newline="\n")


def quiet_heat() -> None:
    """Heat logs every HIDDEN/DEPRECATED type at registration and eventlet warns on import."""
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("heat").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore")


def check_heat_version(allow_mismatch: bool) -> str:
    installed = importlib.metadata.version(HEAT_DISTRIBUTION)
    if installed != HEAT_VERSION and not allow_mismatch:
        raise SystemExit(
            f"{HEAT_DISTRIBUTION} {installed} is installed but the data is pinned to "
            f"{HEAT_VERSION}; install {HEAT_DISTRIBUTION}=={HEAT_VERSION} or pass "
            "--allow-version-mismatch (and update HEAT_VERSION)"
        )
    return installed


def generate(
    out: Path, environment_file: Path, templates_out: Path | None = None
) -> dict[str, int]:
    """Write every per-type file and ``index.json`` into ``out``, and the default
    environment's templates into ``templates_out`` (``templates`` beside ``out``); return
    summary counts."""
    quiet_heat()
    import heat
    from heat.engine import resources

    env = resources.global_env()
    entries: dict[str, type] = {}
    for name, info in env.registry._registry.items():
        cls = getattr(info, "value", None)
        if isinstance(cls, type):  # ClassResourceInfo; skips the per-resource "resources" dict
            entries[str(name)] = cls
    class_to_type = {cls: name for name, cls in sorted(entries.items(), reverse=True)}
    converter = Converter(Path(heat.__file__).resolve().parent.parent, class_to_type)

    out.mkdir(parents=True, exist_ok=True)
    types_index: dict[str, dict[str, str]] = {}
    files_written: set[str] = set()
    for name in sorted(entries):
        filename = type_to_filename(name)
        if filename in files_written:
            raise GenerationError(f"two resource types map to the file name {filename}")
        data = converter.resource_type(name, entries[name])
        write_if_changed(out / filename, dump_json(data))
        files_written.add(filename)
        types_index[name] = {"file": filename, "status": data["x-support"]["status"]}

    constraint_classes = {
        str(name): f"{cls.__module__}:{cls.__qualname__}" for name, cls in env.constraints.items()
    }
    pure = sorted(
        name
        for name, cls in env.constraints.items()
        if cls.__module__ == PURE_CONSTRAINT_MODULE and "." not in name
    )
    aliases = load_aliases(environment_file)
    index = {
        "heat_version": HEAT_VERSION,
        "generated_by": GENERATOR,
        "types": types_index,
        "aliases": aliases,
        "custom_constraints": sorted(constraint_classes),
        "constraint_classes": constraint_classes,
        "pure_constraints": pure,
    }
    write_if_changed(out / INDEX_FILE, dump_json(index))
    files_written.add(INDEX_FILE)
    templates = copy_templates(aliases, environment_file, templates_out or out.parent / "templates")

    for stale in sorted(out.glob("*.json")):
        if stale.name not in files_written:
            stale.unlink()

    hidden = sum(1 for entry in types_index.values() if entry["status"] == "HIDDEN")
    return {
        "types": len(types_index),
        "visible": len(types_index) - hidden,
        "hidden": hidden,
        "aliases": len(aliases),
        "templates": templates,
        "custom_constraints": len(constraint_classes),
        "pure_constraints": len(pure),
    }


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    parser.add_argument(
        "--templates-out",
        type=Path,
        default=None,
        help="directory for the default environment's templates (default: templates beside --out)",
    )
    parser.add_argument(
        "--environment",
        type=Path,
        default=Path(sys.prefix) / "etc" / "heat" / "environment.d" / "default.yaml",
        help="Heat default environment file holding the type aliases",
    )
    parser.add_argument(
        "--allow-version-mismatch",
        action="store_true",
        help=f"run with a Heat release other than the pinned {HEAT_VERSION}",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    check_heat_version(args.allow_version_mismatch)
    if not args.environment.is_file():
        raise SystemExit(f"Heat environment file not found: {args.environment}")
    counts = generate(args.out, args.environment, args.templates_out)
    summary = ", ".join(f"{value} {key}" for key, value in counts.items())
    print(f"heat {HEAT_VERSION}: {summary} -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
