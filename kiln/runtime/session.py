"""One runtime command on one stack: plan, deploy or delete, with the state store, the
stack's lock and the cloud put together. The CLI calls these and renders what they return.

A deploy takes the stack's lock before reading the state, so its plan is the one it carries
out; a plan alone only reads.
"""

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from kiln.compiler.unit import CompilationUnit
from kiln.runtime.cloud import LazyCloud
from kiln.runtime.desired import build_desired
from kiln.runtime.engine import DEFAULT_PARALLEL, Engine, Result, new_run_id
from kiln.runtime.errors import KilnRuntimeError
from kiln.runtime.handlers import HandlerTable
from kiln.runtime.operations import Run
from kiln.runtime.plan import Plan, delete_plan, make_plan
from kiln.runtime.progress import Progress
from kiln.runtime.retry import DEFAULT_POLL, DEFAULT_RETRY, PollPolicy, RetryPolicy
from kiln.runtime.state.lock import StackLock
from kiln.runtime.state.records import CREATE, DELETE, IN_PROGRESS, UPDATE, StackRecord
from kiln.runtime.state.store import StateStore

# Heat's stack names (heat/engine/service.py, _validate_new_stack / stack name rules).
STACK_NAME: Final = re.compile(r"[a-zA-Z][a-zA-Z0-9_.-]{0,254}")


def check_stack_name(name: str) -> None:
    if not STACK_NAME.fullmatch(name):
        raise KilnRuntimeError(
            f"invalid stack name {name!r}: a letter, then letters, digits, '_', '.' or '-' "
            "(at most 255 characters)"
        )


@dataclass
class Settings:
    parallel: int = DEFAULT_PARALLEL
    rollback: bool = False
    break_lock: bool = False
    retry: RetryPolicy = DEFAULT_RETRY
    poll: PollPolicy = DEFAULT_POLL


