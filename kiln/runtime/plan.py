"""The plan: the desired state against the recorded one, resource by resource.

Each desired resource gets a `Decision` (create, update in place, replace, resume an
interrupted create, adopt an external one, or nothing) with its reasons: which properties
changed and whether each can change in place, from the schema's flags as Heat reads them
(Resource._needs_update / update_template_diff_properties in heat/engine/resource.py):

- a changed property that is not update_allowed replaces the resource, create-first;
- an `immutable` one cannot change at all (Heat's NotSupported): a RUN004 error;
- a handler's own rule (Heat's needs_replace_with_prop_diff) may replace it too;
- a resource left FAILED by a create is replaced (Heat's needs_replace_failed default);
- an `external_id` resource is never updated; the environment's restricted_actions forbid
  what they name (RUN005).

Values not known before deployment (an attribute of a resource the plan creates) make the
decision uncertain: "may update". The engine decides again with the real values, with this
same function, when the resource's turn comes; what the plan shows for certain cannot turn
out otherwise. Rows the template no longer has, and old resources of replacements, are
deleted after everything else, in reverse dependency order.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from kiln.compiler.diagnostics import Diagnostic, make
from kiln.compiler.evaluate.values import first_unknown
from kiln.compiler.source import Span
from kiln.runtime import errors as err
from kiln.runtime.desired import Desired, DesiredResource, Resolved, ResourceData
from kiln.runtime.hidden import unmask_for_evaluation
from kiln.runtime.state.records import (
    CREATE,
    DELETE,
    FAILED,
    IN_PROGRESS,
    UPDATE,
    ResourceRecord,
    StackRecord,
)

CREATE_ACTION, UPDATE_ACTION, REPLACE, DELETE_ACTION = "create", "update", "replace", "delete"
NONE, RESUME, ADOPT = "none", "resume", "adopt"
ACTIONS: Final = (CREATE_ACTION, UPDATE_ACTION, REPLACE, DELETE_ACTION, NONE, RESUME, ADOPT)


@dataclass(frozen=True, slots=True)
class PropertyChange:
    name: str
    old: Any
    new: Any
    known: bool
    update_allowed: bool
    immutable: bool


@dataclass(frozen=True, slots=True)
class Decision:
    action: str
    reasons: tuple[str, ...] = ()
    changes: tuple[PropertyChange, ...] = ()
    certain: bool = True
    error: str | None = None
    error_code: Any = None

    @property
    def changed(self) -> frozenset[str]:
        return frozenset(change.name for change in self.changes)


def decide(item: DesiredResource, record: ResourceRecord | None, props: Resolved) -> Decision:
    """What to do with one desired resource, given its current row and its properties."""
    if record is None:
        if item.external_id is not None:
            return Decision(ADOPT, (f"existing resource {item.external_id} (external_id)",))
        return Decision(CREATE_ACTION)
    if item.external_id is not None or record.external:
        if item.external_id != record.physical_id:
            return Decision(
                NONE,
                error=f"resource {item.name!r}: changing external_id is not supported (Heat "
                "refuses it too); remove the resource first",
                error_code=err.NOT_DEPLOYABLE,
            )
        return Decision(NONE)
    if record.type != item.type:
        return Decision(REPLACE, (f"type changes from {record.type} to {item.type}",))
    if record.action == DELETE:
        return Decision(REPLACE, (f"its delete did not finish ({record.state})",))
    changes = _changes(item, record.properties or {}, props)
    if record.action == CREATE and record.status in (IN_PROGRESS, FAILED):
        if record.status == FAILED and record.physical_id is not None:
            reason = record.status_reason or "no reason recorded"
            return Decision(REPLACE, (f"CREATE_FAILED last time ({reason})",), changes)
        if changes:
            return Decision(
                REPLACE,
                ("an interrupted create was asked for other properties",),
                changes,
                certain=all(change.known for change in changes),
            )
        return Decision(RESUME, (f"the last run stopped at {record.state}",))
    if record.action == UPDATE and record.status == FAILED:
        reason = record.status_reason or "no reason recorded"
        return Decision(REPLACE, (f"UPDATE_FAILED last time ({reason})",), changes)
    return _update_or_replace(item, record, props, changes)


def _update_or_replace(
    item: DesiredResource,
    record: ResourceRecord,
    props: Resolved,
    changes: tuple[PropertyChange, ...],
) -> Decision:
    handler = item.handler
    changed = frozenset(change.name for change in changes)
    old = record.properties or {}
    if not changes or not handler.needs_update(old, props.masked, changed):
        if record.status == IN_PROGRESS:  # an update interrupted after its call: redo
            return Decision(UPDATE_ACTION, (f"the last run stopped at {record.state}",))
        return Decision(NONE)
    certain = all(change.known for change in changes)
    frozen = [change.name for change in changes if change.immutable and change.known]
    if frozen:
        return Decision(
            NONE,
            changes=changes,
            error=f"resource {item.name!r}: property {', '.join(frozen)} is immutable "
            "(Heat refuses to change it); replace the resource by renaming it",
            error_code=err.IMMUTABLE_PROPERTY_CHANGED,
        )
    fixed = [change.name for change in changes if not change.update_allowed]
    action, reasons = UPDATE_ACTION, [f"{', '.join(sorted(changed))} can change in place"]
    if fixed:
        action = REPLACE
        reasons = [f"{', '.join(fixed)} cannot change in place"]
    elif certain:
        own = handler.needs_replace(old, props.real, changed)
        if own is not None:
            action, reasons = REPLACE, [own]
    restricted = "replace" if action == REPLACE else "update"
    if restricted in item.restricted:
        return Decision(
            action,
            tuple(reasons),
            changes,
            certain,
            error=f"resource {item.name!r}: the plan must {restricted} it "
            f"({reasons[0]}), which the environment's restricted_actions forbid",
            error_code=err.RESTRICTED_ACTION,
        )
    return Decision(action, tuple(reasons), changes, certain)


def _changes(
    item: DesiredResource, old: Mapping[str, Any], props: Resolved
) -> tuple[PropertyChange, ...]:
    found: list[PropertyChange] = []
    for name in sorted(set(old) | set(props.masked)):
        before, after = old.get(name), props.masked.get(name)
        known = first_unknown(props.real.get(name)) is None
        if known and before == after:
            continue
        found.append(
            PropertyChange(
                name,
                before,
                after,
                known,
                item.handler.update_allowed(name),
                item.handler.immutable(name),
            )
        )
    return tuple(found)


@dataclass(frozen=True, slots=True)
class Change:
    name: str
    type: str
    action: str
    decision: Decision
    record: ResourceRecord | None = None
    span: Span | None = None


@dataclass
class Plan:
    stack_name: str
    stack: StackRecord | None
    desired: Desired | None
    changes: list[Change] = field(default_factory=list)
    deletions: list[Change] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return bool(self.diagnostics)

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(ACTIONS, 0)
        for change in (*self.changes, *self.deletions):
            counts[change.action] += 1
        return counts

    @property
    def has_changes(self) -> bool:
        return any(change.action != NONE for change in (*self.changes, *self.deletions))


def stored_data(record: ResourceRecord, item: DesiredResource, props: Resolved) -> dict[str, Any]:
    """An unchanged resource as the evaluator reads it: its recorded id and attributes
    (hidden values unknown: they are not kept), or the attributes its handler knows from
    the properties alone."""
    attributes = unmask_for_evaluation(dict(record.attributes), "hidden: read again on deploy")
    offline = item.handler.offline_attributes(props.real) if props.unknown is None else None
    return {
        "reference_id": record.reference_id or record.physical_id,
        "attrs": {**attributes, **(offline or {})},
    }


def _known_after(
    item: DesiredResource, record: ResourceRecord | None, decision: Decision, props: Resolved
) -> dict[str, Any]:
    """What the plan knows of a resource once the deploy has dealt with it: all of an
    unchanged one; the id of one updated in place; the attributes its handler knows from
    its properties alone (OS::Heat::Value) whatever happens to it."""
    if record is not None and decision.action == NONE:
        return stored_data(record, item, props)
    known: dict[str, Any] = {}
    if record is not None and decision.action == UPDATE_ACTION:
        known["reference_id"] = record.reference_id or record.physical_id
    if decision.action == ADOPT:
        known["reference_id"] = item.external_id
    offline = item.handler.offline_attributes(props.real) if props.unknown is None else None
    if offline is not None:
        known["attrs"] = offline
    return known


def make_plan(desired: Desired, stack: StackRecord | None, rows: list[ResourceRecord]) -> Plan:
    plan = Plan(desired.stack_name, stack, desired, diagnostics=list(desired.diagnostics))
    current = {row.logical_name: row for row in rows if row.current}
    data: ResourceData = {}
    for name, item in desired.resources.items():
        record = current.get(name)
        props = desired.resolve(name, data)
        plan.diagnostics.extend(props.diagnostics)
        decision = decide(item, record, props)
        span = item.node.name_span or item.node.span
        if decision.error is not None:
            plan.diagnostics.append(
                make(decision.error_code, span, ("resources", name), message=decision.error)
            )
        if props.unknown is None:
            problem = item.handler.validate(props.real)
            if problem is not None:
                plan.diagnostics.append(
                    make(
                        err.PROPERTIES_REJECTED,
                        span,
                        ("resources", name, "properties"),
                        message=f"resource {name!r}: {problem}",
                    )
                )
        plan.changes.append(Change(name, item.type, decision.action, decision, record, span))
        data[name] = _known_after(item, record, decision, props)
    plan.deletions = _deletions(desired, rows, {row.id for row in current.values()})
    return plan


def _deletions(
    desired: Desired | None, rows: list[ResourceRecord], kept: set[int] | None = None
) -> list[Change]:
    """Rows to delete: every row but the current one of each desired resource (`kept`)."""
    found: list[Change] = []
    wanted = desired.resources if desired is not None else {}
    template = desired.unit.root if desired is not None else None
    for row in rows:
        if row.id in (kept or set()) and row.logical_name in wanted:
            continue
        if not row.current or row.logical_name in wanted:
            reason = "the old resource of a replacement"
        elif template is not None and row.logical_name in template.resources:
            reason = "its condition is false now"
        elif desired is not None and "." in row.logical_name:
            reason = "its group has fewer members now"
        elif desired is not None:
            reason = "no longer in the template"
        else:
            reason = "the stack is deleted"
        if row.deletion_policy == "Retain" or row.external:
            reason += "; kept in the cloud (Retain or external_id), only forgotten"
        found.append(
            Change(
                row.logical_name, row.type, DELETE_ACTION, Decision(DELETE_ACTION, (reason,)), row
            )
        )
    return found


def delete_plan(stack: StackRecord, rows: list[ResourceRecord]) -> Plan:
    """Everything the stack holds, to delete."""
    return Plan(stack.name, stack, None, deletions=_deletions(None, rows))
