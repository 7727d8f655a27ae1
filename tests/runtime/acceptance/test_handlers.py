"""What the corpus templates leave out, on the real cloud, with Kiln's own templates
(templates/kiln/): a server's internal port with a floating IP, fixed addresses, volumes
mapped at boot, server groups, a generated key pair's hidden private key, tags, network
changes in place; volumes changed in place and attachments moved; flavors (admins only);
containers refused or purged on delete."""

import json
import stat

import pytest
from runtime.acceptance.cloudcheck import Checker, difference, inventory
from runtime.acceptance.conftest import TEMPLATES

KILN = TEMPLATES / "kiln"


def _ids(rows):
    return {row.logical_name: row.physical_id for row in rows}


def _outputs(cloud_kiln, stack):
    shown = cloud_kiln("outputs", "--stack", stack, "--output", "json")
    assert shown.code == 0, shown.text
    return json.loads(shown.stdout)


def _cells_holding(cloud_kiln, text):
    """(table, column) of every value in the state store that contains `text`."""
    import sqlite3

    found = set()
    with sqlite3.connect(cloud_kiln.state) as db:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            columns = [row[1] for row in db.execute(f"PRAGMA table_info({table})")]
            for column in columns:
                query = f"SELECT count(*) FROM {table} WHERE CAST({column} AS TEXT) LIKE ?"
                if db.execute(query, (f"%{text}%",)).fetchone()[0]:
                    found.add((table, column))
    return sorted(found)


def _private_key(cloud_kiln, stack):
    """The key pair's private key as Kiln's handler reads it (opened with the key file)."""
    store = cloud_kiln.store()
    try:
        rows = store.resources(store.require_stack(stack).id)
        key_row = next(row for row in rows if row.logical_name == "key" and row.current)
        return store.opened(key_row.data)["private_key"]
    finally:
        store.close()


def _digest(cloud_kiln, stack, value):
    from kiln.runtime.hidden import Masker

    return Masker(cloud_kiln.stack(stack).salt, {}).digest(value)


def _output_digest(cloud_kiln, stack, name):
    """What the state keeps of a hidden output: the HMAC of the value the deploy resolved."""
    return cloud_kiln.stack(stack).outputs[name]


