"""Suppressions: findings the template's author has looked at and accepted.

Four forms, each naming codes by id, kebab-case name or prefix (`SCH003`, `unused-parameter`,
`SEC`), several separated by commas:

- `# kiln: ignore[CODE,...]` at the end of a line covers findings that start on that line; on a
  line of its own it covers the next line that is not blank or a comment. A bare
  `# kiln: ignore` covers every code there (like `# noqa`; prefer naming the codes).
- `# kiln: ignore-file[CODE,...]` on any line covers the whole file (bare: every code). HOT has
  no template-level metadata, so this is its file-level form.
- CloudFormation template metadata: `Metadata: {kiln: {ignore: [CODE, ...]}}` covers the file.
- Resource metadata, `metadata:` in HOT and `Metadata:` in CloudFormation, with the same
  `kiln: {ignore: [...]}` covers every finding whose logical path is inside that resource.

JSON has no comments, so only the metadata forms work there. A `#` inside a string or a block
scalar is text, not a comment: comments are looked for only outside the file's scalars.

A suppression that suppressed nothing is LNT001 (unused-suppression), one naming no known
code LNT002; both only for the linted file itself, and LNT001 only for codes that could have
been reported (selected), so disabling a rule does not make its suppressions noise.
"""

import bisect
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Final

from kiln.compiler.diagnostics import Diagnostic, LogicalPath, make
from kiln.compiler.diagnostics import codes as c
from kiln.compiler.diagnostics.codes import Code
from kiln.compiler.ir import expr as e
from kiln.compiler.ir.nodes import Template
from kiln.compiler.lint.select import Selector, parse_selector, unknown_hint
from kiln.compiler.source import SourceFile, Span
from kiln.compiler.unit import CompilationUnit

MARKER: Final = re.compile(
    r"#\s*kiln:\s*ignore(?P<file>-file)?(?![\w-])(?:\[(?P<codes>[^\]\n]*)\])?"
)
_TOKEN: Final = re.compile(r"[^,\s]+")


@dataclass(slots=True)
class Token:
    """One code named by a suppression (or `None`: every code)."""

    text: str | None
    selector: Selector | None
    span: Span | None
    used: bool = False

    def covers(self, code: Code) -> bool:
        if self.text is None:
            return True
        return self.selector is not None and self.selector.specificity(code) > 0


@dataclass(slots=True)
class Suppression:
    kind: str  # "inline", "file-level", "template metadata", "resource metadata"
    file: str
    tokens: list[Token]
    lines: frozenset[int] = frozenset()  # inline: the lines covered
    resource: str | None = None  # resource metadata: whose
    resource_span: Span | None = None
    path: LogicalPath = ()  # metadata: the logical path of the ignore list

    def covers(self, diagnostic: Diagnostic) -> bool:
        if self.kind == "inline":
            return diagnostic.span is not None and diagnostic.span.start.line in self.lines
        if self.resource is not None:
            return _in_resource(diagnostic, self.resource, self.resource_span)
        return True


def _in_resource(diagnostic: Diagnostic, name: str, span: Span | None) -> bool:
    path = diagnostic.path
    if len(path) >= 2 and path[0] in ("Resources", "resources"):
        return path[1] == name
    found = diagnostic.span
    return (
        not path
        and found is not None
        and span is not None
        and span.start.offset <= found.start.offset < span.end.offset
    )


# --- finding suppressions -----------------------------------------------------------------


def _tokens(
    text: str | None, base: int, source: SourceFile, codes: Mapping[str, Code]
) -> list[Token]:
    if text is None:
        return [Token(None, None, None)]
    return [
        Token(
            match[0],
            parse_selector(match[0], codes),
            source.span(base + match.start(), base + match.end()),
        )
        for match in _TOKEN.finditer(text)
    ]


def comment_suppressions(source: SourceFile, codes: Mapping[str, Code]) -> list[Suppression]:
    """The `# kiln: ignore...` comments of a file."""
    text = source.text
    if "kiln:" not in text:
        return []
    inside_scalar = _scalar_test(source)
    found: list[Suppression] = []
    for number in range(1, source.line_count + 1):
        line = source.line_text(number)
        if "kiln:" not in line:
            continue
        start = source.line_start(number)
        for match in MARKER.finditer(line):
            hash_at = match.start()
            if hash_at and not line[hash_at - 1].isspace():
                continue  # `a#kiln: ignore` is not a YAML comment
            if inside_scalar(start + hash_at):
                continue
            codes_text = match["codes"]
            base = start + match.start("codes") if codes_text is not None else 0
            if codes_text is not None and not codes_text.strip():
                codes_text = None  # `ignore[]`: read as bare
            span = source.span(start + hash_at, start + match.end())
            tokens = _tokens(codes_text, base, source, codes)
            for token in tokens:
                token.span = token.span or span
            if match["file"]:
                found.append(Suppression("file-level", source.path, tokens))
                continue
            standalone = not line[:hash_at].strip()
            covered = _next_content_line(source, number) if standalone else number
            found.append(Suppression("inline", source.path, tokens, frozenset({covered})))
    return found


def _next_content_line(source: SourceFile, number: int) -> int:
    line = number + 1
    while line <= source.line_count:
        stripped = source.line_text(line).strip()
        if stripped and not stripped.startswith("#"):
            return line
        line += 1
    return number


