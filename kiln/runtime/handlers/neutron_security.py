"""OS::Neutron::SecurityGroup and SecurityGroupRule
(heat/engine/resources/openstack/neutron/security_group{,_rule}.py).

A security group's `rules` are reconciled with what Neutron has, as Heat's _update_rules
does on update: the wanted rules (Heat's _format_rule) plus Neutron's default egress rules
when no egress rule is given, against the group's rules by Heat's _rule_key; stale ones
deleted, missing ones created in one bulk call. Kiln does this on create too (Heat's
_create_rules reaches the same end: it deletes the default egress rules when any egress rule
is given), so a create resumed after a kill finishes the rules instead of skipping them.

A rule cannot be tagged (Neutron has no tags on rules): it carries the token mark as its
description unless the template gives one; then `find_existing` matches it by its fields.
Neutron refuses two equal rules in a group, so a rule is replaced delete-first.
"""

from collections.abc import Mapping
from typing import Any, ClassVar

from kiln.runtime.errors import HandlerFailure
from kiln.runtime.handlers.base import DELETE_FIRST, HandlerContext, Props, Replacement
from kiln.runtime.handlers.neutron import Lookups, NeutronHandler, conflict
from kiln.runtime.handlers.neutron_api import (
    PORT,
    SECURITY_GROUP,
    SECURITY_GROUP_RULE,
    Kind,
    Neutron,
    neutron,
)

# SecurityGroup.default_egress_rules and _COMPARABLE_RULE_KEYS.
DEFAULT_EGRESS = ({"direction": "egress", "ethertype": "IPv4"},
                  {"direction": "egress", "ethertype": "IPv6"})  # fmt: skip
RULE_KEYS = ("direction", "ethertype", "protocol", "port_range_min", "port_range_max",
             "remote_group_id", "remote_ip_prefix", "security_group_id")  # fmt: skip
ICMP = ("icmp", "icmpv6", "ipv6-icmp")
STATEFUL_EXTENSION = "stateful-security-group"


def rule_key(rule: Mapping[str, Any]) -> tuple[str | None, ...]:
    """SecurityGroup._rule_key."""
    return tuple(str(rule[k]) if rule.get(k) is not None else None for k in RULE_KEYS)


def has_extension(api: Neutron, alias: str) -> bool:
    found = api.request("GET", "/extensions").get("extensions") or ()
    return any(item.get("alias") == alias for item in found)


