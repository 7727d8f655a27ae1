"""Baselines: the findings a project has accepted for now, so that only new ones are reported.

A baseline is JSON keyed on (file, logical path, code) with a count, never on lines: an edit
above a finding moves its line but not its key, so it stays hidden. Files are relative to the
baseline's own directory (the baseline moves with the repository). Matching counts: with two
SCH003 at one path in the baseline, a third is new.

    {"kiln-baseline": 1,
     "findings": [{"file": "stack.yaml", "path": ["resources", "db", "properties"],
                   "code": "SCH003", "name": "unknown-property", "count": 1}, ...]}
"""

import json
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from kiln.compiler.diagnostics import Diagnostic, make
from kiln.compiler.diagnostics import codes as c
from kiln.compiler.lint.files import relative_to
from kiln.compiler.source import SourceFile, Span

FORMAT: Final = 1
Key = tuple[str, tuple[str | int, ...], str]  # (file relative to the baseline, path, code id)


def key_of(diagnostic: Diagnostic, root_file: str, directory: str) -> Key:
    file = diagnostic.span.file if diagnostic.span is not None else root_file
    return (relative_to(file, directory), tuple(diagnostic.path), diagnostic.code.id)


@dataclass
class Baseline:
    path: str
    counts: Counter[Key] = field(default_factory=Counter)
    names: dict[str, str] = field(default_factory=dict)  # code id -> name, for writing

    @property
    def directory(self) -> str:
        return os.path.dirname(os.path.abspath(self.path))

    def add(self, diagnostic: Diagnostic, root_file: str) -> None:
        self.counts[key_of(diagnostic, root_file, self.directory)] += 1
        self.names[diagnostic.code.id] = diagnostic.code.name

    def to_json(self) -> str:
        findings = [
            {
                "file": file,
                "path": list(path),
                "code": code,
                "name": self.names.get(code, ""),
                "count": count,
            }
            for (file, path, code), count in sorted(
                self.counts.items(),
                key=lambda item: (item[0][0], item[0][2], _path_key(item[0][1])),
            )
        ]
        # One finding per line: a baseline's diff in review shows what was accepted or fixed.
        lines = ",\n".join(f"    {json.dumps(item, ensure_ascii=False)}" for item in findings)
        body = f"\n{lines}\n  " if findings else ""
        return f'{{\n  "kiln-baseline": {FORMAT},\n  "findings": [{body}]\n}}\n'


def _path_key(path: tuple[str | int, ...]) -> list[tuple[int, str]]:
    return [(0, str(item)) if isinstance(item, int) else (1, item) for item in path]


@dataclass
class Matcher:
    """Hides findings a baseline holds, count by count, over one run."""

    baseline: Baseline
    remaining: Counter[Key] = field(init=False)
    linted: set[str] = field(default_factory=set)  # files (relative keys) linted this run

    def __post_init__(self) -> None:
        self.remaining = Counter(self.baseline.counts)

    def hides(self, diagnostic: Diagnostic, root_file: str) -> bool:
        key = key_of(diagnostic, root_file, self.baseline.directory)
        if self.remaining[key] > 0:
            self.remaining[key] -= 1
            return True
        return False

    def note_linted(self, files: Iterable[str]) -> None:
        self.linted.update(relative_to(file, self.baseline.directory) for file in files)

    def stale(self) -> int:
        """Baseline findings that no longer occur, in the files this run linted."""
        return sum(
            count
            for (file, _, _), count in self.remaining.items()
            if count > 0 and file in self.linted
        )


def load(path: str) -> tuple[Baseline | None, list[Diagnostic]]:
    """Read a baseline; a missing or malformed one is an LNT003 with its position."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as error:
        return None, [_error(SourceFile(path, "").span(0, 0), f"cannot read it: {error}")]
    source = SourceFile(path, text)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        return None, [_error(source.span(error.pos, error.pos), f"invalid JSON: {error.msg}")]
    problem = _shape_problem(document)
    if problem is not None:
        return None, [_error(source.span(0, 0), problem)]
    baseline = Baseline(path)
    for entry in document["findings"]:
        key: Key = (entry["file"], tuple(entry["path"]), entry["code"])
        baseline.counts[key] += entry.get("count", 1)
        baseline.names[entry["code"]] = entry.get("name", "")
    return baseline, []


def _shape_problem(document: Any) -> str | None:
    if not isinstance(document, dict) or document.get("kiln-baseline") != FORMAT:
        return f'not a Kiln baseline (expected {{"kiln-baseline": {FORMAT}, "findings": [...]}})'
    findings = document.get("findings")
    if not isinstance(findings, list):
        return "findings: must be a list"
    for index, entry in enumerate(findings):
        ok = (
            isinstance(entry, dict)
            and isinstance(entry.get("file"), str)
            and isinstance(entry.get("code"), str)
            and isinstance(entry.get("path"), list)
            and all(isinstance(item, str | int) for item in entry["path"])
            and isinstance(entry.get("count", 1), int)
            and entry.get("count", 1) > 0
        )
        if not ok:
            return f"findings[{index}]: needs file (text), path (list), code (text), count (> 0)"
    return None


def _error(span: Span, problem: str) -> Diagnostic:
    return make(c.INVALID_LINT_CONFIG, span, what="baseline", problem=problem)


def build(path: str, findings: Sequence[tuple[Diagnostic, str]]) -> Baseline:
    """A baseline of (finding, the file linted when it was found) pairs."""
    baseline = Baseline(path)
    for diagnostic, root_file in findings:
        baseline.add(diagnostic, root_file)
    return baseline


__all__ = ["Baseline", "Key", "Matcher", "build", "load"]
