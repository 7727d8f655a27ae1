"""Lint configuration: `.kiln.yaml` (or `.kiln.yml`), or `[tool.kiln]` in pyproject.toml.

Each linted file takes the configuration nearest to it, found by walking up from its
directory (a pyproject.toml without `[tool.kiln]` is passed over; in one directory `.kiln.yaml`
wins over pyproject.toml). `--config FILE` replaces discovery for every file. Paths and globs in
a configuration are relative to the directory of the file they are written in.

A configuration is checked against `config.schema.json` (jsonschema, imported only when a
configuration file exists), then every code, rule and setting it names is looked up. Each
problem is an LNT003 diagnostic at the offending key or item: YAML positions come from Kiln's
located loader; TOML's are the line of the key (tomllib keeps no positions).
"""

import importlib
import json
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, cast

from kiln.compiler.diagnostics import Diagnostic, LogicalPath, make
from kiln.compiler.diagnostics import codes as c
from kiln.compiler.diagnostics.codes import Code, Severity
from kiln.compiler.lint import files
from kiln.compiler.lint.rule import LintRule, Target
from kiln.compiler.lint.select import Selector, parse_selector, split_tokens, unknown_hint
from kiln.compiler.source import SourceFile, Span

CONFIG_NAMES: Final = (".kiln.yaml", ".kiln.yml", "pyproject.toml")
SEVERITIES: Final[Mapping[str, Severity]] = {
    "error": Severity.ERROR,
    "warning": Severity.WARNING,
    "info": Severity.INFO,
    "hint": Severity.HINT,
}
WHAT: Final = "lint configuration"

Locate = Callable[[LogicalPath, bool], Span | None]  # (path, at the key?) -> span


@dataclass(frozen=True, slots=True)
class LintConfig:
    """One configuration file, checked and resolved (selectors parsed, paths absolute)."""

    path: str | None  # None: no configuration file applies
    directory: str
    select: tuple[Selector, ...] | None = None
    ignore: tuple[Selector, ...] = ()
    fail_on: Severity | None = None
    target: Target | None = None
    baseline: str | None = None
    exclude: tuple[str, ...] = ()
    severity: tuple[tuple[Selector, Severity], ...] = ()
    rules: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    per_file_ignores: tuple[tuple[str, tuple[Selector, ...]], ...] = ()

    def excludes(self, path: str) -> bool:
        if not self.exclude:
            return False
        relative = files.relative_to(path, self.directory)
        return any(files.matches(pattern, relative) for pattern in self.exclude)

    def ignores_for(self, path: str) -> tuple[Selector, ...]:
        if not self.per_file_ignores:
            return ()
        relative = files.relative_to(path, self.directory)
        return tuple(
            selector
            for pattern, selectors in self.per_file_ignores
            if files.matches(pattern, relative)
            for selector in selectors
        )


class Configs:
    """Finds and reads the configuration of each linted file, each configuration file once.
    Problems found in configuration files collect in `errors`."""

    def __init__(
        self, codes: Mapping[str, Code], rules: Sequence[LintRule], explicit: str | None = None
    ) -> None:
        self.codes = codes
        self.rules = rules
        self.errors: list[Diagnostic] = []
        self._configs: dict[str, LintConfig | None] = {}  # configuration file -> its reading
        self._by_directory: dict[str, str | None] = {}
        self._explicit: LintConfig | None = None
        if explicit is not None:
            self._explicit = self._read(explicit, required=True) or LintConfig(
                explicit, os.path.dirname(os.path.abspath(explicit))
            )

    def for_file(self, path: str) -> LintConfig:
        if self._explicit is not None:
            return self._explicit
        directory = os.path.dirname(os.path.abspath(path))
        found = self._find(directory)
        if found is None:
            return LintConfig(None, os.getcwd())
        if found not in self._configs:
            self._configs[found] = self._read(found, required=False)
        return self._configs[found] or LintConfig(None, os.getcwd())

    def _find(self, directory: str) -> str | None:
        """The nearest configuration file at or above `directory`."""
        visited: list[str] = []
        found: str | None = None
        current = directory
        while True:
            if current in self._by_directory:
                found = self._by_directory[current]
                break
            visited.append(current)
            found = next(
                (
                    os.path.join(current, name)
                    for name in CONFIG_NAMES
                    if _is_config(os.path.join(current, name))
                ),
                None,
            )
            if found is not None:
                break
            parent = os.path.dirname(current)
            if parent == current:
                break
            current = parent
        for directory_seen in visited:
            self._by_directory[directory_seen] = found
        return found

    def _read(self, path: str, *, required: bool) -> LintConfig | None:
        config, errors = read_config(path, self.codes, self.rules, required=required)
        self.errors.extend(errors)
        return config


def _is_config(path: str) -> bool:
    if not os.path.isfile(path):
        return False
    if not path.endswith(".toml"):
        return True
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError):
        return False
    return "tool.kiln" in text  # parsed (and checked) only when it says so


