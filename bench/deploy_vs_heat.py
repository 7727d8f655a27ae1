"""`kiln deploy` / `kiln delete` against Heat on the sandbox: the same templates, the same run.

    python bench/deploy_vs_heat.py             # writes bench/results/deploy_vs_heat.md (+ .json)
    python bench/deploy_vs_heat.py --quick     # one run per side
    make bench                                 # bench/run.py includes this section

Templates (bench/templates/deploy/): `wide`, a network, a subnet and ten servers that start
together; `chain`, fourteen resources each waiting for the one before. Each is deployed and
deleted by Kiln and by Heat, the sides alternated run by run (Kiln first in odd runs, Heat in
even ones) so that a busy moment of the shared sandbox hits both:

- Kiln: `kiln deploy` / `kiln delete --output json` as subprocesses (state in a temporary
  SQLite file), wall time from process start to exit: start-up, compiling, planning and the
  state store included. The JSON events give each resource's duration and the engine's span.
- Heat: bench/sandbox_worker.py with the sandbox's Python (openstacksdk), from the create (or
  delete) call to CREATE_COMPLETE (or gone), polled every 0.2 s; the client's start-up and
  authentication are not counted.

The critical-path bound: each resource weighs its measured duration in that Kiln run, and the
longest chain through `kiln graph --format json`'s edges is the time no scheduler can beat
(deletes: the same graph reversed). Names start with `kbench-<random>-`; after the runs the
project is searched for that prefix, anything found is reported and swept. Needs a running
sandbox (KILN_SANDBOX_CLOUDS, else the default clouds.yaml) with Heat in its catalog; without
one the section says so. See bench/README.md.
"""

import argparse
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
TEMPLATES = ROOT / "bench" / "templates" / "deploy"
WORKER = ROOT / "bench" / "sandbox_worker.py"
CASES = {
    "wide": "a net, a subnet, 10 servers in parallel",
    "chain": "14 resources, one chain: net ... 5 servers ... router",
}
GOAL_VS_HEAT = 1.0  # Kiln's wall time no longer than Heat's
GOAL_BOUND = 1.15  # and within 1.15x the critical-path lower bound of its graph
TITLE = "## kiln deploy vs Heat on the sandbox"


