"""kiln/runtime/cloud.py against a cloud that answers 503 on demand, which no real service
does: a tiny HTTP server speaking Keystone v3's token API and Neutron v2.0's network list
(the documents openstacksdk reads, nothing more). Everything on Kiln's side is real:
openstacksdk connects from a clouds.yaml, raises its own exceptions, and Kiln classifies
and retries them. It also shows that the SDK itself does not retry a 503 behind Kiln's back.
"""

import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from kiln.compiler.driver import compile_file
from kiln.runtime.cloud import LazyCloud, connect
from kiln.runtime.errors import CloudError, KilnRuntimeError, NoCloud
from kiln.runtime.handlers import HANDLERS, HandlerTable
from kiln.runtime.handlers.heat_local import ValueHandler
from kiln.runtime.progress import PlainLines
from kiln.runtime.retry import Backoff, RetryPolicy, call_with_retries
from kiln.runtime.session import Settings, StackSession
from kiln.runtime.state.store import StateStore

TOKEN = {
    "methods": ["password"],
    "expires_at": "2099-01-01T00:00:00.000000Z",
    "issued_at": "2020-01-01T00:00:00.000000Z",
    "project": {"id": "p1", "name": "demo", "domain": {"id": "default", "name": "Default"}},
    "user": {"id": "u1", "name": "demo", "domain": {"id": "default", "name": "Default"}},
    "roles": [{"id": "r1", "name": "member"}],
}
NETWORKS = [{"id": "n1", "name": "private", "tags": ["kiln-stack=s1", "kiln-token=t1"]}]


class FakeCloud(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.port = self.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.answers: list[tuple[int, dict]] = []  # queued answers for the network list
        self.requests: list[tuple[str, str]] = []


class _Handler(BaseHTTPRequestHandler):
    server: FakeCloud

    def log_message(self, *args):
        pass

    def _send(self, status, body, headers=()):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in headers:
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.server.requests.append(("GET", self.path))
        path = urlsplit(self.path).path.rstrip("/")
        if path == "/v3":  # Keystone's version document
            link = {"rel": "self", "href": f"{self.server.base}/v3/"}
            return self._send(
                200, {"version": {"id": "v3.14", "status": "stable", "links": [link]}}
            )
        if path == "/network/v2.0/networks":
            if self.server.answers:
                return self._send(*self.server.answers.pop(0))
            wanted = parse_qs(urlsplit(self.path).query).get("tags", [""])[0].split(",")
            found = [n for n in NETWORKS if set(filter(None, wanted)) <= set(n["tags"])]
            return self._send(200, {"networks": found})
        return self._send(404, {"NeutronError": {"message": f"no {path}", "type": "x"}})

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.requests.append(("POST", self.path))
        if self.path.rstrip("/") == "/v3/auth/tokens":
            endpoint = {"id": "e1", "interface": "public", "region": "RegionOne",
                        "region_id": "RegionOne", "url": f"{self.server.base}/network"}  # fmt: skip
            catalog = [{"type": "network", "name": "neutron", "id": "s1", "endpoints": [endpoint]}]
            body = {"token": {**TOKEN, "catalog": catalog}}
            return self._send(201, body, [("X-Subject-Token", "a-token")])
        return self._send(404, {})


@pytest.fixture
def fake(tmp_path, monkeypatch):
    server = FakeCloud()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    auth = {"auth_url": f"{server.base}/v3", "username": "demo", "password": "secret",
            "project_name": "demo", "user_domain_name": "Default",
            "project_domain_name": "Default"}  # fmt: skip
    clouds = {"clouds": {"fake": {"auth": auth, "region_name": "RegionOne"}}}
    (tmp_path / "clouds.yaml").write_text(yaml.safe_dump(clouds))
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(tmp_path / "clouds.yaml"))
    monkeypatch.delenv("OS_CLOUD", raising=False)
    yield server
    server.shutdown()
    server.server_close()


FAST = RetryPolicy(attempts=3, backoff=Backoff(0.01, 1.0, 0.01, 0))


def _networks(cloud):
    return cloud.call(lambda: [network.name for network in cloud.connection.network.networks()])


def test_a_503_is_retried_and_then_succeeds(fake):
    cloud = connect("fake")
    assert cloud.project_id == "p1"
    fake.answers.append((503, {"message": "The server is currently unavailable."}))
    retries = []
    found = call_with_retries(
        lambda: _networks(cloud), FAST, on_retry=lambda *args: retries.append(args)
    )
    assert found == ["private"]
    ((attempt, error, _),) = retries
    assert attempt == 1 and error.status == 503 and error.transient
    assert error.message == "The server is currently unavailable."
    lists = [r for r in fake.requests if r[1].startswith("/network/v2.0/networks")]
    assert len(lists) == 2  # one refused, one answered: the SDK did not retry on its own


