"""Which codes a lint run reports: selectors by id, name or prefix, and their precedence.

A selector is a code id (`SCH003`), a kebab-case name (`unused-parameter`), an id prefix
(`SEC`, `SCH00`) or `ALL`. Both validation codes and lint rules are selected this way: a rule
that is not selected does not run at all.

Precedence is ruff's: the most specific selector that matches a code decides (an id or a name
beats any prefix, a longer prefix beats a shorter one, `ALL` is the least specific), and on a
tie `ignore` wins. So `select = [SEC], ignore = [SEC002]` runs every SEC rule but SEC002, and
`ignore = [SEC], select = [SEC002]` runs SEC002 alone of them. Per-file ignores are not
ranked: they drop what they match in their files.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from kiln.compiler.diagnostics.codes import Code, Severity

_EXACT: Final = 1000  # an id or a name: more specific than any prefix
_ID_LIKE: Final = re.compile(r"[A-Za-z]+[0-9]*")


def split_tokens(values: Iterable[str]) -> tuple[str, ...]:
    """Repeatable, comma-separated option values to single tokens (`--select A,B --select C`)."""
    return tuple(token.strip() for value in values for token in value.split(",") if token.strip())


@dataclass(frozen=True, slots=True)
class Selector:
    token: str  # as the user wrote it, for messages
    kind: str  # "all", "id", "name" or "prefix"
    value: str  # normalised: upper-case id or prefix, lower-case name

    def specificity(self, code: Code) -> int:
        """0 when the selector does not match `code`, else how specific the match is."""
        if self.kind == "all":
            return 1
        if self.kind == "name":
            return _EXACT if code.name == self.value else 0
        if self.kind == "id":
            return _EXACT if code.id == self.value else 0
        return 1 + len(self.value) if code.id.startswith(self.value) else 0


def parse_selector(token: str, codes: Mapping[str, Code]) -> Selector | None:
    """The selector `token` stands for, or None when it matches no known code."""
    if token.upper() == "ALL":
        return Selector(token, "all", "ALL")
    if _ID_LIKE.fullmatch(token):
        value = token.upper()
        if value in codes:
            return Selector(token, "id", value)
        if any(code_id.startswith(value) for code_id in codes):
            return Selector(token, "prefix", value)
    name = token.lower()
    if any(code.name == name for code in codes.values()):
        return Selector(token, "name", name)
    return None


def unknown_hint(token: str, codes: Mapping[str, Code]) -> str:
    """`; did you mean 'x'?` for a selector that matches nothing."""
    from kiln.compiler.names import suggest

    candidates = [*codes, *(code.name for code in codes.values())]
    return suggest(token, candidates)


def best(selectors: Iterable[Selector], code: Code) -> int:
    return max((selector.specificity(code) for selector in selectors), default=0)


@dataclass(frozen=True, slots=True)
class Selection:
    """What to report. An empty `select` means everything. `always_ignore` (per-file ignores)
    drops what it matches whatever is selected: it names codes for particular files."""

    select: tuple[Selector, ...] = ()
    ignore: tuple[Selector, ...] = ()
    always_ignore: tuple[Selector, ...] = ()

    def enabled(self, code: Code) -> bool:
        chosen = best(self.select, code) if self.select else 1
        if not chosen or best(self.always_ignore, code):
            return False
        return chosen > best(self.ignore, code)


def override_severity(
    overrides: Iterable[tuple[Selector, Severity]], code: Code, default: Severity
) -> Severity:
    """The severity configured for `code` by its most specific selector, else `default`."""
    chosen, level = 0, default
    for selector, severity in overrides:
        specificity = selector.specificity(code)
        if specificity > chosen:
            chosen, level = specificity, severity
    return level
