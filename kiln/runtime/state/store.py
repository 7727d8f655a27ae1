"""The state store: stacks, resources, events and locks in SQLite (default) or PostgreSQL.

One `StateStore` per process, shared by the engine's threads: every method is one short
transaction, serialised by a process-wide lock (SQLite has one writer anyway). Across
processes SQLite's own locking applies: writes open with BEGIN IMMEDIATE and wait up to the
busy timeout, so two `kiln deploy` runs never interleave a read-then-write.

A plain path is a SQLite file (created 0600 in a 0700 directory: the store holds generated
secrets such as RandomString values); anything with `://` is an SQLAlchemy URL
(`postgresql+psycopg://...`). Resource data a handler declares secret is sealed with a key
kept outside the database (sealed.py).
"""

import os
import threading
import time
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from kiln.runtime.errors import NoSuchStack, StateError
from kiln.runtime.state import schema as t
from kiln.runtime.state.records import (
    IN_PROGRESS,
    EventRecord,
    LockRecord,
    NewResource,
    ResourceRecord,
    StackRecord,
)
from kiln.runtime.state.sealed import OpenedData, Sealer, is_sealed, key_file_path

ENV_STATE: Final = "KILN_STATE"
DEFAULT_STATE: Final = os.path.join(".kiln", "state.db")
BUSY_TIMEOUT_S: Final = 30


def state_url(location: str | None) -> str:
    """The SQLAlchemy URL of a --state value: a URL as given, a path as a SQLite file; by
    default $KILN_STATE, else .kiln/state.db under the current directory."""
    chosen = location or os.environ.get(ENV_STATE) or DEFAULT_STATE
    if "://" in chosen:
        return chosen
    return f"sqlite:///{os.path.abspath(chosen)}"


def _prepare_sqlite_file(url: str) -> None:
    path = url.removeprefix("sqlite:///")
    if not path or path == ":memory:":
        return
    Path(path).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not os.path.exists(path):
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


