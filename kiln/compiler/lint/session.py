"""The lint session: files in, findings out, the same whatever the number of processes.

For each file (command-line files, directories walked, globs expanded): its configuration
(config.py), then, in a worker, compile (every validation pass) and `run_rules` with the
selected rules, drop what suppressions (suppress.py) and the target (targets.py) rule out,
apply severity overrides, and `--fix` (fixes.py). Back in this process: findings reported
through two files (a nested template linted on its own too) are kept once, sorted by file,
line, column and code, and a baseline (baseline.py) hides the accepted ones.

Files are linted in parallel by a process pool (`jobs`), in chunks; each worker builds the
plugin registries once (a forked worker inherits this process's). One file, or jobs=1, runs
here, and so do fewer than MIN_FILES_FOR_POOL: a pool costs more than it saves for a few files
(kiln/compiler/parallel.py, shared with `kiln validate`).
"""

import functools
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from kiln.compiler.diagnostics import Diagnostic, Severity, files_shown
from kiln.compiler.diagnostics.codes import Code
from kiln.compiler.driver import CompileOptions, compile_file, gc_paused
from kiln.compiler.lint.config import Configs, LintConfig
from kiln.compiler.lint.files import PathError, expand, write_atomic
from kiln.compiler.lint.rule import LintRule, Target
from kiln.compiler.lint.runner import run_rules
from kiln.compiler.lint.select import (
    Selection,
    Selector,
    override_severity,
    parse_selector,
    split_tokens,
    unknown_hint,
)
from kiln.compiler.lint.suppress import Suppressor
from kiln.compiler.lint.targets import dropped, target_of
from kiln.compiler.parallel import map_ordered
from kiln.compiler.source import SourceFile
from kiln.plugins.host import Registries


class LintUsageError(Exception):
    """A bad request (an unknown code in --select, a path that names nothing): exit 2."""


@dataclass(frozen=True, slots=True)
class LintRequest:
    paths: Sequence[str]
    select: Sequence[str] = ()  # tokens from the command line (comma-separated allowed)
    ignore: Sequence[str] = ()
    fail_on: Severity | None = None  # None: the configuration's, else error
    target: Target | None = None  # None: the configuration's, else by dialect
    config: str | None = None  # replaces discovery
    baseline: str | None = None
    write_baseline: str | None = None
    fix: bool = False
    unsafe_fixes: bool = False
    jobs: int = 1
    compile: CompileOptions = field(default_factory=CompileOptions)
    no_plugins: bool = False  # how workers that cannot inherit registries load them


@dataclass(frozen=True, slots=True)
class FileSettings:
    """What linting one file needs besides the registries; crosses to workers by pickle."""

    selection: Selection
    severity: tuple[tuple[Selector, Severity], ...] = ()
    rule_settings: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    target: Target | None = None
    fail_on: Severity = Severity.ERROR
    baseline: str | None = None
    fix: bool = False
    unsafe_fixes: bool = False


@dataclass(frozen=True, slots=True)
class FileJob:
    path: str
    settings: FileSettings


@dataclass(frozen=True, slots=True)
class FileResult:
    path: str
    diagnostics: tuple[Diagnostic, ...]
    sources: Mapping[str, SourceFile]
    fixed: Mapping[str, int] = field(default_factory=dict)
    fix_problem: str | None = None
    deferred: int = 0  # fixes that overlapped others, left for the next run


@dataclass
class LintReport:
    diagnostics: list[Diagnostic] = field(default_factory=list)  # reported, in order
    sources: dict[str, SourceFile] = field(default_factory=dict)
    files: int = 0
    fixed: Counter[str] = field(default_factory=Counter)  # code id -> findings fixed
    fix_problems: list[str] = field(default_factory=list)  # "path: why its fixes were dropped"
    deferred: int = 0  # fixes left for the next --fix run (they overlapped others)
    hidden: int = 0  # findings the baseline hid
    stale: int = 0  # baseline findings that no longer occur
    baseline_written: str | None = None
    config_errors: list[Diagnostic] = field(default_factory=list)
    failed: bool = False  # a finding at or above its file's fail-on severity
    rules: tuple[LintRule, ...] = ()

    @property
    def exit_code(self) -> int:
        """0 clean, 1 findings at or above the threshold, 2 configuration errors."""
        if self.config_errors:
            return 2
        return 1 if self.failed else 0

    def count(self, severity: Severity) -> int:
        return sum(1 for diagnostic in self.diagnostics if diagnostic.severity == severity)


