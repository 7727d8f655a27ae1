"""Secret resource data is sealed with a key kept outside the state database
(kiln/runtime/state/sealed.py): never in the database's bytes, read back as it was, the key
file private and where the documentation says; a lost or wrong key is a clear StateError."""

import stat
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiln.runtime.errors import StateError
from kiln.runtime.handlers.nova import generate_key_pair
from kiln.runtime.state.records import CREATE, NewResource
from kiln.runtime.state.sealed import ENV_KEY_FILE, is_sealed, key_file_path
from kiln.runtime.state.store import StateStore, state_url


def _store(path: Path, **kwargs) -> StateStore:
    return StateStore(state_url(str(path)), **kwargs)


def _row(store: StateStore) -> int:
    stack = store.create_stack("s", CREATE, stack_id="id-s", salt="salt")
    return store.insert_resource(stack.id, NewResource("key", "T", CREATE, "t", "run")).id


def _bytes(database: Path) -> bytes:
    """The database and whatever SQLite keeps beside it."""
    found = b""
    for suffix in ("", "-wal", "-shm", "-journal"):
        part = database.with_name(database.name + suffix)
        if part.exists():
            found += part.read_bytes()
    return found


@pytest.fixture(autouse=True)
def _no_key_file_from_the_environment(monkeypatch):
    monkeypatch.delenv(ENV_KEY_FILE, raising=False)


def test_a_secret_never_reaches_the_database_and_reads_back(tmp_path):
    private, public = generate_key_pair()
    database = tmp_path / "state" / "state.db"
    store = _store(database)
    row = _row(store)
    store.save_data(row, "private_key", private, secret=True)
    store.save_data(row, "public_key", public)
    store.close()

    assert private.splitlines()[1].encode() not in _bytes(database)
    assert public.split()[1].encode() in _bytes(database)  # only what is declared secret
    again = _store(database)  # another run: the key is read from its file
    data = again.resource(row).data
    assert is_sealed(data["private_key"]) and data["public_key"] == public
    assert again.opened(data)["private_key"] == private


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(value=JSON)
def test_any_json_value_round_trips_sealed(tmp_path, value):
    store = _store(tmp_path / "state.db")
    try:
        row = _row(store) if store.stack("s") is None else store.resources("id-s")[0].id
        store.save_data(row, "value", value, secret=True)
        stored = store.resource(row).data["value"]
        assert is_sealed(stored)
        assert store.opened({"value": stored})["value"] == value
    finally:
        store.close()


def test_the_key_file_is_made_on_first_need_private_beside_the_database(tmp_path):
    database = tmp_path / "state.db"
    store = _store(database)
    row = _row(store)
    store.save_data(row, "plain", 1)
    key = tmp_path / "state.key"
    assert not key.exists()  # nothing secret yet: no key
    store.save_data(row, "secret", "x", secret=True)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".state-key")] == []
    first = key.read_bytes()
    store.save_data(row, "secret", "y", secret=True)
    assert key.read_bytes() == first  # made once


def test_key_file_locations(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert key_file_path(state_url(None)) == tmp_path / ".kiln" / "state.key"
    assert key_file_path(state_url("/srv/kiln/prod.db")) == Path("/srv/kiln/state.key")
    assert key_file_path("postgresql+psycopg://h/db") == tmp_path / ".kiln" / "state.key"
    assert key_file_path("sqlite:///:memory:") == tmp_path / ".kiln" / "state.key"
    monkeypatch.setenv(ENV_KEY_FILE, "keys/kiln.key")
    assert key_file_path(state_url("/srv/kiln/prod.db")) == tmp_path / "keys" / "kiln.key"


def test_the_environment_names_the_key_file_and_its_directory_is_made_private(
    tmp_path, monkeypatch
):
    monkeypatch.setenv(ENV_KEY_FILE, str(tmp_path / "elsewhere" / "kiln.key"))
    store = _store(tmp_path / "state.db")
    store.save_data(_row(store), "secret", "x", secret=True)
    assert not (tmp_path / "state.key").exists()
    key = tmp_path / "elsewhere" / "kiln.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700


def _sealed_then(tmp_path, change) -> tuple[StateStore, dict]:
    """A store with one secret, reopened after `change(key file)`."""
    database = tmp_path / "state.db"
    store = _store(database)
    row = _row(store)
    store.save_data(row, "secret", "s3cr3t", secret=True)
    store.save_data(row, "plain", "p")
    store.close()
    change(tmp_path / "state.key")
    again = _store(database)
    return again, again.opened(again.resource(row).data)


def test_a_wrong_key_says_which_file_and_what_to_do(tmp_path):
    from cryptography.fernet import Fernet

    _, data = _sealed_then(tmp_path, lambda key: key.write_bytes(Fernet.generate_key()))
    assert data["plain"] == "p"  # what is not secret reads without the key
    with pytest.raises(StateError) as raised:
        data["secret"]
    message = str(raised.value)
    assert str(tmp_path / "state.key") in message and "not the key" in message
    assert ENV_KEY_FILE in message


def test_a_missing_key_says_which_file_and_what_to_do(tmp_path):
    _, data = _sealed_then(tmp_path, Path.unlink)
    assert data["plain"] == "p"
    with pytest.raises(StateError, match="does not exist") as raised:
        data["secret"]
    assert str(tmp_path / "state.key") in str(raised.value)
    assert not (tmp_path / "state.key").exists()  # reading never makes a new key


def test_a_key_file_that_holds_no_key_is_said_so(tmp_path):
    _, data = _sealed_then(tmp_path, lambda key: key.write_text("not a key\n"))
    with pytest.raises(StateError, match="does not hold a Kiln state key"):
        data["secret"]


def test_a_secret_kept_in_clear_by_an_earlier_kiln_reads_and_is_sealed_when_prepared(tmp_path):
    private, _ = generate_key_pair()
    database = tmp_path / "state.db"
    store = _store(database)
    row = _row(store)
    store.save_data(row, "private_key", private)  # as Kiln did before sealing
    other = "kept" * 800  # a row larger than a page: its rewrite frees pages
    store.save_data(row, "other", other)
    record = store.resource(row)
    assert store.opened(record.data)["private_key"] == private
    store.prepare_secrets(record, {"private_key"})
    data = store.resource(row).data
    assert is_sealed(data["private_key"]) and data["other"] == other
    assert store.opened(data)["private_key"] == private
    store.close()
    assert private.splitlines()[1].encode() not in _bytes(database)  # zeroed, not freed


def test_preparing_refuses_data_the_key_does_not_open(tmp_path):
    from cryptography.fernet import Fernet

    store, _ = _sealed_then(tmp_path, lambda key: key.write_bytes(Fernet.generate_key()))
    with pytest.raises(StateError, match="not the key"):
        store.prepare_secrets(store.resources("id-s")[0], ())
