"""CloudFormation documents -> IR Template: AWSTemplateFormatVersion, HeatTemplateFormatVersion,
or neither (AWS accepts a template without a version key).

The two formats differ only through the tables in versions.py. Syntax that is valid on AWS reads
without errors even where Heat lacks it (AWS-only keys, types, functions); reporting those for the
Heat target is the later passes' job. A user's mistake is reported and parsing goes on.
"""

from typing import Any

from kiln.compiler.diagnostics import DiagnosticSink, LogicalPath
from kiln.compiler.diagnostics import codes as c
from kiln.compiler.ir import expr as e
from kiln.compiler.ir import nodes as n
from kiln.compiler.ir.frozen import FrozenMap
from kiln.compiler.ir.types import ParamType
from kiln.compiler.names import suggest
from kiln.compiler.source import SourceFile
from kiln.frontends import sections as s
from kiln.frontends.base import ParseContext
from kiln.frontends.cfn import versions as v
from kiln.frontends.lowering import DialectRules, Lowerer, key_text
from kiln.frontends.syntax import LMap, LNode, LScalar, LSeq, describe

RULES = DialectRules(name="cfn", version_key=v.AWS_KEY, function_prefix="Fn::")
HOT_VERSION_KEY = "heat_template_version"
LANGUAGE_EXTENSIONS = "AWS::LanguageExtensions"

Table = dict[str, frozenset[str] | None]


def detect(root: LMap) -> bool:
    if v.AWS_KEY in root or v.HEAT_KEY in root:
        return True
    return HOT_VERSION_KEY not in root and "Resources" in root


def parse(source: SourceFile, root: LMap, ctx: ParseContext) -> n.Template:
    sink = ctx.sink
    key, spelling, version = _version(root, sink)
    label = f"{key} {spelling}" if key else "(no version)"
    low = Lowerer(RULES, v.function_format(version), label, ctx.functions, sink)
    reader = _Reader(low, sink, version, label, _transforms(root.get("Transform")))
    reader.check_keys(
        root, v.SECTIONS, (), v.TRANSFORM_SECTIONS, unknown=c.UNKNOWN_SECTION, what="section"
    )
    return n.Template(
        dialect="cfn",
        version=version,
        version_spelling=spelling,
        file=source.path,
        description=s.text(root.get("Description"), "Description", ("Description",), sink),
        parameters=reader.parameters(root.get("Parameters")),
        mappings=reader.mappings(root.get("Mappings")),
        conditions=reader.conditions(root.get("Conditions")),
        resources=reader.resources(root.get("Resources")),
        outputs=reader.outputs(root.get("Outputs")),
        metadata=reader.optional(root.get("Metadata"), ("Metadata",)),
        # Transform names macros; Rules use their own functions (Fn::Contains, Fn::ValueOf,
        # ...) that Heat lacks. Both are kept as data, for converters to name what they drop.
        transform=_optional_literal(root.get("Transform")),
        rules=_optional_literal(s.mapping(root.get("Rules"), "Rules", ("Rules",), sink)),
        span=root.span,
    )


def _version(root: LMap, sink: DiagnosticSink) -> tuple[str, str, str]:
    """(version key, what the user wrote, canonical version); ("", "", "") without a key."""
    for key, expected in v.VERSION_KEYS.items():
        node = root.get(key)
        if node is None:
            continue
        scalar = isinstance(node, LScalar) and node.value is not None
        spelling = str(node.value) if isinstance(node, LScalar) and scalar else ""
        version = v.version_of(key, spelling)
        if version is None:
            others = {value: name for name, value in v.VERSION_KEYS.items() if name != key}
            if spelling in others:
                hint = f"; {spelling} is the version of {others[spelling]}"
            else:
                hint = suggest(spelling, [expected]) or f"; {key} takes only {expected}"
            sink.report(
                c.UNKNOWN_VERSION,
                node.span,
                (key,),
                key=key,
                version=spelling if scalar else describe(node),
                hint=hint,
            )
            version = expected  # read on with the format the key names
        return key, spelling, version
    return "", "", v.NO_VERSION


