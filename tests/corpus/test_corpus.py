"""The shared corpus of real templates ($KILN_CORPUS/INDEX.tsv): every file compiles without an
internal error, files that parse load without syntax errors, and the known-bad files are
reported where PyYAML / json report them."""

import csv
import json
import traceback
from pathlib import Path

import pytest
import yaml

from kiln.compiler.driver import compile_file
from kiln.frontends.loader import load_file

pytestmark = pytest.mark.corpus

SYNTAX_ERRORS = ("SYN001", "SYN002")


@pytest.fixture(scope="module")
def index(corpus) -> list[dict[str, str]]:
    with (corpus / "INDEX.tsv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert rows, "INDEX.tsv lists no files"
    assert {"path", "format", "parse"} <= set(rows[0])
    return rows


def _summary(error: BaseException) -> str:
    """The exception and the last frames inside kiln, one line each."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if "/kiln/" in f.filename.replace("\\", "/")] or frames
    where = " <- ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in ours[-1:-4:-1])
    return f"{type(error).__name__}: {error} at {where}"


def test_every_file_compiles_without_an_internal_error(corpus, index, registries):
    failures = []
    kinds: dict[str, int] = {}
    for row in index:
        path = corpus / row["path"]
        try:
            result = compile_file(str(path), registries)
        except Exception as error:  # an exception is an internal error: a bug in Kiln
            failures.append(f"{row['path']}: {_summary(error)}")
            continue
        kinds[result.kind] = kinds.get(result.kind, 0) + 1
    assert not failures, f"{len(failures)} of {len(index)} files raised:\n" + "\n".join(failures)
    assert sum(kinds.values()) == len(index)


def test_files_that_parse_load_without_syntax_errors(corpus, index):
    bad = []
    for row in index:
        if row["parse"] != "ok":
            continue
        result = load_file(corpus / row["path"])
        errors = [d for d in result.diagnostics if d.code.id in SYNTAX_ERRORS]
        if result.root is None or errors:
            shown = "; ".join(f"{d.code.id} {d.span}: {d.message}" for d in result.diagnostics)
            bad.append(f"{row['path']}: {shown}")
    assert not bad, f"{len(bad)} parseable files failed to load:\n" + "\n".join(bad)


def _expected_error_line(path: Path) -> int | None:
    """The 1-based line where the reference parser reports the error (None: empty file)."""
    text = path.read_text(encoding="utf-8")
    if not text.strip():
        return None
    if path.suffix == ".json":
        try:
            json.loads(text)
        except json.JSONDecodeError as error:
            return error.lineno
        raise AssertionError(f"{path}: json reads this file; INDEX says it is bad")
    try:
        yaml.load(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        return mark.line + 1
    raise AssertionError(f"{path}: PyYAML reads this file; INDEX says it is bad")


def test_known_bad_files_are_reported_where_the_error_is(corpus, index, registries):
    known_bad = [row for row in index if row["parse"].startswith("error")]
    assert known_bad, "INDEX.tsv lists no file that fails to parse"
    for row in known_bad:
        path = corpus / row["path"]
        line = _expected_error_line(path)
        result = compile_file(str(path), registries)
        located = [
            (d.code.id, d.span.line if d.span else None)
            for d in result.diagnostics
            if d.code.id.startswith("SYN")
        ]
        if line is None:
            assert ("SYN027", 1) in located, (row["path"], located)
        else:
            expected = "SYN002" if path.suffix == ".json" else "SYN001"
            assert (expected, line) in located, (row["path"], line, located)
        assert result.has_errors


def test_cfn_bad_files_compile(corpus, index, registries):
    """cfn-lint's negative fixtures: wrong in many ways, never an internal error. (The whole
    corpus walk covers them too; this names them on their own when they break.)"""
    rows = [row for row in index if row["path"].startswith("cfn-bad/")]
    assert rows
    failures = []
    for row in rows:
        try:
            compile_file(str(corpus / row["path"]), registries)
        except Exception as error:
            failures.append(f"{row['path']}: {_summary(error)}")
    assert not failures, "\n".join(failures)
