"""Transient cloud errors are retried with backoff, a bounded number of times; permanent ones
are not. The classification is a function of openstacksdk's and keystoneauth's own exception
classes (real instances, as the SDK raises them); the policy is a pure function of it."""

import itertools
import json

import pytest
import requests
from keystoneauth1 import exceptions as ksa
from openstack import exceptions as sdk

from kiln.runtime.cloud import classify, resource_tags
from kiln.runtime.errors import CloudError, DeployTimeout
from kiln.runtime.retry import Backoff, PollPolicy, RetryPolicy, call_with_retries, poll


def _answer(status, body):
    """The exception openstacksdk raises for an HTTP answer (its own raise_from_response)."""
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps(body).encode()
    response.headers["Content-Type"] = "application/json"
    response.url = "http://127.0.0.1:9696/v2.0/ports/p1"
    try:
        sdk.raise_from_response(response)
    except sdk.HttpException as error:
        return error
    raise AssertionError(f"no exception for HTTP {status}")


def _neutron(kind, message):
    return {"NeutronError": {"type": kind, "message": message, "detail": ""}}


@pytest.mark.parametrize(
    ("error", "transient", "status", "message"),
    [
        (_answer(503, {"message": "Service Unavailable"}), True, 503, "Service Unavailable"),
        (_answer(500, _neutron("HTTPInternalServerError", "oops")), True, 500, "oops"),
        (_answer(409, _neutron("PortInUse", "Port p1 is in use")), True, 409, "Port p1 is in use"),
        (_answer(429, {"message": "slow down"}), True, 429, "slow down"),
        (_answer(404, _neutron("NetworkNotFound", "Network n not found")), False, 404, None),
        (_answer(400, _neutron("InvalidInput", "Invalid CIDR")), False, 400, "Invalid CIDR"),
        (_answer(403, {"message": "policy forbids"}), False, 403, "policy forbids"),
        (ksa.ConnectFailure("Connection reset by peer"), True, None, None),
        (ksa.ConnectTimeout("timed out"), True, None, None),
        (sdk.ResourceFailure("Server went to ERROR"), False, None, "Server went to ERROR"),
        (sdk.ResourceTimeout("Timed out"), False, None, None),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else None,
)
def test_sdk_errors_are_classified(error, transient, status, message):
    found = classify(error)
    assert found is not None
    assert (found.transient, found.status) == (transient, status)
    if message is not None:
        assert found.message == message  # the cloud's own words


def test_other_exceptions_are_not_cloud_errors():
    assert classify(ValueError("a bug")) is None


def _flaky(failures, error=None):
    calls = itertools.count(1)

    def call():
        number = next(calls)
        if number <= failures:
            raise error or CloudError("Service Unavailable", transient=True, status=503)
        return number

    return call


NO_JITTER = RetryPolicy(attempts=5, backoff=Backoff(initial=1.0, factor=2.0, maximum=3.0, jitter=0))


def test_transient_errors_are_retried_with_growing_delays():
    slept = []
    assert call_with_retries(_flaky(3), NO_JITTER, sleep=slept.append) == 4
    assert slept == [1.0, 2.0, 3.0]


def test_retries_are_bounded():
    slept = []
    with pytest.raises(CloudError, match="Service Unavailable"):
        call_with_retries(_flaky(10), NO_JITTER, sleep=slept.append)
    assert len(slept) == NO_JITTER.attempts - 1


def test_permanent_errors_are_not_retried():
    slept = []
    permanent = CloudError("Invalid CIDR", transient=False, status=400)
    with pytest.raises(CloudError, match="Invalid CIDR"):
        call_with_retries(_flaky(1, permanent), NO_JITTER, sleep=slept.append)
    assert slept == []


def test_a_lost_answer_is_looked_for_before_trying_again():
    calls = []

    def create():
        calls.append("create")
        raise CloudError("connection reset", transient=True)

    found = call_with_retries(create, NO_JITTER, sleep=lambda s: None, before_retry=lambda: "p1")
    assert found == "p1" and calls == ["create"]


def test_poll_backs_off_and_times_out():
    now = [0.0]
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    answers = iter([False, False, True])
    policy = PollPolicy(Backoff(0.5, 2.0, 10.0, 0), timeout=60)
    poll(lambda: next(answers), "x", policy, sleep=sleep, clock=lambda: now[0])
    assert slept == [0.5, 1.0]
    with pytest.raises(DeployTimeout, match="timed out after 60s waiting for the server"):
        poll(lambda: False, "the server", policy, sleep=sleep, clock=lambda: now[0])


@pytest.mark.parametrize("ready_at", [0.3, 4.0, 17.5, 95.0])
def test_the_default_poll_notices_completion_within_about_a_second(ready_at):
    """As Heat's scheduler steps every second: a resource ready at any moment is seen at most
    a step (plus jitter) later, however long the operation took."""
    from kiln.runtime.retry import DEFAULT_POLL

    now = [0.0]

    def sleep(seconds):
        now[0] += seconds

    poll(lambda: now[0] >= ready_at, "x", DEFAULT_POLL, sleep=sleep, clock=lambda: now[0])
    assert ready_at <= now[0] <= ready_at + 1.1


def test_tags_fit_nova_rules():
    tags = resource_tags("6334cd82-aa18-4f97-9667-d2003f0b094c", "x" * 200 + "/,", "ab" * 16)
    assert len(tags) == 3
    assert all(len(tag) <= 60 and "/" not in tag and "," not in tag for tag in tags)
    assert tags[0] == "kiln-stack=6334cd82-aa18-4f97-9667-d2003f0b094c"
    assert tags[2] == "kiln-token=" + "ab" * 16