def _transforms(node: LNode | None) -> frozenset[str]:
    """Names of the transforms a template declares: a name, a list, or {Name: ...} items."""
    items = node.items if isinstance(node, LSeq) else (node,) if node is not None else ()
    names: set[str] = set()
    for item in items:
        name = item.get("Name") if isinstance(item, LMap) else item
        if isinstance(name, LScalar) and isinstance(name.value, str):
            names.add(name.value)
    return frozenset(names)


class _Reader:
    def __init__(
        self,
        low: Lowerer,
        sink: DiagnosticSink,
        version: str,
        label: str,
        transforms: frozenset[str],
    ) -> None:
        self.low = low
        self.sink = sink
        self.version = version
        self.label = label
        self.transforms = transforms

    def check_keys(
        self,
        node: LMap,
        table: Table,
        path: LogicalPath,
        by_transform: dict[str, str],
        *,
        unknown: c.Code,
        what: str,
        **fields: Any,
    ) -> None:
        """Report keys the dialect lacks (with a suggestion) or this format does not accept.
        A key that belongs to a declared transform (SAM's Globals) is accepted."""
        for name, key, _ in s.entries(node):
            if name not in table:
                transform = by_transform.get(name)
                if transform in self.transforms:
                    continue
                hint = suggest(name, [*table, *by_transform])
                if transform is not None:
                    hint = f"; it needs Transform: {transform}"
                self.sink.report(unknown, key.span, (*path, name), key=name, hint=hint, **fields)
            elif not v.available(table, name, self.version):
                self.sink.report(
                    c.KEY_NOT_IN_VERSION,
                    key.span,
                    (*path, name),
                    what=what,
                    key=name,
                    version_key=v.AWS_KEY,
                    since=v.AWS_VERSION,
                    version=self.label,
                )

    def loop(self, name: str, key: LScalar, path: LogicalPath) -> bool:
        """Whether a section entry is a Fn::ForEach loop, which Kiln does not expand (reported)."""
        if not name.startswith(v.FOREACH_PREFIX):
            return False
        hint = (
            ""
            if LANGUAGE_EXTENSIONS in self.transforms
            else f"; it needs Transform: {LANGUAGE_EXTENSIONS}"
        )
        self.sink.report(c.FOREACH_NOT_EXPANDED, key.span, path, name=name, hint=hint)
        return True

    # --- parameters --------------------------------------------------------------------------

    def parameters(self, node: LNode | None) -> FrozenMap[str, n.Parameter]:
        return s.read_section(node, "Parameters", self.sink, self.parameter)

    def parameter(
        self, name: str, key: LScalar, node: LNode, path: LogicalPath
    ) -> n.Parameter | None:
        if _is_null(node):
            self.sink.report(c.MISSING_PARAMETER_TYPE, key.span, path, parameter=name, key="Type")
            return None
        body = s.mapping(node, f"parameter {name!r}", path, self.sink, nullable=False)
        if body is None:
            return None
        self.check_keys(
            body,
            v.PARAMETER_KEYS,
            path,
            {},
            unknown=c.UNKNOWN_PARAMETER_KEY,
            what="parameter key",
            parameter=name,
        )
        type_spelling = s.parameter_type(
            body, "Type", v.PARAMETER_TYPES, name, key, path, self.sink
        )
        kind = v.PARAMETER_TYPES.get(type_spelling)
        default = body.get("Default")
        return n.Parameter(
            name=name,
            type=ParamType(kind) if kind is not None else ParamType.STRING,
            type_spelling=type_spelling,
            default=literal(default) if default is not None else None,
            description=self.text(body, "Description", path),
            label=self.text(body, "Label", path),
            hidden=s.boolean(body.get("NoEcho"), "NoEcho", (*path, "NoEcho"), self.sink),
            constraints=self.constraints(name, body, path),
            name_span=key.span,
            span=body.span,
        )

    def constraints(
        self, parameter: str, body: LMap, path: LogicalPath
    ) -> tuple[n.Constraint, ...]:
        """CloudFormation's constraint keys as Heat's constraints, in Heat's order
        (parameters.Schema.from_dict); ConstraintDescription describes each of them."""
        description = self.text(body, "ConstraintDescription", path)

        def invalid(name: str, problem: str) -> None:
            where = body.get(name)
            span = where.span if where is not None else body.span
            self.sink.report(
                c.INVALID_CONSTRAINT,
                span,
                (*path, name),
                kind=name,
                parameter=parameter,
                problem=problem,
            )

        result: list[n.Constraint] = []
        for node_type, (low_key, high_key) in ((n.Range, v.RANGE_KEYS), (n.Length, v.LENGTH_KEYS)):
            present = [name for name in (low_key, high_key) if name in body]
            if not present:
                continue
            bounds = {name: _number(body.get(name)) for name in present}
            bad = [name for name in present if bounds[name] is None]
            for name in bad:
                invalid(name, "must be a number")
            if bad:
                continue
            low, high = bounds.get(low_key), bounds.get(high_key)
            if low is not None and high is not None and low > high:
                invalid(low_key, f"{low} is greater than {high_key} {high}")
            first = body.key_node(present[0])
            span = first.span if first is not None else body.span
            result.append(node_type(min=low, max=high, description=description, span=span))
        values = body.get("AllowedValues")
        if isinstance(values, LSeq):
            items = tuple(literal(item) for item in values.items)
            result.append(n.AllowedValues(values=items, description=description, span=values.span))
        elif values is not None:
            invalid("AllowedValues", "takes a list of values")
        pattern = body.get("AllowedPattern")
        if isinstance(pattern, LScalar) and isinstance(pattern.value, str):
            result.append(
                n.AllowedPattern(pattern=pattern.value, description=description, span=pattern.span)
            )
        elif pattern is not None:
            invalid("AllowedPattern", "takes a string")
        return tuple(result)

    # --- mappings and conditions -------------------------------------------------------------

    def mappings(self, node: LNode | None) -> FrozenMap[str, n.Mapping]:
        """Two-level literal data: map name -> top-level key -> second-level key -> value."""
        return s.read_section(node, "Mappings", self.sink, self.mapping)

    def mapping(self, name: str, key: LScalar, node: LNode, path: LogicalPath) -> n.Mapping | None:
        body = s.mapping(node, f"mapping {name!r}", path, self.sink, nullable=False)
        if body is None:
            return None
        for top, _, second in s.entries(body):
            what = f"key {top!r} of mapping {name!r}"
            s.mapping(second, what, (*path, top), self.sink, nullable=False)
        return n.Mapping(name=name, entries=literal(body), span=key.span)

    def conditions(self, node: LNode | None) -> FrozenMap[str, n.Condition]:
        return s.read_section(
            node, "Conditions", self.sink, self.condition, skip=self.loop, nullable=False
        )

    def condition(self, name: str, key: LScalar, node: LNode, path: LogicalPath) -> n.Condition:
        return n.Condition(name=name, expr=self.low.lower_condition(node, path), span=key.span)

    # --- resources and outputs ---------------------------------------------------------------

    def resources(self, node: LNode | None) -> FrozenMap[str, n.Resource]:
        return s.read_section(node, "Resources", self.sink, self.resource, skip=self.loop)

    def resource(
        self, name: str, key: LScalar, node: LNode, path: LogicalPath
    ) -> n.Resource | None:
        if _is_null(node):
            self.sink.report(c.MISSING_RESOURCE_TYPE, key.span, path, resource=name, key="Type")
            return None
        body = s.mapping(node, f"resource {name!r}", path, self.sink, nullable=False)
        if body is None:
            return None
        self.check_keys(
            body,
            v.RESOURCE_KEYS,
            path,
            v.TRANSFORM_RESOURCE_KEYS,
            unknown=c.UNKNOWN_RESOURCE_KEY,
            what="resource key",
            resource=name,
        )
        type_node = body.get("Type")
        type_name = s.text(type_node, "resource type", (*path, "Type"), self.sink)
        if type_node is None:
            self.sink.report(c.MISSING_RESOURCE_TYPE, key.span, path, resource=name, key="Type")
        return n.Resource(
            name=name,
            type=type_name or "",
            properties=self.optional(body.get("Properties"), (*path, "Properties")),
            depends_on=s.names(
                body.get("DependsOn"), "DependsOn", (*path, "DependsOn"), self.sink, nullable=False
            ),
            condition=self.optional_condition(body.get("Condition"), (*path, "Condition")),
            deletion_policy=self.deletion_policy(name, body.get("DeletionPolicy"), path),
            update_policy=self.optional(body.get("UpdatePolicy"), (*path, "UpdatePolicy")),
            metadata=self.optional(body.get("Metadata"), (*path, "Metadata")),
            description=s.text(
                body.get("Description"),
                "Description",
                (*path, "Description"),
                self.sink,
                strict=True,
            ),
            creation_policy=self.optional(body.get("CreationPolicy"), (*path, "CreationPolicy")),
            update_replace_policy=self.optional(
                body.get("UpdateReplacePolicy"), (*path, "UpdateReplacePolicy")
            ),
            type_span=type_node.span if type_node is not None else None,
            name_span=key.span,
            span=body.span,
        )

    def deletion_policy(
        self, resource: str, node: LNode | None, path: LogicalPath
    ) -> e.Expr | None:
        where = (*path, "DeletionPolicy")
        expr = self.optional(node, where)
        if isinstance(expr, e.Str) and expr.value not in v.AWS_DELETION_POLICIES:
            self.sink.report(
                c.INVALID_DELETION_POLICY,
                expr.span,
                where,
                policy=expr.value,
                resource=resource,
                allowed=", ".join(v.AWS_DELETION_POLICIES),
            )
        return expr

    def outputs(self, node: LNode | None) -> FrozenMap[str, n.Output]:
        return s.read_section(node, "Outputs", self.sink, self.output, skip=self.loop)

    def output(self, name: str, key: LScalar, node: LNode, path: LogicalPath) -> n.Output | None:
        body = s.mapping(node, f"output {name!r}", path, self.sink, nullable=False)
        if body is None:
            return None
        self.check_keys(
            body,
            v.OUTPUT_KEYS,
            path,
            {},
            unknown=c.UNKNOWN_OUTPUT_KEY,
            what="output key",
            output=name,
        )
        if "Value" not in body:
            self.sink.report(c.MISSING_OUTPUT_VALUE, key.span, path, output=name, key="Value")
        return n.Output(
            name=name,
            value=self.optional(body.get("Value"), (*path, "Value")),
            description=self.text(body, "Description", path),
            condition=self.optional_condition(body.get("Condition"), (*path, "Condition")),
            export=self.optional(body.get("Export"), (*path, "Export")),
            name_span=key.span,
            span=body.span,
        )

    # --- helpers -----------------------------------------------------------------------------

    def text(self, body: LMap, name: str, path: LogicalPath) -> str | None:
        return s.text(body.get(name), name, (*path, name), self.sink)

    def optional(self, node: LNode | None, path: LogicalPath) -> e.Expr | None:
        return None if node is None else self.low.lower(node, path)

    def optional_condition(self, node: LNode | None, path: LogicalPath) -> e.Expr | None:
        # Heat also takes a boolean here (CfnTemplate._rsrc_defn_args); it lowers to Bool.
        return None if node is None else self.low.lower_condition(node, path)


