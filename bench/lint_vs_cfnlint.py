"""`kiln lint` against cfn-lint on the same CloudFormation templates of the corpus.

    python bench/lint_vs_cfnlint.py            # writes bench/results/lint_vs_cfnlint.md
    python bench/lint_vs_cfnlint.py --quick    # one run each
    make bench                                 # bench/run.py includes this section

Every CloudFormation template of the corpus (INDEX.tsv format `cfn` under cfn/) is linted in
one process by each tool: cfn-lint 1.58.0 (`--format json`), and `kiln lint --target aws
--format json` with its default --jobs and with --jobs 1. Cold start is one 4-line template.
Peak memory is the largest `ru_maxrss` among the process and the workers it waited for (from
wait4), so for `--jobs N` it is one process's peak, not the sum of the pool. cfn-lint comes
from KILN_CFNLINT, else .venv-peers (`make peers-venv`), else bench/.venv-peers; without it
the cfn-lint rows say so and no ratio is given. See bench/README.md.
"""

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
GOAL_THROUGHPUT = 20.0  # Kiln at least 20x cfn-lint's templates per second
GOAL_COLD_START = 5.0  # and a cold start at least 5x shorter
CFN_LINT_VERSION = "1.58.0"
TINY_CFN = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Bucket:
    Type: AWS::S3::Bucket
"""


@dataclass(frozen=True)
class Run:
    seconds: float
    maxrss_kib: int
    exit_code: int


def measure(argv: list[str], cwd: Path) -> Run:
    """Wall time, peak RSS (the process and the children it waited for) and exit code."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return Run(elapsed, usage.ru_maxrss, process.returncode)


def corpus_dir() -> Path | None:
    default = ROOT.parent / "shared" / "corpus"
    path = Path(os.environ.get("KILN_CORPUS", default))
    return path if (path / "INDEX.tsv").is_file() else None


def cfn_templates(corpus: Path) -> list[str]:
    """Corpus-relative paths of the good CloudFormation templates (what the lint acceptance
    test gives cfn-lint too)."""
    with (corpus / "INDEX.tsv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [
        row["path"] for row in rows if row["format"] == "cfn" and row["path"].startswith("cfn/")
    ]


def find_cfn_lint() -> Path | None:
    candidates = [os.environ.get("KILN_CFNLINT", "")]
    candidates += [str(ROOT / ".venv-peers" / "bin" / "cfn-lint")]
    candidates += [str(ROOT / "bench" / ".venv-peers" / "bin" / "cfn-lint")]
    for candidate in filter(None, candidates):
        path = Path(candidate)
        if path.is_file() and os.access(path, os.X_OK):
            return path
    return None


def kiln_command() -> list[str]:
    script = ROOT / ".venv" / "bin" / "kiln"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-m", "kiln"]


