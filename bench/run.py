"""Kiln benchmarks: corpus throughput and memory, CLI start-up, and the peers side by side.

    make bench                       # = .venv/bin/python bench/run.py
    python bench/run.py --with-peers # also pip-installs cfn-lint into bench/.venv-peers
    python bench/run.py --quick      # one run each, for a smoke test

With Heat's reference venv (.venv-heat, or KILN_HEAT_PYTHON) it also validates the HOT corpus
with Kiln and with Heat in process (tools/heat_oracle.py) and compares them.
With a running sandbox that has Heat, it deploys and deletes the same templates with Kiln and
with Heat (bench/deploy_vs_heat.py); without one that section says why it was skipped.

Writes bench/results/latest.md (printed too) and bench/results/importtime.txt. See
bench/README.md for what each figure means.
"""

import argparse
import contextlib
import csv
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import venv
from pathlib import Path

import deploy_vs_heat  # bench/, beside this script
import lint_vs_cfnlint

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
ORACLE = ROOT / "tools" / "heat_oracle.py"
GOAL_RATIO = 10.0
PEERS_VENV = ROOT / "bench" / ".venv-peers"
EXAMPLE = ROOT / "examples" / "web_stack.yaml"
GOAL_MS = 150.0
HEAVY_MODULES = ("openstack", "jinja2", "rich", "sqlalchemy", "pygls", "jsonschema")

TINY_HOT = """heat_template_version: 2018-08-31
resources:
  r:
    type: OS::Heat::None
"""
TINY_CFN = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Bucket:
    Type: AWS::S3::Bucket
"""


# --- corpus workers (run in a subprocess so ru_maxrss is theirs alone) -----------------------


def corpus_dir() -> Path | None:
    default = ROOT.parent / "shared" / "corpus"
    path = Path(os.environ.get("KILN_CORPUS", default))
    return path if (path / "INDEX.tsv").is_file() else None


def corpus_files(corpus: Path) -> list[Path]:
    with (corpus / "INDEX.tsv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [corpus / row["path"] for row in rows]


def hot_templates(corpus: Path) -> list[Path]:
    """The HOT templates of the corpus (INDEX.tsv format `hot`)."""
    with (corpus / "INDEX.tsv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [corpus / row["path"] for row in rows if row["format"] == "hot"]


def source_root(corpus: Path, path: Path) -> Path:
    """corpus/<folder>/<source>: a template may read the files of its own repository (as the
    differential test in tests/heat_reference/ allows it)."""
    folder, source = path.relative_to(corpus).parts[:2]
    return corpus / folder / source


def worker(mode: str, trace: bool) -> None:
    """Read (or compile) every corpus file once; print one JSON line of figures."""
    corpus = corpus_dir()
    assert corpus is not None
    paths = hot_templates(corpus) if mode == "validate-hot" else corpus_files(corpus)
    files = [str(path) for path in paths]
    size = sum(os.path.getsize(path) for path in files)
    setup_start = time.perf_counter()
    from kiln.compiler.driver import CompileOptions, compile_file, gc_paused
    from kiln.frontends.loader import load_file
    from kiln.plugins.host import load

    registries = load(entry_points=False) if mode in ("compile", "validate-hot") else None
    setup = time.perf_counter() - setup_start
    if trace:
        tracemalloc.start()
    internal_errors = 0
    valid = 0
    start = time.perf_counter()
    # Many files in one process, as `kiln validate dir/` compiles them: the garbage collector
    # paused for the whole batch (see driver.gc_paused), nested templates shared between the
    # roots that include them (driver.FILES; this process starts with it empty).
    with gc_paused():
        if mode == "load":
            for path in files:
                load_file(path)
        elif mode == "compile":
            for path in files:
                try:
                    compile_file(path, registries)
                except Exception:  # an internal error; counted, the bench goes on
                    internal_errors += 1
        elif mode == "validate-hot":
            for path in paths:
                options = CompileOptions(allow_paths=(str(source_root(corpus, path)),))
                try:
                    valid += not compile_file(str(path), registries, options).has_errors
                except Exception:
                    internal_errors += 1
    elapsed = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] if trace else None
    figures = {
        "mode": mode,
        "files": len(files),
        "bytes": size,
        "seconds": elapsed,
        "setup_seconds": setup,
        "tracemalloc_peak": peak,
        "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "internal_errors": internal_errors,
        "valid": valid,
    }
    print(json.dumps(figures))


class StageTimer:
    """Exclusive wall time per stage: a stage's time excludes the stages it calls (a nested
    template's load and frontend, inside includes, count as load and frontend)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self._stack: list[list[float]] = []  # [start, time spent in nested stages]

    def wrap(self, name: str, function):  # type: ignore[no-untyped-def]
        self.seconds.setdefault(name, 0.0)
        self.calls.setdefault(name, 0)

        def timed(*args, **kwargs):  # type: ignore[no-untyped-def]
            frame = [time.perf_counter(), 0.0]
            self._stack.append(frame)
            try:
                return function(*args, **kwargs)
            finally:
                self._stack.pop()
                spent = time.perf_counter() - frame[0]
                self.seconds[name] += spent - frame[1]
                self.calls[name] += 1
                if self._stack:
                    self._stack[-1][1] += spent

        return timed


