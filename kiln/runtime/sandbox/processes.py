"""Process groups: start each service in a session of its own, record it, stop it by its id.

A record (STATE/pids/<name>.pid, JSON) holds the pid, the process-group id (the same number:
the service is its group's leader) and the leader's start time from /proc, so a reused pid is
never mistaken for ours. Stopping sends SIGTERM to the whole group (gunicorn workers, Erlang
children, mysqld threads), waits, then SIGKILL. Nothing is ever killed by name.
Linux only: it reads /proc.
"""

import contextlib
import json
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

# Popen objects this process started: reaped while stopping, so no zombie keeps a group alive.
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


@dataclass(frozen=True, slots=True)
class Record:
    name: str
    pid: int
    pgid: int
    start_ticks: int

    def to_json(self) -> str:
        return json.dumps(
            {"name": self.name, "pid": self.pid, "pgid": self.pgid, "start": self.start_ticks}
        )


def _stat(pid: int) -> tuple[str, int, int] | None:
    """(state, pgid, start time in clock ticks) of a process, None when it does not exist."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name is in parentheses and may contain spaces: split after the last ")".
    fields = raw[raw.rindex(")") + 2 :].split()
    return fields[0], int(fields[2]), int(fields[19])


def read_record(path: Path) -> Record | None:
    try:
        raw = json.loads(path.read_text())
        return Record(str(raw["name"]), int(raw["pid"]), int(raw["pgid"]), int(raw["start"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def records(pid_dir: Path) -> list[Record]:
    found = []
    for path in sorted(pid_dir.glob("*.pid")):
        record = read_record(path)
        if record is not None:
            found.append(record)
    return found


def leader_alive(record: Record) -> bool:
    """The recorded process itself still runs (same pid and same start time, not a zombie)."""
    stat = _stat(record.pid)
    return stat is not None and stat[0] != "Z" and stat[2] == record.start_ticks


def group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes of a process group."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        stat = _stat(int(entry.name))
        if stat is not None and stat[1] == pgid and stat[0] != "Z":
            members.append(int(entry.name))
    return members


def group_rss_bytes(pgid: int) -> int:
    """Resident memory of a process group (sum over its members; shared pages count twice)."""
    page = os.sysconf("SC_PAGE_SIZE")
    total = 0
    for pid in group_members(pgid):
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * page
        except (OSError, IndexError, ValueError):
            continue
    return total


def start(
    name: str,
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    log_path: Path,
    pid_path: Path,
    cwd: Path,
) -> Record:
    """Start `argv` as the leader of a new session and process group; record it."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    pid_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        log.write(f"\n==== kiln sandbox: starting {name}: {' '.join(argv)}\n".encode())
        log.flush()
        process = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=dict(env),
            cwd=cwd,
            start_new_session=True,
        )
    _CHILDREN[process.pid] = process
    stat = _stat(process.pid)
    record = Record(name, process.pid, process.pid, stat[2] if stat else 0)
    tmp = pid_path.with_suffix(".tmp")
    tmp.write_text(record.to_json() + "\n")
    tmp.replace(pid_path)
    return record


def _reap() -> None:
    for pid, process in list(_CHILDREN.items()):
        if process.poll() is not None:
            del _CHILDREN[pid]


def exit_status(record: Record) -> int | None:
    """The exit status of a service this process started and that has ended, else None."""
    process = _CHILDREN.get(record.pid)
    return None if process is None else process.poll()


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _ours(record: Record) -> bool:
    """Whether signalling the recorded group can only reach what we started.

    The leader alive with its recorded start time: ours. The leader gone but members left
    (a gunicorn worker, an Erlang child): still our group, since a group id is not reused
    while the group has members. The leader's pid now running something else: not ours.
    """
    stat = _stat(record.pid)
    if stat is not None and stat[0] != "Z" and stat[2] != record.start_ticks:
        return False
    return bool(group_members(record.pgid))


def _wait_empty(pending: list[Record], until: float) -> list[Record]:
    while True:
        _reap()
        pending = [record for record in pending if group_members(record.pgid)]
        if not pending or time.monotonic() >= until:
            return pending
        time.sleep(0.1)


@dataclass(frozen=True, slots=True)
class Stopped:
    killed: tuple[str, ...]  # needed SIGKILL
    survivors: tuple[str, ...]  # still there even after SIGKILL (uninterruptible sleep)


def stop(
    targets: Sequence[Record], *, timeout: float = 15.0, pid_dir: Path | None = None
) -> Stopped:
    """Stop process groups together: SIGTERM, wait up to `timeout`, then SIGKILL.

    Removes the records of the stopped groups from `pid_dir`.
    """
    live = [record for record in targets if _ours(record)]
    for record in live:
        _signal_group(record.pgid, signal.SIGTERM)
    pending = _wait_empty(live, time.monotonic() + timeout)
    for record in pending:
        _signal_group(record.pgid, signal.SIGKILL)
    survivors = _wait_empty(pending, time.monotonic() + 5.0)
    if pid_dir is not None:
        gone = {record.name for record in targets} - {record.name for record in survivors}
        for name in gone:
            (pid_dir / f"{name}.pid").unlink(missing_ok=True)
    return Stopped(
        tuple(record.name for record in pending), tuple(record.name for record in survivors)
    )
