"""The generated resource-type schemas (kiln/schemas) and the SchemaRegistry that reads them."""

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from kiln.compiler.resource_types import (
    DuplicateResourceType,
    InvalidResourceTypeSchema,
    SchemaRegistry,
    SupportStatus,
)

REPO = Path(__file__).resolve().parents[2]
SCHEMAS = REPO / "kiln" / "schemas"
RESOURCES = SCHEMAS / "resources"
META = SCHEMAS / "meta" / "resource-type.schema.json"
GENERATOR = REPO / "tools" / "gen_schemas.py"
HEAT_VERSION = "27.0.1"

TYPE_FILES = sorted(path for path in RESOURCES.glob("*.json") if path.name != "index.json")


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def load_generator() -> ModuleType:
    """tools/gen_schemas.py imports Heat only inside generate(), so it loads without Heat."""
    spec = importlib.util.spec_from_file_location("kiln_gen_schemas", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def index() -> Any:
    return load(RESOURCES / "index.json")


@pytest.fixture(scope="module")
def meta_validator() -> Draft202012Validator:
    meta = load(META)
    Draft202012Validator.check_schema(meta)
    return Draft202012Validator(meta, format_checker=Draft202012Validator.FORMAT_CHECKER)


@pytest.fixture()
def registry() -> SchemaRegistry:
    return SchemaRegistry.default()


def write_schema_dir(directory: Path, types: dict[str, Any], **index_extra: Any) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    entries = {}
    for position, (name, raw) in enumerate(types.items()):
        file_name = f"type_{position}.json"
        (directory / file_name).write_text(json.dumps(raw), encoding="utf-8")
        entries[name] = {"file": file_name, "status": "SUPPORTED"}
    index = {"heat_version": "test", "types": entries, **index_extra}
    (directory / "index.json").write_text(json.dumps(index), encoding="utf-8")
    return directory


def minimal_schema(name: str) -> dict[str, Any]:
    support = {"status": "SUPPORTED", "version": None, "message": None, "previous": None}
    return {
        "type": name,
        "heat_version": "test",
        "x-support": support,
        "properties": {
            "type": "object",
            "properties": {
                "size": {
                    "type": "integer",
                    "minimum": 1,
                    "x-update-allowed": True,
                    "x-immutable": False,
                    "x-support": support,
                }
            },
            "required": ["size"],
            "additionalProperties": False,
        },
        "attributes": {"id": {"type": "string", "description": None, "x-support": support}},
    }


# -- the data -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", TYPE_FILES, ids=[path.stem for path in TYPE_FILES])
def test_type_file_validates_against_meta_schema(
    path: Path, meta_validator: Draft202012Validator
) -> None:
    data = load(path)
    errors = [f"{error.json_path}: {error.message}" for error in meta_validator.iter_errors(data)]
    assert errors == []
    Draft202012Validator.check_schema(data["properties"])
    if data["update_policy"] is not None:
        Draft202012Validator.check_schema(data["update_policy"])


def test_files_are_deterministically_formatted() -> None:
    for path in [*TYPE_FILES, RESOURCES / "index.json"]:
        text = path.read_text(encoding="utf-8")
        expected = json.dumps(json.loads(text), sort_keys=True, indent=1, ensure_ascii=False)
        assert text == expected + "\n", path.name


def test_index_lists_exactly_the_files_present(index: Any) -> None:
    type_to_filename = load_generator().type_to_filename
    listed = {entry["file"] for entry in index["types"].values()}
    assert listed == {path.name for path in TYPE_FILES}
    for name, entry in index["types"].items():
        assert entry["file"] == type_to_filename(name)
        data = load(RESOURCES / entry["file"])
        assert data["type"] == name
        assert data["x-support"]["status"] == entry["status"]
        assert data["heat_version"] == index["heat_version"] == HEAT_VERSION


def test_type_to_filename() -> None:
    assert load_generator().type_to_filename("OS::Nova::Server") == "os_nova_server.json"


def test_counts(index: Any) -> None:
    statuses = [entry["status"] for entry in index["types"].values()]
    assert len(statuses) == 201
    assert statuses.count("HIDDEN") == 38
    assert len(statuses) - statuses.count("HIDDEN") == 163
    assert len(index["custom_constraints"]) == 70
    assert index["custom_constraints"] == sorted(index["custom_constraints"])
    assert len(index["pure_constraints"]) == 13
    assert set(index["pure_constraints"]) <= set(index["custom_constraints"])
    assert {"ip_addr", "net_cidr", "timezone"} <= set(index["pure_constraints"])
    assert index["aliases"]["OS::Quantum*"] == "OS::Neutron*"


def test_every_referenced_custom_constraint_is_declared(index: Any) -> None:
    declared = set(index["custom_constraints"])
    used: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            used.update(node.get("x-constraints", ()))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in TYPE_FILES:
        data = load(path)
        walk(data["properties"])
    assert used
    assert used <= declared


# -- the model through the registry -------------------------------------------------------------


def test_nova_server(registry: SchemaRegistry) -> None:
    server = registry.get("OS::Nova::Server")
    assert server is not None
    assert server.required == ("flavor",)
    assert "addresses" in server.attribute_names
    assert "show" in server.attribute_names
    assert server.attribute("addresses") is not None
    assert server.source_file == "heat/engine/resources/openstack/nova/server.py"
    assert server.client == "nova"
    assert server.description is not None and server.description.startswith("A resource")
    flavor = server.property_schema("flavor")
    assert flavor is not None
    assert flavor["x-constraints"] == ["nova.flavor"]
    assert flavor["x-update-allowed"] is True
    assert server.property_schema("no_such_property") is None
    assert not server.support.is_hidden


def test_random_string_length_range(registry: SchemaRegistry) -> None:
    random_string = registry.get("OS::Heat::RandomString")
    assert random_string is not None
    length = random_string.property_schema("length")
    assert length is not None
    assert (length["type"], length["minimum"], length["maximum"]) == ("integer", 1, 512)
    assert length["default"] == 32
    sequence = random_string.property_schema("sequence")
    assert sequence is not None
    status = SupportStatus.from_json(sequence["x-support"])
    assert status.is_hidden
    assert status.previous is not None and status.previous.is_deprecated


def test_heat_constraint_shapes(registry: SchemaRegistry) -> None:
    # allowed_values on a List applies to each element.
    delay = registry.get("OS::Heat::Delay")
    assert delay is not None
    actions = delay.property_schema("actions")
    assert actions is not None and "CREATE" in actions["items"]["enum"]
    # allowed_pattern keeps Heat's re.match semantics.
    volume_attachment = registry.get("AWS::EC2::VolumeAttachment")
    assert volume_attachment is not None
    device = volume_attachment.property_schema("Device")
    assert device is not None
    assert device["pattern"] == "/dev/vd[b-z]"
    assert device["x-pattern-anchored"] == "match"
    # update policies are object schemas.
    group = registry.get("OS::Heat::ResourceGroup")
    assert group is not None and group.update_policy is not None
    assert {"rolling_update", "batch_create"} <= set(group.update_policy["properties"])


def test_support_status(registry: SchemaRegistry) -> None:
    deployments = registry.get("OS::Heat::SoftwareDeployments")
    assert deployments is not None
    support = deployments.support
    assert support.is_hidden and not support.is_deprecated
    assert support.substitute == "OS::Heat::SoftwareDeploymentGroup"
    assert support.previous is not None and support.previous.is_deprecated
    alarm = registry.get("OS::Aodh::Alarm")
    assert alarm is not None and alarm.support.is_deprecated


def test_registry_names_and_aliases(registry: SchemaRegistry) -> None:
    assert len(registry.names()) == 201
    assert "OS::Nova::Server" in registry
    assert "OS::Nova::Nothing" not in registry
    assert registry.get("OS::Nova::Nothing") is None
    assert registry.resolve_alias("OS::Nova::Server") == "OS::Nova::Server"
    assert registry.resolve_alias("OS::Quantum::Net") == "OS::Neutron::Net"
    assert registry.resolve_alias("OS::Metering::Alarm") == "OS::Aodh::Alarm"
    assert registry.resolve_alias("AWS::CloudWatch::Alarm").endswith("AWS_CloudWatch_Alarm.yaml")
    assert registry.resolve_alias("Custom::Unknown") == "Custom::Unknown"
    assert len(registry.custom_constraints()) == 70
    assert "nova.flavor" in registry.custom_constraints()


def test_registry_loads_lazily(registry: SchemaRegistry) -> None:
    assert registry.names()
    assert registry.loaded_names() == frozenset()
    first = registry.get("OS::Nova::Server")
    assert registry.loaded_names() == {"OS::Nova::Server"}
    assert registry.get("OS::Nova::Server") is first
    assert registry.loaded_names() == {"OS::Nova::Server"}


def test_registry_never_reads_other_type_files(tmp_path: Path) -> None:
    directory = write_schema_dir(
        tmp_path / "dir", {"My::Good": minimal_schema("My::Good"), "My::Bad": {}}
    )
    (directory / "type_1.json").write_text("{ not json", encoding="utf-8")
    registry = SchemaRegistry([directory])
    assert registry.names() == {"My::Good", "My::Bad"}
    good = registry.get("My::Good")
    assert good is not None and good.required == ("size",)
    assert good.attribute_names == ("id", "show")
    assert good.attribute("show") is not None
    with pytest.raises(InvalidResourceTypeSchema):
        registry.get("My::Bad")


def test_duplicate_type_across_directories(tmp_path: Path) -> None:
    first = write_schema_dir(tmp_path / "first", {"My::Thing": minimal_schema("My::Thing")})
    second = write_schema_dir(
        tmp_path / "second",
        {"My::Other": minimal_schema("My::Other"), "My::Thing": minimal_schema("My::Thing")},
    )
    with pytest.raises(DuplicateResourceType) as caught:
        SchemaRegistry([first, second])
    message = str(caught.value)
    assert "My::Thing" in message and str(first) in message and str(second) in message
    assert isinstance(caught.value, ValueError)


def test_later_directory_adds_types_and_aliases(tmp_path: Path) -> None:
    plugin = write_schema_dir(
        tmp_path / "plugin",
        {"Vendor::Box": minimal_schema("Vendor::Box")},
        aliases={"Vendor::Old*": "OS::Nova*"},
        custom_constraints=["vendor.box"],
    )
    registry = SchemaRegistry([SchemaRegistry.builtin_dir(), plugin])
    assert len(registry.names()) == 202
    assert registry.source_of("Vendor::Box") == str(plugin)
    assert registry.resolve_alias("Vendor::Old::Server") == "OS::Nova::Server"
    assert "vendor.box" in registry.custom_constraints()
    assert "nova.flavor" in registry.custom_constraints()


def test_extra_schemas(tmp_path: Path) -> None:
    registry = SchemaRegistry.default({"Plugin::Thing": minimal_schema("Plugin::Thing")})
    thing = registry.get("Plugin::Thing")
    assert thing is not None and thing.property_names == ("size",)
    with pytest.raises(DuplicateResourceType, match="<extra>"):
        SchemaRegistry.default({"OS::Nova::Server": minimal_schema("OS::Nova::Server")})


def test_validation_on_request() -> None:
    broken = minimal_schema("Plugin::Broken")
    del broken["properties"]["properties"]["size"]["x-support"]
    lenient = SchemaRegistry.default({"Plugin::Broken": broken})
    assert lenient.get("Plugin::Broken") is not None
    strict = SchemaRegistry.default({"Plugin::Broken": broken}, validate=True)
    assert strict.get("OS::Nova::Server") is not None
    with pytest.raises(InvalidResourceTypeSchema, match="x-support"):
        strict.get("Plugin::Broken")


def test_reading_schemas_does_not_import_jsonschema() -> None:
    code = (
        "import sys\n"
        "from kiln.compiler.resource_types import SchemaRegistry\n"
        "registry = SchemaRegistry.default()\n"
        "assert registry.get('OS::Nova::Server') is not None\n"
        "assert 'jsonschema' not in sys.modules, 'jsonschema imported eagerly'\n"
        "assert 'heat' not in sys.modules\n"
    )
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    subprocess.run([sys.executable, "-c", code], check=True, env=environment, cwd=REPO)


# -- regeneration (needs Heat) ------------------------------------------------------------------


def heat_python() -> str | None:
    """An interpreter with openstack-heat: $KILN_HEAT_PYTHON, else this one if Heat imports."""
    configured = os.environ.get("KILN_HEAT_PYTHON")
    if configured:
        return configured
    return sys.executable if importlib.util.find_spec("heat") is not None else None


def test_regeneration_is_byte_identical(tmp_path: Path) -> None:
    python = heat_python()
    if python is None:
        pytest.skip(
            "import heat fails: regenerating needs openstack-heat; set KILN_HEAT_PYTHON to the "
            f"python of a venv with openstack-heat=={HEAT_VERSION}"
        )
    version = subprocess.run(
        [python, "-c", "import importlib.metadata as m; print(m.version('openstack-heat'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if version != HEAT_VERSION:
        pytest.skip(f"openstack-heat {version} installed; the data is pinned to {HEAT_VERSION}")
    out = tmp_path / "resources"
    for _ in range(2):  # the second run rewrites in place and must not change anything either
        subprocess.run([python, str(GENERATOR), "--out", str(out)], check=True, capture_output=True)
    generated = sorted(path.name for path in out.iterdir())
    committed = sorted(path.name for path in RESOURCES.glob("*.json"))
    assert generated == committed
    for name in committed:
        assert (out / name).read_bytes() == (RESOURCES / name).read_bytes(), name
    shutil.rmtree(out)