def stage_worker() -> None:
    """Validate the HOT corpus as the validate-hot worker does, with a timer around each
    driver stage and each pipeline pass; print one JSON line {stage: seconds}."""
    corpus = corpus_dir()
    assert corpus is not None
    paths = hot_templates(corpus)
    import gc

    from kiln.compiler import driver, passes
    from kiln.frontends import environment, includes
    from kiln.plugins.host import load

    registries = load(entry_points=False)
    timer = StageTimer()
    driver.Session._file = timer.wrap(  # type: ignore[method-assign]
        "load (read; YAML/JSON to located tree)", driver.Session._file
    )
    driver.Session.parse_template = timer.wrap(  # type: ignore[method-assign]
        "frontend (located tree to IR)", driver.Session.parse_template
    )
    environment.check_parameters = timer.wrap(
        "environment parameters", environment.check_parameters
    )
    includes.resolve = timer.wrap("includes (get_file, nested templates)", includes.resolve)
    passes.PIPELINE = tuple(
        passes.PassSpec(spec.name, timer.wrap(f"pass {spec.name}", spec.run), spec.requires)
        for spec in passes.PIPELINE
    )
    collecting = [0.0, 0.0]  # garbage collector: seconds, start of the running collection

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collecting[1] = time.perf_counter()
        else:
            collecting[0] += time.perf_counter() - collecting[1]

    # One untimed round first: the schema registry loads each type's schema lazily, once.
    # The file cache is emptied before the timed round: it starts as a fresh process does.
    options = [
        driver.CompileOptions(allow_paths=(str(source_root(corpus, path)),)) for path in paths
    ]
    for round_ in range(2):
        if round_ == 1:
            driver.clear_caches()
            timer.seconds = dict.fromkeys(timer.seconds, 0.0)
            gc.callbacks.append(on_gc)
            start = time.perf_counter()
        with driver.gc_paused():
            for path, option in zip(paths, options, strict=True):
                with contextlib.suppress(Exception):  # an internal error (tests/corpus/ says)
                    driver.compile_file(str(path), registries, option)
    total = time.perf_counter() - start
    gc.callbacks.remove(on_gc)
    stages = dict(timer.seconds)
    stages["other (driver, results, sorting diagnostics)"] = total - sum(stages.values())
    print(json.dumps({"files": len(paths), "total": total, "stages": stages, "gc": collecting[0]}))


def floor_worker() -> None:
    """What parsing alone costs in Python, on the root HOT templates the Kiln-vs-Heat rows
    validate: libyaml's events through PyYAML's C parser, and PyYAML's C safe_load (the loader
    Heat uses). No validation, no nested templates: a floor under any Python validator that
    reads the templates into Python objects. Best of 5; one JSON line of seconds."""
    import yaml

    corpus = corpus_dir()
    assert corpus is not None
    datas = [path.read_bytes() for path in hot_templates(corpus)]
    loader = yaml.CSafeLoader

    def best(step) -> float:  # type: ignore[no-untyped-def]
        times = []
        for _ in range(5):
            start = time.perf_counter()
            for data in datas:
                step(data)
            times.append(time.perf_counter() - start)
        return min(times)

    figures = {
        "files": len(datas),
        "events": best(lambda data: list(yaml.parse(data, Loader=loader))),
        "safe_load": best(lambda data: yaml.load(data, Loader=loader)),
    }
    print(json.dumps(figures))


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.pop("KILN_DEBUG", None)
    return env