# --- the sandbox -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sandbox:
    clouds: Path
    cloud: str
    python: Path

    def worker(self, request: dict[str, Any]) -> dict[str, Any]:
        body = {"clouds": str(self.clouds), "cloud": self.cloud, **request}
        done = subprocess.run(
            [str(self.python), str(WORKER), json.dumps(body)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            tail = done.stderr.strip().splitlines()[-1:] or ["(no message)"]
            raise RuntimeError(f"sandbox worker {request['do']} failed: {tail[0]}")
        answer: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        return answer


def find_sandbox() -> tuple[Sandbox | None, str]:
    """The running sandbox with Heat, or None and why not."""
    from kiln.runtime.sandbox import facts

    named = os.environ.get(facts.CLOUDS_ENV)
    clouds = Path(named) if named else facts.default_state_dir() / "clouds.yaml"
    how = "`kiln sandbox up` (with Heat), or set KILN_SANDBOX_CLOUDS"
    if not clouds.is_file():
        return None, f"no sandbox: {clouds} does not exist; {how}"
    try:
        with socket.create_connection(("127.0.0.1", 5000), timeout=2):
            pass
    except OSError:
        return None, f"the sandbox of {clouds} does not answer (Keystone, 127.0.0.1:5000); {how}"
    python = clouds.parent / "venv" / "bin" / "python"
    if not python.exists():
        return None, f"no sandbox venv at {python}: Heat's side needs its openstacksdk"
    sandbox = Sandbox(clouds, facts.CLOUD, python)
    try:
        url = sandbox.worker({"do": "probe"})["orchestration"]
    except RuntimeError as error:
        return None, f"the sandbox of {clouds} is not usable: {error}"
    if not url:
        return None, f"Heat is not in the catalog of {clouds}: `kiln sandbox up` with Heat"
    return sandbox, ""


# --- Kiln's side -------------------------------------------------------------------------------


def kiln_command() -> list[str]:
    script = ROOT / ".venv" / "bin" / "kiln"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-m", "kiln"]


@dataclass
class Measure:
    """One create or delete by one side."""

    seconds: float | None  # None: it failed
    reason: str = ""
    span: float | None = None  # Kiln: first stack event to the last
    durations: dict[str, float] = field(default_factory=dict)  # Kiln: per resource


def _instant(stamp: str) -> float:
    return datetime.fromisoformat(stamp).timestamp()


def parse_events(lines: list[str], action: str) -> tuple[float | None, dict[str, float], str]:
    """The engine's span (stack IN_PROGRESS to its end), each resource's duration for
    `action` (its last COMPLETE event's `elapsed`), and the failure reason if any."""
    stack_times: list[float] = []
    durations: dict[str, float] = {}
    reason = ""
    for line in lines:
        event = json.loads(line)
        if event.get("action") != action:
            continue
        if event["event"] == "stack":
            stack_times.append(_instant(event["time"]))
            if event["status"] == "FAILED":
                reason = event["reason"]
        elif event["event"] == "resource" and event["status"] == "COMPLETE":
            durations[event["resource"]] = float(event["elapsed"] or 0.0)
    span = stack_times[-1] - stack_times[0] if len(stack_times) > 1 else None
    return span, durations, reason


def kiln_run(argv: list[str], env: dict[str, str], action: str) -> Measure:
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=ROOT, check=False)
    seconds = time.perf_counter() - start
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    span, durations, reason = parse_events(lines, action)
    if done.returncode != 0:
        message = done.stderr.strip().splitlines()[:1] or [reason or f"exit {done.returncode}"]
        return Measure(None, message[0], span, durations)
    return Measure(seconds, "", span, durations)


def kiln_graph(template: Path) -> dict[str, tuple[str, ...]]:
    """Resource -> what it depends on, from `kiln graph --format json`."""
    done = subprocess.run(
        [*kiln_command(), "graph", "--format", "json", str(template)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    graph = json.loads(done.stdout)
    requires: dict[str, set[str]] = {node["name"]: set() for node in graph["nodes"]}
    for edge in graph["edges"]:
        requires[edge["from"]].add(edge["to"])
    return {name: tuple(sorted(targets)) for name, targets in requires.items()}


def longest_path(
    requires: dict[str, tuple[str, ...]], weights: dict[str, float]
) -> tuple[float, list[str]]:
    """The heaviest chain of dependencies (weights in seconds; a missing one weighs 0) and
    its resources, first first. The graph has no cycles (the templates validate)."""
    finish: dict[str, tuple[float, list[str]]] = {}

    def visit(name: str) -> tuple[float, list[str]]:
        if name not in finish:
            before = max((visit(target) for target in requires[name]), default=(0.0, []))
            finish[name] = (before[0] + weights.get(name, 0.0), [*before[1], name])
        return finish[name]

    return max((visit(name) for name in requires), default=(0.0, []))


def reversed_graph(requires: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Deletes go dependents first: a resource waits for everything that requires it."""
    required_by: dict[str, list[str]] = {name: [] for name in requires}
    for name, targets in requires.items():
        for target in targets:
            required_by[target].append(name)
    return {name: tuple(sorted(sources)) for name, sources in required_by.items()}


# --- the runs ----------------------------------------------------------------------------------


@dataclass
class Case:
    name: str
    template: Path
    requires: dict[str, tuple[str, ...]]
    runs: dict[tuple[str, str], list[Measure]] = field(default_factory=dict)

    def add(self, side: str, action: str, measure: Measure) -> None:
        self.runs.setdefault((side, action), []).append(measure)


class Bench:
    def __init__(self, sandbox: Sandbox, workdir: Path) -> None:
        self.sandbox = sandbox
        self.prefix = f"kbench-{secrets.token_hex(3)}-"
        self.kiln = kiln_command()
        self.state = workdir / "state.db"
        self.env = {**os.environ, "OS_CLIENT_CONFIG_FILE": str(sandbox.clouds)}
        self.live: dict[str, str] = {}  # stack name -> side, until deleted
        self.notes: list[str] = []

    def _kiln(self, *args: str) -> list[str]:
        common = ["--cloud", self.sandbox.cloud, "--state", str(self.state), "--output", "json"]
        return [*self.kiln, *args, *common]

    def plan(self, case: Case) -> str:
        """`kiln plan` as the warm-up run (bytecode caches, disk cache) and the check that
        every type has a handler (RUN001 otherwise): its error, or ""."""
        env = {k: v for k, v in self.env.items() if k != "PYTHONDONTWRITEBYTECODE"}
        argv = self._kiln("plan", str(case.template), "--stack", f"{self.prefix}plan")
        done = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
        if done.returncode != 0:
            return (done.stderr.strip() or done.stdout.strip()).splitlines()[0]
        return ""

    def kiln_round(self, case: Case, stack: str) -> None:
        self.live[stack] = "kiln"
        argv = self._kiln("deploy", str(case.template), "--stack", stack)
        case.add("kiln", "create", kiln_run(argv, self.env, "CREATE"))
        deleted = kiln_run(self._kiln("delete", "--stack", stack), self.env, "DELETE")
        case.add("kiln", "delete", deleted)
        if deleted.seconds is not None:
            del self.live[stack]

    def _heat(self, request: dict[str, Any], done: str) -> Measure:
        """A create or delete through the sandbox worker; a worker that fails (the Heat API
        refusing, a broken client) is a failed measure, not the end of the bench."""
        try:
            answer = self.sandbox.worker(request)
        except RuntimeError as error:
            return Measure(None, str(error))
        if answer["status"] != done:
            return Measure(None, f"{answer['status']}: {answer['reason']}")
        return Measure(answer["seconds"])

    def heat_round(self, case: Case, stack: str) -> None:
        self.live[stack] = "heat"
        request = {"do": "create", "stack": stack, "template": str(case.template)}
        case.add("heat", "create", self._heat(request, "CREATE_COMPLETE"))
        deleted = self._heat({"do": "delete", "stack": stack}, "DELETE_COMPLETE")
        case.add("heat", "delete", deleted)
        if deleted.seconds is not None:
            del self.live[stack]

    def run(self, cases: list[Case], repeat: int) -> None:
        for number in range(1, repeat + 1):
            for case in cases:
                sides = ["kiln", "heat"] if number % 2 else ["heat", "kiln"]
                for side in sides:
                    stack = f"{self.prefix}{case.name}-{side}{number}"
                    (self.kiln_round if side == "kiln" else self.heat_round)(case, stack)

    def clean_up(self) -> None:
        """Delete what a failed or interrupted round left, then look for the prefix."""
        for stack, side in list(self.live.items()):
            if side == "kiln":
                kiln_run(self._kiln("delete", "--stack", stack), self.env, "DELETE")
            else:
                self._heat({"do": "delete", "stack": stack}, "DELETE_COMPLETE")
        try:
            found = self.sandbox.worker({"do": "leftovers", "prefix": self.prefix})["found"]
            if found:
                request = {"do": "leftovers", "prefix": self.prefix, "sweep": True}
                swept = self.sandbox.worker(request)["swept"]
                after = self.sandbox.worker({"do": "leftovers", "prefix": self.prefix})["found"]
        except RuntimeError as error:
            self.notes.append(f"clean-up: COULD NOT LOOK for `{self.prefix}*`: {error}")
            return
        if not found:
            self.notes.append(f"clean-up: nothing named `{self.prefix}*` is left in the project")
            return
        self.notes.append(
            f"clean-up: LEFT BEHIND after the deletes: {json.dumps(found)}; swept "
            f"{len(swept)}, still there: {json.dumps(after) if after else 'nothing'}"
        )


# --- the report --------------------------------------------------------------------------------


def _spread(values: list[float]) -> str:
    if not values:
        return "failed"
    median = statistics.median(values)
    if len(values) == 1:
        return f"{median:.2f}"
    return f"{median:.2f} ({min(values):.2f}-{max(values):.2f})"


def _ok(measures: list[Measure]) -> list[float]:
    return [m.seconds for m in measures if m.seconds is not None]


def _ratio(heat: list[float], kiln: list[float]) -> float | None:
    if not heat or not kiln:
        return None
    return statistics.median(heat) / statistics.median(kiln)


def versus_rows(cases: list[Case]) -> tuple[list[list[str]], list[str]]:
    rows: list[list[str]] = []
    notes: list[str] = []
    for case in cases:
        row = [f"{case.name} ({CASES[case.name]})", str(len(case.requires))]
        for action in ("create", "delete"):
            kiln = _ok(case.runs.get(("kiln", action), []))
            heat = _ok(case.runs.get(("heat", action), []))
            ratio = _ratio(heat, kiln)
            row += [_spread(kiln), _spread(heat), "-" if ratio is None else f"{ratio:.2f}"]
            if action == "create" and ratio is not None:
                met = "yes" if ratio >= GOAL_VS_HEAT else "NO"
                notes.append(
                    f"{case.name}: Heat takes {ratio:.2f}x Kiln's time to create (goal: Kiln no "
                    f"slower, at least {GOAL_VS_HEAT:.1f}; met: {met})"
                )
        rows.append(row)
    return rows, notes


def bound_rows(cases: list[Case]) -> tuple[list[list[str]], list[str]]:
    rows: list[list[str]] = []
    notes: list[str] = []
    for case in cases:
        for action, graph in (
            ("create", case.requires),
            ("delete", reversed_graph(case.requires)),
        ):
            walls: list[float] = []
            spans: list[float] = []
            bounds: list[float] = []
            paths: list[list[str]] = []
            for measure in case.runs.get(("kiln", action), []):
                if measure.seconds is None or measure.span is None:
                    continue
                bound, path = longest_path(graph, measure.durations)
                walls.append(measure.seconds)
                spans.append(measure.span)
                bounds.append(bound)
                paths.append(path)
            if not bounds:
                rows.append([case.name, action, "failed", "", "", "", "", ""])
                continue
            over_wall = [w / b for w, b in zip(walls, bounds, strict=True)]
            over_span = [s / b for s, b in zip(spans, bounds, strict=True)]
            middle = paths[bounds.index(statistics.median_low(bounds))]
            shown = " > ".join(middle) if len(middle) <= 4 else f"{middle[0]} > ... > {middle[-1]}"
            rows.append(
                [
                    case.name,
                    action,
                    _spread(walls),
                    _spread(spans),
                    _spread(bounds),
                    _spread(over_wall),
                    _spread(over_span),
                    f"{shown} ({len(middle)})",
                ]
            )
            if action == "create":
                ratio = statistics.median(over_wall)
                met = "yes" if ratio <= GOAL_BOUND else "NO"
                notes.append(
                    f"{case.name}: Kiln's wall time is {ratio:.2f}x the critical-path bound "
                    f"(goal: at most {GOAL_BOUND:.2f}x; met: {met}); the engine's own span "
                    f"{statistics.median(over_span):.2f}x"
                )
    return rows, notes


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
        *("| " + " | ".join(row) + " |" for row in rows),
    ]


def failures(cases: list[Case]) -> list[str]:
    found = []
    for case in cases:
        for (side, action), measures in case.runs.items():
            for number, measure in enumerate(measures, 1):
                if measure.seconds is None:
                    found.append(
                        f"FAILED: {side} {action} of {case.name}, run {number}: {measure.reason}"
                    )
    return found


def section(repeat: int = 3) -> tuple[str, dict[str, Any]]:
    """The markdown section and the raw figures (for the JSON file)."""
    sandbox, why = find_sandbox()
    if sandbox is None:
        return f"{TITLE}\n\nskipped: {why}\n", {"skipped": why}
    with tempfile.TemporaryDirectory(prefix="kiln-deploy-bench-") as workdir:
        bench = Bench(sandbox, Path(workdir))
        cases: list[Case] = []
        for name in CASES:
            template = TEMPLATES / f"{name}.yaml"
            try:
                case = Case(name, template, kiln_graph(template))
            except subprocess.CalledProcessError as error:
                bench.notes.append(f"{name}: skipped, `kiln graph` failed: {error.stderr}")
                continue
            problem = bench.plan(case)
            if problem:
                bench.notes.append(f"{name}: skipped, `kiln plan` cannot deploy it: {problem}")
            else:
                cases.append(case)
        try:
            bench.run(cases, repeat)
        finally:
            bench.clean_up()
    versus, versus_notes = versus_rows(cases)
    bounds, bound_notes = bound_rows(cases)
    side = "Kiln first in odd runs, Heat first in even ones"
    lines = [
        f"{TITLE} (median of {repeat}, min-max in brackets; seconds)",
        "",
        *_table(
            [
                "template",
                "resources",
                "create: Kiln",
                "create: Heat",
                "Heat / Kiln",
                "delete: Kiln",
                "delete: Heat",
                "Heat / Kiln",
            ],
            versus,
        ),
        "",
        "Kiln against the critical-path lower bound of its graph (each resource weighs its "
        "measured duration in that run):",
        "",
        *_table(
            [
                "template",
                "action",
                "Kiln wall",
                "engine span",
                "bound",
                "wall / bound",
                "span / bound",
                "critical path (resources)",
            ],
            bounds,
        ),
        "",
        *(f"- {note}" for note in [*versus_notes, *bound_notes]),
        f"- Kiln: `kiln deploy` / `kiln delete` process start to exit (start-up, compile, plan, "
        f"state store included); engine span: its first stack event to its last. Heat: the "
        f"create/delete call to CREATE_COMPLETE/gone, polled every 0.2 s, client start-up and "
        f"authentication not counted. Runs alternated ({side}).",
        f"- sandbox: {sandbox.clouds}, cloud `{sandbox.cloud}`; {os.cpu_count()} CPU(s), shared "
        "with whoever else uses the sandbox: compare the ratios of one run",
        *(f"- {note}" for note in [*failures(cases), *bench.notes]),
        "",
    ]
    raw = {
        "prefix": bench.prefix,
        "cases": {
            case.name: {
                f"{side} {action}": [measure.__dict__ for measure in measures]
                for (side, action), measures in case.runs.items()
            }
            for case in cases
        },
    }
    return "\n".join(lines), raw


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="one run per side")
    parser.add_argument("--repeat", type=int, default=3, help="runs per side (default 3)")
    args = parser.parse_args()
    text, raw = section(1 if args.quick else args.repeat)
    RESULTS.mkdir(parents=True, exist_ok=True)
    header = f"# kiln deploy vs Heat\n\n- date: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}\n\n"
    (RESULTS / "deploy_vs_heat.md").write_text(header + text, encoding="utf-8")
    (RESULTS / "deploy_vs_heat.json").write_text(json.dumps(raw, indent=2), encoding="utf-8")
    print(header + text)


if __name__ == "__main__":
    main()
