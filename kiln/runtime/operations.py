"""One resource's operation: the state store's record before and after each cloud call.

Each operation writes its intent first (the row's action, IN_PROGRESS and, for a create, a
request token), then calls the handler, records the physical id as soon as it is known,
polls for completion with backoff, reads the attributes and records the result. Killed at any
point, the next run finds the row IN_PROGRESS and resumes: a create whose physical id was
not recorded asks `find_existing` (resources are tagged with the token) before creating, so
there is never a duplicate; a row never disappears before its resource is deleted, so there
is never an orphan.

Transient cloud errors are retried (kiln/runtime/retry.py); before a create is retried,
`find_existing` is asked whether the lost answer did create it. A failure marks the row
FAILED with the message and raises `ResourceFailed`.
"""

import json
import os
import time
import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any, TypeVar

from kiln.runtime import testhooks
from kiln.runtime.desired import ALL_ATTRIBUTES, DesiredResource, Resolved
from kiln.runtime.errors import (
    CloudError,
    DeployTimeout,
    HandlerFailure,
    KilnRuntimeError,
    ResourceFailed,
)
from kiln.runtime.handlers.base import BaseHandler, HandlerContext
from kiln.runtime.hidden import Masker
from kiln.runtime.progress import Event, Progress
from kiln.runtime.retry import (
    DEFAULT_POLL,
    DEFAULT_RETRY,
    PollPolicy,
    RetryPolicy,
    call_with_retries,
    poll,
)
from kiln.runtime.state.records import (
    COMPLETE,
    CREATE,
    DELETE,
    FAILED,
    IN_PROGRESS,
    UPDATE,
    NewResource,
    ResourceRecord,
    StackRecord,
)
from kiln.runtime.state.store import StateStore

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Outcome:
    """A resource that exists as asked: what references to it resolve to."""

    reference_id: str | None
    attributes: dict[str, Any]

    def data(self) -> dict[str, Any]:
        return {"reference_id": self.reference_id, "attrs": self.attributes}


@dataclass
class Run:
    """Everything one `kiln deploy` / `kiln delete` shares across its operations."""

    store: StateStore
    stack: StackRecord
    run_id: str
    progress: Progress
    masker: Masker
    cloud_provider: Callable[[], Any]
    retry: RetryPolicy = DEFAULT_RETRY
    poll: PollPolicy = DEFAULT_POLL
    sleep: Callable[[float], None] = field(default=time.sleep)

    def happening(
        self,
        resource: str | None,
        type_name: str | None,
        action: str,
        status: str,
        *,
        reason: str = "",
        physical_id: str | None = None,
        started: float | None = None,
    ) -> "Happening":
        """An event, as the store logs it and as the progress display shows it."""
        now = time.time()
        reason = self.masker.scrub_text(reason)
        row = {
            "stack_id": self.stack.id,
            "run_id": self.run_id,
            "time": now,
            "logical_name": resource,
            "type": type_name,
            "physical_id": physical_id,
            "action": action,
            "status": status,
            "reason": reason,
        }
        elapsed = None if started is None else now - started
        shown = Event(
            now, self.stack.name, resource, type_name, action, status, reason, physical_id, elapsed
        )
        return Happening(row, shown)

    def event(
        self,
        resource: str | None,
        type_name: str | None,
        action: str,
        status: str,
        *,
        reason: str = "",
        physical_id: str | None = None,
        started: float | None = None,
    ) -> None:
        """Log and show an event that goes with no change of a row."""
        happening = self.happening(
            resource, type_name, action, status,
            reason=reason, physical_id=physical_id, started=started,
        )  # fmt: skip
        self.store.add_event(happening.row)
        self.progress.event(happening.shown)


@dataclass(frozen=True, slots=True)
class Happening:
    row: dict[str, Any]
    shown: Event


