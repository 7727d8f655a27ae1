"""SCH010's autofix: a deprecated property Heat renames (translation rules) is renamed in place;
applied, the template validates without SCH010 and keeps every other byte."""

from pathlib import Path

from kiln.compiler.diagnostics import TextEdit
from kiln.compiler.driver import compile_file
from kiln.plugins.host import Registries

TEMPLATE = """\
heat_template_version: 2018-08-31
resources:
  net:
    type: OS::Neutron::Net
  subnet:
    type: OS::Neutron::Subnet
    properties:
      network_id: {get_resource: net}   # kept comment
      cidr: 10.0.0.0/24
  port:
    type: OS::Neutron::Port
    properties:
      network: {get_resource: net}
      fixed_ips:
        - {"subnet_id": {get_resource: subnet}}
  both:
    type: OS::Neutron::Subnet
    properties:
      network: {get_resource: net}
      network_id: {get_resource: net}
      cidr: 10.0.1.0/24
"""


def apply(text: str, edits: list[TextEdit]) -> str:
    for edit in sorted(edits, key=lambda edit: edit.start, reverse=True):
        text = text[: edit.start] + edit.text + text[edit.end :]
    return text


def sch010(path: Path, registries: Registries) -> list:  # type: ignore[type-arg]
    result = compile_file(str(path), registries)
    return [d for d in result.diagnostics if d.code.id == "SCH010"]


def test_renamed_property_gets_a_safe_fix(tmp_path: Path, registries: Registries) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(TEMPLATE)
    found = {d.dotted_path: d for d in sch010(path, registries)}
    assert set(found) == {
        "resources.subnet.properties.network_id",
        "resources.port.properties.fixed_ips.0.subnet_id",
        "resources.both.properties.network_id",
    }
    # Both names given: Heat rejects the pair (SCH012), and renaming would duplicate a key.
    assert found["resources.both.properties.network_id"].autofix is None
    fixes = [found[p].autofix for p in found if "both" not in p]
    assert all(fix is not None and fix.safe for fix in fixes)
    edits = [edit for fix in fixes if fix is not None for edit in fix.edits]
    fixed = apply(TEMPLATE, edits)
    assert fixed == TEMPLATE.replace(
        "network_id: {get_resource: net}   #", "network: {get_resource: net}   #"
    ).replace('"subnet_id"', '"subnet"')
    path.write_text(fixed)
    remaining = {d.dotted_path for d in sch010(path, registries)}
    assert remaining == {"resources.both.properties.network_id"}