def test_a_server_with_its_own_ports_volumes_group_and_key(cloud_kiln, shared, project, tmp_path):
    from cryptography.hazmat.primitives import serialization

    conn = shared.conn
    stack = f"features-{shared.unique}"
    template = KILN / "server_features.yaml"
    before = inventory(conn, project.id)
    try:
        out = cloud_kiln.timed("kiln/server_features", "deploy", "deploy", template, "--stack",
                               stack, f"-Pimage={shared.image}")  # fmt: skip
        assert out.code == 0, out.text
        rows = cloud_kiln.rows(stack)
        assert Checker(conn, stack).rows(rows) == []
        ids = _ids(rows)
        server = conn.compute.get_server(ids["server"])
        outputs = _outputs(cloud_kiln, stack)

        # The internal port (Heat's <resource>-port-<n>) holds the floating IP.
        port = next(p for p in conn.network.ports(device_id=server.id) if p.name == "server-port-0")
        fip = conn.network.get_ip(ids["fip"])
        assert fip.port_id == port.id
        addresses = [item for items in outputs["addresses"].values() for item in items]
        assert {"addr": fip.floating_ip_address, "OS-EXT-IPS:type": "floating"}.items() <= next(
            item for item in addresses if item["OS-EXT-IPS:type"] == "floating"
        ).items()
        fixed = {item["addr"] for item in addresses if item["OS-EXT-IPS:type"] == "fixed"}
        assert "10.41.0.50" in fixed and outputs["first_address"] in fixed
        assert server.scheduler_hints == {"group": [ids["group"]]}
        assert [v.id for v in server.attached_volumes] == [ids["data"]]
        assert outputs["tags"] == ["acceptance", "kiln"] and outputs["instance_name"] is None
        assert str(server.has_config_drive) == "True"  # Nova says "True"

        # The private key: shown hidden, kept only in the resource's data, encrypted with the
        # key file beside the state (0600), what the output resolved to, and the one whose
        # public half Nova holds.
        assert outputs["private_key"] == "******"
        assert b"PRIVATE KEY" not in cloud_kiln("status", "--stack", stack,
                                                "--output", "json").stdout.encode()  # fmt: skip
        key_row = next(row for row in rows if row.logical_name == "key")
        assert set(key_row.data["private_key"]) == {"$sealed"}
        key_file = cloud_kiln.state.with_name("state.key")
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        private = _private_key(cloud_kiln, stack)
        assert "private_key" not in json.dumps(key_row.attributes) or set(
            key_row.attributes["private_key"]
        ) == {"$hidden"}
        assert _cells_holding(cloud_kiln, private.splitlines()[1]) == []
        assert _output_digest(cloud_kiln, stack, "private_key") == _digest(cloud_kiln, stack,
                                                                            private)  # fmt: skip
        public = serialization.load_pem_private_key(private.encode(), None).public_key()
        openssh = public.public_bytes(
            serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
        ).decode()
        assert conn.compute.get_keypair(ids["key"]).public_key.split()[:2] == openssh.split()

        # A private key an earlier Kiln kept in clear is encrypted by the next deploy.
        store = cloud_kiln.store()
        try:
            store.save_data(key_row.id, "private_key", private)
        finally:
            store.close()
        assert _cells_holding(cloud_kiln, private.splitlines()[1]) == [("kiln_resources", "data")]

        # In place: metadata, tags, and a NIC fewer.
        edited = tmp_path / "edited.yaml"
        text = template.read_text().replace("tags: [kiln, acceptance]", "tags: [kiln]")
        edited.write_text(text.replace("        - network: {get_resource: net}\n"
                                       "          fixed_ip: 10.41.0.50\n", ""))  # fmt: skip
        arguments = ("--stack", stack, f"-Pimage={shared.image}", "-Plabel=two")
        plan = json.loads(cloud_kiln("plan", edited, *arguments, "--output", "json").stdout)
        changed = {c["resource"]: (c["action"], sorted(p["name"] for p in c["properties"]))
                   for c in plan["changes"]}  # fmt: skip
        assert changed == {"server": ("update", ["metadata", "networks", "tags"])}
        out = cloud_kiln.timed("kiln/server_features", "deploy (edited)", "deploy", edited,
                               *arguments)  # fmt: skip
        assert out.code == 0, out.text
        server = conn.compute.get_server(ids["server"])
        assert server.metadata == {"label": "two", "count": "2"}
        assert sorted(t for t in server.tags if not t.startswith("kiln-")) == ["kiln"]
        ips = [a["addr"] for items in server.addresses.values() for a in items]
        assert "10.41.0.50" not in ips and port.fixed_ips[0]["ip_address"] in ips
        assert Checker(conn, stack).rows(cloud_kiln.rows(stack)) == []
        assert _cells_holding(cloud_kiln, private.splitlines()[1]) == []
        assert _private_key(cloud_kiln, stack) == private
        assert _output_digest(cloud_kiln, stack, "private_key") == _digest(cloud_kiln, stack,
                                                                            private)  # fmt: skip

        # Another key file does not open it: the deploy says so, in one line, and stops.
        from cryptography.fernet import Fernet

        kept = key_file.read_bytes()
        key_file.write_bytes(Fernet.generate_key())
        refused = cloud_kiln("deploy", edited, *arguments)
        key_file.write_bytes(kept)
        assert refused.code == 1 and str(key_file) in refused.stderr, refused.text
        assert "does not open" in refused.stderr and "Traceback" not in refused.text
    finally:
        deleted = cloud_kiln.timed("kiln/server_features", "delete", "delete", "--stack", stack)
    assert deleted.code == 0, deleted.text
    assert difference(before, inventory(conn, project.id)) == {}


def test_volumes_change_in_place_and_attachments_move(cloud_kiln, shared, project):
    conn = shared.conn
    stack = f"volumes-{shared.unique}"
    template = KILN / "volume_updates.yaml"
    before = inventory(conn, project.id)
    try:
        out = cloud_kiln("deploy", template, "--stack", stack, f"-Pimage={shared.image}")
        assert out.code == 0, out.text
        ids = _ids(cloud_kiln.rows(stack))
        assert _outputs(cloud_kiln, stack) == {"size": "1", "metadata": {"name": "first"}}
        arguments = ("--stack", stack, f"-Pimage={shared.image}", "-Pname=second", "-Psize=2",
                     "-Pmountpoint=/dev/vdc")  # fmt: skip
        plan = json.loads(cloud_kiln("plan", template, *arguments, "--output", "json").stdout)
        assert {c["resource"]: c["action"] for c in plan["changes"]} == {
            "volume": "update", "attachment": "replace",
        }  # fmt: skip
        out = cloud_kiln("deploy", template, *arguments)
        assert out.code == 0, out.text
        assert _ids(cloud_kiln.rows(stack)) == ids  # the attachment id is the volume's
        volume = conn.block_storage.get_volume(ids["volume"])
        assert (volume.size, volume.name, volume.description) == (2, f"{stack}-second", "second")
        assert volume.metadata["name"] == "second" and volume.status == "in-use"
        assert Checker(conn, stack).rows(cloud_kiln.rows(stack)) == []
        shrink = cloud_kiln("deploy", template, *arguments[:-2], "-Psize=1")
        assert shrink.code == 1 and "Shrinking volume is not supported." in shrink.stdout
    finally:
        deleted = cloud_kiln("delete", "--stack", stack)
    assert deleted.code == 0, deleted.text
    assert difference(before, inventory(conn, project.id)) == {}


