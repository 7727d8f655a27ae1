"""Fixtures of the deploy tests against the sandbox: `kiln` deploying to it, a connection
to read the cloud with, and a unique stack name whose leftovers are purged afterwards."""

import uuid

import pytest
from runtime.cloud.neutron_support import CloudKiln, purge
from runtime.support import Kiln


@pytest.fixture(scope="session")
def conn(sandbox):
    return sandbox.connect()


@pytest.fixture
def cloud_kiln(sandbox, tmp_path, monkeypatch) -> CloudKiln:
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(sandbox.clouds_yaml))
    return CloudKiln(Kiln(tmp_path / "state.db"), sandbox.cloud)


@pytest.fixture
def stack(cloud_kiln, conn):
    """A stack name no other test or helper uses; afterwards `kiln delete`, then whatever
    still carries its marks or its names is deleted directly."""
    name = f"kt-{uuid.uuid4().hex[:10]}"
    yield name
    stack_id = None
    store = cloud_kiln.kiln.store()
    try:
        found = store.stack(name)
        stack_id = found.id if found is not None else None
    finally:
        store.close()
    if stack_id is not None:
        cloud_kiln.delete(name)
    purge(conn, stack_id, f"{name}-")
