"""The rows of the state store as frozen values (what the store returns; never mutated)."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

# Heat's actions and statuses (heat/engine/resource.py, heat/engine/stack.py).
CREATE, UPDATE, DELETE = "CREATE", "UPDATE", "DELETE"
IN_PROGRESS, COMPLETE, FAILED = "IN_PROGRESS", "COMPLETE", "FAILED"
ACTIONS: Final = (CREATE, UPDATE, DELETE)
STATUSES: Final = (IN_PROGRESS, COMPLETE, FAILED)


@dataclass(frozen=True, slots=True)
class StackRecord:
    id: str
    name: str
    template_path: str | None
    template: str | None
    environment_files: tuple[str, ...]
    parameters: Mapping[str, Any]
    salt: str
    cloud: str | None
    action: str
    status: str
    status_reason: str
    outputs: Mapping[str, Any]
    created_at: float
    updated_at: float

    @property
    def state(self) -> str:
        return f"{self.action}_{self.status}"


@dataclass(frozen=True, slots=True)
class ResourceRecord:
    id: int
    stack_id: str
    logical_name: str
    type: str
    physical_id: str | None
    reference_id: str | None
    action: str
    status: str
    status_reason: str
    current: bool
    replaces: int | None
    request_token: str
    properties: Mapping[str, Any] | None
    attributes: Mapping[str, Any]
    requires: tuple[str, ...]
    data: Mapping[str, Any]
    deletion_policy: str
    external: bool
    run_id: str
    created_at: float
    updated_at: float

    @property
    def state(self) -> str:
        return f"{self.action}_{self.status}"

    @property
    def complete(self) -> bool:
        return self.status == COMPLETE and self.action in (CREATE, UPDATE)


@dataclass(frozen=True, slots=True)
class EventRecord:
    id: int
    stack_id: str
    run_id: str
    time: float
    logical_name: str | None
    type: str | None
    physical_id: str | None
    action: str
    status: str
    reason: str = ""

    @property
    def state(self) -> str:
        return f"{self.action}_{self.status}"


@dataclass(frozen=True, slots=True)
class LockRecord:
    stack_name: str
    owner: str
    pid: int
    host: str
    acquired_at: float
    heartbeat_at: float


@dataclass(frozen=True, slots=True)
class NewResource:
    """What a resource row starts as (the intent, before the first cloud call)."""

    logical_name: str
    type: str
    action: str
    request_token: str
    run_id: str
    requires: tuple[str, ...] = ()
    properties: Mapping[str, Any] | None = None
    deletion_policy: str = "Delete"
    external: bool = False
    physical_id: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)