class StateStore:
    def __init__(self, url: str, *, key_file: Path | None = None) -> None:
        self.url = url
        self.sealer = Sealer(key_file or key_file_path(url), _shown_url(url))
        self._lock = threading.RLock()
        try:
            self.engine = self._engine(url)
            t.metadata.create_all(self.engine)
            self._check_version()
        except sa.exc.SQLAlchemyError as error:
            raise StateError(f"cannot open the state store {url}: {error}") from error

    @staticmethod
    def _engine(url: str) -> Engine:
        if not url.startswith("sqlite"):
            return sa.create_engine(url, pool_pre_ping=True)
        _prepare_sqlite_file(url)
        engine = sa.create_engine(
            url, connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False}
        )

        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection: Any, record: Any) -> None:
            # Transactions are opened below, as BEGIN IMMEDIATE, not by the driver.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            # What a secret overwrote (its clear value from an earlier Kiln, sealed now) or a
            # delete removed is zeroed, not left in free pages of the file.
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(connection: Connection) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        with self._lock, self.engine.begin() as connection:
            yield connection

    def _check_version(self) -> None:
        with self._tx() as db:
            row = db.execute(sa.select(t.meta.c.value).where(t.meta.c.key == "schema")).first()
            if row is None:
                db.execute(sa.insert(t.meta).values(key="schema", value=str(t.SCHEMA_VERSION)))
            elif row[0] != str(t.SCHEMA_VERSION):
                raise StateError(
                    f"the state store {self.url} has schema version {row[0]}; this Kiln "
                    f"reads version {t.SCHEMA_VERSION}"
                )

    # --- stacks ---------------------------------------------------------------------------

    def stack(self, name: str) -> StackRecord | None:
        with self._tx() as db:
            row = db.execute(sa.select(t.stacks).where(t.stacks.c.name == name)).first()
        return _stack(row) if row is not None else None

    def require_stack(self, name: str) -> StackRecord:
        found = self.stack(name)
        if found is None:
            raise NoSuchStack(f"no stack named {name!r} in {self.url}")
        return found

    def stacks(self) -> list[StackRecord]:
        with self._tx() as db:
            rows = db.execute(sa.select(t.stacks).order_by(t.stacks.c.name)).all()
        return [_stack(row) for row in rows]

    def create_stack(
        self, name: str, action: str, *, stack_id: str, salt: str, **values: Any
    ) -> StackRecord:
        now = time.time()
        row: dict[str, Any] = {
            "id": stack_id,
            "name": name,
            "salt": salt,
            "action": action,
            "status": IN_PROGRESS,
            "status_reason": "",
            "environment_files": [],
            "parameters": {},
            "outputs": {},
            "created_at": now,
            "updated_at": now,
        }
        row.update(values)
        with self._tx() as db:
            db.execute(sa.insert(t.stacks).values(**row))
        return self.require_stack(name)

    def update_stack(self, stack_id: str, **values: Any) -> None:
        with self._tx() as db:
            db.execute(
                sa.update(t.stacks)
                .where(t.stacks.c.id == stack_id)
                .values(updated_at=time.time(), **values)
            )

    # --- resources ------------------------------------------------------------------------

    def resources(self, stack_id: str) -> list[ResourceRecord]:
        """Every row of the stack, old resources of replacements included, oldest first."""
        with self._tx() as db:
            rows = db.execute(
                sa.select(t.resources)
                .where(t.resources.c.stack_id == stack_id)
                .order_by(t.resources.c.id)
            ).all()
        return [_resource(row) for row in rows]

    def resource(self, row_id: int) -> ResourceRecord:
        with self._tx() as db:
            row = db.execute(sa.select(t.resources).where(t.resources.c.id == row_id)).first()
        if row is None:
            raise StateError(f"resource row {row_id} vanished from the state store")
        return _resource(row)

    def insert_resource(
        self,
        stack_id: str,
        new: NewResource,
        *,
        replaces: ResourceRecord | None = None,
        event: Mapping[str, Any] | None = None,
    ) -> ResourceRecord:
        """Record the intent to make a resource (IN_PROGRESS). With `replaces`, the old row
        stops being current in the same transaction; `event` is logged in it too."""
        now = time.time()
        with self._tx() as db:
            _log(db, event)
            if replaces is not None:
                db.execute(
                    sa.update(t.resources)
                    .where(t.resources.c.id == replaces.id)
                    .values(current=False, updated_at=now)
                )
            result = db.execute(
                sa.insert(t.resources).values(
                    stack_id=stack_id,
                    logical_name=new.logical_name,
                    type=new.type,
                    physical_id=new.physical_id,
                    action=new.action,
                    status=IN_PROGRESS,
                    status_reason="",
                    current=True,
                    replaces=replaces.id if replaces is not None else None,
                    request_token=new.request_token,
                    properties=_plain(new.properties),
                    attributes={},
                    requires=list(new.requires),
                    data=dict(new.data),
                    deletion_policy=new.deletion_policy,
                    external=new.external,
                    run_id=new.run_id,
                    created_at=now,
                    updated_at=now,
                )
            )
            key = result.inserted_primary_key
        if key is None:  # pragma: no cover - every backend returns the key of an insert
            raise StateError("the state store did not return the new row's id")
        return self.resource(int(key[0]))

    def update_resource(
        self, row_id: int, *, event: Mapping[str, Any] | None = None, **values: Any
    ) -> ResourceRecord:
        """Change a row; `event` is logged in the same transaction (a state and the event
        saying so are never apart)."""
        for name in ("properties", "attributes", "data"):
            if name in values:
                values[name] = _plain(values[name])
        if "requires" in values:
            values["requires"] = list(values["requires"])
        with self._tx() as db:
            _log(db, event)
            db.execute(
                sa.update(t.resources)
                .where(t.resources.c.id == row_id)
                .values(updated_at=time.time(), **values)
            )
        return self.resource(row_id)

    def restore_current(self, row_id: int) -> None:
        """Make a replaced row current again (rollback of a replacement)."""
        self.update_resource(row_id, current=True)

    def delete_resource(self, row_id: int, *, event: Mapping[str, Any] | None = None) -> None:
        with self._tx() as db:
            _log(db, event)
            db.execute(sa.delete(t.resources).where(t.resources.c.id == row_id))

    def save_data(self, row_id: int, key: str, value: Any, *, secret: bool = False) -> None:
        """One key of the row's data; a `secret` value is sealed (sealed.py)."""
        stored = self.sealer.seal(_plain(value)) if secret else _plain(value)
        with self._tx() as db:
            row = db.execute(
                sa.select(t.resources.c.data).where(t.resources.c.id == row_id)
            ).first()
            if row is None:
                raise StateError(f"resource row {row_id} vanished from the state store")
            data = dict(row[0] or {})
            data[key] = stored
            db.execute(
                sa.update(t.resources)
                .where(t.resources.c.id == row_id)
                .values(data=data, updated_at=time.time())
            )

    def opened(self, data: Mapping[str, Any]) -> OpenedData:
        """A row's data as a handler reads it: sealed values opened on first read."""
        return OpenedData(dict(data), self.sealer.open)

    def prepare_secrets(self, row: ResourceRecord, secret_keys: Collection[str]) -> None:
        """Before a deploy works on the row: its sealed data must open with the key file (a
        StateError saying what to do, before anything changes), and the secrets an earlier
        Kiln kept in clear are sealed now."""
        for value in row.data.values():
            self.sealer.open(value)
        for key in secret_keys:
            value = row.data.get(key)
            if value is not None and not is_sealed(value):
                self.save_data(row.id, key, value, secret=True)

    # --- events ---------------------------------------------------------------------------

    def add_event(self, event: Mapping[str, Any]) -> None:
        """Log an event: stack_id, run_id, action, status, and optionally time, logical_name,
        type, physical_id, reason."""
        with self._tx() as db:
            _log(db, event)

    def events(self, stack_id: str, limit: int | None = None) -> list[EventRecord]:
        """The stack's events in order; with `limit`, the last ones."""
        query = sa.select(t.events).where(t.events.c.stack_id == stack_id)
        query = query.order_by(t.events.c.id.desc())
        if limit is not None:
            query = query.limit(limit)
        with self._tx() as db:
            rows = db.execute(query).all()
        return [EventRecord(**row._mapping) for row in reversed(rows)]

    # --- locks ----------------------------------------------------------------------------

    def lock_holder(self, stack_name: str) -> LockRecord | None:
        with self._tx() as db:
            row = db.execute(sa.select(t.locks).where(t.locks.c.stack_name == stack_name)).first()
        return LockRecord(**row._mapping) if row is not None else None

    def try_lock(
        self, stack_name: str, owner: str, pid: int, host: str, *, replacing: str | None = None
    ) -> LockRecord | None:
        """Take the stack's lock: None when taken, else the current holder. With
        `replacing`, take it over from that owner (and only from that owner)."""
        now = time.time()
        with self._tx() as db:
            row = db.execute(sa.select(t.locks).where(t.locks.c.stack_name == stack_name)).first()
            if row is not None and row.owner != replacing:
                return LockRecord(**row._mapping)
            if row is not None:
                db.execute(sa.delete(t.locks).where(t.locks.c.stack_name == stack_name))
            db.execute(
                sa.insert(t.locks).values(
                    stack_name=stack_name,
                    owner=owner,
                    pid=pid,
                    host=host,
                    acquired_at=now,
                    heartbeat_at=now,
                )
            )
        return None

    def heartbeat(self, stack_name: str, owner: str) -> bool:
        """Refresh the lock; False when this owner no longer holds it."""
        with self._tx() as db:
            result = db.execute(
                sa.update(t.locks)
                .where(t.locks.c.stack_name == stack_name, t.locks.c.owner == owner)
                .values(heartbeat_at=time.time())
            )
        return bool(result.rowcount)

    def unlock(self, stack_name: str, owner: str) -> None:
        with self._tx() as db:
            db.execute(
                sa.delete(t.locks).where(
                    t.locks.c.stack_name == stack_name, t.locks.c.owner == owner
                )
            )


def _shown_url(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return url


def _log(db: Connection, event: Mapping[str, Any] | None) -> None:
    if event is not None:
        db.execute(sa.insert(t.events).values({"time": time.time(), **event}))


def _plain(value: Any) -> Any:
    """A JSON-ready copy (tuples as lists, mappings as dicts)."""
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _stack(row: Any) -> StackRecord:
    values = dict(row._mapping)
    values["environment_files"] = tuple(values["environment_files"] or ())
    values["parameters"] = values["parameters"] or {}
    values["outputs"] = values["outputs"] or {}
    return StackRecord(**values)


def _resource(row: Any) -> ResourceRecord:
    values = dict(row._mapping)
    values["requires"] = tuple(values["requires"] or ())
    values["attributes"] = values["attributes"] or {}
    values["data"] = values["data"] or {}
    return ResourceRecord(**values)
