"""The task graph with real processes and commands (sh, sleep), no OpenStack: order, stamps,
the first failure stopping new work, and CPU slots granted by priority."""

import os
import socket
import threading
import time
from pathlib import Path

from kiln.runtime.sandbox import processes
from kiln.runtime.sandbox.layout import Layout
from kiln.runtime.sandbox.services import Command, Service, Step
from kiln.runtime.sandbox.tasks import Outcome, Runner, Slots


def runner(tmp_path: Path) -> Runner:
    layout = Layout(tmp_path)
    layout.create()
    values = {"state": str(tmp_path)}
    env = {"PATH": os.environ["PATH"]}
    return Runner(layout, values, env, lambda step: "key\n")


def sleeper(name: str, **fields: object) -> Service:
    return Service(name, "core", ("sleep", "300"), check="process", **fields)  # type: ignore[arg-type]


def test_steps_and_services_run_in_dependency_order_and_stamps_skip(tmp_path: Path) -> None:
    trace = tmp_path / "trace"
    first = Step("first", "core", (Command(("/bin/sh", "-c", f"echo first >> {trace}")),))
    second = Step(
        "second",
        "core",
        (Command(("/bin/sh", "-c", f"echo second >> {trace}")),),
        after=("first",),
        depends=("svc",),
    )
    service = sleeper("svc", setup=("first",))
    run = runner(tmp_path)
    seen: list[Outcome] = []
    try:
        assert run.execute((service,), (first, second), seen.append) is None
        assert trace.read_text().split() == ["first", "second"]
        assert [(o.name, o.action) for o in seen] == [
            ("first", "ran"),
            ("svc", "started"),
            ("second", "ran"),
        ]
        # Again: the stamped steps are skipped, the healthy service is left alone.
        again = runner(tmp_path)
        seen.clear()
        assert again.execute((service,), (first, second), seen.append) is None
        assert {o.name: o.action for o in seen} == {
            "first": "skipped",
            "svc": "running",
            "second": "skipped",
        }
        assert again.started == []
        assert trace.read_text().split() == ["first", "second"]
    finally:
        processes.stop(run.started, timeout=5)


def test_a_failure_stops_new_work_and_names_the_step(tmp_path: Path) -> None:
    broken = Step("broken", "core", (Command(("/bin/sh", "-c", "echo oops; exit 3")),))
    never = sleeper("never", setup=("broken",))
    run = runner(tmp_path)
    failure = run.execute((never,), (broken,), lambda outcome: None)
    assert failure is not None
    assert failure.name == "broken"
    assert failure.error == "step broken: sh exited with 3"
    assert failure.log is not None and "oops" in failure.log.read_text()
    assert run.started == []  # the service after it never started
    assert not (tmp_path / "stamps" / "broken").exists()


def test_an_accepted_exit_code_is_not_a_failure(tmp_path: Path) -> None:
    exists = Step("exists", "core", (Command(("/bin/sh", "-c", "exit 2"), ok=(0, 2)),))
    assert runner(tmp_path).execute((), (exists,), lambda outcome: None) is None


def test_a_service_that_dies_is_reported_with_its_status(tmp_path: Path) -> None:
    dies = Service("dies", "core", ("/bin/sh", "-c", "echo bye; exit 7"), check="process")
    run = runner(tmp_path)
    failure = run.execute((dies,), (), lambda outcome: None)
    assert failure is not None and failure.error == "dies exited with status 7"
    assert failure.log is not None and "bye" in failure.log.read_text()


def test_a_port_taken_by_someone_else_is_named(tmp_path: Path) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    try:
        clash = Service("clash", "core", ("sleep", "300"), port=port)
        run = runner(tmp_path)
        failure = run.execute((clash,), (), lambda outcome: None)
        assert failure is not None and failure.error is not None
        assert f"port {port}, needed by clash, is already in use by pid {os.getpid()}" in (
            failure.error
        )
        assert run.started == []
    finally:
        listener.close()


def test_a_service_dying_after_it_started_fails_the_run_at_once(tmp_path: Path) -> None:
    # Like nova-conductor exiting when placement does not answer: healthy at first, then gone.
    flaky = Service("flaky", "core", ("/bin/sh", "-c", "sleep 2; exit 0"), check="process")
    waits = Step("waits", "core", (Command(("sleep", "120")),), depends=("flaky",))
    seen: list[Outcome] = []
    failure = runner(tmp_path).execute((flaky,), (waits,), seen.append)
    assert failure is not None
    assert failure.error == "flaky exited (status 0) after it had started"
    assert ("waits", "stopped") in [(o.name, o.action) for o in seen]  # not left to run


def test_slots_go_to_the_highest_priority_waiter() -> None:
    slots = Slots(1)
    order: list[int] = []
    holder = slots.take(0)
    holder.__enter__()

    def worker(priority: int) -> None:
        with slots.take(priority):
            order.append(priority)

    threads = [threading.Thread(target=worker, args=(p,)) for p in (3, 1, 2)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 10
    while len(slots._waiting) < 3:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    holder.__exit__(None, None, None)
    for thread in threads:
        thread.join(10)
    assert order == [1, 2, 3]