class StackSession:
    def __init__(
        self,
        store: StateStore,
        stack_name: str,
        *,
        cloud: str | None = None,
        schemas: Any = None,
        handlers: HandlerTable | None = None,
        notice: Callable[[str], None] = lambda message: None,
    ) -> None:
        check_stack_name(stack_name)
        self.store = store
        self.stack_name = stack_name
        self.cloud_name = cloud
        self.cloud = LazyCloud(cloud)
        self.schemas = schemas
        self.handlers = handlers or HandlerTable(schemas)
        self.notice = notice

    def _project_id(self) -> str | None:
        return self.cloud().project_id if self.cloud_name else None

    def _use_cloud(self, stack: StackRecord | None, rows: list[Any]) -> None:
        """The cloud the stack's resources live in: the one recorded unless named; another
        one than recorded, while resources exist, is refused (they would not be found)."""
        recorded = stack.cloud if stack is not None else None
        if self.cloud_name is None:
            self.cloud_name = self.cloud.name = recorded
        elif rows and recorded is not None and recorded != self.cloud_name:
            raise KilnRuntimeError(
                f"stack {self.stack_name!r} lives in cloud {recorded!r}, not "
                f"{self.cloud_name!r}: deploy it there, or delete it first"
            )

    def plan(self, unit: CompilationUnit) -> Plan:
        stack = self.store.stack(self.stack_name)
        live = stack is not None and stack.state != "DELETE_COMPLETE"
        rows = self.store.resources(stack.id) if stack is not None and live else []
        self._use_cloud(stack, rows)
        desired = build_desired(
            unit,
            self.schemas,
            self.handlers,
            stack_name=self.stack_name,
            stack_id=stack.id if stack is not None else str(uuid.uuid4()),
            salt=stack.salt if stack is not None else uuid.uuid4().hex,
            project_id=self._project_id,
        )
        return make_plan(desired, stack if live else None, rows)

    def deploy(
        self,
        unit: CompilationUnit,
        progress: Progress,
        *,
        settings: Settings | None = None,
        show_plan: Callable[[Plan], None] = lambda plan: None,
        environment_files: tuple[str, ...] = (),
    ) -> tuple[Plan, Result | None]:
        """Plan under the stack's lock; show it; when it has no errors, carry it out."""
        settings = settings or Settings()
        with StackLock(self.store, self.stack_name, notice=self.notice,
                       break_lock=settings.break_lock):  # fmt: skip
            plan = self.plan(unit)
            if not plan.has_errors:
                self._prepare_secrets(plan)
            show_plan(plan)
            if plan.has_errors or plan.desired is None:
                return plan, None
            stack = self._record_stack(plan, unit, environment_files)
            run = self._run(stack, progress, plan.desired.masker, settings)
            engine = Engine(plan, run, self.handlers, parallel=settings.parallel)
            return plan, engine.deploy(rollback=settings.rollback)

    def _prepare_secrets(self, plan: Plan) -> None:
        """The encrypted data of the resources the deploy keeps must open before anything
        changes (a lost or wrong key file is said once, not as failed resources); secrets an
        earlier Kiln kept in clear are encrypted now."""
        if plan.desired is None:
            return
        for change in plan.changes:
            item = plan.desired.resources.get(change.name)
            if change.record is None or item is None:
                continue
            same_type = change.record.type == item.type
            secret = item.handler.secret_data if same_type else frozenset()
            self.store.prepare_secrets(change.record, secret)

    def _record_stack(
        self, plan: Plan, unit: CompilationUnit, environment_files: tuple[str, ...]
    ) -> StackRecord:
        desired = plan.desired
        assert desired is not None
        root = unit.root
        source = unit.sources.get(root.file)
        parameters = {
            name: desired.masker.digest(value) if root.parameters[name].hidden else value
            for name, value in desired.parameters.items()
            if name in root.parameters
        }
        values: dict[str, Any] = {
            "template_path": root.file,
            "template": source.text if source is not None else None,
            "environment_files": list(environment_files),
            "parameters": parameters,
            "cloud": self.cloud_name,
            "status": IN_PROGRESS,
            "status_reason": "",
        }
        if plan.stack is None:
            existing = self.store.stack(self.stack_name)
            if existing is not None:  # deleted before: the same row starts again
                self.store.update_stack(existing.id, action=CREATE, outputs={}, **values)
                return self.store.require_stack(self.stack_name)
            return self.store.create_stack(
                self.stack_name, CREATE, stack_id=desired.stack_id,
                salt=desired.masker.salt, **values,
            )  # fmt: skip
        action = (
            CREATE if plan.stack.action == CREATE and plan.stack.status != "COMPLETE" else UPDATE
        )
        self.store.update_stack(plan.stack.id, action=action, **values)
        return self.store.require_stack(self.stack_name)

    def _run(self, stack: StackRecord, progress: Progress, masker: Any, settings: Settings) -> Run:
        return Run(
            store=self.store,
            stack=stack,
            run_id=new_run_id(),
            progress=progress,
            masker=masker,
            cloud_provider=self.cloud,
            retry=settings.retry,
            poll=settings.poll,
        )

    def delete(
        self,
        progress: Progress,
        *,
        settings: Settings | None = None,
        show_plan: Callable[[Plan], None] = lambda plan: None,
    ) -> tuple[Plan, Result]:
        settings = settings or Settings()
        from kiln.runtime.hidden import Masker

        with StackLock(self.store, self.stack_name, notice=self.notice,
                       break_lock=settings.break_lock):  # fmt: skip
            stack = self.store.require_stack(self.stack_name)
            rows = self.store.resources(stack.id)
            self._use_cloud(stack, rows)
            plan = delete_plan(stack, rows)
            show_plan(plan)
            run = self._run(stack, progress, Masker(stack.salt, {}), settings)
            engine = Engine(plan, run, self.handlers, parallel=settings.parallel)
            return plan, engine.delete_stack()


__all__ = ["DELETE", "Settings", "StackSession", "check_stack_name"]
