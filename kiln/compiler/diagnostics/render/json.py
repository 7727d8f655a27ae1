"""A JSON list of flat objects, one per diagnostic; stable keys for tools."""

import json
from collections.abc import Mapping, Sequence
from typing import Any

from kiln.compiler.diagnostics import Diagnostic
from kiln.compiler.source import SourceFile


def to_dict(diagnostic: Diagnostic) -> dict[str, Any]:
    span = diagnostic.span
    return {
        "file": span.file if span else None,
        "line": span.start.line if span else None,
        "column": span.start.column if span else None,
        "end_line": span.end.line if span else None,
        "end_column": span.end.column if span else None,
        "code": diagnostic.code.id,
        "name": diagnostic.code.name,
        "severity": str(diagnostic.severity),
        "message": diagnostic.message,
        "path": diagnostic.dotted_path,
        "notes": [
            {
                "message": note.message,
                "file": note.span.file if note.span else None,
                "line": note.span.start.line if note.span else None,
                "column": note.span.start.column if note.span else None,
            }
            for note in diagnostic.notes
        ],
        "fix": diagnostic.fix.description if diagnostic.fix else None,
    }


def render_json(diagnostics: Sequence[Diagnostic], sources: Mapping[str, SourceFile]) -> str:
    del sources  # positions are already in the diagnostics
    return json.dumps([to_dict(item) for item in diagnostics], indent=2) + "\n"
