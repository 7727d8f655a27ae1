"""Helpers for the runtime's tests: run `kiln` in process or as a real subprocess, against a
state store in a temporary directory, and read that store back."""

import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from kiln.cli.main import cli
from kiln.runtime.state.store import StateStore

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = Path(__file__).resolve().parent / "engine" / "templates"


@dataclass
class Kiln:
    """`kiln` against one state store."""

    state: Path

    def __call__(self, *args: object) -> "Outcome":
        # The user's OS_CLOUD must not name a cloud for these local stacks.
        runner = CliRunner(env={"OS_CLOUD": None, "KILN_STATE": None, "KILN_STATE_KEY_FILE": None})
        result = runner.invoke(cli, [*map(str, args), "--state", str(self.state)])
        return Outcome(result.exit_code, result.stdout, result.stderr)

    def deploy(self, template: str | Path, stack: str = "s", *args: object) -> "Outcome":
        return self("deploy", _path(template), "--stack", stack, *args)

    def plan(self, template: str | Path, stack: str = "s", *args: object) -> "Outcome":
        return self("plan", _path(template), "--stack", stack, *args)

    def plan_json(self, template: str | Path, stack: str = "s", *args: object) -> dict:
        outcome = self.plan(template, stack, "--output", "json", *args)
        assert outcome.code == 0, outcome.text
        return json.loads(outcome.stdout)

    def store(self) -> StateStore:
        # The key file where the CLI, run without KILN_STATE_KEY_FILE, puts it.
        return StateStore(f"sqlite:///{self.state}", key_file=self.state.with_name("state.key"))

    def rows(self, stack: str = "s") -> list:
        store = self.store()
        try:
            return store.resources(store.require_stack(stack).id)
        finally:
            store.close()

    def by_name(self, stack: str = "s") -> dict:
        rows = self.rows(stack)
        names = [row.logical_name for row in rows]
        assert len(names) == len(set(names)), f"duplicate rows: {names}"
        return {row.logical_name: row for row in rows}

    def stack(self, stack: str = "s"):
        store = self.store()
        try:
            return store.require_stack(stack)
        finally:
            store.close()

    def events(self, stack: str = "s") -> list:
        store = self.store()
        try:
            return store.events(store.require_stack(stack).id)
        finally:
            store.close()

    def spawn(self, *args: object, pause_at: str | None = None) -> "Spawned":
        """`python -m kiln ...` as a real process (stderr read line by line)."""
        env = dict(os.environ)
        for name in ("KILN_RUNTIME_TEST_PAUSE_AT", "OS_CLOUD", "KILN_STATE", "KILN_STATE_KEY_FILE"):
            env.pop(name, None)
        if pause_at:
            env["KILN_RUNTIME_TEST_PAUSE_AT"] = pause_at
        process = subprocess.Popen(
            [sys.executable, "-m", "kiln", *map(str, args), "--state", str(self.state)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=REPO,
        )
        return Spawned(process)


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str

    @property
    def text(self) -> str:
        return f"exit {self.code}\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"


@dataclass
class Spawned:
    process: subprocess.Popen

    def wait_for_pause(self) -> str:
        """Read standard error until the test hook says where it paused (or the process
        ends, which fails the test with what it printed)."""
        assert self.process.stderr is not None
        seen = []
        for line in self.process.stderr:
            seen.append(line)
            if "test hook: paused at" in line:
                return line.strip()
        self.process.wait()
        stdout = self.process.stdout.read() if self.process.stdout else ""
        raise AssertionError(f"the process ended without pausing:\n{''.join(seen)}\n{stdout}")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()

    def finish(self) -> Outcome:
        stdout, stderr = self.process.communicate()
        return Outcome(self.process.returncode, stdout, stderr)


def _path(template: str | Path) -> str:
    path = Path(template)
    return str(path if path.is_absolute() else TEMPLATES / path)