def _scalar_test(source: SourceFile) -> Callable[[int], bool]:
    """Whether an offset lies inside a scalar (a string, a key, a block scalar)."""
    from kiln.frontends.loader import load_text
    from kiln.frontends.syntax import LMap, LNode, LScalar, LSeq

    root = load_text(source.text, source.path).root
    intervals: list[tuple[int, int]] = []
    stack: list[LNode] = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, LScalar):
            if node.span is not None:
                intervals.append((node.span.start.offset, node.span.end.offset))
        elif isinstance(node, LSeq):
            stack.extend(node.items)
        elif isinstance(node, LMap):
            for key, value in node.entries:
                stack.append(key)
                stack.append(value)
    intervals.sort()
    starts = [start for start, _ in intervals]

    def inside(offset: int) -> bool:
        index = bisect.bisect_right(starts, offset) - 1
        return index >= 0 and intervals[index][0] <= offset < intervals[index][1]

    return inside


def _metadata_tokens(
    metadata: e.Expr | None, codes: Mapping[str, Code]
) -> tuple[list[Token], LogicalPath] | None:
    """The `kiln: {ignore: [...]}` entry of a metadata mapping, or None."""
    if not isinstance(metadata, e.MapExpr):
        return None
    kiln = metadata.items.get("kiln")
    ignore = kiln.items.get("ignore") if isinstance(kiln, e.MapExpr) else None
    if ignore is None:
        return None
    items = ignore.items if isinstance(ignore, e.ListExpr) else (ignore,)
    tokens: list[Token] = []
    for item in items:
        if isinstance(item, e.Str):
            for text in (part.strip() for part in item.value.split(",")):
                if text:
                    tokens.append(Token(text, parse_selector(text, codes), item.span))
    return tokens, ("kiln", "ignore")


def metadata_suppressions(template: Template, codes: Mapping[str, Code]) -> list[Suppression]:
    found: list[Suppression] = []
    cfn = template.dialect == "cfn"
    if cfn:
        entry = _metadata_tokens(template.metadata, codes)
        if entry is not None:
            tokens, path = entry
            found.append(
                Suppression("template metadata", template.file, tokens, path=("Metadata", *path))
            )
    for name, resource in template.resources.items():
        entry = _metadata_tokens(resource.metadata, codes)
        if entry is not None:
            tokens, path = entry
            section, key = ("Resources", "Metadata") if cfn else ("resources", "metadata")
            found.append(
                Suppression(
                    "resource metadata",
                    template.file,
                    tokens,
                    resource=name,
                    resource_span=resource.span,
                    path=(section, name, key, *path),
                )
            )
    return found


# --- applying them -------------------------------------------------------------------------


@dataclass
class Suppressor:
    """The suppressions of every file a unit's findings point into, read on first need."""

    unit: CompilationUnit | None
    sources: Mapping[str, SourceFile]
    codes: Mapping[str, Code]
    root: str
    _by_file: dict[str, list[Suppression]] = field(default_factory=dict)

    def of(self, file: str) -> list[Suppression]:
        found = self._by_file.get(file)
        if found is None:
            found = []
            source = self.sources.get(file)
            if source is not None:
                found.extend(comment_suppressions(source, self.codes))
            template = self.unit.templates.get(file) if self.unit is not None else None
            if template is not None:
                found.extend(metadata_suppressions(template, self.codes))
            self._by_file[file] = found
        return found

    def suppressed(self, diagnostic: Diagnostic, *, mark: bool = True) -> bool:
        """Whether a suppression covers `diagnostic`; the suppressions that do are marked
        used (every one of them, so a redundant pair is not reported as unused)."""
        file = diagnostic.span.file if diagnostic.span is not None else self.root
        hit = False
        for suppression in self.of(file):
            if not suppression.covers(diagnostic):
                continue
            for token in suppression.tokens:
                if token.covers(diagnostic.code):
                    hit = True
                    if mark:
                        token.used = True
        return hit

    def problems(self, could_report: Callable[[Code], bool]) -> Iterator[Diagnostic]:
        """LNT002 for every token naming nothing, LNT001 for every unused one that names a
        code `could_report`, in the linted file's own suppressions."""
        suppressions = self.of(self.root)
        if not suppressions:
            return
        candidates = [code for code in self.codes.values() if could_report(code)]
        for suppression in suppressions:
            where = f" in resource {suppression.resource!r}" if suppression.resource else ""
            for token in suppression.tokens:
                span = token.span
                if token.text is not None and token.selector is None:
                    yield make(
                        c.UNKNOWN_SUPPRESSED_CODE, span, suppression.path, kind=suppression.kind,
                        token=token.text, hint=unknown_hint(token.text, self.codes),
                    )  # fmt: skip
                    continue
                if token.used or not any(token.covers(code) for code in candidates):
                    continue
                what = "every code" if token.text is None else repr(token.text)
                yield make(
                    c.UNUSED_SUPPRESSION, span or _whole_file(self.sources.get(self.root)),
                    suppression.path, kind=suppression.kind, what=what, where=where,
                )  # fmt: skip


def _whole_file(source: SourceFile | None) -> Span | None:
    return source.span(0, 0) if source is not None else None