def run_worker(mode: str, trace: bool = False) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", mode]
    if trace:
        command.append("--trace")
    start = time.perf_counter()
    done = subprocess.run(
        command, capture_output=True, text=True, env=child_env(), cwd=ROOT, check=False
    )
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"bench worker {mode} failed:\n{done.stderr}")
    figures: dict = json.loads(done.stdout.strip().splitlines()[-1])
    figures["wall_seconds"] = wall  # the whole process: interpreter start to exit
    return figures


def corpus_rows(repeat: int) -> tuple[list[list[str]], list[str]]:
    rows: list[list[str]] = []
    notes: list[str] = []
    for mode, label in (
        ("none", "imports only (baseline)"),
        ("load", "loader only"),
        ("compile", "compile_file"),
    ):
        runs = [run_worker(mode) for _ in range(repeat)]
        best = min(runs, key=lambda r: r["seconds"])
        traced = run_worker(mode, trace=True)
        rss = max(r["maxrss_kib"] for r in runs)
        seconds, files, size = best["seconds"], best["files"], best["bytes"]
        if mode == "none":
            rows.append([label, "-", "-", "-", "-", "-", f"{rss / 1024:.0f}"])
            continue
        peak = traced["tracemalloc_peak"] or 0
        rows.append(
            [
                label,
                str(files),
                f"{files / seconds:.0f}",
                f"{size / seconds / 1e6:.2f}",
                f"{seconds:.2f}",
                f"{peak / 1e6:.1f}",
                f"{rss / 1024:.0f}",
            ]
        )
        if best["internal_errors"]:
            notes.append(f"{label}: {best['internal_errors']} file(s) raised (internal errors)")
        if mode == "compile":
            setup_ms = best["setup_seconds"] * 1e3
            notes.append(f"imports and plugin registries: {setup_ms:.0f} ms (not counted above)")
    return rows, notes


# --- Kiln vs Heat: validating the HOT corpus ---------------------------------------------------


def heat_python() -> str | None:
    """KILN_HEAT_PYTHON, else .venv-heat/bin/python (make heat-venv) when it exists."""
    candidate = os.environ.get("KILN_HEAT_PYTHON") or str(ROOT / ".venv-heat" / "bin" / "python")
    return candidate if Path(candidate).exists() else None


def run_heat(python: str, corpus: Path) -> dict:
    """Validate every HOT template with Heat in one oracle process, as the differential test
    does (parameters without a value are unknown); figures from the oracle's stats line."""
    paths = hot_templates(corpus)
    requests = [{"id": str(i), "template": str(path)} for i, path in enumerate(paths)]
    document = {"requests": requests, "unknown_parameters": True, "stats": True}
    start = time.perf_counter()
    done = subprocess.run(
        [python, str(ORACLE)],
        input=json.dumps(document),
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"tools/heat_oracle.py failed:\n{done.stderr[-3000:]}")
    records = [json.loads(line) for line in done.stdout.splitlines()]
    stats = next(r["stats"] for r in records if "stats" in r)
    results = [r for r in records if "stats" not in r]
    return {
        "files": len(results),
        "bytes": sum(os.path.getsize(path) for path in paths),
        # validation only: heatclient's file gathering plus the engine's checks, per template
        "seconds": sum(r["seconds"] for r in results),
        "setup_seconds": stats["import_seconds"] + stats["setup_seconds"],
        "wall_seconds": wall,  # the whole process: interpreter start to exit
        "maxrss_kib": stats["maxrss_kib"],
        "valid": sum(1 for r in results if r["valid"]),
        "version": stats["heat_version"],
    }


