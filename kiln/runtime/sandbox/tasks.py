"""Run the sandbox's services and setup steps as one dependency graph, in parallel.

A node runs as soon as what it needs is done: the db syncs run side by side, every API starts
once MariaDB, RabbitMQ and Keystone answer. A healthy service is left alone (an `up` while up
only checks); a stamped step that already ran is skipped. The first failure stops new work;
the caller then stops what this run started.
"""

import contextlib
import functools
import heapq
import itertools
import os
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from kiln.runtime.sandbox import health, processes
from kiln.runtime.sandbox.layout import Layout
from kiln.runtime.sandbox.services import Service, Step

PROCESS_GRACE = 1.0  # a service without a port is healthy once it survives this long


@dataclass(frozen=True, slots=True)
class Outcome:
    name: str
    action: str  # started | running | ran | skipped | failed
    seconds: float
    error: str | None = None
    log: Path | None = None


def expand(text: str, values: Mapping[str, str]) -> str:
    return text.format_map(values)


class Slots:
    """CPU slots for heavy steps (db syncs), granted by priority: on 2 cores, nine db syncs at
    once only slow each other down, and the keystone chain should not wait behind them."""

    def __init__(self, count: int) -> None:
        self._free = count
        self._waiting: list[tuple[int, int]] = []
        self._tickets = itertools.count()
        self._condition = threading.Condition()

    @contextlib.contextmanager
    def take(self, priority: int) -> Iterator[None]:
        ticket = (priority, next(self._tickets))
        with self._condition:
            heapq.heappush(self._waiting, ticket)
            self._condition.wait_for(lambda: self._free > 0 and self._waiting[0] == ticket)
            heapq.heappop(self._waiting)
            self._free -= 1
        try:
            yield
        finally:
            with self._condition:
                self._free += 1
                self._condition.notify_all()


