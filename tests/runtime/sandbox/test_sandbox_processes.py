"""Process groups with real processes: started as a group, recorded, stopped by group id (the
children too), SIGKILL for what ignores SIGTERM, and a reused pid never signalled."""

import os
import socket
import subprocess
import time
from pathlib import Path

from kiln.runtime.sandbox import health, processes

SH = "/bin/sh"


def start(tmp_path: Path, name: str, script: str) -> processes.Record:
    return processes.start(
        name,
        [SH, "-c", script],
        env={"PATH": os.environ["PATH"]},
        log_path=tmp_path / "logs" / f"{name}.log",
        pid_path=tmp_path / "pids" / f"{name}.pid",
        cwd=tmp_path,
    )


def running(pid: int) -> bool:
    """Alive and not a zombie (an orphan's zombie waits for init to reap it)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def wait_members(pgid: int, count: int) -> list[int]:
    deadline = time.monotonic() + 10
    while len(members := processes.group_members(pgid)) < count:
        assert time.monotonic() < deadline, f"group {pgid} has {members}"
        time.sleep(0.05)
    return members


def test_a_group_is_recorded_and_stopped_with_its_children(tmp_path: Path) -> None:
    record = start(tmp_path, "svc", "sleep 300 & sleep 300 & wait")
    assert record.pgid == record.pid != os.getpgid(0)
    assert processes.read_record(tmp_path / "pids" / "svc.pid") == record
    assert processes.leader_alive(record)
    members = wait_members(record.pgid, 3)  # the shell and its two sleeps
    assert processes.group_rss_bytes(record.pgid) > 0

    result = processes.stop([record], timeout=10, pid_dir=tmp_path / "pids")

    assert result == processes.Stopped((), ())
    assert processes.group_members(record.pgid) == []
    assert not any(running(pid) for pid in members)
    assert not (tmp_path / "pids" / "svc.pid").exists()
    assert not processes.leader_alive(record)


def test_what_ignores_sigterm_gets_sigkill(tmp_path: Path) -> None:
    # The trap is set before the marker is written, so TERM cannot arrive before it.
    record = start(tmp_path, "stubborn", f"trap '' TERM; echo > {tmp_path}/ready; sleep 300")
    deadline = time.monotonic() + 10
    while not (tmp_path / "ready").exists():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    result = processes.stop([record], timeout=0.5, pid_dir=tmp_path / "pids")
    assert result.killed == ("stubborn",)
    assert result.survivors == ()
    assert processes.group_members(record.pgid) == []


def test_a_reused_pid_is_not_ours(tmp_path: Path) -> None:
    stranger = subprocess.Popen(["sleep", "300"], start_new_session=True)
    try:
        # A record naming that pid with another start time: the pid was reused.
        record = processes.Record("old", stranger.pid, stranger.pid, start_ticks=1)
        assert not processes.leader_alive(record)
        result = processes.stop([record], timeout=0.5)
        assert result == processes.Stopped((), ())
        assert stranger.poll() is None  # still running: never signalled
    finally:
        stranger.kill()
        stranger.wait()


def test_records_skip_unreadable_files(tmp_path: Path) -> None:
    record = start(tmp_path, "ok", "sleep 300")
    (tmp_path / "pids" / "broken.pid").write_text("not json")
    try:
        assert processes.records(tmp_path / "pids") == [record]
    finally:
        processes.stop([record], timeout=5)


def test_a_dead_leader_with_live_children_is_still_stopped(tmp_path: Path) -> None:
    record = start(tmp_path, "orphans", "sleep 300 & sleep 300 & exit 0")
    deadline = time.monotonic() + 10
    while processes.leader_alive(record):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert processes.exit_status(record) == 0
    assert len(processes.group_members(record.pgid)) == 2
    processes.stop([record], timeout=5)
    assert processes.group_members(record.pgid) == []


def test_port_checks_and_owner() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    try:
        assert health.tcp_answers(port)
        assert not health.http_answers(port, timeout=0.3)  # answers TCP, not HTTP
        owner = health.port_owner(port)
        assert owner is not None and owner.startswith(f"pid {os.getpid()} ")
    finally:
        listener.close()
    assert not health.tcp_answers(port)
    assert health.port_owner(port) is None
