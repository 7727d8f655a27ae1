"""Resource data a handler declares secret (OS::Nova::KeyPair's private key) is sealed in the
state store and read in clear by its handler; a deploy refuses, in one line, a key file that
does not open it; deleting the stack does not need the key."""

import io

import pytest

from kiln.runtime.handlers.nova import PRIVATE_KEY, KeyPairHandler, generate_key_pair
from kiln.runtime.hidden import Masker
from kiln.runtime.operations import Operations, Run
from kiln.runtime.progress import PlainLines
from kiln.runtime.state.records import CREATE, NewResource
from kiln.runtime.state.sealed import ENV_KEY_FILE, is_sealed
from kiln.runtime.state.store import StateStore


@pytest.fixture(autouse=True)
def _no_key_file_from_the_environment(monkeypatch):
    monkeypatch.delenv(ENV_KEY_FILE, raising=False)


def test_a_key_pair_saves_its_private_key_sealed_and_reads_it_in_clear(tmp_path):
    store = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    stack = store.create_stack("s", CREATE, stack_id="id-s", salt="salt")
    row = store.insert_resource(stack.id, NewResource("key", KeyPairHandler.type_name, CREATE,
                                                      "token", "run"))  # fmt: skip
    run = Run(store, stack, "run", PlainLines(io.StringIO()), Masker("salt", {}), lambda: None)
    ops, handler = Operations(run), KeyPairHandler(None)
    props = {"name": "k", "save_private_key": True}
    private, public = generate_key_pair()
    ctx = ops.context(row, handler, props)
    ctx.save_data(PRIVATE_KEY, private)  # what KeyPairHandler.create does
    ctx.save_data("public_key", public)
    assert ctx.data[PRIVATE_KEY] == private

    stored = store.resource(row.id)
    assert is_sealed(stored.data[PRIVATE_KEY]) and stored.data["public_key"] == public
    later = ops.context(stored, handler, props)  # a later run's read (no cloud call)
    assert handler.attributes(later, "k", [PRIVATE_KEY]) == {PRIVATE_KEY: private}
    store.close()
    assert private.splitlines()[1].encode() not in (tmp_path / "state.db").read_bytes()


def _stack_with_a_secret(kiln) -> None:
    out = kiln.deploy("stack.yaml")
    assert out.code == 0, out.text
    store = kiln.store()
    try:
        store.save_data(kiln.by_name()["label"].id, "token", "s3cr3t", secret=True)
    finally:
        store.close()


@pytest.mark.parametrize("damage", ["replaced", "removed"])
def test_a_deploy_refuses_a_key_file_that_does_not_open_the_data(kiln, damage):
    from cryptography.fernet import Fernet

    _stack_with_a_secret(kiln)
    key = kiln.state.with_name("state.key")
    if damage == "replaced":
        key.write_bytes(Fernet.generate_key())
    else:
        key.unlink()
    before = [(row.logical_name, row.state) for row in kiln.rows()]

    out = kiln.deploy("stack.yaml")
    assert out.code == 1
    expected = "does not open" if damage == "replaced" else "does not exist"
    assert out.stderr.startswith("kiln: the ") and expected in out.stderr
    assert str(key) in out.stderr and ENV_KEY_FILE in out.stderr
    assert "Traceback" not in out.text and "internal error" not in out.text
    assert [(row.logical_name, row.state) for row in kiln.rows()] == before  # untouched
    assert kiln("status", "--stack", "s").code == 0  # reading the state needs no key

    deleted = kiln("delete", "--stack", "s")
    assert deleted.code == 0, deleted.text
    assert kiln.stack().state == "DELETE_COMPLETE"
