"""HOT (heat_template_version) documents -> IR Template.

Every version is one set of tables (versions.py); nothing here branches on a version except
through them. A user's mistake is reported and parsing goes on, so one run shows every error.
"""

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
from kiln.frontends.hot import versions as v
from kiln.frontends.lowering import DialectRules, Lowerer
from kiln.frontends.syntax import LMap, LNode, LScalar, LSeq, describe

RULES = DialectRules(name="hot", version_key=v.VERSION_KEY)


def detect(root: LMap) -> bool:
    return v.VERSION_KEY in root


def parse(source: SourceFile, root: LMap, ctx: ParseContext) -> n.Template:
    sink = ctx.sink
    spelling, version = _version(root, sink)
    low = Lowerer(RULES, version, spelling, ctx.functions, sink)
    reader = _Reader(low, sink, version, spelling)
    s.check_keys(
        root,
        v.SECTIONS,
        version,
        v.VERSION_KEY,
        spelling,
        (),
        sink,
        unknown=c.UNKNOWN_SECTION,
        what="section",
    )
    return n.Template(
        dialect="hot",
        version=version,
        version_spelling=spelling,
        file=source.path,
        description=s.text(root.get("description"), "description", ("description",), sink),
        parameters=reader.parameters(root.get("parameters")),
        parameter_groups=reader.parameter_groups(root.get("parameter_groups")),
        conditions=reader.conditions(root.get("conditions")),
        resources=reader.resources(root.get("resources")),
        outputs=reader.outputs(root.get("outputs")),
        span=root.span,
    )


def _version(root: LMap, sink: DiagnosticSink) -> tuple[str, str]:
    node = root.get(v.VERSION_KEY)
    spelling = str(node.value) if isinstance(node, LScalar) else ""
    version = v.canonical_version(spelling)
    if version is None:
        options = [*v.VERSIONS, *v.ALIASES]
        hint = suggest(spelling, options) or f"; known: {', '.join(v.VERSIONS)}"
        if spelling.lower() in v.PRE_NEWTON_NAMES:
            date = v.PRE_NEWTON_NAMES[spelling.lower()]
            hint = f"; Heat accepts release names only from newton on: write {date}"
        sink.report(
            c.UNKNOWN_VERSION,
            node.span if node else None,
            (v.VERSION_KEY,),
            key=v.VERSION_KEY,
            version=spelling if isinstance(node, LScalar) else describe(node),
            hint=hint,
        )
        version = v.VERSIONS[-1]  # read on with the newest rules, so later errors still show
    return spelling, version