def test_a_flavor_is_made_by_an_admin_and_refused_to_a_member(cloud_kiln, sandbox, shared):
    stack = f"flavor-{shared.unique}"
    template = KILN / "flavor.yaml"
    refused = cloud_kiln("deploy", template, "--stack", stack)
    assert refused.code == 1
    assert "Creating a flavor needs the admin role" in refused.stdout + refused.stderr
    assert "Traceback" not in refused.stderr
    assert cloud_kiln("delete", "--stack", stack).code == 0

    admin = sandbox.connect(admin=True)
    stack = f"admin-flavor-{shared.unique}"
    as_admin = ("--stack", stack, "--cloud", sandbox.admin_cloud)
    out = cloud_kiln("deploy", template, *as_admin)
    try:
        assert out.code == 0, out.text
        flavor_id = _ids(cloud_kiln.rows(stack))["flavor"]
        flavor = admin.compute.get_flavor(flavor_id)
        assert (flavor.ram, flavor.vcpus, flavor.is_public) == (64, 1, False)
        assert _outputs(cloud_kiln, stack) == {"is_public": False,
                                               "extra_specs": {"kiln:spec": "one"}}  # fmt: skip
        out = cloud_kiln("deploy", template, *as_admin, "-Pspec=two")
        assert out.code == 0, out.text
        assert admin.compute.fetch_flavor_extra_specs(flavor_id).extra_specs == {"kiln:spec": "two"}
    finally:
        assert cloud_kiln("delete", *as_admin).code == 0
    assert admin.compute.find_flavor(flavor_id, ignore_missing=True) is None


def test_a_container_with_objects_is_kept_unless_purged(cloud_kiln, shared, project):
    conn = shared.conn
    if not conn.has_service("object-store"):
        pytest.skip("the sandbox has no object-store service (kiln sandbox up --with-swift)")
    template = KILN / "container.yaml"
    before = inventory(conn, project.id)
    kept = f"kept-{shared.unique}"
    assert cloud_kiln("deploy", template, "--stack", kept).code == 0
    name = _ids(cloud_kiln.rows(kept))["container"]
    conn.object_store.upload_object(container=name, name="a.txt", data=b"a")
    assert _outputs(cloud_kiln, kept)["head"]["x-container-meta-owner"] == "kiln"
    refused = cloud_kiln("delete", "--stack", kept)
    assert refused.code == 1
    assert f"Deleting non-empty container ({name}) when PurgeOnDelete is False" in refused.stdout
    conn.object_store.delete_object("a.txt", container=name)
    assert cloud_kiln("delete", "--stack", kept).code == 0

    purged = f"purged-{shared.unique}"
    assert cloud_kiln("deploy", template, "--stack", purged, "-Ppurge=true").code == 0
    name = _ids(cloud_kiln.rows(purged))["container"]
    for index in range(3):
        conn.object_store.upload_object(container=name, name=f"{index}.txt", data=b"x")
    assert cloud_kiln("delete", "--stack", purged).code == 0
    assert difference(before, inventory(conn, project.id)) == {}


def test_a_flavor_change_resizes_the_server_in_place(cloud_kiln, shared, project):
    conn = shared.conn
    stack = f"resize-{shared.unique}"
    template = KILN / "server_resize.yaml"
    before = inventory(conn, project.id)
    try:
        out = cloud_kiln("deploy", template, "--stack", stack, f"-Pimage={shared.image}")
        assert out.code == 0, out.text
        ids = _ids(cloud_kiln.rows(stack))
        arguments = ("--stack", stack, f"-Pimage={shared.image}", "-Pflavor=m1.small")
        plan = json.loads(cloud_kiln("plan", template, *arguments, "--output", "json").stdout)
        assert {c["resource"]: c["action"] for c in plan["changes"]} == {"server": "update"}
        out = cloud_kiln("deploy", template, *arguments)
        assert out.code == 0, out.text
        assert _ids(cloud_kiln.rows(stack)) == ids  # resized, not replaced
        server = conn.compute.get_server(ids["server"])
        assert (server.flavor.original_name, server.status) == ("m1.small", "ACTIVE")
        assert Checker(conn, stack).rows(cloud_kiln.rows(stack)) == []
    finally:
        deleted = cloud_kiln("delete", "--stack", stack)
    assert deleted.code == 0, deleted.text
    assert difference(before, inventory(conn, project.id)) == {}