# --- one file ------------------------------------------------------------------------------


def _lint_once(
    path: str, settings: FileSettings, registries: Registries, options: CompileOptions
) -> tuple[bool, list[Diagnostic], Mapping[str, SourceFile]]:
    """(reads as a template?, findings, sources) of one file under its settings."""
    with gc_paused():  # the rules, like the passes, make no reference cycles
        return _lint_unpaused(path, settings, registries, options)


def _lint_unpaused(
    path: str, settings: FileSettings, registries: Registries, options: CompileOptions
) -> tuple[bool, list[Diagnostic], Mapping[str, SourceFile]]:
    compiled = compile_file(path, registries, options)
    unit = compiled.unit
    raw = list(compiled.diagnostics)
    target: Target | None = None
    enabled = functools.partial(_enabled, settings.selection)
    if unit is not None:
        target = target_of(unit.root, settings.target)
        rules = [r for r in registries.lint_rules if enabled(r.code)]
        raw += run_rules(unit, rules, registries, target=target, settings=settings.rule_settings)
    suppressor = Suppressor(unit, compiled.sources, registries.codes, path)
    kept: list[Diagnostic] = []
    for diagnostic in raw:
        # Suppressions see every finding, so one covering a finding the target or the
        # selection drops anyway is not reported as unused.
        if suppressor.suppressed(diagnostic):
            continue
        if unit is not None and target is not None and dropped(diagnostic, unit, target):
            continue
        if enabled(diagnostic.code):
            kept.append(_with_severity(diagnostic, settings))
    for problem in suppressor.problems(enabled):
        if enabled(problem.code) and not suppressor.suppressed(problem, mark=False):
            kept.append(_with_severity(problem, settings))
    return compiled.kind == "template", kept, compiled.sources


@functools.lru_cache(maxsize=4096)
def _enabled(selection: Selection, code: Code) -> bool:
    """Selection.enabled, remembered: every file of a run asks about the same codes."""
    return selection.enabled(code)


def _with_severity(diagnostic: Diagnostic, settings: FileSettings) -> Diagnostic:
    if not settings.severity:
        return diagnostic
    severity = override_severity(settings.severity, diagnostic.code, diagnostic.severity)
    return diagnostic if severity == diagnostic.severity else replace(diagnostic, severity=severity)


def lint_file(job: FileJob, registries: Registries, options: CompileOptions) -> FileResult:
    settings = job.settings
    readable, findings, sources = _lint_once(job.path, settings, registries, options)
    fixed: Mapping[str, int] = {}
    problem = None
    deferred = 0
    source = sources.get(job.path)
    if settings.fix and source is not None and readable:
        from kiln.compiler.lint.fixes import fix_file

        def relint(path: str) -> tuple[bool, list[Diagnostic]]:
            still, found, _ = _lint_once(path, settings, registries, options)
            return still, found

        outcome = fix_file(job.path, source.text, findings, relint, settings.unsafe_fixes)
        problem, deferred = outcome.problem, outcome.deferred
        if outcome.written:
            fixed = dict(outcome.fixed)
            readable, findings, sources = _lint_once(job.path, settings, registries, options)
    wanted = files_shown(findings)
    return FileResult(
        job.path,
        tuple(findings),
        {name: text for name, text in sources.items() if name in wanted},
        fixed,
        problem,
        deferred,
    )


# --- workers -------------------------------------------------------------------------------

_Context = tuple[Registries, CompileOptions]


def _worker_context(no_plugins: bool, options: CompileOptions) -> _Context:
    from kiln.plugins.host import load

    registries = load(entry_points=not no_plugins)
    _ = registries.lint_rules  # load the rules once, here
    return registries, options


def _lint_job(context: _Context, job: FileJob) -> FileResult:
    registries, options = context
    return lint_file(job, registries, options)


def _run_jobs(
    jobs: Sequence[FileJob], registries: Registries, request: LintRequest, options: CompileOptions
) -> list[FileResult]:
    rebuild = functools.partial(_worker_context, request.no_plugins, options)
    return map_ordered(_lint_job, jobs, request.jobs, (registries, options), rebuild)


# --- the session ---------------------------------------------------------------------------