def warm(argv: list[str], cwd: Path) -> None:
    """Disk cache and bytecode caches, as an installed tool has them."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(argv, cwd=cwd, capture_output=True, env=env, check=False)


def best(argv: list[str], cwd: Path, repeat: int) -> Run:
    warm(argv, cwd)
    return min((measure(argv, cwd) for _ in range(repeat)), key=lambda run: run.seconds)


def cold(argv: list[str], cwd: Path, runs: int) -> tuple[float, list[Run]]:
    warm(argv, cwd)
    done = [measure(argv, cwd) for _ in range(runs)]
    return statistics.median(run.seconds for run in done), done


def section(repeat: int = 3, cold_runs: int = 10) -> tuple[str, list[str]]:
    """The markdown section (title, table, notes) and the notes alone."""
    corpus = corpus_dir()
    title = "## kiln lint vs cfn-lint on the CloudFormation corpus"
    if corpus is None:
        return f"{title}\n\ncorpus not found: set KILN_CORPUS to run this part\n", []
    paths = cfn_templates(corpus)
    kiln = kiln_command()
    cfn_lint = find_cfn_lint()
    lint = [*kiln, "lint", "--target", "aws", "--format", "json"]
    rows: list[list[str]] = []
    notes: list[str] = []
    throughput: dict[str, Run] = {}
    throughput["kiln lint (default --jobs)"] = best([*lint, "--", *paths], corpus, repeat)
    throughput["kiln lint --jobs 1"] = best([*lint, "--jobs", "1", "--", *paths], corpus, repeat)
    cfn_lint_version = ""
    if cfn_lint is not None:
        version = subprocess.run(
            [str(cfn_lint), "--version"], capture_output=True, text=True, check=False
        )
        cfn_lint_version = version.stdout.strip() or version.stderr.strip()
        # One run less than Kiln's (it takes ~25-100 s a run), at least one.
        cfn_repeat = max(1, repeat - 1)
        throughput[cfn_lint_version] = best(
            [str(cfn_lint), "--format", "json", "--", *paths], corpus, cfn_repeat
        )
        if CFN_LINT_VERSION not in cfn_lint_version:
            notes.append(
                f"cfn-lint is {cfn_lint_version}, not the {CFN_LINT_VERSION} peers.md measured"
            )
    else:
        notes.append(
            "cfn-lint not installed (no KILN_CFNLINT, .venv-peers or bench/.venv-peers): "
            "`make peers-venv` installs it; no ratio without it"
        )

    workdir = Path(tempfile.mkdtemp(prefix="kiln-lint-bench-"))
    tiny = workdir / "tiny-cfn.yaml"
    tiny.write_text(TINY_CFN, encoding="utf-8")
    starts: dict[str, tuple[float, list[Run]]] = {
        "kiln lint (4-line CFN)": cold(
            [*kiln, "lint", "--target", "aws", str(tiny)], workdir, cold_runs
        )
    }
    if cfn_lint is not None:
        starts["cfn-lint (4-line CFN)"] = cold(
            [str(cfn_lint), str(tiny)], workdir, max(5, cold_runs // 2)
        )
    tiny.unlink()
    workdir.rmdir()

    for label, run in throughput.items():
        rows.append(
            [
                label,
                str(len(paths)),
                f"{len(paths) / run.seconds:.1f}",
                f"{run.seconds:.2f}",
                f"{run.maxrss_kib / 1024:.0f}",
                str(run.exit_code),
            ]
        )
    for label, (median, runs) in starts.items():
        peak = max(run.maxrss_kib for run in runs)
        rows.append(
            [
                label,
                "1",
                "-",
                f"{median:.3f} (median of {len(runs)})",
                f"{peak / 1024:.0f}",
                str(runs[-1].exit_code),
            ]
        )

    kiln_best = throughput["kiln lint (default --jobs)"]
    if cfn_lint is not None:
        peer = throughput[cfn_lint_version]
        ratio = peer.seconds / kiln_best.seconds
        single = peer.seconds / throughput["kiln lint --jobs 1"].seconds
        start_ratio = starts["cfn-lint (4-line CFN)"][0] / starts["kiln lint (4-line CFN)"][0]
        notes += [
            f"throughput: Kiln {ratio:.1f}x cfn-lint's templates/s with the default --jobs, "
            f"{single:.1f}x with --jobs 1 (goal: at least {GOAL_THROUGHPUT:.0f}x; met: "
            f"{'yes' if ratio >= GOAL_THROUGHPUT else 'NO'})",
            f"cold start: Kiln {start_ratio:.1f}x faster on one 4-line template (goal: at least "
            f"{GOAL_COLD_START:.0f}x; met: {'yes' if start_ratio >= GOAL_COLD_START else 'NO'})",
        ]
    notes.append(
        f"{os.cpu_count()} CPU(s); kiln as `{' '.join(kiln)}`; both write JSON findings to "
        "/dev/null; exit codes: kiln 1 = errors found, cfn-lint bit 2 error / 4 warning / 8 info"
    )
    table = [
        "| command | templates | templates/s | seconds | peak RSS MiB | exit |",
        "|---|---|---|---|---|---|",
        *("| " + " | ".join(row) + " |" for row in rows),
    ]
    best_of = f"best of {repeat} (cfn-lint: {max(1, repeat - 1)})"
    text = "\n".join([f"{title} ({best_of})", "", *table, "", *(f"- {note}" for note in notes), ""])
    return text, notes


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="one run each, 3 cold starts")
    args = parser.parse_args()
    repeat, cold_runs = (1, 3) if args.quick else (3, 10)
    text, _ = section(repeat, cold_runs)
    RESULTS.mkdir(parents=True, exist_ok=True)
    header = f"# kiln lint vs cfn-lint\n\n- date: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}\n\n"
    (RESULTS / "lint_vs_cfnlint.md").write_text(header + text, encoding="utf-8")
    print(header + text)


if __name__ == "__main__":
    main()