def stage_rows(repeat: int) -> tuple[list[list[str]], list[str]]:
    """Where compile_file spends its time over the HOT corpus: the fastest of `repeat` runs
    for each stage."""
    runs = [run_worker("stages") for _ in range(repeat)]
    files = runs[0]["files"]
    stages = {name: min(run["stages"][name] for run in runs) for name in runs[0]["stages"]}
    total = min(run["total"] for run in runs)
    rows = [
        [name, f"{seconds:.3f}", f"{seconds / files * 1e3:.2f}", f"{seconds / total * 100:.0f}%"]
        for name, seconds in stages.items()
    ]
    rows.append(["total (fastest run)", f"{total:.3f}", f"{total / files * 1e3:.2f}", "100%"])
    notes = [
        f"{files} HOT templates, after one untimed round (schemas load lazily, once) and with "
        "the file cache emptied before the timed one; exclusive times: a nested template's "
        "load and frontend count as load and frontend, and a template many roots include is "
        "loaded and lowered once (kiln/compiler/file_cache.py)",
        f"garbage collector: {min(run['gc'] for run in runs) * 1e3:.0f} ms of the total "
        "(paused while compiling: driver.gc_paused)",
    ]
    return rows, notes


def versus_rows(
    repeat: int, runs: int, python: str, corpus: Path
) -> tuple[list[list[str]], list[str]]:
    """Kiln and Heat on the same templates in the same bench run, each run in a fresh process
    (so Kiln's file cache starts empty every time): warm (the validation loop only), cold
    (the whole process over the corpus) and one template cold (as a CI job or a user runs it)."""
    kiln_runs: list[dict] = []
    heat_runs: list[dict] = []
    for _ in range(repeat):  # alternated, so that a busy moment of the machine hits both
        kiln_runs.append(run_worker("validate-hot"))
        heat_runs.append(run_heat(python, corpus))
    kiln = min(kiln_runs, key=lambda r: r["seconds"])
    heat = min(heat_runs, key=lambda r: r["seconds"])
    kiln_wall = min(r["wall_seconds"] for r in kiln_runs)
    heat_wall = min(r["wall_seconds"] for r in heat_runs)
    one = typical_template(corpus)
    kiln_one = one_template_kiln(one, corpus, runs)
    heat_one = one_template_heat(python, one, max(3, runs // 2))
    rows = []
    for label, figures, wall, single in (
        ("Kiln (compile_file)", kiln, kiln_wall, kiln_one),
        (f"Heat {heat['version']}", heat, heat_wall, heat_one),
    ):
        rows.append(
            [
                label,
                str(figures["files"]),
                f"{figures['files'] / figures['seconds']:.0f}",
                f"{figures['seconds'] / figures['files'] * 1e3:.2f}",
                f"{figures['seconds']:.2f}",
                f"{figures['setup_seconds']:.2f}",
                f"{wall:.2f}",
                f"{single:.0f}",
                f"{figures['maxrss_kib'] / 1024:.0f}",
                str(figures["valid"]),
            ]
        )
    floor = run_worker("parse-floor")
    cli_seconds, cores = corpus_kiln_cli(corpus, max(3, runs // 3))
    budget = heat["seconds"] / heat["files"] / GOAL_RATIO * 1e3
    notes = [
        _ratio_line("warm, per template (imports done)", heat["seconds"], kiln["seconds"], True),
        f"the goal leaves Kiln {budget:.2f} ms per template; parsing alone, no validation, "
        f"costs {floor['events'] / floor['files'] * 1e3:.2f} ms for libyaml's events through "
        f"PyYAML's C parser and {floor['safe_load'] / floor['files'] * 1e3:.2f} ms for PyYAML's "
        "C safe_load (Heat's loader), root templates only (see bench/README.md, 'The 10x goal')",
        _ratio_line("cold, the whole corpus (process start to exit)", heat_wall, kiln_wall),
        _ratio_line(
            f"cold, the whole corpus with `kiln validate` as a CI job runs it ({cores} cores, "
            f"{cli_seconds:.2f} s)",
            heat_wall,
            cli_seconds,
        ),
        _ratio_line(f"cold, one template ({one.relative_to(corpus)})", heat_one, kiln_one),
        "peak memory: max RSS of the process (Kiln: the bench worker, with its file cache; "
        "Heat: the oracle)",
    ]
    if kiln["internal_errors"]:
        notes.append(f"Kiln: {kiln['internal_errors']} template(s) raised (internal errors)")
    return rows, notes


def _ratio_line(what: str, heat: float, kiln: float, goal: bool = False) -> str:
    ratio = heat / kiln
    speed = f"{ratio:.1f}x faster" if ratio >= 1 else f"{1 / ratio:.1f}x slower"
    line = f"{what}: Kiln is {speed} than Heat"
    if goal:
        verdict = "yes" if ratio >= GOAL_RATIO else "NO"
        line += f" (goal: at least {GOAL_RATIO:.0f}x faster; met: {verdict})"
    return line


def typical_template(corpus: Path) -> Path:
    """The HOT template of median size: the one-template comparison's input."""
    paths = sorted(hot_templates(corpus), key=lambda path: (path.stat().st_size, str(path)))
    return paths[len(paths) // 2]


def one_template_kiln(template: Path, corpus: Path, runs: int) -> float:
    """Median wall time (ms) of `kiln validate` on one template, start to exit."""
    command, _, _ = kiln_command()
    argv = [*command, "validate", str(template), "--allow-path", str(source_root(corpus, template))]
    times, _ = time_command(argv, runs, child_env())
    return statistics.median(times)


def corpus_kiln_cli(corpus: Path, runs: int) -> tuple[float, int]:
    """Median wall time (s) of one `kiln validate` process over every HOT template, as a CI
    job runs it (all cores: --jobs by default), start to exit; and the cores it used."""
    from kiln.compiler.parallel import default_jobs

    command, _, _ = kiln_command()
    paths = hot_templates(corpus)
    roots = sorted({str(source_root(corpus, path)) for path in paths})
    argv = [*command, "validate", "--format", "json", *[str(path) for path in paths]]
    for root in roots:
        argv += ["--allow-path", root]
    times, _ = time_command(argv, runs, child_env())
    return statistics.median(times) / 1e3, default_jobs()


def one_template_heat(python: str, template: Path, runs: int) -> float:
    """Median wall time (ms) of the oracle validating one template, start to exit."""
    argv = [python, str(ORACLE), "--template", str(template), "--unknown-parameters"]
    times, _ = time_command(argv, runs)
    return statistics.median(times)


# --- CLI start-up --------------------------------------------------------------------------


def kiln_command() -> tuple[list[str], str, str]:
    """The installed console script (.venv/bin/kiln) when present, else `python -m kiln`;
    with the interpreter that runs it (for the floor and -X importtime)."""
    candidate = ROOT / ".venv" / "bin" / "kiln"
    python = ROOT / ".venv" / "bin" / "python"
    if candidate.is_file() and os.access(candidate, os.X_OK) and python.exists():
        return [str(candidate)], ".venv/bin/kiln", str(python)
    return [sys.executable, "-m", "kiln"], f"{sys.executable} -m kiln", sys.executable


def time_command(
    command: list[str], runs: int, env: dict[str, str] | None = None
) -> tuple[list[float], int]:
    # Warm the disk cache, and write the bytecode caches as an installed package has them
    # (pip compiles them at install), even where PYTHONDONTWRITEBYTECODE is set.
    warm = {k: v for k, v in (env or os.environ).items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(command, capture_output=True, env=warm, cwd=ROOT, check=False)
    times = []
    code = 0
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, env=env, cwd=ROOT, check=False)
        times.append((time.perf_counter() - start) * 1e3)
        code = done.returncode
    return times, code


def importtime(python: str, command_tail: list[str], env: dict[str, str]) -> tuple[str, list[str]]:
    done = subprocess.run(
        [python, "-X", "importtime", "-m", "kiln", *command_tail],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )
    entries = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cumulative_us, name = (part.strip() for part in line[12:].split("|"))
        entries.append((int(self_us), int(cumulative_us), name))
    by_cumulative = sorted(entries, key=lambda e: -e[1])[:10]
    by_self = sorted(entries, key=lambda e: -e[0])[:10]
    total = sum(e[0] for e in entries)
    top_level = {e[2].strip().split(".")[0] for e in entries}
    heavy = sorted(m for m in HEAVY_MODULES if m in top_level)
    lines = [
        f"{python} -X importtime -m kiln {' '.join(command_tail)}",
        f"modules imported: {len(entries)}, total self time {total / 1e3:.1f} ms",
        f"heavy modules imported: {', '.join(heavy) or 'none'}",
        "",
        "top 10 by cumulative time (ms, module with its own imports):",
        *(f"  {c / 1e3:8.1f}  {n.strip()}" for _, c, n in by_cumulative),
        "",
        "top 10 by self time (ms):",
        *(f"  {s / 1e3:8.1f}  {n.strip()}" for s, _, n in by_self),
    ]
    return "\n".join(lines) + "\n", heavy


def find_cfn_lint() -> Path | None:
    """KILN_CFNLINT (`make bench` sets it), .venv-peers (`make peers-venv`), bench/.venv-peers
    (--with-peers), then next to this Python."""
    found = lint_vs_cfnlint.find_cfn_lint()
    if found is not None:
        return found
    for directory in (PEERS_VENV / "bin", Path(sys.executable).parent, ROOT / ".venv" / "bin"):
        candidate = directory / "cfn-lint"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def install_peers() -> None:
    if not (PEERS_VENV / "bin" / "python").exists():
        venv.EnvBuilder(with_pip=True).create(PEERS_VENV)
        (PEERS_VENV / ".gitignore").write_text("*\n", encoding="utf-8")  # keep it out of git
    pip = [str(PEERS_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "--upgrade", "cfn-lint"], check=True)


def cli_rows(runs: int, with_peers: bool) -> tuple[list[list[str]], list[str], str]:
    env = child_env()
    command, how, python = kiln_command()
    rows: list[list[str]] = []
    notes = [
        f"kiln run as `{how}`; bytecode caches written by a warm-up run (pip writes them at "
        "install), even when PYTHONDONTWRITEBYTECODE is set"
    ]
    workdir = Path(tempfile.mkdtemp(prefix="kiln-bench-"))
    try:
        tiny_hot = workdir / "tiny.yaml"
        tiny_hot.write_text(TINY_HOT, encoding="utf-8")
        tiny_cfn = workdir / "tiny-cfn.yaml"
        tiny_cfn.write_text(TINY_CFN, encoding="utf-8")
        cases = [
            ("kiln validate examples/web_stack.yaml", [*command, "validate", str(EXAMPLE)]),
            ("kiln validate (4-line HOT)", [*command, "validate", str(tiny_hot)]),
            ("kiln validate (4-line CFN)", [*command, "validate", str(tiny_cfn)]),
            ("kiln --version", [*command, "--version"]),
            ("python -c pass (interpreter floor)", [python, "-c", "pass"]),
        ]
        for label, argv in cases:
            times, code = time_command(argv, runs, env)
            rows.append(_timing_row(label, times, code, goal="validate" in label))
        report, heavy = importtime(python, ["validate", str(tiny_hot)], env)
        if heavy:
            notes.append(f"heavy modules imported by `kiln validate`: {', '.join(heavy)}")
        if with_peers:
            install_peers()
        cfn_lint = find_cfn_lint()
        if cfn_lint is None:
            notes.append(
                "cfn-lint not installed: run `python bench/run.py --with-peers` to compare"
            )
        else:
            times, code = time_command([str(cfn_lint), str(tiny_cfn)], max(5, runs // 2))
            shown = cfn_lint.relative_to(ROOT) if ROOT in cfn_lint.parents else cfn_lint
            rows.append(_timing_row(f"cfn-lint (4-line CFN; {shown})", times, code, goal=False))
            version = subprocess.run(
                [str(cfn_lint), "--version"], capture_output=True, text=True, check=False
            )
            notes.append(f"peer: {version.stdout.strip() or version.stderr.strip()}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return rows, notes, report


def _timing_row(label: str, times: list[float], code: int, goal: bool) -> list[str]:
    median = statistics.median(times)
    verdict = ("yes" if median < GOAL_MS else "NO") if goal else ""
    return [
        label,
        f"{median:.0f}",
        f"{min(times):.0f}",
        f"{max(times):.0f}",
        str(len(times)),
        str(code),
        verdict,
    ]


# --- report --------------------------------------------------------------------------------


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def git_commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    commit = done.stdout.strip() or "unknown"
    return commit + (" (with uncommitted changes)" if dirty.stdout.strip() else "")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--worker",
        choices=["none", "load", "compile", "validate-hot", "stages", "parse-floor"],
        help=argparse.SUPPRESS,
    )
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--with-peers", action="store_true", help="pip-install cfn-lint into bench/.venv-peers"
    )
    parser.add_argument("--quick", action="store_true", help="one corpus run and 3 CLI runs")
    args = parser.parse_args()
    if args.worker == "stages":
        stage_worker()
        return
    if args.worker == "parse-floor":
        floor_worker()
        return
    if args.worker:
        worker(args.worker, args.trace)
        return

    repeat, runs = (1, 3) if args.quick else (3, 10)
    RESULTS.mkdir(parents=True, exist_ok=True)
    parts = [
        "# Kiln benchmarks",
        "",
        f"- date: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}; commit {git_commit()}",
        f"- python {platform.python_version()} ({sys.executable}); {platform.platform()}; "
        f"{os.cpu_count()} CPU(s)",
        "",
    ]
    corpus = corpus_dir()
    if corpus is None:
        parts += ["## Corpus", "", "corpus not found: set KILN_CORPUS to run this part", ""]
    else:
        rows, notes = corpus_rows(repeat)
        parts += [
            f"## Corpus ({corpus}; best of {repeat})",
            "",
            table(
                [
                    "pass",
                    "files",
                    "templates/s",
                    "MB/s",
                    "seconds",
                    "tracemalloc peak MB",
                    "max RSS MiB",
                ],
                rows,
            ),
            "",
            *(f"- {note}" for note in notes),
            "",
        ]
    if corpus is not None:
        rows, notes = stage_rows(repeat)
        parts += [
            f"## Time per stage: compile_file over the HOT corpus (best of {repeat})",
            "",
            table(["stage", "seconds", "ms per template", "share"], rows),
            "",
            *(f"- {note}" for note in notes),
            "",
        ]
    python = heat_python()
    if corpus is not None and python is not None:
        rows, notes = versus_rows(repeat, runs, python, corpus)
        parts += [
            f"## Validate the HOT corpus: Kiln vs Heat in-process (best of {repeat})",
            "",
            table(
                [
                    "validator",
                    "templates",
                    "warm templates/s",
                    "warm ms/template",
                    "warm seconds",
                    "start-up s",
                    "cold corpus s",
                    "cold one template ms",
                    "max RSS MiB",
                    "valid",
                ],
                rows,
            ),
            "",
            *(f"- {note}" for note in notes),
            "",
        ]
    elif corpus is not None:
        parts += [
            "## Validate the HOT corpus: Kiln vs Heat in-process",
            "",
            "Heat's venv not found: run `make heat-venv` or set KILN_HEAT_PYTHON",
            "",
        ]
    if args.with_peers:
        install_peers()
    lint_text, _ = lint_vs_cfnlint.section(repeat, runs)
    parts += [lint_text]
    deploy_text, _ = deploy_vs_heat.section(repeat)  # skipped, saying why, without a sandbox
    parts += [deploy_text]
    rows, notes, report = cli_rows(runs, args.with_peers)
    parts += [
        f"## Command line (wall time per run, ms; goal: validate under {GOAL_MS:.0f} ms)",
        "",
        table(["command", "median", "min", "max", "runs", "exit", "goal met"], rows),
        "",
        *(f"- {note}" for note in notes),
        "- import costs of `kiln validate`: bench/results/importtime.txt",
        "",
    ]
    (RESULTS / "importtime.txt").write_text(report, encoding="utf-8")
    markdown = "\n".join(parts)
    (RESULTS / "latest.md").write_text(markdown, encoding="utf-8")
    print(markdown)
    print(report)


if __name__ == "__main__":
    main()
