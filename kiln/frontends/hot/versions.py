"""HOT versions as data: dates, release aliases, and what each version accepts.

Source: `heat/engine/hot/template.py` (SECTIONS, _RESOURCE_KEYS, OUTPUT_KEYS,
deletion_policies), `heat/engine/hot/parameters.py` (HOTParamSchema keys and constraints),
and setup.cfg's `heat.templates` entry points; see reference/heat.md §1.
A row `name: since` means the name exists from that version on (None: in every version).
"""

from typing import Final

VERSION_KEY: Final = "heat_template_version"

VERSIONS: Final[tuple[str, ...]] = (
    "2013-05-23",
    "2014-10-16",
    "2015-04-30",
    "2015-10-15",
    "2016-04-08",
    "2016-10-14",
    "2017-02-24",
    "2017-09-01",
    "2018-03-02",
    "2018-08-31",
    "2021-04-16",
)

# Release names Heat accepts as versions: only from newton on (setup.cfg entry points).
ALIASES: Final[dict[str, str]] = {
    "newton": "2016-10-14",
    "ocata": "2017-02-24",
    "pike": "2017-09-01",
    "queens": "2018-03-02",
    "rocky": "2018-08-31",
    "wallaby": "2021-04-16",
}

# Release names of the dated versions before newton: Heat does not accept these as versions.
PRE_NEWTON_NAMES: Final[dict[str, str]] = {
    "icehouse": "2013-05-23",
    "juno": "2014-10-16",
    "kilo": "2015-04-30",
    "liberty": "2015-10-15",
    "mitaka": "2016-04-08",
}

SECTIONS: Final[dict[str, str | None]] = {
    "heat_template_version": None,
    "description": None,
    "parameter_groups": None,
    "parameters": None,
    "resources": None,
    "outputs": None,
    "conditions": "2016-10-14",
}

RESOURCE_KEYS: Final[dict[str, str | None]] = {
    "type": None,
    "properties": None,
    "metadata": None,
    "depends_on": None,
    "deletion_policy": None,
    "update_policy": None,
    "description": None,
    "external_id": "2016-10-14",
    "condition": "2016-10-14",
}

OUTPUT_KEYS: Final[dict[str, str | None]] = {
    "description": None,
    "value": None,
    "condition": "2016-10-14",
}

PARAMETER_KEYS: Final[dict[str, str | None]] = {
    "type": None,
    "description": None,
    "default": None,
    "schema": None,
    "constraints": None,
    "hidden": None,
    "label": None,
    "immutable": None,
    "tags": "2018-03-02",
}

PARAMETER_TYPES: Final[tuple[str, ...]] = (
    "string",
    "number",
    "comma_delimited_list",
    "json",
    "boolean",
)

CONSTRAINT_KINDS: Final[dict[str, str | None]] = {
    "length": None,
    "range": None,
    "allowed_values": None,
    "allowed_pattern": None,
    "custom_constraint": None,
    "modulo": "2017-02-24",
}

DELETION_POLICIES: Final[tuple[str, ...]] = ("Delete", "Retain", "Snapshot")
# Lower-case aliases of the deletion policies are accepted from this version on.
LOWERCASE_DELETION_POLICY_SINCE: Final = "2016-10-14"

PARAMETER_GROUP_KEYS: Final[tuple[str, ...]] = ("label", "description", "parameters")

PSEUDO_PARAMETERS: Final = frozenset({"OS::stack_id", "OS::stack_name", "OS::project_id"})


def canonical_version(spelling: str) -> str | None:
    """The version date for a date or release alias, or None when Heat does not know it."""
    if spelling in VERSIONS:
        return spelling
    return ALIASES.get(spelling)


def available(table: dict[str, str | None], name: str, version: str) -> bool:
    since = table[name]
    return since is None or version >= since
