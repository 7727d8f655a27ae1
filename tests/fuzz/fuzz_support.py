"""Shared pieces of the property tests: compiling bytes from a temporary file, and checking
that every diagnostic points inside a file Kiln read."""

import itertools
from pathlib import Path

from kiln.compiler.driver import CompileResult, compile_file
from kiln.plugins.host import Registries

_counter = itertools.count()


def compile_bytes(directory: Path, name: str, data: bytes, registries: Registries) -> CompileResult:
    """Write `data` to a fresh file named like `name` and compile it. Any exception escapes:
    an exception is an internal error, which the property tests treat as a failure."""
    path = directory / f"{next(_counter)}-{name}"
    path.write_bytes(data)
    try:
        return compile_file(str(path), registries)
    finally:
        path.unlink()


def span_problems(result: CompileResult) -> list[str]:
    """Every diagnostic (and note) whose span is not None and not inside a file that was read."""
    problems = []
    for diagnostic in result.diagnostics:
        located = [(diagnostic.code.id, diagnostic.span)]
        located += [(f"{diagnostic.code.id} note", note.span) for note in diagnostic.notes]
        for what, span in located:
            if span is None:
                continue
            source = result.sources.get(span.file)
            if source is None:
                problems.append(f"{what}: span in {span.file!r}, a file that was not read")
                continue
            start, end = span.start, span.end
            if not 1 <= start.line <= source.line_count or not 1 <= end.line <= source.line_count:
                problems.append(f"{what}: lines {start.line}-{end.line} of {source.line_count}")
            if start.column < 1 or end.column < 1:
                problems.append(f"{what}: column {start.column}-{end.column}")
            if not 0 <= start.offset <= end.offset <= len(source.text):
                problems.append(
                    f"{what}: offsets {start.offset}-{end.offset} of {len(source.text)}"
                )
    return problems
