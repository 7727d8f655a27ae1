"""What a deploy shows while it runs: one `Event` per step, three ways to show them.

- `LiveTable` (a terminal): one line per resource with its state and how long it has taken,
  redrawn in place as events arrive and twice a second while anything runs.
- `PlainLines` (a pipe, a log): one line per event.
- `JsonLines` (`--output json`, for CI): one JSON object per line; besides events, the plan
  and the outputs (see `document` for the shapes).

Every sink is called from the engine's worker threads, so each serialises its writes.
"""

import json
import shutil
import sys
import threading
import time
from dataclasses import asdict, dataclass
from typing import Any, Protocol, TextIO


@dataclass(frozen=True, slots=True)
class Event:
    time: float
    stack: str
    resource: str | None  # None: the stack itself
    type: str | None
    action: str
    status: str
    reason: str = ""
    physical_id: str | None = None
    elapsed: float | None = None  # seconds since this resource's action started

    @property
    def state(self) -> str:
        return f"{self.action}_{self.status}"


class Progress(Protocol):
    def event(self, event: Event) -> None: ...
    def document(self, kind: str, body: dict[str, Any]) -> None: ...
    def close(self) -> None: ...


def _clock(moment: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(moment))


def _seconds(elapsed: float | None) -> str:
    return "" if elapsed is None else f"{elapsed:.1f}s"


class PlainLines:
    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout
        self._lock = threading.Lock()

    def event(self, event: Event) -> None:
        subject = event.resource if event.resource is not None else f"stack {event.stack}"
        parts = [_clock(event.time), subject, event.state]
        if event.elapsed is not None and event.status != "IN_PROGRESS":
            parts.append(f"({_seconds(event.elapsed)})")
        if event.reason:
            parts.append(f"- {event.reason}")
        with self._lock:
            self.stream.write("  ".join(parts) + "\n")
            self.stream.flush()

    def document(self, kind: str, body: dict[str, Any]) -> None:
        del kind, body

    def close(self) -> None:
        self.stream.flush()


class JsonLines:
    """{"event": "resource" | "stack", "time": ISO-8601, "stack", "resource", "type",
    "action", "status", "reason", "physical_id", "elapsed"}; {"event": "plan", "plan": ...};
    {"event": "outputs", "outputs": {...}}."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout
        self._lock = threading.Lock()

    def _write(self, item: dict[str, Any]) -> None:
        with self._lock:
            self.stream.write(json.dumps(item, sort_keys=True, default=str) + "\n")
            self.stream.flush()

    def event(self, event: Event) -> None:
        body = asdict(event)
        body["time"] = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(event.time)) + (
            f".{int(event.time % 1 * 1000):03d}Z"
        )
        self._write({"event": "resource" if event.resource is not None else "stack", **body})

    def document(self, kind: str, body: dict[str, Any]) -> None:
        self._write({"event": kind, kind: body})

    def close(self) -> None:
        self.stream.flush()


@dataclass(slots=True)
class _Row:
    name: str
    type: str
    state: str
    started: float
    ended: float | None = None
    reason: str = ""


class LiveTable:
    """Per-resource lines redrawn in place (ANSI cursor movement); the stack's own state
    on the last line."""

    def __init__(self, stream: TextIO | None = None, tick: float = 0.5) -> None:
        self.stream = stream or sys.stdout
        self._lock = threading.Lock()
        self._rows: dict[str, _Row] = {}
        self._stack = ""
        self._drawn = 0
        self._stop = threading.Event()
        self._ticker = threading.Thread(target=self._tick, args=(tick,), daemon=True)
        self._ticker.start()

    def _tick(self, every: float) -> None:
        while not self._stop.wait(every):
            with self._lock:
                if any(row.ended is None for row in self._rows.values()):
                    self._draw()

    def event(self, event: Event) -> None:
        with self._lock:
            if event.resource is None:
                self._stack = f"stack {event.stack}: {event.state}"
                if event.reason:
                    self._stack += f" - {event.reason}"
            else:
                row = self._rows.get(event.resource)
                if row is None or (event.status == "IN_PROGRESS" and row.ended is not None):
                    row = _Row(event.resource, event.type or "", event.state, event.time)
                    self._rows[event.resource] = row
                row.state = event.state
                row.reason = event.reason
                if event.status != "IN_PROGRESS":
                    row.ended = event.time
            self._draw()

    def _draw(self) -> None:
        width = shutil.get_terminal_size((100, 20)).columns
        now = time.time()
        name_width = max([len(row.name) for row in self._rows.values()] + [8])
        type_width = max([len(row.type) for row in self._rows.values()] + [4])
        lines = []
        for row in self._rows.values():
            elapsed = (row.ended or now) - row.started
            line = (
                f"{row.name:<{name_width}}  {row.type:<{type_width}}  {row.state:<20} "
                f"{elapsed:6.1f}s"
            )
            if row.reason:
                line += f"  {row.reason}"
            lines.append(line[: width - 1])
        if self._stack:
            lines.append(self._stack[: width - 1])
        text = f"\x1b[{self._drawn}F\x1b[J" if self._drawn else ""
        self.stream.write(text + "".join(line + "\n" for line in lines))
        self.stream.flush()
        self._drawn = len(lines)

    def document(self, kind: str, body: dict[str, Any]) -> None:
        del kind, body

    def close(self) -> None:
        self._stop.set()
        self._ticker.join()
        with self._lock:
            self._draw()
