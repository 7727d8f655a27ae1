"""Function arguments beyond their shape, and what the Heat target lacks.

For every template of the unit:
- argument types and values, as Heat's functions check them (function_args.py);
- CloudFormation functions Heat does not implement (their FunctionSpec rows say in_heat=False):
  Fn::Sub, Fn::Cidr, Fn::Length, Fn::ToJsonString, Fn::ImportValue, Fn::GetStackOutput,
  Fn::Transform, Condition inside conditions, Fn::Join/Select/Split inside conditions, and
  Fn::FindInMap's DefaultValue form (heat/engine/cfn/functions.py FindInMap takes exactly three
  arguments). AWS accepts all of these; Heat keeps an unknown function as a plain map, or
  rejects it in a condition;
- in HOT, a single-key map whose key looks like a misspelt function of this version
  (`get_resrc`, `list-join`, `getattr`): Heat keeps it as a plain map (surprises #1 and #4) and
  the mistake surfaces far away, if at all. A warning, with did-you-mean; only keys close to a
  spelling and whose value has the shape that function takes, so real maps stay quiet.
"""

import difflib
from collections.abc import Sequence
from functools import lru_cache
from typing import Final

from kiln.compiler.diagnostics import DiagnosticSink, LogicalPath
from kiln.compiler.diagnostics import codes as c
from kiln.compiler.functions import FunctionRegistry
from kiln.compiler.ir import expr as e
from kiln.compiler.ir.nodes import Template
from kiln.compiler.passes import PassContext
from kiln.compiler.passes.function_args import MAKE_URL_KEYS, ArgumentChecker
from kiln.compiler.passes.resource_attributes import AttributeResolver
from kiln.compiler.passes.sites import Site, expressions, label, name_span
from kiln.compiler.passes.static_types import StaticTypes
from kiln.compiler.unit import CompilationUnit

# What each HOT function takes as a whole ("str", "list", "map"), and the keys of map forms:
# a near-miss key is reported only when its value fits the function it resembles.
ARGUMENT_SHAPES: Final[dict[str, frozenset[str]]] = {
    "get_param": frozenset({"str", "list"}),
    "get_resource": frozenset({"str"}),
    "get_attr": frozenset({"list"}),
    "get_file": frozenset({"str"}),
    "resource_facade": frozenset({"str"}),
    "list_join": frozenset({"list"}),
    "digest": frozenset({"list"}),
    "str_split": frozenset({"list"}),
    "map_merge": frozenset({"list"}),
    "map_replace": frozenset({"list"}),
    "if": frozenset({"list"}),
    "filter": frozenset({"list"}),
    "list_concat": frozenset({"list"}),
    "list_concat_unique": frozenset({"list"}),
    "contains": frozenset({"list"}),
    "str_replace": frozenset({"map"}),
    "str_replace_strict": frozenset({"map"}),
    "str_replace_vstrict": frozenset({"map"}),
    "repeat": frozenset({"map"}),
    "yaql": frozenset({"map"}),
    "make_url": frozenset({"map"}),
}
MAP_KEYS: Final[dict[str, frozenset[str]]] = {
    "str_replace": frozenset({"template", "params"}),
    "str_replace_strict": frozenset({"template", "params"}),
    "str_replace_vstrict": frozenset({"template", "params"}),
    "repeat": frozenset({"for_each", "template", "permutations"}),
    "yaql": frozenset({"expression", "data"}),
    "make_url": frozenset(MAKE_URL_KEYS),
}
# What Heat's own vocabulary offers instead of an AWS-only function.
HEAT_INSTEAD: Final = {
    "Fn::Sub": "; Fn::Join or Fn::Replace do this in Heat",
    "Fn::Length": "",
    "Fn::Cidr": "",
    "Fn::ImportValue": "; pass the value in as a parameter",
    "Fn::GetStackOutput": "; pass the value in as a parameter",
}
MIN_FUZZY_LENGTH: Final = 5
MAX_DISTANCE: Final = 2


def check_functions(unit: CompilationUnit, context: PassContext) -> CompilationUnit:
    resolver = AttributeResolver(unit, context.registries.schemas)
    functions: FunctionRegistry = context.registries.functions
    for template in unit.all_templates():
        _Checker(unit, template, resolver, functions, context.sink).run()
    return unit