def read_config(
    path: str, codes: Mapping[str, Code], rules: Sequence[LintRule], *, required: bool = True
) -> tuple[LintConfig | None, list[Diagnostic]]:
    """Read, check and resolve one configuration file. (None, []) for a pyproject.toml
    without `[tool.kiln]` when the file was only found, not named."""
    document = _load_toml(path, required) if path.endswith(".toml") else _load_yaml(path)
    if isinstance(document, list):
        return None, document
    if document is None:
        return None, []
    data, locate = document
    errors = _schema_errors(data, locate)
    if errors:
        return None, sorted(errors, key=Diagnostic.sort_key)
    checker = _Checker(path, codes, rules, locate)
    config = checker.resolve(data)
    if checker.errors:
        return None, sorted(checker.errors, key=Diagnostic.sort_key)
    return config, []


# --- reading -------------------------------------------------------------------------------


def _error(span: Span | None, problem: str, what: str = WHAT) -> Diagnostic:
    return make(c.INVALID_LINT_CONFIG, span, what=what, problem=problem)


def _load_yaml(path: str) -> tuple[dict[str, Any], Locate] | list[Diagnostic]:
    from kiln.frontends.loader import load_file
    from kiln.frontends.syntax import LMap, describe, to_plain

    result = load_file(path)
    problems = [d for d in result.diagnostics if d.severity >= Severity.ERROR]
    if any(d.code is c.EMPTY_DOCUMENT for d in problems):
        return {}, lambda path, key: None
    if problems:
        return [_error(d.span or _file_span(path), d.message) for d in problems]
    root = result.root
    if not isinstance(root, LMap):
        span = root.span if root is not None else _file_span(path)
        return [_error(span, f"the file must hold a mapping, not {describe(root)}")]
    return cast(dict[str, Any], to_plain(root)), lambda where, key: _yaml_span(root, where, key)


def _yaml_span(root: Any, where: LogicalPath, key: bool) -> Span | None:
    """The span of the node at `where` (of its key, when `key`), or of its nearest ancestor."""
    from kiln.frontends.syntax import LMap, LSeq

    node = root
    span: Span | None = root.span
    for index, item in enumerate(where):
        if isinstance(node, LMap) and isinstance(item, str) and item in node:
            key_node = node.key_node(item)
            value = node.get(item)
            if value is None:
                break
            node = value
            at_key = key and index == len(where) - 1
            span = key_node.span if at_key and key_node is not None else value.span
        elif isinstance(node, LSeq) and isinstance(item, int) and item < len(node.items):
            node = node.items[item]
            span = node.span
        else:
            break
    return span


def _file_span(path: str) -> Span:
    return SourceFile(path, "").span(0, 0)


_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


def _load_toml(
    path: str, required: bool
) -> tuple[dict[str, Any], Locate] | list[Diagnostic] | None:
    import tomllib

    try:
        with open(path, "rb") as handle:
            raw = handle.read()
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return [_error(_file_span(path), f"cannot read {path}: {error}")]
    source = SourceFile(path, text)
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        match = _TOML_POSITION.search(message)
        span = source.span(0, 0)
        if match:
            offset = source.line_start(int(match[1])) + int(match[2]) - 1
            span = source.span(offset, offset)
            message = message[: match.start()].rstrip()
        return [_error(span, f"invalid TOML: {message}")]
    tool = document.get("tool")
    data = tool.get("kiln") if isinstance(tool, dict) else None
    if data is None:
        if required:
            return [_error(source.span(0, 0), "no [tool.kiln] table in this pyproject.toml")]
        return None
    keys = _toml_keys(source)
    return cast(dict[str, Any], data), lambda where, key: _toml_span(source, keys, where)


_TOML_KEY_PART = r'(?:"(?:[^"\\]|\\.)*"|\'[^\']*\'|[A-Za-z0-9_-]+)'
_TOML_KEY = re.compile(rf"\s*({_TOML_KEY_PART}(?:\s*\.\s*{_TOML_KEY_PART})*)\s*=")
_TOML_HEADER = re.compile(rf"\s*\[\s*({_TOML_KEY_PART}(?:\s*\.\s*{_TOML_KEY_PART})*)\s*\]")


def _toml_parts(dotted: str) -> tuple[str, ...]:
    return tuple(
        part.strip()[1:-1] if part.strip()[:1] in ('"', "'") else part.strip()
        for part in re.findall(_TOML_KEY_PART, dotted)
    )


def _toml_keys(source: SourceFile) -> dict[tuple[str, ...], Span]:
    """Full key path -> span of the key, for every table header and `key =` line."""
    keys: dict[tuple[str, ...], Span] = {}
    table: tuple[str, ...] = ()
    for number in range(1, source.line_count + 1):
        line = source.line_text(number)
        start = source.line_start(number)
        header = _TOML_HEADER.match(line)
        if header:
            table = _toml_parts(header[1])
            keys.setdefault(table, source.span(start + header.start(1), start + header.end(1)))
            continue
        key = _TOML_KEY.match(line)
        if key:
            full = (*table, *_toml_parts(key[1]))
            keys.setdefault(full, source.span(start + key.start(1), start + key.end(1)))
    return keys