def test_a_409_while_busy_is_retried_a_404_is_not(fake):
    cloud = connect("fake")
    busy = {"NeutronError": {"type": "PortInUse", "message": "Port p1 is busy", "detail": ""}}
    fake.answers += [(409, busy)] * 3
    with pytest.raises(CloudError, match="Port p1 is busy") as raised:
        call_with_retries(lambda: _networks(cloud), FAST)
    assert raised.value.transient and not fake.answers  # all three attempts spent
    missing = {"NeutronError": {"type": "NotFound", "message": "gone", "detail": ""}}
    fake.answers += [(404, missing), (200, {"networks": []})]
    with pytest.raises(CloudError, match="gone") as raised:
        call_with_retries(lambda: _networks(cloud), FAST)
    assert not raised.value.transient and len(fake.answers) == 1  # not retried


def test_a_refused_connection_is_transient(fake):
    cloud = connect("fake")
    fake.shutdown()
    fake.server_close()
    with pytest.raises(CloudError, match="connection failed") as raised:
        _networks(cloud)
    assert raised.value.transient


def test_resources_are_found_by_their_tags(fake):
    cloud = connect("fake")
    listing = cloud.connection.network.networks
    assert cloud.find_tagged(listing, ["kiln-stack=s1", "kiln-token=t1"]) == "n1"
    assert cloud.find_tagged(listing, ["kiln-token=other"]) is None


def test_an_unknown_cloud_or_none_is_said_plainly(fake):
    with pytest.raises(KilnRuntimeError, match="cloud 'nope'"):
        connect("nope")
    with pytest.raises(NoCloud, match="name one with --cloud NAME or OS_CLOUD"):
        LazyCloud(None)()
    lazy = LazyCloud("fake")
    assert lazy() is lazy()  # one connection, made once


class FirstNetwork(ValueHandler):
    """A Value whose create asks the cloud (through Kiln's Cloud) for its first network."""

    needs_cloud = True

    def create(self, ctx, props):
        cloud = ctx.cloud
        return cloud.call(lambda: next(iter(cloud.connection.network.networks())).id)


def test_the_engine_retries_through_the_cloud_and_says_so(fake, registries, tmp_path):
    template = tmp_path / "t.yaml"
    template.write_text(
        "heat_template_version: 2021-04-16\n"
        "resources:\n  v: {type: OS::Heat::Value, properties: {value: 1}}\n"
        "outputs:\n  id: {value: {get_resource: v}}\n"
    )
    result = compile_file(str(template), registries)
    store = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    handlers = HandlerTable(registries.schemas, {**HANDLERS, "OS::Heat::Value": FirstNetwork})
    session = StackSession(store, "s", cloud="fake", schemas=registries.schemas, handlers=handlers)
    fake.answers.append((503, {"message": "The server is currently unavailable."}))
    _, outcome = session.deploy(
        result.unit, PlainLines(io.StringIO()), settings=Settings(retry=FAST)
    )
    assert outcome is not None and outcome.ok, outcome
    stack = store.require_stack("s")
    assert dict(stack.outputs) == {"id": "n1"}
    reasons = [event.reason for event in store.events(stack.id) if event.reason]
    assert reasons == [
        "retrying in 0.0s after a transient error (attempt 1): "
        "The server is currently unavailable. (HTTP 503)"
    ]


def test_remembered_finders_ask_once_for_many_threads(fake):
    """Heat memoizes its flavor and image finders; Kiln's `remember` does the same per
    connection: eight servers naming one image ask the service once. What was not found is
    asked again (this deploy may create it)."""
    from concurrent.futures import ThreadPoolExecutor

    from kiln.runtime.handlers import calls

    cloud = connect("fake")

    def find(remember: bool) -> str:
        found = calls.find_by_name_or_id(
            cloud, "network", "networks", "network", "private", kind="Network", remember=remember
        )
        return str(found["id"])

    def asked() -> int:
        return sum(1 for _, path in fake.requests if path.startswith("/network/v2.0/networks"))

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(find, [True] * 8)) == ["n1"] * 8
    assert asked() == 2  # by id (404), then the list: once for all eight
    assert find(True) == "n1" and asked() == 2
    assert find(False) == "n1" and asked() == 4  # not remembering: asked again
    for _ in range(2):
        with pytest.raises(CloudError, match="could not be found"):
            calls.find_by_name_or_id(
                cloud, "network", "networks", "network", "later", kind="Network", remember=True
            )
    assert asked() == 8  # a miss is not remembered