class Runner:
    def __init__(
        self,
        layout: Layout,
        values: Mapping[str, str],
        env: Mapping[str, str],
        stamp_key: Callable[[Step], str],
        steps: tuple[Step, ...] = (),
    ) -> None:
        self.layout = layout
        self.values = values
        self.env = env
        self.stamp_key = stamp_key
        self.started: list[processes.Record] = []
        self._lock = threading.Lock()
        self._slots = Slots(max(2, os.cpu_count() or 2))
        self._priority = {step.name: index for index, step in enumerate(steps)}
        self._commands: set[subprocess.Popen[bytes]] = set()
        self._aborted = False

    # -- services ------------------------------------------------------------------------------

    def _wait_healthy(self, service: Service, record: processes.Record, began: float) -> str | None:
        deadline = began + service.timeout
        while True:
            if self._aborted:
                return f"{service.name}: not waited for (the run was interrupted)"
            if not processes.leader_alive(record):
                status = processes.exit_status(record)
                how = f"exited with status {status}" if status is not None else "is not running"
                return f"{service.name} {how}"
            if service.port is None:
                if time.monotonic() - began >= PROCESS_GRACE:
                    return None
            elif health.answers(service.port, service.check):
                return None
            if time.monotonic() > deadline:
                where = f"port {service.port} " if service.port else ""
                return f"{service.name} did not answer on {where}within {service.timeout:.0f} s"
            time.sleep(0.25)

    def _conflict(self, service: Service) -> str | None:
        for port in (service.port, *service.other_ports):
            if port is not None and health.tcp_answers(port):
                owner = health.port_owner(port) or "another program"
                return (
                    f"port {port}, needed by {service.name}, is already in use by {owner};"
                    " stop it, or the other sandbox (`kiln sandbox down --state-dir ...`)"
                )
        return None

    def run_service(self, service: Service) -> Outcome:
        began = time.monotonic()
        log = self.layout.log(service.name)
        pid_path = self.layout.pid_file(service.name)
        record = processes.read_record(pid_path)
        if record is not None and processes.leader_alive(record):
            error = self._wait_healthy(service, record, began - PROCESS_GRACE)
            action = "running" if error is None else "failed"
            return Outcome(service.name, action, time.monotonic() - began, error, log)
        if record is not None:  # died: clear what is left of its group
            processes.stop([record], timeout=5.0, pid_dir=self.layout.pids)
        conflict = self._conflict(service)
        if conflict is not None:
            return Outcome(service.name, "failed", 0.0, conflict, None)
        for directory in service.dirs:
            Path(expand(directory, self.values)).mkdir(parents=True, exist_ok=True, mode=0o700)
        env = {**self.env, **{key: expand(value, self.values) for key, value in service.env}}
        argv = [expand(arg, self.values) for arg in service.argv]
        record = processes.start(
            service.name, argv, env=env, log_path=log, pid_path=pid_path, cwd=self.layout.home
        )
        with self._lock:
            self.started.append(record)
        error = self._wait_healthy(service, record, began)
        action = "started" if error is None else "failed"
        return Outcome(service.name, action, time.monotonic() - began, error, log)

    # -- steps ---------------------------------------------------------------------------------

    def run_step(self, step: Step) -> Outcome:
        stamp = self.layout.stamp(step.name)
        key = self.stamp_key(step)
        if step.stamped and stamp.is_file() and stamp.read_text() == key:
            return Outcome(step.name, "skipped", 0.0)
        started = {record.name for record in self.started}
        if step.only_after_start and not started & set(step.depends):
            return Outcome(step.name, "skipped", 0.0)
        for directory in step.dirs:
            Path(expand(directory, self.values)).mkdir(parents=True, exist_ok=True, mode=0o700)
        log = self.layout.log(f"setup-{step.name}")
        if step.light:
            outcome = self._run_commands(step, log)
        else:
            with self._slots.take(self._priority.get(step.name, len(self._priority))):
                if self._aborted:
                    return Outcome(step.name, "skipped", 0.0)
                outcome = self._run_commands(step, log)
        if outcome.error is None and step.stamped:
            stamp.write_text(key)
        return outcome

    def _run_commands(self, step: Step, log: Path) -> Outcome:
        began = time.monotonic()  # after any wait for a slot: the time the step itself took
        with log.open("ab") as out:
            for command in step.commands:
                argv = [expand(arg, self.values) for arg in command.argv]
                out.write(f"\n==== {time.strftime('%H:%M:%S')} {' '.join(argv)}\n".encode())
                out.flush()
                process = subprocess.Popen(
                    argv,
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    env=dict(self.env),
                    cwd=self.layout.home,
                )
                with self._lock:
                    self._commands.add(process)
                try:
                    code = process.wait(timeout=step.timeout)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
                    error = f"step {step.name}: {argv[0]} took over {step.timeout:.0f} s"
                    return Outcome(step.name, "failed", time.monotonic() - began, error, log)
                finally:
                    with self._lock:
                        self._commands.discard(process)
                if self._aborted:
                    error = f"step {step.name}: interrupted (another task failed)"
                    return Outcome(step.name, "stopped", time.monotonic() - began, error, log)
                if code not in command.ok:
                    error = f"step {step.name}: {os.path.basename(argv[0])} exited with {code}"
                    return Outcome(step.name, "failed", time.monotonic() - began, error, log)
        return Outcome(step.name, "ran", time.monotonic() - began, None, log)

    def _abort(self) -> None:
        """Stop the setup commands still running: the run has failed, nothing waits for them."""
        self._aborted = True
        with self._lock:
            for process in self._commands:
                process.terminate()

    def _died(self, healthy: set[str]) -> Outcome | None:
        """A service started by this run, found healthy, and gone since (e.g. nova-conductor
        exits when placement does not answer): fail now, naming it, not at a later timeout."""
        for record in list(self.started):
            if record.name in healthy and not processes.leader_alive(record):
                status = processes.exit_status(record)
                error = f"{record.name} exited (status {status}) after it had started"
                return Outcome(record.name, "failed", 0.0, error, self.layout.log(record.name))
        return None

    # -- the graph -----------------------------------------------------------------------------

    def execute(
        self,
        services: tuple[Service, ...],
        steps: tuple[Step, ...],
        report: Callable[[Outcome], None],
    ) -> Outcome | None:
        """Run everything; report each outcome as it comes. Returns the first failure."""
        needs: dict[str, set[str]] = {}
        work: dict[str, Callable[[], Outcome]] = {}
        for service in services:
            needs[service.name] = {*service.depends, *service.setup}
            work[service.name] = functools.partial(self.run_service, service)
        for step in steps:
            needs[step.name] = {*step.depends, *step.after}
            work[step.name] = functools.partial(self.run_step, step)
        unknown = {need for names in needs.values() for need in names} - needs.keys()
        if unknown:
            raise ValueError(f"needed but not selected: {', '.join(sorted(unknown))}")
        done: set[str] = set()
        pending = set(needs)
        failure: Outcome | None = None
        with ThreadPoolExecutor(max_workers=16, thread_name_prefix="sandbox") as pool:
            running: dict[Future[Outcome], str] = {}
            try:
                failure = self._loop(pool, running, needs, work, done, pending, report)
            except BaseException:  # Ctrl-C: let the threads finish quickly, then re-raise
                self._abort()
                raise
        if failure is None:
            failure = self._died(done)
        if failure is None and pending:
            stuck = ", ".join(sorted(pending))
            return Outcome("sandbox", "failed", 0.0, f"dependency cycle among: {stuck}")
        return failure

    def _loop(
        self,
        pool: ThreadPoolExecutor,
        running: dict[Future[Outcome], str],
        needs: dict[str, set[str]],
        work: dict[str, Callable[[], Outcome]],
        done: set[str],
        pending: set[str],
        report: Callable[[Outcome], None],
    ) -> Outcome | None:
        failure: Outcome | None = None
        while True:
            if failure is None:
                for name in sorted(n for n in pending if needs[n] <= done):
                    pending.discard(name)
                    running[pool.submit(work[name])] = name
            if not running:
                break
            finished, _ = wait(running, timeout=1.0, return_when=FIRST_COMPLETED)
            for future in finished:
                name = running.pop(future)
                outcome = future.result()
                report(outcome)
                if outcome.error is None:
                    done.add(name)
                elif failure is None:
                    failure = outcome
                    self._abort()
            if failure is None and (died := self._died(done)) is not None:
                report(died)
                failure = died
                self._abort()
        return failure