class _Reader:
    def __init__(self, low: Lowerer, sink: DiagnosticSink, version: str, spelling: str) -> None:
        self.low = low
        self.sink = sink
        self.version = version
        self.spelling = spelling

    # --- parameters --------------------------------------------------------------------------

    def parameters(self, node: LNode | None) -> FrozenMap[str, n.Parameter]:
        return s.read_section(node, "parameters", self.sink, self.parameter)

    def parameter(
        self, name: str, key: LScalar, node: LNode, path: LogicalPath
    ) -> n.Parameter | None:
        body = s.mapping(node, f"parameter {name!r}", path, self.sink, nullable=False)
        if body is None:
            if isinstance(node, LScalar) and node.value is None:
                self.sink.report(
                    c.MISSING_PARAMETER_TYPE, key.span, path, parameter=name, key="type"
                )
            return None
        s.check_keys(
            body,
            v.PARAMETER_KEYS,
            self.version,
            v.VERSION_KEY,
            self.spelling,
            path,
            self.sink,
            unknown=c.UNKNOWN_PARAMETER_KEY,
            what="parameter key",
            parameter=name,
        )
        type_spelling = s.parameter_type(
            body, "type", v.PARAMETER_TYPES, name, key, path, self.sink
        )
        param_type = (
            ParamType(type_spelling) if type_spelling in v.PARAMETER_TYPES else ParamType.STRING
        )
        default = body.get("default")
        return n.Parameter(
            name=name,
            type=param_type,
            type_spelling=type_spelling,
            default=literal(default) if default is not None else None,
            description=s.text(
                body.get("description"), "description", (*path, "description"), self.sink
            ),
            label=s.text(body.get("label"), "label", (*path, "label"), self.sink),
            hidden=s.boolean(body.get("hidden"), "hidden", (*path, "hidden"), self.sink),
            immutable=s.boolean(
                body.get("immutable"), "immutable", (*path, "immutable"), self.sink
            ),
            tags=tuple(
                t.value for t in s.names(body.get("tags"), "tags", (*path, "tags"), self.sink)
            ),
            constraints=self.constraints(name, body.get("constraints"), (*path, "constraints")),
            name_span=key.span,
            span=body.span,
        )

    def constraints(
        self, parameter: str, node: LNode | None, path: LogicalPath
    ) -> tuple[n.Constraint, ...]:
        if node is None or (isinstance(node, LScalar) and node.value is None):
            return ()
        if not isinstance(node, LSeq):
            self.sink.report(
                c.WRONG_SHAPE,
                node.span,
                path,
                what="constraints",
                expected="a list",
                kind=describe(node),
            )
            return ()
        result: list[n.Constraint] = []
        for index, item in enumerate(node.items):
            constraint = self.constraint(parameter, item, (*path, index))
            if constraint is not None:
                result.append(constraint)
        return tuple(result)

    def constraint(self, parameter: str, node: LNode, path: LogicalPath) -> n.Constraint | None:
        body = s.mapping(node, "a constraint", path, self.sink, nullable=False)
        if body is None:
            return None
        description = s.text(
            body.get("description"), "description", (*path, "description"), self.sink
        )
        kinds = [
            (name, key, value) for name, key, value in s.entries(body) if name != "description"
        ]
        if len(kinds) != 1:
            self.sink.report(
                c.INVALID_CONSTRAINT,
                body.span,
                path,
                kind="?",
                parameter=parameter,
                problem=f"each constraint has exactly one kind of {', '.join(v.CONSTRAINT_KINDS)}",
            )
            return None
        kind, key, value = kinds[0]
        where = (*path, kind)
        if kind not in v.CONSTRAINT_KINDS:
            self.sink.report(
                c.UNKNOWN_CONSTRAINT,
                key.span,
                where,
                kind=kind,
                parameter=parameter,
                hint=suggest(kind, list(v.CONSTRAINT_KINDS)),
            )
            return None
        if not v.available(v.CONSTRAINT_KINDS, kind, self.version):
            self.sink.report(
                c.KEY_NOT_IN_VERSION,
                key.span,
                where,
                what="constraint",
                key=kind,
                version_key=v.VERSION_KEY,
                since=v.CONSTRAINT_KINDS[kind],
                version=self.spelling,
            )
        return constraint_of(kind, value, description, parameter, where, self.sink)

    def parameter_groups(self, node: LNode | None) -> tuple[n.ParameterGroup, ...]:
        if node is None or (isinstance(node, LScalar) and node.value is None):
            return ()
        path: LogicalPath = ("parameter_groups",)
        if not isinstance(node, LSeq):
            self.sink.report(
                c.WRONG_SHAPE,
                node.span,
                path,
                what="parameter_groups",
                expected="a list",
                kind=describe(node),
            )
            return ()
        groups: list[n.ParameterGroup] = []
        for index, item in enumerate(node.items):
            where = (*path, index)
            body = s.mapping(item, "a parameter group", where, self.sink, nullable=False)
            if body is None:
                continue
            for name, key, _ in s.entries(body):
                if name not in v.PARAMETER_GROUP_KEYS:
                    self.sink.report(
                        c.INVALID_PARAMETER_GROUP,
                        key.span,
                        (*where, name),
                        problem=f"unknown key {name!r}{suggest(name, v.PARAMETER_GROUP_KEYS)}",
                    )
            label = s.text(body.get("label"), "label", (*where, "label"), self.sink)
            listed = body.get("parameters")
            written = listed is not None and not (
                isinstance(listed, LScalar) and listed.value is None
            )
            groups.append(
                n.ParameterGroup(
                    label=label,
                    description=s.text(
                        body.get("description"), "description", (*where, "description"), self.sink
                    ),
                    parameters=self.group_parameters(listed, label, index, where),
                    parameters_span=listed.span if written and listed is not None else None,
                    span=body.span,
                )
            )
        return tuple(groups)

    def group_parameters(
        self, node: LNode | None, label: str | None, index: int, where: LogicalPath
    ) -> tuple[e.Str, ...]:
        """A group's names. One name not in a list is Heat's "should be a list"
        (ParameterGroups.validate), unlike depends_on, where a single name is fine."""
        if isinstance(node, LScalar) and isinstance(node.value, str):
            shown = repr(label) if label else f"#{index + 1}"
            self.sink.report(
                c.WRONG_SHAPE,
                node.span,
                (*where, "parameters"),
                what=f"the parameters of parameter group {shown}",
                expected="a list",
                kind=f"the string {node.value!r}",
                fix=f"write it as a list: parameters: [{node.value}]",
            )
            return ()
        return s.names(node, "parameters", (*where, "parameters"), self.sink)

    # --- conditions, resources, outputs ------------------------------------------------------

    def conditions(self, node: LNode | None) -> FrozenMap[str, n.Condition]:
        return s.read_section(node, "conditions", self.sink, self.condition, nullable=False)

    def condition(self, name: str, key: LScalar, node: LNode, path: LogicalPath) -> n.Condition:
        return n.Condition(name=name, expr=self.low.lower_condition(node, path), span=key.span)

    def resources(self, node: LNode | None) -> FrozenMap[str, n.Resource]:
        return s.read_section(node, "resources", self.sink, self.resource)

    def resource(
        self, name: str, key: LScalar, node: LNode, path: LogicalPath
    ) -> n.Resource | None:
        body = s.mapping(node, f"resource {name!r}", path, self.sink, nullable=False)
        if body is None:
            if isinstance(node, LScalar) and node.value is None:
                self.sink.report(c.MISSING_RESOURCE_TYPE, key.span, path, resource=name, key="type")
            return None
        s.check_keys(
            body,
            v.RESOURCE_KEYS,
            self.version,
            v.VERSION_KEY,
            self.spelling,
            path,
            self.sink,
            unknown=c.UNKNOWN_RESOURCE_KEY,
            what="resource key",
            resource=name,
        )
        type_node = body.get("type")
        type_name = s.text(type_node, "resource type", (*path, "type"), self.sink)
        if type_node is None:
            self.sink.report(c.MISSING_RESOURCE_TYPE, key.span, path, resource=name, key="type")
        return n.Resource(
            name=name,
            type=type_name or "",
            properties=self.optional(body.get("properties"), (*path, "properties")),
            depends_on=s.names(
                body.get("depends_on"),
                "depends_on",
                (*path, "depends_on"),
                self.sink,
                nullable=False,
            ),
            condition=self.optional_condition(body.get("condition"), (*path, "condition")),
            deletion_policy=self.deletion_policy(
                name, body.get("deletion_policy"), (*path, "deletion_policy")
            ),
            update_policy=self.optional(body.get("update_policy"), (*path, "update_policy")),
            metadata=self.optional(body.get("metadata"), (*path, "metadata")),
            external_id=self.optional(body.get("external_id"), (*path, "external_id")),
            description=s.text(
                body.get("description"),
                "description",
                (*path, "description"),
                self.sink,
                strict=True,
            ),
            type_span=type_node.span if type_node is not None else None,
            name_span=key.span,
            span=body.span,
        )

    def deletion_policy(
        self, resource: str, node: LNode | None, path: LogicalPath
    ) -> e.Expr | None:
        expr = self.optional(node, path)
        if isinstance(expr, e.Str):
            allowed = list(v.DELETION_POLICIES)
            if self.version >= v.LOWERCASE_DELETION_POLICY_SINCE:
                allowed += [policy.lower() for policy in v.DELETION_POLICIES]
            if expr.value not in allowed:
                self.sink.report(
                    c.INVALID_DELETION_POLICY,
                    expr.span,
                    path,
                    policy=expr.value,
                    resource=resource,
                    allowed=", ".join(allowed),
                )
        return expr

    def outputs(self, node: LNode | None) -> FrozenMap[str, n.Output]:
        return s.read_section(node, "outputs", self.sink, self.output)

    def output(self, name: str, key: LScalar, node: LNode, path: LogicalPath) -> n.Output | None:
        body = s.mapping(node, f"output {name!r}", path, self.sink, nullable=False)
        if body is None:
            return None
        s.check_keys(
            body,
            v.OUTPUT_KEYS,
            self.version,
            v.VERSION_KEY,
            self.spelling,
            path,
            self.sink,
            unknown=c.UNKNOWN_OUTPUT_KEY,
            what="output key",
            output=name,
        )
        if "value" not in body:
            self.sink.report(c.MISSING_OUTPUT_VALUE, key.span, path, output=name, key="value")
        return n.Output(
            name=name,
            value=self.optional(body.get("value"), (*path, "value")) if "value" in body else None,
            description=s.text(
                body.get("description"), "description", (*path, "description"), self.sink
            ),
            condition=self.optional_condition(body.get("condition"), (*path, "condition")),
            name_span=key.span,
            span=body.span,
        )

    def optional(self, node: LNode | None, path: LogicalPath) -> e.Expr | None:
        return None if node is None else self.low.lower(node, path)

    def optional_condition(self, node: LNode | None, path: LogicalPath) -> e.Expr | None:
        return None if node is None else self.low.lower_condition(node, path)


