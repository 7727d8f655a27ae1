"""`kiln lint --fix`: apply the autofixes of one file's findings, and keep them only if the
result is still the same template minus those findings.

One pass per run: the autofixes of the findings, in the order they are reported, are taken
while their edits touch text no earlier one touched (an overlapping fix waits for the next
run). Only safe autofixes are taken unless `unsafe` is set, and only edits of the linted file
itself (a fix in an included file is made when that file is linted).

The edited text is written beside the file (same directory, so includes resolve alike) and
linted again with the same settings; it replaces the file (a rename, atomic) only when it still
reads as a template, has no error the original did not have, and the fixed findings are gone.
Otherwise the file is left as it was, and the reason is returned. The text is spliced, never
re-serialised: untouched bytes stay as they were; inserted line breaks follow the file's style,
and a UTF-8 byte-order mark is kept.
"""

import contextlib
import os
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Final

from kiln.compiler.diagnostics import Diagnostic, Severity, TextEdit
from kiln.compiler.lint.files import copy_mode

BOM: Final = b"\xef\xbb\xbf"
_LONE_LF: Final = re.compile(r"(?<!\r)\n")

# Lint of a file at a path: (still a template?, its findings).
Relint = Callable[[str], tuple[bool, list[Diagnostic]]]


@dataclass
class FixOutcome:
    fixed: Counter[str] = field(default_factory=Counter)  # code id -> findings fixed
    problem: str | None = None  # why nothing was written, when fixes were planned
    deferred: int = 0  # fixes left for another run (overlapping, or in another file)

    @property
    def written(self) -> bool:
        return bool(self.fixed)


def plan(path: str, findings: Sequence[Diagnostic], unsafe: bool) -> tuple[list[Diagnostic], int]:
    """The findings whose autofixes one pass applies, and how many wait for another run."""
    chosen: list[Diagnostic] = []
    taken: list[TextEdit] = []
    deferred = 0
    for finding in findings:
        fix = finding.autofix
        if fix is None or not fix.edits or not (fix.safe or unsafe):
            continue
        edits = fix.edits
        if (
            any(edit.file != path for edit in edits)
            or _conflict(edits, taken)
            or _self_overlap(edits)
        ):
            deferred += 1
            continue
        chosen.append(finding)
        taken.extend(edits)
    return chosen, deferred


def _overlaps(a: TextEdit, b: TextEdit) -> bool:
    """Two edits collide when they insert at the same place or their ranges intersect."""
    return a.start == b.start or (a.start < b.end and b.start < a.end)


def _conflict(edits: Sequence[TextEdit], taken: Sequence[TextEdit]) -> bool:
    return any(_overlaps(edit, other) for edit in edits for other in taken)


def _self_overlap(edits: Sequence[TextEdit]) -> bool:
    return any(_overlaps(a, b) for index, a in enumerate(edits) for b in edits[index + 1 :])


def apply(text: str, edits: Sequence[TextEdit]) -> str:
    """Splice non-overlapping edits into `text`; inserted line breaks take the text's style."""
    crlf = text.count("\r\n") * 2 > text.count("\n")
    for edit in sorted(edits, key=lambda item: item.start, reverse=True):
        if not 0 <= edit.start <= edit.end <= len(text):
            raise ValueError(f"edit {edit.start}:{edit.end} outside the text ({len(text)})")
        replacement = _LONE_LF.sub("\r\n", edit.text) if crlf else edit.text
        text = text[: edit.start] + replacement + text[edit.end :]
    return text


def _keys(
    findings: Sequence[Diagnostic], severity: Severity | None = None
) -> Counter[tuple[str, str]]:
    return Counter(
        (d.code.id, d.dotted_path) for d in findings if severity is None or d.severity >= severity
    )


def fix_file(
    path: str, original: str, findings: Sequence[Diagnostic], relint: Relint, unsafe: bool
) -> FixOutcome:
    """Apply one pass of fixes to `path`, whose text was `original` when it was linted and
    `findings` were found. `relint` lints another path with the same settings."""
    chosen, deferred = plan(path, findings, unsafe)
    outcome = FixOutcome(deferred=deferred)
    if not chosen:
        return outcome
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
        current = raw.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        outcome.problem = f"cannot read it again: {error}"
        return outcome
    if current != original:
        outcome.problem = "it changed while it was being linted"
        return outcome
    fixed_text = apply(current, [edit for finding in chosen for edit in finding.autofix.edits])  # type: ignore[union-attr]
    data = (BOM if raw.startswith(BOM) else b"") + fixed_text.encode("utf-8")
    directory, name = os.path.split(os.path.abspath(path))
    suffix = os.path.splitext(name)[1]
    descriptor, candidate = tempfile.mkstemp(
        dir=directory, prefix=f".{name}.", suffix=f".kiln-fix{suffix}"
    )
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        problem = _verify(candidate, findings, chosen, relint)
        if problem is None:
            copy_mode(path, candidate)
            os.replace(candidate, path)
            outcome.fixed = Counter(finding.code.id for finding in chosen)
        else:
            outcome.problem = problem
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(candidate)
    return outcome


def _verify(
    candidate: str, before: Sequence[Diagnostic], chosen: Sequence[Diagnostic], relint: Relint
) -> str | None:
    """Why the fixed text must not replace the file, or None when it may."""
    readable, after = relint(candidate)
    if not readable:
        return "the fixed text would no longer read as a template"
    new_errors = _keys(after, Severity.ERROR) - _keys(before, Severity.ERROR)
    if new_errors:
        (code, where), _ = sorted(new_errors.items())[0]
        return f"the fixes would add {code}{f' at {where}' if where else ''}"
    remaining = _keys(after)
    expected = _keys(before) - _keys(chosen)
    for key in _keys(chosen):
        if remaining[key] > expected[key]:
            code, where = key
            return f"{code}{f' at {where}' if where else ''} would still be reported after its fix"
    return None
