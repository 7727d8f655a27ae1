"""The engine: a Plan carried out along the dependency graph, in parallel.

Forward: a resource starts as soon as everything it requires is complete (not wave by wave,
so a run approaches the critical path), on a pool of worker threads. Its properties are
resolved at that moment by the shared evaluator against the real ids and attributes of what
completed before it, and what to do is decided again from those real values (plan.decide).
Then the cleanup: rows the template no longer has and the old resources of replacements,
deleted in reverse dependency order (a resource before anything it required: servers before
the ports they use). Then the outputs.

A failure marks the resource and the stack FAILED with the cloud's message, starts nothing
new, lets what runs finish; `kiln deploy` again resumes. With `rollback`, what this run
created is deleted again (updates in place are not undone).
"""

import uuid
from collections.abc import Callable, Hashable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any, TypeVar

from kiln.compiler.evaluate.values import first_unknown
from kiln.runtime.desired import (
    Desired,
    DesiredResource,
    ResourceData,
    needed_attributes,
)
from kiln.runtime.errors import ResourceFailed
from kiln.runtime.handlers import HandlerTable
from kiln.runtime.handlers.base import DELETE_FIRST
from kiln.runtime.operations import Operations, Outcome, Run
from kiln.runtime.plan import ADOPT, NONE, REPLACE, RESUME, UPDATE_ACTION, Plan, decide, stored_data
from kiln.runtime.state.records import (
    COMPLETE,
    CREATE,
    DELETE,
    FAILED,
    IN_PROGRESS,
    ResourceRecord,
)

K = TypeVar("K", bound=Hashable)
ROLLBACK = "ROLLBACK"
DEFAULT_PARALLEL = 10


@dataclass
class Result:
    ok: bool
    failures: list[str] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)


def run_graph(
    keys: list[K],
    requires: Mapping[K, set[K]],
    start: Callable[[K], "Future[Any] | None"],
    done: Callable[[K, Any], None],
    pool: ThreadPoolExecutor,
) -> tuple[list[str], list[K]]:
    """Start each key once everything it requires is done; `start` returns a future, or
    None when the key is done at once. Failures (ResourceFailed) stop new starts; what runs
    finishes. Returns (failure messages, keys never started)."""
    pending = list(keys)
    finished: set[K] = set()
    running: dict[Future[Any], K] = {}
    failures: list[str] = []

    def complete(key: K, value: Any) -> None:
        done(key, value)
        finished.add(key)

    while True:
        progressed = True
        while progressed and not failures:
            progressed = False
            for key in [key for key in pending if requires.get(key, set()) <= finished]:
                pending.remove(key)
                try:
                    future = start(key)
                except ResourceFailed as error:
                    failures.append(str(error))
                    break
                if future is None:
                    finished.add(key)
                    progressed = True
                else:
                    running[future] = key
        if not running:
            return failures, pending
        completed, _ = wait(running, return_when=FIRST_COMPLETED)
        for future in completed:
            key = running.pop(future)
            try:
                complete(key, future.result())
            except ResourceFailed as error:
                failures.append(str(error))


def deletion_order(rows: list[ResourceRecord]) -> dict[int, set[int]]:
    """Row id -> the rows to delete before it: those that required it (by logical name)."""
    by_name: dict[str, list[int]] = {}
    for row in rows:
        by_name.setdefault(row.logical_name, []).append(row.id)
    blockers: dict[int, set[int]] = {row.id: set() for row in rows}
    for row in rows:
        for name in row.requires:
            for target in by_name.get(name, ()):
                if target != row.id:
                    blockers[target].add(row.id)
    return blockers