def _selectors(tokens: Sequence[str], option: str, registries: Registries) -> tuple[Selector, ...]:
    found: list[Selector] = []
    for token in split_tokens(tokens):
        selector = parse_selector(token, registries.codes)
        if selector is None:
            hint = unknown_hint(token, registries.codes)
            raise LintUsageError(f"{option}: unknown code, rule name or prefix {token!r}{hint}")
        found.append(selector)
    return tuple(found)


def _settings(
    config: LintConfig,
    path: str,
    request: LintRequest,
    select: tuple[Selector, ...] | None,
    ignore: tuple[Selector, ...],
) -> FileSettings:
    chosen = select if select is not None else config.select
    return FileSettings(
        selection=Selection(chosen or (), (*config.ignore, *ignore), config.ignores_for(path)),
        severity=config.severity,
        rule_settings=config.rules,
        target=request.target or config.target,
        fail_on=request.fail_on or config.fail_on or Severity.ERROR,
        baseline=request.baseline or config.baseline,
        fix=request.fix,
        unsafe_fixes=request.unsafe_fixes,
    )


def _sort_key(item: tuple[Diagnostic, FileJob]) -> tuple[str, int, int, str, str, str]:
    diagnostic, job = item
    span = diagnostic.span
    file, line, column = (
        (span.file, span.start.line, span.start.column) if span else (job.path, 0, 0)
    )
    return (file, line, column, diagnostic.code.id, diagnostic.message, diagnostic.dotted_path)


def run(request: LintRequest, registries: Registries) -> LintReport:
    """Lint the requested files. Raises LintUsageError for a bad request; problems in
    configuration or baseline files come back as `config_errors` (exit 2)."""
    from kiln.compiler.lint import baseline as baselines

    rules = tuple(registries.lint_rules)  # also makes their codes known to `codes`
    report = LintReport(rules=rules)
    select = _selectors(request.select, "--select", registries) if request.select else None
    ignore = _selectors(request.ignore, "--ignore", registries)
    try:
        paths, directories = expand(request.paths)
    except PathError as error:
        raise LintUsageError(str(error)) from error
    options = replace(request.compile, allow_paths=(*request.compile.allow_paths, *directories))
    configs = Configs(registries.codes, rules, request.config)
    jobs = []
    for path in paths:
        config = configs.for_file(path)
        if not config.excludes(path):
            jobs.append(FileJob(path, _settings(config, path, request, select, ignore)))
    matchers: dict[str, baselines.Matcher] = {}
    if request.write_baseline is None:
        for name in sorted({job.settings.baseline for job in jobs if job.settings.baseline}):
            loaded, errors = baselines.load(name)
            configs.errors.extend(errors)
            if loaded is not None:
                matchers[name] = baselines.Matcher(loaded)
    if configs.errors:
        report.config_errors = sorted(configs.errors, key=Diagnostic.sort_key)
        return report

    results = _run_jobs(jobs, registries, request, options)
    report.files = len(jobs)
    findings: list[tuple[Diagnostic, FileJob]] = []
    seen: set[Diagnostic] = set()
    for job, result in zip(jobs, results, strict=True):
        report.sources.update(result.sources)
        report.fixed.update(result.fixed)
        report.deferred += result.deferred
        if result.fix_problem:
            report.fix_problems.append(f"{job.path}: fixes not applied: {result.fix_problem}")
        for diagnostic in result.diagnostics:
            if diagnostic not in seen:  # a nested template linted on its own too
                seen.add(diagnostic)
                findings.append((diagnostic, job))
    findings.sort(key=_sort_key)

    if request.write_baseline is not None:
        written = baselines.build(request.write_baseline, [(d, job.path) for d, job in findings])
        write_atomic(request.write_baseline, written.to_json().encode("utf-8"))
        report.baseline_written = request.write_baseline
        report.hidden = len(findings)
        findings = []
    for matcher in matchers.values():
        matcher.note_linted(job.path for job in jobs)
    for diagnostic, job in findings:
        hider = matchers.get(job.settings.baseline or "")
        if hider is not None and hider.hides(diagnostic, job.path):
            report.hidden += 1
            continue
        report.diagnostics.append(diagnostic)
        if diagnostic.severity >= job.settings.fail_on:
            report.failed = True
    report.stale = sum(matcher.stale() for matcher in matchers.values())
    shown = files_shown(report.diagnostics)
    report.sources = {name: source for name, source in report.sources.items() if name in shown}
    return report
