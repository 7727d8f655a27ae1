"""One run per stack: a row in kiln_locks with the owner's pid, host and a heartbeat.

A second `kiln deploy` (or delete) of the same stack is refused with who holds it and since
when. A lock left by a process that no longer runs on this host (kill -9, a crash) is taken
over, saying so; one held from another host is only taken with --break-lock, because Kiln
cannot tell from here whether that process still runs.
"""

import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from types import TracebackType
from typing import Final

from kiln.runtime.errors import LockRefused
from kiln.runtime.state.records import LockRecord
from kiln.runtime.state.store import StateStore

HEARTBEAT_S: Final = 5.0


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


def live_holder(store: StateStore, stack_name: str) -> LockRecord | None:
    """Who holds the stack's lock, unless it is a process of this host that no longer runs."""
    holder = store.lock_holder(stack_name)
    if holder is not None and holder.host == socket.gethostname() and not pid_alive(holder.pid):
        return None
    return holder


def _when(moment: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(moment))


class StackLock:
    """`with StackLock(store, name, notice=...):` holds the stack's lock, heartbeating."""

    def __init__(
        self,
        store: StateStore,
        stack_name: str,
        *,
        notice: Callable[[str], None],
        break_lock: bool = False,
        heartbeat_s: float = HEARTBEAT_S,
    ) -> None:
        self.store = store
        self.stack_name = stack_name
        self.notice = notice
        self.break_lock = break_lock
        self.heartbeat_s = heartbeat_s
        self.owner = str(uuid.uuid4())
        self.host = socket.gethostname()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def acquire(self) -> None:
        holder = self._try(None)
        if holder is None:
            return
        if holder.host == self.host and not pid_alive(holder.pid):
            self.notice(
                f"taking over the lock of stack {self.stack_name!r} left by pid {holder.pid}, "
                f"which no longer runs (locked since {_when(holder.acquired_at)})"
            )
        elif self.break_lock:
            self.notice(
                f"breaking the lock of stack {self.stack_name!r} held by pid {holder.pid} on "
                f"{holder.host} since {_when(holder.acquired_at)} (--break-lock)"
            )
        else:
            raise LockRefused(_refusal(self.stack_name, holder, self.host))
        second = self._try(holder.owner)
        if second is not None:
            raise LockRefused(_refusal(self.stack_name, second, self.host))

    def _try(self, replacing: str | None) -> LockRecord | None:
        return self.store.try_lock(
            self.stack_name, self.owner, os.getpid(), self.host, replacing=replacing
        )

    def _beat(self) -> None:
        while not self._stop.wait(self.heartbeat_s):
            self.store.heartbeat(self.stack_name, self.owner)

    def release(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.store.unlock(self.stack_name, self.owner)

    def __enter__(self) -> "StackLock":
        self.acquire()
        self._thread = threading.Thread(target=self._beat, name="kiln-lock", daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()


def _refusal(stack_name: str, holder: LockRecord, host: str) -> str:
    where = "this host" if holder.host == host else f"host {holder.host}"
    ago = max(0.0, time.time() - holder.heartbeat_at)
    return (
        f"stack {stack_name!r} is locked by another Kiln run: pid {holder.pid} on {where}, "
        f"since {_when(holder.acquired_at)} (last heartbeat {ago:.0f}s ago). Wait for it to "
        "finish; if that run is gone, run again with --break-lock"
    )
