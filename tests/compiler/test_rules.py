"""Cross-property rules (resource_types/rules.py): they fire on known values and stay quiet on
values not known before deployment."""

from kiln.compiler.resource_types import rules


def _props(**values: object) -> rules.Props:
    return rules.Props(values, {}, {}, {})


def test_subnet_needs_cidr_or_pool_unless_unknown() -> None:
    assert list(rules.subnet_sources(_props(network="n"), "s"))
    assert not list(rules.subnet_sources(_props(network="n", cidr=rules.UNKNOWN), "s"))
    assert not list(rules.subnet_sources(_props(network="n", subnetpool="p"), "s"))


def test_server_boots_from_image_or_bootable_volume() -> None:
    assert list(rules.server_block_devices(_props(flavor="f"), "s"))
    assert not list(rules.server_block_devices(_props(image=rules.UNKNOWN), "s"))
    volume = {"volume_id": "v", "boot_index": 0}
    assert not list(rules.server_block_devices(_props(block_device_mapping_v2=[volume]), "s"))
    late = {"volume_id": "v", "boot_index": rules.UNKNOWN}
    assert not list(rules.server_block_devices(_props(block_device_mapping_v2=[late]), "s"))


def test_group_sizes_only_when_known() -> None:
    rule = rules.RULES["OS::Heat::AutoScalingGroup"][0]
    assert list(rule(_props(min_size=3, max_size=1), "g"))
    assert list(rule(_props(min_size="3", max_size="1"), "g"))
    assert not list(rule(_props(min_size=rules.UNKNOWN, max_size=1), "g"))
    assert list(rule(_props(min_size=1, max_size=3, desired_capacity=5), "g"))


def test_random_string_minimums_default_to_one_class() -> None:
    assert not list(rules.random_string(_props(), "r"))
    assert list(rules.random_string(_props(length=1, character_sequences=[{"sequence": "x"}]), "r"))


def test_every_rule_and_rename_names_a_known_type() -> None:
    from kiln.compiler.resource_types import SchemaRegistry

    schemas = SchemaRegistry.default()
    for type_name in (*rules.RULES, *rules.RENAMES, *rules.ANY_PROPERTIES):
        assert type_name in schemas, type_name
    for type_name, levels in rules.RENAMES.items():
        schema = schemas.get(type_name)
        assert schema is not None
        for where, names in levels.items():
            if where:
                continue  # nested levels: checked through the cases
            for old, new in names.items():
                assert {old, new} <= set(schema.property_names), (type_name, old, new)
