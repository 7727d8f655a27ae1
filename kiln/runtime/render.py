"""The runtime's documents and their text: plan, stacks, status, outputs, events.

JSON documents are stable for tools (CI reads them):

    plan    {"kiln_plan": 1, "stack": str, "template": str | null,
             "summary": {"create": n, "update": n, "replace": n, "delete": n, "resume": n,
                         "adopt": n, "unchanged": n},
             "changes": [{"resource": str, "type": str, "action": str, "certain": bool,
                          "reasons": [str], "properties": [{"name": str, "old": V, "new": V,
                          "known": bool, "update_allowed": bool}]}]}
    status  {"stack": {...}, "resources": [{"resource", "type", "physical_id", "state",
             "reason", "current", "attributes"}]}

Values from hidden parameters show as "******"; values not known before deploying as
{"$unknown": type, "reason": ...} (JSON) or "(known after deploy)" (text).
"""

import json
import time
from collections.abc import Iterable, Sequence
from typing import Any, Final

from kiln.runtime.hidden import shown
from kiln.runtime.plan import NONE, Change, Plan, PropertyChange
from kiln.runtime.state.records import EventRecord, ResourceRecord, StackRecord

FORMAT_VERSION: Final = 1
SYMBOLS: Final = {
    "create": "+",
    "update": "~",
    "replace": "-/+",
    "delete": "-",
    "resume": ">",
    "adopt": "=",
}
WORDS: Final = {
    "create": "create",
    "update": "update in place",
    "replace": "replace",
    "delete": "delete",
    "resume": "resume",
    "adopt": "adopt",
}


def plan_document(plan: Plan) -> dict[str, Any]:
    counts = plan.counts()
    summary = {action: count for action, count in counts.items() if action != NONE}
    summary["unchanged"] = counts[NONE]
    desired = plan.desired
    return {
        "kiln_plan": FORMAT_VERSION,
        "stack": plan.stack_name,
        "template": desired.unit.root.file if desired is not None else None,
        "summary": summary,
        "changes": [
            _change(change) for change in (*plan.changes, *plan.deletions) if change.action != NONE
        ],
    }


def _change(change: Change) -> dict[str, Any]:
    return {
        "resource": change.name,
        "type": change.type,
        "action": change.action,
        "certain": change.decision.certain,
        "reasons": list(change.decision.reasons),
        "properties": [
            {
                "name": item.name,
                "old": shown(item.old),
                "new": shown(item.new),
                "known": item.known,
                "update_allowed": item.update_allowed,
            }
            for item in change.decision.changes
        ],
    }


def plan_text(plan: Plan) -> str:
    counts = plan.counts()
    lines = [f"Plan for stack {plan.stack_name!r}:"]
    changes = [c for c in (*plan.changes, *plan.deletions) if c.action != NONE]
    width = max([len(change.name) for change in changes] + [4])
    for change in changes:
        decision = change.decision
        word = WORDS[change.action]
        if not decision.certain:
            word = f"may {word}"
        reasons = f" ({'; '.join(decision.reasons)})" if decision.reasons else ""
        lines.append(
            f"  {SYMBOLS[change.action]:>3} {change.name:<{width}}  {change.type}  {word}{reasons}"
        )
        lines.extend(f"        {_property(item)}" for item in decision.changes)
    if not changes:
        lines.append("  no changes")
    parts = [
        f"{counts[action]} to {WORDS[action]}"
        for action in ("create", "update", "replace", "delete", "resume", "adopt")
        if counts[action]
    ]
    parts.append(f"{counts[NONE]} unchanged")
    lines.append("Plan: " + ", ".join(parts) + ".")
    return "\n".join(lines) + "\n"


def _property(item: PropertyChange) -> str:
    new = _value(item.new) if item.known else "(known after deploy)"
    how = "in place" if item.update_allowed else "forces replacement"
    if item.immutable:
        how = "immutable"
    return f"{item.name}: {_value(item.old)} -> {new}  [{how}]"


def _value(value: Any) -> str:
    text = json.dumps(shown(value), sort_keys=True, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


def _when(moment: float | None) -> str:
    if moment is None:
        return "-"
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(moment))


def stacks_text(stacks: Iterable[StackRecord]) -> str:
    rows = [
        (stack.name, stack.state, _when(stack.updated_at), stack.cloud or "-") for stack in stacks
    ]
    return _table(("STACK", "STATE", "UPDATED", "CLOUD"), rows)


def stack_document(stack: StackRecord) -> dict[str, Any]:
    return {
        "name": stack.name,
        "id": stack.id,
        "state": stack.state,
        "reason": stack.status_reason,
        "template": stack.template_path,
        "environment_files": list(stack.environment_files),
        "parameters": shown(dict(stack.parameters)),
        "cloud": stack.cloud,
        "created_at": stack.created_at,
        "updated_at": stack.updated_at,
    }


def status_document(
    stack: StackRecord, rows: list[ResourceRecord], interrupted: bool = False
) -> dict[str, Any]:
    return {
        "stack": {**stack_document(stack), "interrupted": interrupted},
        "resources": [
            {
                "resource": row.logical_name,
                "type": row.type,
                "physical_id": row.physical_id,
                "state": row.state,
                "reason": row.status_reason,
                "current": row.current,
                "attributes": shown(dict(row.attributes)),
            }
            for row in rows
        ],
    }


def status_text(stack: StackRecord, rows: list[ResourceRecord], interrupted: bool = False) -> str:
    """`interrupted`: IN_PROGRESS, but no run holds the stack's lock (a killed run)."""
    head = f"stack {stack.name}: {stack.state}"
    if stack.status_reason:
        head += f" - {stack.status_reason}"
    if interrupted:
        head += " (interrupted: no run is working on it; `kiln deploy` resumes it)"
    lines = [
        head,
        f"  template: {stack.template_path or '-'}",
        f"  updated: {_when(stack.updated_at)}",
    ]
    table = [
        (
            row.logical_name + ("" if row.current else " (old)"),
            row.type,
            row.state,
            row.physical_id or "-",
            row.status_reason,
        )
        for row in rows
    ]
    return (
        "\n".join(lines)
        + "\n"
        + _table(("RESOURCE", "TYPE", "STATE", "PHYSICAL ID", "REASON"), table)
    )


def outputs_text(outputs: dict[str, Any]) -> str:
    lines = [
        f"{name} = {json.dumps(shown(value), sort_keys=True)}" for name, value in outputs.items()
    ]
    return "\n".join(lines) + ("\n" if lines else "")


def event_document(event: EventRecord) -> dict[str, Any]:
    return {
        "time": event.time,
        "resource": event.logical_name,
        "type": event.type,
        "physical_id": event.physical_id,
        "action": event.action,
        "status": event.status,
        "reason": event.reason,
        "run": event.run_id,
    }


def events_text(events: Iterable[EventRecord], stack_name: str) -> str:
    rows = [
        (
            _when(event.time),
            event.logical_name or f"stack {stack_name}",
            event.state,
            event.reason,
        )
        for event in events
    ]
    return _table(("TIME", "RESOURCE", "STATE", "REASON"), rows)


def _table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> str:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = []
    for row in [header, *rows]:
        cells = [str(cell).ljust(widths[i]) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines) + "\n"