class Operations:
    def __init__(self, run: Run) -> None:
        self.run = run
        self.store = run.store

    # --- helpers ------------------------------------------------------------------------

    def context(
        self,
        row: ResourceRecord,
        handler: BaseHandler,
        props: Any,
        members: tuple[tuple[str, str | None], ...] = (),
    ) -> HandlerContext:
        row_id, secret = row.id, handler.secret_data

        def save(key: str, value: Any) -> None:
            self.store.save_data(row_id, key, value, secret=key in secret)

        return HandlerContext(
            stack_name=self.run.stack.name,
            stack_id=self.run.stack.id,
            logical_name=row.logical_name,
            resource_type=row.type,
            request_token=row.request_token,
            data=self.store.opened(row.data),
            save=save,
            cloud_provider=self.run.cloud_provider,
            props=props,
            members=members,
        )

    def _retrying(
        self,
        row: ResourceRecord,
        call: Callable[[], T],
        before_retry: Callable[[], T | None] | None = None,
    ) -> T:
        def note(attempt: int, error: CloudError, delay: float) -> None:
            self.run.event(
                row.logical_name,
                row.type,
                row.action,
                IN_PROGRESS,
                reason=f"retrying in {delay:.1f}s after a transient error (attempt "
                f"{attempt}): {_message(error)}",
                physical_id=row.physical_id,
            )

        return call_with_retries(
            call, self.run.retry, sleep=self.run.sleep, on_retry=note, before_retry=before_retry
        )

    def _poll(self, row: ResourceRecord, check: Callable[[], bool], what: str) -> None:
        what = f"{row.logical_name} to reach {what}"
        poll(check, what, self.run.poll, self.run.retry, sleep=self.run.sleep)

    def _say(
        self,
        row: ResourceRecord,
        action: str,
        status: str,
        *,
        reason: str = "",
        physical_id: str | None = None,
        started: float | None = None,
    ) -> Happening:
        return self.run.happening(
            row.logical_name, row.type, action, status,
            reason=reason, physical_id=physical_id or row.physical_id, started=started,
        )  # fmt: skip

    def _change(self, row: ResourceRecord, happening: Happening, **values: Any) -> ResourceRecord:
        """A row's new state and the event that says so, in one transaction; then shown."""
        changed = self.store.update_resource(row.id, event=happening.row, **values)
        self.run.progress.event(happening.shown)
        return changed

    def _fail(
        self, row: ResourceRecord, action: str, error: BaseException, started: float
    ) -> ResourceFailed:
        message = self.run.masker.scrub_text(_message(error))
        happening = self._say(row, action, FAILED, reason=message, started=started)
        self._change(row, happening, action=action, status=FAILED, status_reason=message)
        return ResourceFailed(f"{row.logical_name}: {message}")

    def _finish(
        self,
        row: ResourceRecord,
        handler: BaseHandler,
        ctx: HandlerContext,
        action: str,
        props: Resolved,
        needed: Collection[str],
        started: float,
    ) -> Outcome:
        physical_id = row.physical_id or ""
        attributes = self._attributes(row, handler, ctx, physical_id, needed)
        reference = handler.reference_id(ctx, physical_id)
        self._change(
            row,
            self._say(row, action, COMPLETE, started=started),
            action=action,
            status=COMPLETE,
            status_reason="",
            properties=props.masked,
            attributes=self.run.masker.scrub(_jsonable(attributes)),
            reference_id=reference,
        )
        return Outcome(reference, attributes)

    def read_attributes(
        self,
        row: ResourceRecord,
        handler: BaseHandler,
        ctx: HandlerContext,
        physical_id: str,
        names: Collection[str],
    ) -> dict[str, Any]:
        """Attributes of an existing resource, read again (retried like any cloud call)."""
        return self._attributes(row, handler, ctx, physical_id, names)

    def _attributes(
        self,
        row: ResourceRecord,
        handler: BaseHandler,
        ctx: HandlerContext,
        physical_id: str,
        needed: Collection[str],
    ) -> dict[str, Any]:
        names = set(needed)
        if ALL_ATTRIBUTES in names:
            names = (names - {ALL_ATTRIBUTES}) | set(handler.attribute_names())
        found = self._retrying(row, lambda: handler.attributes(ctx, physical_id, sorted(names)))
        for name in handler.hidden_attributes:  # secrets: hidden wherever stored or shown
            if isinstance(found.get(name), str):
                self.run.masker.add_secret(found[name])
        return found

    def _intent(
        self,
        item: DesiredResource,
        new: NewResource,
        reason: str,
        replaces: ResourceRecord | None = None,
    ) -> ResourceRecord:
        """A new row (CREATE_IN_PROGRESS) and its event, in one transaction."""
        happening = self.run.happening(
            item.name, item.type, CREATE, IN_PROGRESS, reason=reason, physical_id=new.physical_id
        )
        row = self.store.insert_resource(
            self.run.stack.id, new, replaces=replaces, event=happening.row
        )
        self.run.progress.event(happening.shown)
        return row

    # --- operations ---------------------------------------------------------------------

    def create(
        self,
        item: DesiredResource,
        props: Resolved,
        members: tuple[tuple[str, str | None], ...] = (),
        *,
        resume: ResourceRecord | None = None,
        replaces: ResourceRecord | None = None,
    ) -> Outcome:
        started = time.time()
        handler = item.handler
        if resume is None:
            new = NewResource(
                logical_name=item.name,
                type=item.type,
                action=CREATE,
                request_token=uuid.uuid4().hex,
                run_id=self.run.run_id,
                requires=item.requires,
                properties=props.masked,
                deletion_policy=item.deletion_policy,
            )
            row = self._intent(item, new, "", replaces)
        else:
            row = self._change(
                resume,
                self._say(resume, CREATE, IN_PROGRESS, reason="resuming an interrupted create"),
                action=CREATE,
                status=IN_PROGRESS,
                status_reason="",
                requires=item.requires,
                deletion_policy=item.deletion_policy,
                run_id=self.run.run_id,
            )
        ctx = self.context(row, handler, props.real, members)
        try:
            physical_id = row.physical_id
            testhooks.pause_at(item.name, "before-create")
            if physical_id is None and resume is not None:
                physical_id = self._retrying(row, lambda: handler.find_existing(ctx))
            if physical_id is None:
                physical_id = self._retrying(
                    row,
                    lambda: handler.create(ctx, props.real),
                    before_retry=lambda: handler.find_existing(ctx),
                )
                testhooks.pause_at(item.name, "after-create")
            row = self.store.update_resource(row.id, physical_id=physical_id)
            testhooks.pause_at(item.name, "created")
            found = physical_id
            self._poll(row, lambda: handler.check_create_complete(ctx, found), "CREATE_COMPLETE")
            return self._finish(row, handler, ctx, CREATE, props, item.needed, started)
        except Exception as error:
            raise self._fail(row, CREATE, error, started) from error

    def adopt(self, item: DesiredResource, props: Resolved) -> Outcome:
        """An `external_id` resource: recorded and read, never created."""
        started = time.time()
        new = NewResource(
            logical_name=item.name,
            type=item.type,
            action=CREATE,
            request_token=uuid.uuid4().hex,
            run_id=self.run.run_id,
            requires=item.requires,
            external=True,
            physical_id=item.external_id,
        )
        row = self._intent(item, new, "adopting the existing resource (external_id)")
        ctx = self.context(row, item.handler, props.real)
        try:
            return self._finish(row, item.handler, ctx, CREATE, props, item.needed, started)
        except Exception as error:
            raise self._fail(row, CREATE, error, started) from error

    def update(
        self,
        item: DesiredResource,
        row: ResourceRecord,
        props: Resolved,
        changed: frozenset[str],
        members: tuple[tuple[str, str | None], ...] = (),
    ) -> Outcome:
        started = time.time()
        handler = item.handler
        old = dict(row.properties or {})
        reason = f"changing {', '.join(sorted(changed))}" if changed else ""
        row = self._change(
            row,
            self._say(row, UPDATE, IN_PROGRESS, reason=reason),
            action=UPDATE,
            status=IN_PROGRESS,
            status_reason="",
            requires=item.requires,
        )
        ctx = self.context(row, handler, props.real, members)
        physical_id = row.physical_id or ""
        try:
            testhooks.pause_at(item.name, "before-update")
            self._retrying(row, lambda: handler.update(ctx, physical_id, old, props.real, changed))
            testhooks.pause_at(item.name, "after-update")
            self._poll(
                row, lambda: handler.check_update_complete(ctx, physical_id), "UPDATE_COMPLETE"
            )
            return self._finish(row, handler, ctx, UPDATE, props, item.needed, started)
        except Exception as error:
            raise self._fail(row, UPDATE, error, started) from error

    def refresh(
        self,
        item: DesiredResource,
        row: ResourceRecord,
        props: Resolved,
        members: tuple[tuple[str, str | None], ...] = (),
    ) -> Outcome:
        """An unchanged resource whose attributes must be read again (new references to it,
        hidden values, a group whose members changed). Recorded without an event."""
        ctx = self.context(row, item.handler, props.real, members)
        physical_id = row.physical_id or ""
        try:
            attributes = self._attributes(row, item.handler, ctx, physical_id, item.needed)
            reference = item.handler.reference_id(ctx, physical_id)
        except Exception as error:
            raise self._fail(row, row.action, error, time.time()) from error
        self.store.update_resource(
            row.id,
            properties=props.masked,
            attributes=self.run.masker.scrub(_jsonable(attributes)),
            reference_id=reference,
        )
        return Outcome(reference, attributes)

    def delete(self, row: ResourceRecord, handler: BaseHandler | None) -> None:
        started = time.time()
        if row.deletion_policy == "Retain" or row.external:
            kept = "kept in the cloud (deletion_policy Retain or external_id)"
            self._forget(row, self._say(row, DELETE, COMPLETE, reason=kept, started=started))
            return
        row = self._change(
            row, self._say(row, DELETE, IN_PROGRESS), action=DELETE, status=IN_PROGRESS,
            status_reason="",
        )  # fmt: skip
        try:
            if handler is None:
                raise HandlerFailure(f"Kiln has no handler for type {row.type}: cannot delete it")
            ctx = self.context(row, handler, dict(row.properties or {}))
            testhooks.pause_at(row.logical_name, "before-delete")
            physical_id = row.physical_id
            if physical_id is None:
                physical_id = self._retrying(row, lambda: handler.find_existing(ctx))
            if physical_id is not None:
                found = physical_id
                self._retrying(row, lambda: handler.delete(ctx, found))
                testhooks.pause_at(row.logical_name, "after-delete")
                self._poll(
                    row, lambda: handler.check_delete_complete(ctx, found), "DELETE_COMPLETE"
                )
        except Exception as error:
            raise self._fail(row, DELETE, error, started) from error
        self._forget(row, self._say(row, DELETE, COMPLETE, started=started))

    def _forget(self, row: ResourceRecord, happening: Happening) -> None:
        self.store.delete_resource(row.id, event=happening.row)
        self.run.progress.event(happening.shown)


def _message(error: BaseException) -> str:
    if isinstance(error, CloudError):
        status = f" (HTTP {error.status})" if error.status else ""
        return f"{error.message}{status}"
    if isinstance(error, HandlerFailure | DeployTimeout | KilnRuntimeError):
        return str(error)
    if os.environ.get("KILN_DEBUG"):
        import traceback

        traceback.print_exception(error)
    return f"internal error in Kiln ({type(error).__name__}: {error}); please report it"


def _jsonable(value: Any) -> Any:
    """Attributes as JSON keeps them (a cloud may answer with dates and other objects)."""
    return json.loads(json.dumps(value, default=str))
