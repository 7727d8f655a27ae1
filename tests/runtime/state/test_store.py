"""The state store (SQLite through SQLAlchemy Core) and the per-stack lock."""

import os
import socket
import stat
import subprocess
import sys

import pytest
import sqlalchemy as sa

from kiln.runtime.errors import LockRefused, StateError
from kiln.runtime.state import schema
from kiln.runtime.state.lock import StackLock
from kiln.runtime.state.records import CREATE, NewResource
from kiln.runtime.state.store import StateStore, state_url


@pytest.fixture
def store(tmp_path):
    opened = StateStore(state_url(str(tmp_path / "sub" / "state.db")))
    yield opened
    opened.close()


def _stack(store, name="s"):
    return store.create_stack(name, CREATE, stack_id=f"id-{name}", salt="salt")


def test_a_new_store_is_private_to_its_user(tmp_path, store):
    del store
    path = tmp_path / "sub" / "state.db"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_state_locations(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KILN_STATE", raising=False)
    assert state_url(None) == f"sqlite:///{tmp_path / '.kiln' / 'state.db'}"
    assert state_url("x.db") == f"sqlite:///{tmp_path / 'x.db'}"
    assert state_url("postgresql+psycopg://h/db") == "postgresql+psycopg://h/db"
    monkeypatch.setenv("KILN_STATE", "/elsewhere/s.db")
    assert state_url(None) == "sqlite:////elsewhere/s.db"


def test_a_store_of_another_schema_version_is_refused(tmp_path, store):
    with store.engine.begin() as db:
        db.execute(sa.update(schema.meta).values(value="99"))
    with pytest.raises(StateError, match="has schema version 99; this Kiln reads version 1"):
        StateStore(store.url)


def test_a_replacement_retires_the_old_row_in_the_same_step(store):
    stack = _stack(store)
    old = store.insert_resource(stack.id, NewResource("r", "T", CREATE, "t1", "run"))
    new = store.insert_resource(stack.id, NewResource("r", "T", CREATE, "t2", "run"), replaces=old)
    rows = store.resources(stack.id)
    assert [(row.id, row.current, row.replaces) for row in rows] == [
        (old.id, False, None),
        (new.id, True, old.id),
    ]
    store.save_data(new.id, "value", {"a": [1, 2]})
    assert StateStore(store.url).resource(new.id).data == {"value": {"a": [1, 2]}}


def test_events_come_in_order_and_the_limit_keeps_the_last(store):
    stack = _stack(store)
    for number in range(5):
        event = {"stack_id": stack.id, "run_id": "run", "action": CREATE, "status": "IN_PROGRESS"}
        store.add_event({**event, "reason": str(number)})
    assert [e.reason for e in store.events(stack.id)] == ["0", "1", "2", "3", "4"]
    assert [e.reason for e in store.events(stack.id, 2)] == ["3", "4"]


def test_the_lock_has_one_owner(store):
    assert store.try_lock("s", "a", 1, "h") is None
    holder = store.try_lock("s", "b", 2, "h")
    assert holder is not None and (holder.owner, holder.pid) == ("a", 1)
    assert store.try_lock("s", "b", 2, "h", replacing="someone-else") is not None
    assert store.heartbeat("s", "b") is False and store.heartbeat("s", "a") is True
    assert store.try_lock("s", "b", 2, "h", replacing="a") is None
    assert store.lock_holder("s").owner == "b"
    store.unlock("s", "b")
    assert store.lock_holder("s") is None


def test_a_live_holder_is_refused_a_dead_one_taken_over(store):
    notices = []
    with StackLock(store, "s", notice=notices.append) as first:
        with pytest.raises(LockRefused, match=f"locked by another Kiln run: pid {os.getpid()}"):
            StackLock(store, "s", notice=notices.append).acquire()
        assert store.lock_holder("s").owner == first.owner
    assert store.lock_holder("s") is None
    code = "import os; print(os.getpid())"
    gone = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    dead = int(gone.stdout)
    assert store.try_lock("s", "crashed", dead, socket.gethostname()) is None
    with StackLock(store, "s", notice=notices.append):
        assert store.lock_holder("s").pid == os.getpid()
    (notice,) = notices
    assert notice.startswith(f"taking over the lock of stack 's' left by pid {dead}, which no")


def test_a_lock_from_another_host_needs_break_lock(store):
    assert store.try_lock("s", "far", 1, "another-host") is None
    with pytest.raises(LockRefused, match="pid 1 on host another-host"):
        StackLock(store, "s", notice=lambda message: None).acquire()
    notices = []
    with StackLock(store, "s", notice=notices.append, break_lock=True):
        pass
    assert "breaking the lock of stack 's' held by pid 1 on another-host" in notices[0]