class Engine:
    def __init__(
        self,
        plan: Plan,
        run: Run,
        handlers: HandlerTable,
        *,
        parallel: int = DEFAULT_PARALLEL,
    ) -> None:
        self.plan = plan
        self.run = run
        self.handlers = handlers
        self.parallel = max(1, parallel)
        self.ops = Operations(run)
        self.data: ResourceData = {}
        self.records = {
            change.name: change.record for change in plan.changes if change.record is not None
        }

    # --- deploy -----------------------------------------------------------------------------

    def deploy(self, *, rollback: bool = False) -> Result:
        desired = self.plan.desired
        if desired is None:  # pragma: no cover - the CLI builds deploy plans from templates
            raise ValueError("a deploy needs a plan with a desired state")
        action = self.run.stack.action
        self.run.event(None, None, action, IN_PROGRESS)
        with ThreadPoolExecutor(self.parallel, thread_name_prefix="kiln") as pool:
            failures, skipped = self._forward(desired, pool)
            if not failures:
                failures, _ = self._delete(self._leftovers(desired), pool)
        if failures:
            reason = "; ".join(failures)
            self._stack(action, FAILED, reason)
            result = Result(False, failures, skipped=[str(key) for key in skipped])
            if rollback:
                self._rollback()
            return result
        self._reread_for_outputs(desired)
        real, masked = desired.outputs(self.data)
        self.run.store.update_stack(self.run.stack.id, outputs=masked)
        self._stack(action, COMPLETE, "")
        return Result(True, outputs=real)

    def _reread_for_outputs(self, desired: Desired) -> None:
        """Heat reads an output's attributes when the output is shown, after every resource
        exists; what a resource reported when it completed may have changed since (a net's
        subnets, a floating IP's port_id set by a later association, a volume's attachments).
        The cloud resources the outputs read are asked again; a failed read keeps the value
        read at completion (the deploy itself succeeded)."""
        wanted = needed_attributes(desired.template.outputs.values(), desired.evaluator(self.data))
        rows = {
            row.logical_name: row
            for row in self.run.store.resources(self.run.stack.id)
            if row.current
        }
        for name, names in wanted.items():
            item, row, known = desired.resources.get(name), rows.get(name), self.data.get(name)
            if item is None or row is None or known is None or not row.physical_id:
                continue
            if not item.handler.needs_cloud or item.members:
                continue
            props = desired.resolve(name, self.data)
            try:
                ctx = self.ops.context(row, item.handler, props.real)
                fresh = self.ops.read_attributes(row, item.handler, ctx, row.physical_id, names)
            except Exception:  # keep what completion read: the deploy itself is done
                continue
            known["attrs"] = {**known.get("attrs", {}), **fresh}

    def _stack(self, action: str, status: str, reason: str) -> None:
        self.run.store.update_stack(
            self.run.stack.id, action=action, status=status, status_reason=reason
        )
        self.run.event(None, None, action, status, reason=reason)

    def _forward(self, desired: Desired, pool: ThreadPoolExecutor) -> tuple[list[str], list[str]]:
        names = list(desired.resources)
        requires = {name: set(desired.resources[name].requires) & set(names) for name in names}

        def start(name: str) -> "Future[Outcome] | None":
            work = self._work(desired, desired.resources[name])
            if isinstance(work, Outcome):
                self.data[name] = work.data()
                return None
            return pool.submit(work)

        def done(name: str, outcome: Outcome) -> None:
            self.data[name] = outcome.data()

        return run_graph(names, requires, start, done, pool)

    def _work(self, desired: Desired, item: DesiredResource) -> "Outcome | Callable[[], Outcome]":
        """What to do for one resource now that its dependencies exist: an Outcome when
        nothing needs a worker, else the call to run on one."""
        record = self.records.get(item.name)
        props = desired.resolve(item.name, self.data)
        members = tuple(
            (member, self.data.get(member, {}).get("reference_id")) for member in item.members
        )
        problem = _problem(props)
        decision = decide(item, record, props) if problem is None else None
        if decision is not None and decision.error is not None:
            problem = decision.error
        if problem is None and props.unknown is None:
            problem = item.handler.validate(props.real)
        if problem is not None or decision is None:
            self.run.event(item.name, item.type, record.action if record else CREATE, FAILED,
                           reason=problem or "")  # fmt: skip
            raise ResourceFailed(self.run.masker.scrub_text(f"{item.name}: {problem}"))
        ops = self.ops
        action = decision.action
        if action == NONE and record is not None:
            known = stored_data(record, item, props)
            if _fresh(item, record, props.masked, known["attrs"]):
                return Outcome(known["reference_id"], known["attrs"])
            return lambda: ops.refresh(item, record, props, members)
        if action == ADOPT:
            return lambda: ops.adopt(item, props)
        if action == RESUME and record is not None:
            return lambda: ops.create(item, props, members, resume=record)
        if action == UPDATE_ACTION and record is not None:
            return lambda: ops.update(item, record, props, decision.changed, members)
        if action == REPLACE and record is not None:
            if item.handler.replacement == DELETE_FIRST:

                def delete_then_create() -> Outcome:
                    ops.delete(record, item.handler)
                    return ops.create(item, props, members)

                return delete_then_create
            return lambda: ops.create(item, props, members, replaces=record)
        return lambda: ops.create(item, props, members)

    def _leftovers(self, desired: Desired) -> list[ResourceRecord]:
        """Rows to delete after the forward pass: all but the newest current row of each
        desired resource."""
        rows = self.run.store.resources(self.run.stack.id)
        kept = {row.logical_name: row.id for row in rows if row.current}
        return [
            row
            for row in rows
            if row.logical_name not in desired.resources or kept.get(row.logical_name) != row.id
        ]

    # --- delete -----------------------------------------------------------------------------

    def delete_stack(self) -> Result:
        self.run.event(None, None, DELETE, IN_PROGRESS)
        self.run.store.update_stack(self.run.stack.id, action=DELETE, status=IN_PROGRESS)
        rows = self.run.store.resources(self.run.stack.id)
        with ThreadPoolExecutor(self.parallel, thread_name_prefix="kiln") as pool:
            failures, _ = self._delete(rows, pool)
        if failures:
            self._stack(DELETE, FAILED, "; ".join(failures))
            return Result(False, failures)
        self.run.store.update_stack(self.run.stack.id, outputs={})
        self._stack(DELETE, COMPLETE, "")
        return Result(True)

    def _delete(
        self, rows: list[ResourceRecord], pool: ThreadPoolExecutor
    ) -> tuple[list[str], list[int]]:
        by_id = {row.id: row for row in rows}
        blockers = deletion_order(rows)

        def start(key: int) -> "Future[None]":
            row = by_id[key]
            return pool.submit(self.ops.delete, row, self.handlers.get(row.type))

        return run_graph(list(by_id), blockers, start, lambda key, value: None, pool)

    def _rollback(self) -> None:
        """Delete what this run created; an old resource it replaced becomes current again."""
        rows = self.run.store.resources(self.run.stack.id)
        created = [row for row in rows if row.run_id == self.run.run_id and row.action == CREATE]
        self.run.event(None, None, ROLLBACK, IN_PROGRESS)
        with ThreadPoolExecutor(self.parallel, thread_name_prefix="kiln") as pool:
            failures, _ = self._delete(created, pool)
        for row in created:
            if row.replaces is not None and not failures:
                self.run.store.restore_current(row.replaces)
        status = FAILED if failures else COMPLETE
        self.run.store.update_stack(
            self.run.stack.id, action=ROLLBACK, status=status, status_reason="; ".join(failures)
        )
        self.run.event(None, None, ROLLBACK, status, reason="; ".join(failures))


def _problem(props: Any) -> str | None:
    """Why a resource's properties cannot be used even now its dependencies exist."""
    if props.diagnostics:
        return "; ".join(diagnostic.message for diagnostic in props.diagnostics)
    if props.unknown is not None:
        return (
            f"a property is still not known after its dependencies were created "
            f"({props.unknown.reason}); Kiln cannot deploy this yet"
        )
    return None


def _fresh(
    item: DesiredResource, record: ResourceRecord, masked: Any, attributes: dict[str, Any]
) -> bool:
    """Whether the recorded row serves as it is: same properties recorded, every attribute
    others read known (recorded, not hidden), and not a group (whose members may have
    changed)."""
    if item.members or record.properties != masked or "*" in item.needed:
        return False
    return all(
        name in attributes and first_unknown(attributes[name]) is None for name in item.needed
    )


def new_run_id() -> str:
    return str(uuid.uuid4())