def literal(node: LNode) -> e.Expr:
    """A value taken as data, without functions (parameter defaults, allowed values)."""
    if isinstance(node, LScalar):
        return e.literal(node.value, node.span)
    if isinstance(node, LSeq):
        return e.ListExpr(items=tuple(literal(item) for item in node.items), span=node.span)
    keys = [str(key.value) for key, _ in node.items()]
    return e.MapExpr(
        items=FrozenMap(zip(keys, (literal(value) for _, value in node.items()), strict=True)),
        key_spans=tuple(key.span for key, _ in node.items()),
        span=node.span,
    )


def _number(node: LNode | None) -> int | float | None:
    if (
        isinstance(node, LScalar)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
    ):
        return node.value
    if isinstance(node, LScalar) and isinstance(node.value, str):
        try:
            return int(node.value)
        except ValueError:
            try:
                return float(node.value)
            except ValueError:
                return None
    return None


def constraint_of(
    kind: str,
    value: LNode,
    description: str | None,
    parameter: str,
    path: LogicalPath,
    sink: DiagnosticSink,
) -> n.Constraint | None:
    """One HOT constraint; the shared vocabulary is Heat's (constraints.py)."""

    def invalid(problem: str) -> None:
        sink.report(
            c.INVALID_CONSTRAINT, value.span, path, kind=kind, parameter=parameter, problem=problem
        )

    span = value.span
    if kind in ("length", "range", "modulo"):
        fields = ("step", "offset") if kind == "modulo" else ("min", "max")
        if (
            not isinstance(value, LMap)
            or not value.keys()
            or any(k not in fields for k in value.keys())  # noqa: SIM118 - LMap.keys() is a list
        ):
            invalid(f"takes a mapping with {' and/or '.join(fields)}")
            return None
        numbers = {name: _number(value.get(name)) for name in fields}
        if any(value.get(name) is not None and numbers[name] is None for name in fields):
            invalid("bounds must be numbers")
            return None
        if kind == "modulo":
            if numbers["step"] is None or numbers["offset"] is None:
                invalid("takes both step and offset")
                return None
            return n.Modulo(
                step=numbers["step"], offset=numbers["offset"], description=description, span=span
            )
        low, high = numbers["min"], numbers["max"]
        if low is not None and high is not None and low > high:
            invalid(f"min {low} is greater than max {high}")
        node_type = n.Length if kind == "length" else n.Range
        return node_type(min=low, max=high, description=description, span=span)
    if kind == "allowed_values":
        if not isinstance(value, LSeq):
            invalid("takes a list of values")
            return None
        return n.AllowedValues(
            values=tuple(literal(item) for item in value.items), description=description, span=span
        )
    if not isinstance(value, LScalar) or not isinstance(value.value, str):
        invalid("takes a string")
        return None
    if kind == "allowed_pattern":
        return n.AllowedPattern(pattern=value.value, description=description, span=span)
    return n.CustomConstraint(name=value.value, description=description, span=span)