def literal(node: LNode) -> e.Expr:
    """A value taken as data, without functions (defaults, allowed values, mappings)."""
    if isinstance(node, LScalar):
        return e.literal(node.value, node.span)
    if isinstance(node, LSeq):
        return e.ListExpr(items=tuple(literal(item) for item in node.items), span=node.span)
    pairs = list(node.items())
    return e.MapExpr(
        items=FrozenMap((key_text(key), literal(value)) for key, value in pairs),
        key_spans=tuple(key.span for key, _ in pairs),
        span=node.span,
    )


def _is_null(node: LNode) -> bool:
    """An entry with nothing after its colon: reported as what it lacks, not by its shape."""
    return isinstance(node, LScalar) and node.value is None


def _optional_literal(node: LNode | None) -> e.Expr | None:
    return None if node is None else literal(node)


def _number(node: LNode | None) -> int | float | None:
    """A bound as Heat reads it (Schema.str_to_num): a number, or a string holding one."""
    if isinstance(node, LScalar) and isinstance(node.value, bool):
        return None
    if isinstance(node, LScalar) and isinstance(node.value, int | float):
        return node.value
    if isinstance(node, LScalar) and isinstance(node.value, str):
        for convert in (int, float):
            try:
                return convert(node.value)
            except ValueError:
                pass
    return None