class SecurityGroupHandler(NeutronHandler):
    type_name: ClassVar[str] = "OS::Neutron::SecurityGroup"
    kind: ClassVar[Kind] = SECURITY_GROUP
    has_status: ClassVar[bool] = False
    description_property: ClassVar[str | None] = "description"

    def validate(self, props: Props) -> str | None:
        problem = super().validate(props)
        if problem is None and props.get("name") == "default":
            return 'Security groups cannot be assigned the name "default".'
        return problem

    def body(self, ctx: HandlerContext, api: Neutron, props: Props) -> dict[str, Any]:
        body = super().body(ctx, api, props)
        body.pop("rules", None)
        if "stateful" in body and not has_extension(api, STATEFUL_EXTENSION):
            if body["stateful"] is False:
                raise HandlerFailure(
                    "Neutron does not support stateless security groups; remove the "
                    '"stateful" property or set it to true.'
                )
            del body["stateful"]
        return body

    def after_create(
        self, ctx: HandlerContext, api: Neutron, resource_id: str, props: Props
    ) -> None:
        self.reconcile(api, resource_id, props.get("rules") or [])

    @staticmethod
    def format_rule(group_id: str, rule: Mapping[str, Any]) -> dict[str, Any]:
        """SecurityGroup._format_rule."""
        formatted = dict(rule)
        formatted["security_group_id"] = group_id
        if "remote_mode" in formatted:
            mode = formatted.pop("remote_mode")
            if mode == "remote_group_id":
                formatted["remote_ip_prefix"] = None
                if not formatted.get("remote_group_id"):  # a rule on the group itself
                    formatted["remote_group_id"] = group_id
            else:
                formatted["remote_group_id"] = None
        for key in ("port_range_min", "port_range_max"):
            if formatted.get(key) is not None:
                formatted[key] = str(formatted[key])
        if formatted.get("description") is None:
            formatted.pop("description", None)
        return formatted

    def reconcile(self, api: Neutron, group_id: str, rules: list[Mapping[str, Any]]) -> None:
        """SecurityGroup._update_rules."""
        wanted = list(rules)
        if not any(rule.get("direction") == "egress" for rule in wanted):
            wanted.extend(DEFAULT_EGRESS)
        desired = [(rule_key(r), r) for r in (self.format_rule(group_id, r) for r in wanted)]
        current = api.get(SECURITY_GROUP, group_id).get("security_group_rules") or []
        desired_keys = {key for key, _ in desired}
        current_keys = {rule_key(rule) for rule in current}
        for rule in current:
            if rule_key(rule) not in desired_keys:
                api.delete(SECURITY_GROUP_RULE, str(rule["id"]))
        missing = [rule for key, rule in desired if key not in current_keys]
        if missing:
            api.request("POST", "/security-group-rules", {"security_group_rules": missing})

    def update_body(
        self,
        ctx: HandlerContext,
        api: Neutron,
        physical_id: str,
        old: Props,
        new: Props,
        diff: dict[str, Any],
    ) -> dict[str, Any]:
        """SecurityGroup.handle_update: the group, then its rules."""
        rules_changed = "rules" in diff
        diff.pop("rules", None)
        stateful = "stateful" in diff and diff["stateful"] != old.get("stateful")
        if stateful and api.search(PORT, security_groups=physical_id, fields="id"):
            raise HandlerFailure(
                f'Updating the "stateful" property while security group "{physical_id}" '
                "is attached to ports. Detach all ports from the security group and retry."
            )
        if "description" in diff and diff["description"] is None:
            diff["description"] = ""  # Neutron refuses a null description
        if diff:
            api.update(SECURITY_GROUP, physical_id, diff)
        if rules_changed:
            self.reconcile(api, physical_id, new.get("rules") or [])
        return {}


class SecurityGroupRuleHandler(NeutronHandler):
    type_name: ClassVar[str] = "OS::Neutron::SecurityGroupRule"
    kind: ClassVar[Kind] = SECURITY_GROUP_RULE
    has_status: ClassVar[bool] = False
    named: ClassVar[bool] = False
    description_property: ClassVar[str | None] = "description"
    replacement: ClassVar[Replacement] = DELETE_FIRST
    lookups: ClassVar[Lookups] = {
        "security_group": ("security_group_id", SECURITY_GROUP),
        "remote_group": ("remote_group_id", SECURITY_GROUP),
    }

    def validate(self, props: Props) -> str | None:
        """SecurityGroupRule.validate."""
        problem = super().validate(props)
        if problem is not None:
            return problem
        if props.get("remote_group") is not None and props.get("remote_ip_prefix") is not None:
            return conflict("remote_group", "remote_ip_prefix")
        low, high = props.get("port_range_min"), props.get("port_range_max")
        ports = props.get("protocol") not in ICMP
        if ports and low is not None and high is not None and int(high) < int(low):
            return "The minimum port number must be less than or equal to the maximum port number."
        return None

    def body(self, ctx: HandlerContext, api: Neutron, props: Props) -> dict[str, Any]:
        body = super().body(ctx, api, props)
        for key in ("port_range_min", "port_range_max"):
            if body.get(key) is not None:
                body[key] = str(body[key])
        return body

    def find_existing(self, ctx: HandlerContext) -> str | None:
        found = super().find_existing(ctx)
        if found is not None or self.marks_description(ctx.props):
            return found
        # The template's own description: the rule with the same fields, if any.
        api = neutron(ctx)
        wanted = self.body(ctx, api, ctx.props)
        for rule in api.search(SECURITY_GROUP_RULE, security_group_id=wanted["security_group_id"]):
            if rule_key(rule) == rule_key(wanted):
                return str(rule["id"])
        return None
