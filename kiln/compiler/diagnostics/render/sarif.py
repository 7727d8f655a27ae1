"""SARIF 2.1.0 (OASIS): one run, for GitHub code scanning and other SARIF viewers.

- `tool.driver.rules` lists the rules that fired, sorted by id, with the code's summary, its
  documentation (from `rules`, when given) and its page (`helpUri`); `ruleIndex` points there.
- Regions are 1-based lines and columns as in Kiln's spans, the end column exclusive (SARIF's
  "column of the character following the end"); columns count Unicode code points, which the
  run declares (`columnKind`).
- Paths are relative to a root (the working directory unless given) under `uriBaseId`
  %SRCROOT%, whose absolute URI is in `originalUriBaseIds`; a file outside the root keeps
  an absolute `file://` URI.
- `partialFingerprints["kilnFinding/v1"]` hashes the relative path, the logical path and the
  code, plus an occurrence number among equal hashes: stable across edits that move lines,
  so code scanning keeps tracking an alert.
- Notes become `relatedLocations`; an `Autofix` becomes a `fix` whose replacements delete
  `charOffset`/`charLength` (0-based code points, as `TextEdit` counts) and insert the text.
"""

import hashlib
import json
import os
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote

from kiln.compiler.diagnostics import Autofix, Diagnostic, Note
from kiln.compiler.diagnostics.codes import Code
from kiln.compiler.diagnostics.render.describe import (
    SARIF_LEVEL,
    RuleInfo,
    Rules,
    doc_of,
    relative_path,
)
from kiln.compiler.source import SourceFile, Span

SARIF_SCHEMA: Final = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SARIF_VERSION: Final = "2.1.0"
TOOL_NAME: Final = "kiln"
INFORMATION_URI: Final = "https://kiln.dev/"
SRCROOT: Final = "%SRCROOT%"
FINGERPRINT: Final = "kiln/v1"


def render_sarif(
    diagnostics: Sequence[Diagnostic],
    sources: Mapping[str, SourceFile],
    *,
    rules: Rules | None = None,
    root: str | None = None,
) -> str:
    return json.dumps(sarif_log(diagnostics, sources, rules=rules, root=root), indent=2) + "\n"


def sarif_log(
    diagnostics: Sequence[Diagnostic],
    sources: Mapping[str, SourceFile],
    *,
    rules: Rules | None = None,
    root: str | None = None,
) -> dict[str, Any]:
    """The SARIF log as a JSON-ready dict."""
    base = os.path.abspath(root if root is not None else os.getcwd())
    codes = sorted({d.code.id: d.code for d in diagnostics}.values(), key=lambda c: c.id)
    index = {code.id: i for i, code in enumerate(codes)}
    seen: Counter[str] = Counter()
    results = []
    for diagnostic in diagnostics:
        result = _result(diagnostic, index[diagnostic.code.id], sources, base)
        key = _fingerprint(diagnostic, base)
        seen[key] += 1
        result["partialFingerprints"] = {FINGERPRINT: f"{key}:{seen[key]}"}
        results.append(result)
    driver: dict[str, Any] = {
        "name": TOOL_NAME,
        "informationUri": INFORMATION_URI,
        "rules": [_descriptor(code, (rules or {}).get(code.id)) for code in codes],
    }
    version = _kiln_version()
    if version:
        driver["version"] = version
        driver["semanticVersion"] = version
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "originalUriBaseIds": {SRCROOT: {"uri": Path(base).as_uri() + "/"}},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def _descriptor(code: Code, info: RuleInfo | None) -> dict[str, Any]:
    descriptor: dict[str, Any] = {
        "id": code.id,
        "name": code.name,
        "shortDescription": {"text": code.summary},
        "helpUri": code.doc_url,
        "defaultConfiguration": {"level": SARIF_LEVEL[code.default_severity]},
        "properties": {"category": code.category},
    }
    doc = doc_of(info)
    if doc is not None:
        descriptor["fullDescription"] = {"text": doc, "markdown": doc}
        descriptor["help"] = {"text": doc, "markdown": doc}
    else:
        descriptor["fullDescription"] = {"text": code.summary}
    return descriptor


def _result(
    diagnostic: Diagnostic, rule_index: int, sources: Mapping[str, SourceFile], base: str
) -> dict[str, Any]:
    location: dict[str, Any] = {}
    if diagnostic.span is not None:
        location["physicalLocation"] = _physical(diagnostic.span, base)
    if diagnostic.path:
        location["logicalLocations"] = [
            {"name": str(diagnostic.path[-1]), "fullyQualifiedName": diagnostic.dotted_path}
        ]
    result: dict[str, Any] = {
        "ruleId": diagnostic.code.id,
        "ruleIndex": rule_index,
        "level": SARIF_LEVEL[diagnostic.severity],
        "message": {"text": diagnostic.message},
        "locations": [location] if location else [],
    }
    if diagnostic.notes:
        result["relatedLocations"] = [
            _related(i, note, base) for i, note in enumerate(diagnostic.notes, start=1)
        ]
    if diagnostic.autofix is not None:
        result["fixes"] = [_fix(diagnostic.autofix, sources, base)]
    if diagnostic.fix is not None:
        result["properties"] = {"help": diagnostic.fix.description}
    return result


def _artifact(file: str, base: str) -> dict[str, Any]:
    relative = relative_path(file, base)
    if os.path.isabs(relative):
        return {"uri": Path(relative).as_uri()}
    return {"uri": quote(relative), "uriBaseId": SRCROOT}


def _physical(span: Span, base: str) -> dict[str, Any]:
    region = {
        "startLine": max(1, span.start.line),
        "startColumn": max(1, span.start.column),
        "endLine": max(1, span.end.line),
        "endColumn": max(1, span.end.column),
    }
    return {"artifactLocation": _artifact(span.file, base), "region": region}


def _related(number: int, note: Note, base: str) -> dict[str, Any]:
    location: dict[str, Any] = {"id": number, "message": {"text": note.message}}
    if note.span is not None:
        location["physicalLocation"] = _physical(note.span, base)
    return location


def _fix(autofix: Autofix, sources: Mapping[str, SourceFile], base: str) -> dict[str, Any]:
    by_file: dict[str, list[dict[str, Any]]] = {}
    for edit in autofix.edits:
        region: dict[str, Any] = {"charOffset": edit.start, "charLength": edit.end - edit.start}
        source = sources.get(edit.file)
        if source is not None:  # lines and columns too, for viewers that read only those
            start, end = source.position(edit.start), source.position(edit.end)
            region.update(
                startLine=start.line,
                startColumn=start.column,
                endLine=end.line,
                endColumn=end.column,
            )
        by_file.setdefault(edit.file, []).append(
            {"deletedRegion": region, "insertedContent": {"text": edit.text}}
        )
    return {
        "description": {"text": autofix.description},
        "artifactChanges": [
            {"artifactLocation": _artifact(file, base), "replacements": replacements}
            for file, replacements in by_file.items()
        ],
        "properties": {"safe": autofix.safe},
    }


def _fingerprint(diagnostic: Diagnostic, base: str) -> str:
    file = relative_path(diagnostic.span.file, base) if diagnostic.span is not None else ""
    key = "\0".join((file, diagnostic.dotted_path, diagnostic.code.id))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _kiln_version() -> str | None:
    from importlib import metadata  # only when rendering SARIF: it costs start-up time

    try:
        return metadata.version("kiln-iac")
    except metadata.PackageNotFoundError:
        return None