class _Checker:
    def __init__(
        self,
        unit: CompilationUnit,
        template: Template,
        resolver: AttributeResolver,
        functions: FunctionRegistry,
        sink: DiagnosticSink,
    ) -> None:
        self.unit = unit
        self.template = template
        self.functions = functions
        self.sink = sink
        types = StaticTypes(
            template, lambda name, attribute: resolver.attribute_type(template, name, attribute)
        )
        self.arguments = ArgumentChecker(template, types, sink)
        self.candidates = tuple(self._value_spellings()) if template.dialect == "hot" else ()

    def run(self) -> None:
        cfn = self.template.dialect == "cfn"
        checked = self.arguments.checks
        for site, found in expressions(self.template):
            for node, path in found:
                if type(node) in checked:  # its path only then: most nodes have no check
                    self.arguments.check(node, (*path, label(node)))
                if cfn:
                    self.not_in_heat(node, path, site)
                elif isinstance(node, e.MapExpr) and site.context == "value":
                    self.misspelt(node, path, site)

    # --- CloudFormation functions Heat lacks -------------------------------------------------

    def not_in_heat(self, node: e.Expr, path: LogicalPath, site: Site) -> None:
        spelling = getattr(node, "spelling", "")
        if not isinstance(spelling, str) or not spelling:
            return
        rows = self.functions.rows("cfn", spelling)
        matching = [row for row in rows if site.context in row.contexts]
        if not matching:
            return
        if any(row.in_heat for row in matching):
            if isinstance(node, e.FindInMap) and node.default is not None:
                consequence = (
                    "Heat's Fn::FindInMap takes exactly [map, top-level key, second-level key], "
                    "so the DefaultValue form fails"
                )
                self.report_not_in_heat(node, spelling, path, consequence)
            return
        if site.context == "condition" and any(
            row.in_heat and "value" in row.contexts for row in rows
        ):
            consequence = (
                f'Heat rejects it in a condition ("The function \\"{spelling}\\" is invalid in '
                'this context")'
            )
        elif spelling == "Condition":
            consequence = (
                "Heat's conditions have no Condition function; it reads {Condition: ...} as a "
                "plain map, which is no valid condition"
            )
        else:
            consequence = (
                f"Heat does not implement it and keeps {{{spelling!r}: ...}} as a plain map"
                f"{HEAT_INSTEAD.get(spelling, '')}"
            )
        self.report_not_in_heat(node, spelling, path, consequence)

    def report_not_in_heat(
        self, node: e.Expr, spelling: str, path: LogicalPath, consequence: str
    ) -> None:
        span = name_span(self.unit.sources, node.span, spelling, whole_word=False)
        where = (*path, spelling)
        code = c.FUNCTION_NOT_IN_HEAT
        self.sink.report(code, span, where, name=spelling, consequence=consequence)

    # --- misspelt HOT functions --------------------------------------------------------------

    def _value_spellings(self) -> list[str]:
        found = []
        for spelling in self.functions.spellings("hot"):
            lookup = self.functions.lookup("hot", spelling, self.template.version, "value")
            if lookup is not None and lookup.status == "ok" and spelling in ARGUMENT_SHAPES:
                found.append(spelling)
        return found

    def misspelt(self, node: e.MapExpr, path: LogicalPath, site: Site) -> None:
        if len(node.items) != 1:
            return
        if path == site.path and site.field == "properties":
            return  # property names: validate_schema checks them against the schema
        key, value = next(iter(node.items.items()))
        if self.functions.rows("hot", key):
            return  # a real spelling in another version or context: the frontend said so
        target = _near_miss(key, self.candidates)
        if target is None or not fits(target, value):
            return
        self.sink.report(
            c.MISSPELT_FUNCTION,
            node.key_span(key) or node.span,
            (*path, key),
            key=key,
            version=self.template.version_spelling or self.template.version,
            hint=f"; did you mean {target!r}?",
        )


def near_miss(key: str, candidates: Sequence[str]) -> str | None:
    """The function spelling `key` most likely misspells, or None."""
    return _near_miss(key, tuple(candidates))


# Keys repeat across a template and across templates (`template`, `params`, property names);
# the verdict depends only on the key and the version's spellings.
@lru_cache(maxsize=4096)
def _near_miss(key: str, candidates: tuple[str, ...]) -> str | None:
    normal = key.lower().replace("-", "_")
    squashed = normal.replace("_", "")
    for spelling in candidates:
        if normal == spelling or squashed == spelling.replace("_", ""):
            return spelling
    if key.startswith("get_"):
        getters = [s for s in candidates if s.startswith("get_")]
        close = difflib.get_close_matches(key, getters, n=1, cutoff=0.6)
        if close:
            return close[0]
    if len(normal) < MIN_FUZZY_LENGTH:
        return None
    best: tuple[int, str] | None = None
    for spelling in candidates:
        # The distance is at least the difference in length: most keys stop here.
        if len(spelling) < MIN_FUZZY_LENGTH or abs(len(spelling) - len(normal)) > MAX_DISTANCE:
            continue
        distance = edit_distance(normal, spelling, MAX_DISTANCE)
        if distance <= MAX_DISTANCE and (best is None or distance < best[0]):
            best = (distance, spelling)
    return best[1] if best else None


def fits(spelling: str, value: e.Expr) -> bool:
    """Whether `value` has the shape `spelling` takes (a literal string, list or map with the
    function's keys): a near-miss key with another shape is more likely a real map key."""
    shapes = ARGUMENT_SHAPES.get(spelling, frozenset())
    if isinstance(value, e.Str):
        return "str" in shapes
    if isinstance(value, e.ListExpr):
        return "list" in shapes and bool(value.items)
    if isinstance(value, e.MapExpr):
        keys = MAP_KEYS.get(spelling)
        if "map" not in shapes or keys is None:
            return False
        return bool(value.items) and set(value.items) <= keys
    return False


def edit_distance(a: str, b: str, limit: int | None = None) -> int:
    """Levenshtein distance (insertions, deletions, substitutions). With `limit`, a distance
    above it is returned as limit + 1, and the search stops as soon as no alignment can stay
    within it (Ukkonen's cut-off: only a band of the table is needed)."""
    if limit is None:
        limit = max(len(a), len(b))
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    width = len(b)
    beyond = limit + 1
    previous = list(range(width + 1))
    for i, char_a in enumerate(a, start=1):
        # Cells further than `limit` from the diagonal cannot be within the limit.
        low = max(1, i - limit)
        high = min(width, i + limit)
        current = [beyond] * (width + 1)
        if low == 1:
            current[0] = i
        row_best = current[0]
        for j in range(low, high + 1):
            cost = 0 if char_a == b[j - 1] else 1
            value = previous[j - 1] + cost
            if previous[j] + 1 < value:
                value = previous[j] + 1
            if current[j - 1] + 1 < value:
                value = current[j - 1] + 1
            if value > beyond:
                value = beyond
            current[j] = value
            if value < row_best:
                row_best = value
        if row_best > limit:
            return beyond
        previous = current
    return min(previous[width], beyond)