def _toml_span(
    source: SourceFile, keys: Mapping[tuple[str, ...], Span], where: LogicalPath
) -> Span:
    full = ("tool", "kiln", *(str(item) for item in where if isinstance(item, str)))
    for length in range(len(full), 0, -1):
        span = keys.get(full[:length])
        if span is not None:
            return span
    return source.span(0, 0)


# --- checking ------------------------------------------------------------------------------


_SCHEMA: dict[str, Any] | None = None


def schema() -> dict[str, Any]:
    global _SCHEMA
    if _SCHEMA is None:
        from importlib import resources

        text = resources.files("kiln.compiler.lint").joinpath("config.schema.json").read_text()
        _SCHEMA = json.loads(text)
    return _SCHEMA


def _schema_errors(data: Mapping[str, Any], locate: Locate) -> list[Diagnostic]:
    # Only when a configuration file exists (it costs start-up time), and by name so that
    # type-checking does not depend on jsonschema's stubs (as resource_types/registry.py).
    jsonschema = importlib.import_module("jsonschema")
    from kiln.compiler.names import suggest

    validator = jsonschema.Draft202012Validator(schema())
    errors: list[Diagnostic] = []
    known = sorted(schema()["properties"])
    for error in sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.path]):
        where: LogicalPath = tuple(error.absolute_path)
        if error.validator == "additionalProperties" and not where:
            for key in sorted(set(error.instance) - set(known)):
                problem = f"unknown key {key!r}{suggest(key, known)}"
                errors.append(_error(locate((key,), True), problem))
            continue
        dotted = ".".join(str(item) for item in where) or "the configuration"
        errors.append(_error(locate(where, False), f"{dotted}: {error.message}"))
    return errors


class _Checker:
    """Resolves a schema-valid configuration; what it names must exist."""

    def __init__(
        self, path: str, codes: Mapping[str, Code], rules: Sequence[LintRule], locate: Locate
    ) -> None:
        self.path = path
        self.directory = os.path.dirname(os.path.abspath(path))
        self.codes = codes
        self.rules = rules
        self.locate = locate
        self.errors: list[Diagnostic] = []

    def resolve(self, data: Mapping[str, Any]) -> LintConfig:
        select = self.selectors(data["select"], ("select",)) if "select" in data else None
        baseline = data.get("baseline")
        return LintConfig(
            path=self.path,
            directory=self.directory,
            select=select,
            ignore=self.selectors(data.get("ignore", ()), ("ignore",)),
            fail_on=SEVERITIES[data["fail-on"]] if "fail-on" in data else None,
            target=data.get("target"),
            baseline=os.path.normpath(os.path.join(self.directory, baseline)) if baseline else None,
            exclude=tuple(data.get("exclude", ())),
            severity=tuple(self.severities(data.get("severity", {}))),
            rules=self.rule_settings(data.get("rules", {})),
            per_file_ignores=tuple(
                (pattern, self.selectors(tokens, ("per-file-ignores", pattern)))
                for pattern, tokens in data.get("per-file-ignores", {}).items()
            ),
        )

    def selector(self, token: str, where: LogicalPath, key: bool) -> Selector | None:
        selector = parse_selector(token, self.codes)
        if selector is None:
            problem = (
                f"{'.'.join(str(p) for p in where[:1])}: unknown code, rule name or prefix "
                f"{token!r}{unknown_hint(token, self.codes)}"
            )
            self.errors.append(_error(self.locate(where, key), problem))
        return selector

    def selectors(self, values: Iterable[str], where: LogicalPath) -> tuple[Selector, ...]:
        found: list[Selector] = []
        for index, value in enumerate(values):
            for token in split_tokens([value]):
                selector = self.selector(token, (*where, index), False)
                if selector is not None:
                    found.append(selector)
        return tuple(found)

    def severities(self, values: Mapping[str, str]) -> Iterable[tuple[Selector, Severity]]:
        for token, level in values.items():
            selector = self.selector(token, ("severity", token), True)
            if selector is not None:
                yield selector, SEVERITIES[level]

    def rule_settings(self, values: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
        from kiln.compiler.names import suggest

        by_key = {key: r for r in self.rules for key in (r.id, r.name)}
        resolved: dict[str, dict[str, Any]] = {}
        for token, settings in values.items():
            lint_rule = by_key.get(token) or by_key.get(token.upper()) or by_key.get(token.lower())
            if lint_rule is None:
                hint = suggest(token, sorted(by_key))
                problem = f"rules: no lint rule {token!r}{hint}"
                self.errors.append(_error(self.locate(("rules", token), True), problem))
                continue
            for setting in settings:
                if setting not in lint_rule.settings:
                    known = sorted(lint_rule.settings)
                    has = f" (it has: {', '.join(known)})" if known else " (it has none)"
                    problem = f"rules: {lint_rule.name} has no setting {setting!r}{has}"
                    self.errors.append(
                        _error(self.locate(("rules", token, setting), True), problem)
                    )
            resolved.setdefault(lint_rule.name, {}).update(settings)
        return resolved
