"""Helpers for data-first tests: inline `# expect:` comments and golden files."""

import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from kiln.compiler.diagnostics import Diagnostic
from kiln.compiler.driver import CompileOptions, CompileResult, compile_file
from kiln.plugins.host import Registries

EXPECT = re.compile(r"#\s*expect:\s*(?P<codes>[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*)")


def expectations(path: Path) -> Counter[tuple[int, str]]:
    """(line, code) pairs a case expects: `# expect: CODE[, CODE]` on the line itself in YAML,
    or lines `LINE CODE` in a sidecar `<name>.expect` file (for JSON, which has no comments)."""
    expected: Counter[tuple[int, str]] = Counter()
    sidecar = path.with_name(path.name + ".expect")
    if sidecar.exists():
        for line in sidecar.read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                number, code = line.split()
                expected[(int(number), code)] += 1
        return expected
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = EXPECT.search(line)
        if match:
            for code in match.group("codes").split(","):
                expected[(number, code.strip())] += 1
    return expected


def found(result: CompileResult, path: Path) -> Counter[tuple[int, str]]:
    """(line, code) of every diagnostic located in the case file itself."""
    return located_in(result.diagnostics, path)


def located_in(diagnostics: Iterable[Diagnostic], path: Path) -> Counter[tuple[int, str]]:
    """(line, code) of the diagnostics in `path`; those without a span count at line 0."""
    got: Counter[tuple[int, str]] = Counter()
    for diagnostic in diagnostics:
        if diagnostic.span is not None and Path(diagnostic.span.file) == path:
            got[(diagnostic.span.start.line, diagnostic.code.id)] += 1
        elif diagnostic.span is None:
            got[(0, diagnostic.code.id)] += 1
    return got


def check_case(path: Path, registries: Registries, options: CompileOptions | None = None) -> None:
    result = compile_file(str(path), registries, options or CompileOptions())
    expected, got = expectations(path), found(result, path)
    if expected != got:
        missing = sorted((expected - got).elements())
        unexpected = sorted((got - expected).elements())
        detail = "\n".join(f"  {d.span}: {d.code.id} {d.message}" for d in result.diagnostics)
        raise AssertionError(
            f"{path.name}: missing {missing}, unexpected {unexpected}\ndiagnostics:\n{detail}"
        )


LINT_OPTIONS = re.compile(r"#\s*lint:\s*(?P<options>.*)$", re.MULTILINE)


def lint_case_options(path: Path) -> dict[str, str]:
    """`# lint: target=heat` anywhere in a case sets options for linting it (JSON cases put
    them in the sidecar `<name>.lint` file, one `key=value` per line)."""
    sidecar = path.with_name(path.name + ".lint")
    text = sidecar.read_text() if sidecar.exists() else path.read_text(encoding="utf-8")
    options: dict[str, str] = {}
    if sidecar.exists():
        pairs = text.split()
    else:
        pairs = [pair for match in LINT_OPTIONS.finditer(text) for pair in match["options"].split()]
    for pair in pairs:
        key, _, value = pair.partition("=")
        options[key] = value
    return options


def check_lint_case(path: Path, registries: Registries) -> None:
    """A lint case: validation diagnostics and lint findings together must be exactly what the
    case expects (so a rule's fixtures are otherwise valid templates)."""
    from kiln.compiler.lint.runner import run_rules
    from kiln.compiler.lint.targets import dropped, target_of

    options = lint_case_options(path)
    result = compile_file(str(path), registries, CompileOptions())
    diagnostics = list(result.diagnostics)
    if result.unit is not None:
        # As `kiln lint` reports: Heat-only validation codes drop out for CFN meant for AWS.
        target = target_of(result.unit.root, options.get("target"))  # type: ignore[arg-type]
        diagnostics = [d for d in diagnostics if not dropped(d, result.unit, target)]
        diagnostics += run_rules(result.unit, registries.lint_rules, registries, target=target)
    expected, got = expectations(path), located_in(diagnostics, path)
    if expected != got:
        missing = sorted((expected - got).elements())
        unexpected = sorted((got - expected).elements())
        detail = "\n".join(f"  {d.span}: {d.code.id} {d.message}" for d in diagnostics)
        raise AssertionError(
            f"{path}: missing {missing}, unexpected {unexpected}\ndiagnostics:\n{detail}"
        )


def compare_golden(actual: str, golden: Path, update: bool) -> None:
    if update or not golden.exists():
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
        if not update:
            raise AssertionError(f"{golden} did not exist; written now, review and commit it")
        return
    expected = golden.read_text(encoding="utf-8")
    assert actual == expected, f"{golden} differs; rerun with --update-golden and review the diff"
