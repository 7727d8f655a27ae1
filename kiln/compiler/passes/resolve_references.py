"""Bind references and report names that name nothing, in the root and every nested template.

Binding: a CloudFormation `Ref` (and HOT 2013-05-23's) becomes a ResourceRef when a resource
has the name, else a ParamRef when a parameter has it, in that order (cfn/functions.py `Ref`:
`args in stack` picks GetResource first); in HOT, a HOT pseudo parameter becomes a PseudoRef
(Ref resolves through HOTParameters there). What names nothing stays an UnresolvedRef.

Checks, each as Heat fails (heat/engine/hot/functions.py, cfn/functions.py, stack.py):
unknown parameters (UserParameterMissing), resources (InvalidTemplateReference), Refs, mappings
and mapping keys (KeyError in FindInMap.result), pseudo parameters a dialect does not provide,
attributes the resource does not have (InvalidTemplateAttribute; resource_attributes.py), a
resource naming itself (a circular dependency), a Ref to a resource inside a condition (ParamRef
there), resource names equal to parameter names (Stack.validate: "Duplicate names"). Fn::Sub
variables are checked like Refs, though Heat lacks Fn::Sub (check_functions says so).

The references found, resolved or not, go into the template's symbol table (facts.symbols).
"""

import re
from dataclasses import dataclass, field, replace
from typing import Any, Final

from kiln.compiler.diagnostics import DiagnosticSink, LogicalPath
from kiln.compiler.diagnostics import codes as c
from kiln.compiler.ir import expr as e
from kiln.compiler.ir.frozen import FrozenMap
from kiln.compiler.ir.nodes import Template
from kiln.compiler.ir.visit import transform, walk_exprs
from kiln.compiler.names import suggest
from kiln.compiler.passes import PassContext
from kiln.compiler.passes.resource_attributes import AttributeResolver, check
from kiln.compiler.passes.sites import Site, expressions, key_span, label, name_span, spell
from kiln.compiler.passes.symbols import Kind, Reference, SymbolTable, definitions
from kiln.compiler.source import Span
from kiln.compiler.unit import CompilationUnit

# heat/engine/hot/parameters.py HOTParameters: PSEUDO_PARAMETERS lists OS::region too, but
# _pseudo_parameters() never yields it, so get_param of it fails like an undeclared name.
HOT_PSEUDO: Final = frozenset({"OS::stack_id", "OS::stack_name", "OS::project_id"})
HOT_DECLARED_ONLY: Final = "OS::region"
# heat/engine/cfn/parameters.py CfnParameters.PSEUDO_PARAMETERS.
CFN_PSEUDO: Final = frozenset({"AWS::StackId", "AWS::StackName", "AWS::Region"})
AWS_ONLY_PSEUDO: Final = frozenset(
    {"AWS::AccountId", "AWS::NoValue", "AWS::Partition", "AWS::URLSuffix", "AWS::NotificationARNs"}
)
# The HOT pseudo parameter that stands for a CloudFormation one, for did-you-mean.
HOT_EQUIVALENT: Final = {"AWS::StackName": "OS::stack_name", "AWS::StackId": "OS::stack_id"}
SUB_VARIABLE: Final = re.compile(r"\$\{([^}]*)\}")
MODULE_SUFFIX: Final = "::MODULE"
SERVERLESS_PREFIX: Final = "AWS::Serverless::"
SAM_IMPLICIT_PREFIX: Final = "Serverless"


# The expressions `expression` looks at, and for each class met whether it is one of them.
_REFERRING: Final = (
    e.ParamRef,
    e.PseudoRef,
    e.UnresolvedRef,
    e.ResourceRef,
    e.AttrRef,
    e.FindInMap,
    e.Interpolate,
)
_REFERS: dict[type, bool] = {}


def _refers(cls: type) -> bool:
    refers = _REFERS.get(cls)
    if refers is None:
        refers = _REFERS[cls] = issubclass(cls, _REFERRING)
    return refers


def bind_template(template: Template) -> Template:
    parameters = template.parameters
    resources = template.resources
    hot = template.dialect == "hot"

    def bind(node: e.Expr) -> e.Expr:
        if not isinstance(node, e.UnresolvedRef):
            return node
        if node.name in resources:
            return e.ResourceRef(name=node.name, spelling=node.spelling, span=node.span)
        if node.name in parameters:
            return e.ParamRef(name=node.name, spelling=node.spelling, span=node.span)
        if hot and node.name in HOT_PSEUDO:
            return e.PseudoRef(name=node.name, spelling=node.spelling, span=node.span)
        return node

    # Most templates (HOT's get_param/get_resource) have nothing to bind: a walk is cheaper
    # than a transform, which returns the template itself then anyway.
    if not any(isinstance(node, e.UnresolvedRef) for node in walk_exprs(template)):
        return template
    return transform(template, bind)


def resolve_references(unit: CompilationUnit, context: PassContext) -> CompilationUnit:
    root = bind_template(unit.root)
    templates = FrozenMap(
        (path, root if path == root.file else bind_template(template))
        for path, template in unit.templates.items()
    )
    unit = replace(unit, root=root, templates=templates)
    resolver = AttributeResolver(unit, context.registries.schemas)
    for template in unit.all_templates():
        table = _Checker(unit, template, resolver, context.sink).run()
        unit = unit.with_facts(template, replace(unit.facts_of(template), symbols=table))
    return unit


@dataclass(slots=True)
class _Checker:
    unit: CompilationUnit
    template: Template
    resolver: AttributeResolver
    sink: DiagnosticSink
    references: list[Reference] = field(default_factory=list)
    reported: set[tuple[str, Span | None, str]] = field(default_factory=set)

    def run(self) -> SymbolTable:
        self.duplicate_names()
        self.depends_on()
        for site, found in expressions(self.template):
            for node, path in found:
                self.expression(node, path, site)
        return replace(definitions(self.template), references=tuple(self.references))

    # --- reporting ---------------------------------------------------------------------------

    def report(self, code: c.Code, span: Span | None, path: LogicalPath, **fields: Any) -> None:
        key = (code.id, span, repr(sorted(fields.items())))
        if key not in self.reported:  # a YAML alias repeats a node: report its place once
            self.reported.add(key)
            self.sink.report(code, span, path, **fields)

    def record(
        self,
        kind: Kind,
        name: str,
        span: Span | None,
        path: LogicalPath,
        owner: str,
        via: str,
        resolved: bool,
        attribute: str | None = None,
    ) -> None:
        self.references.append(Reference(kind, name, span, path, owner, via, resolved, attribute))

    def span_of(self, node: e.Expr, name: str, after: str) -> Span | None:
        return name_span(self.unit.sources, node.span, name, after)

    def generated(self, name: str) -> bool:
        """A name a CloudFormation module or macro would create: modules (`*::MODULE` types,
        and Rain modules, whose tag leaves no type) expand into resources named
        `<module><resource>`, SAM's serverless types into `<name>Role`, `<name>Deployment`, ...
        Heat has none of these; their types are reported once (SCH002, SYN015), their names not."""
        if self.template.dialect != "cfn":
            return False
        resources = self.template.resources.values()
        if name.startswith(SAM_IMPLICIT_PREFIX) and any(
            resource.type.startswith(SERVERLESS_PREFIX) for resource in resources
        ):
            return True  # SAM's implicit APIs: ServerlessRestApi, ServerlessHttpApi, ...
        return any(
            name.startswith(generator) and name != generator
            for generator, resource in self.template.resources.items()
            if resource.type.endswith(MODULE_SUFFIX)
            or resource.type.startswith(SERVERLESS_PREFIX)
            or not resource.type
        )

    # --- whole-template checks ---------------------------------------------------------------

    def duplicate_names(self) -> None:
        for name, resource in self.template.resources.items():
            if name in self.template.parameters:
                path = (spell(self.template, "resources"), name)
                span = key_span(self.unit.sources, resource.span, name)
                self.report(c.DUPLICATE_NAME, span, path, name=name)

    def depends_on(self) -> None:
        via = spell(self.template, "depends_on")
        resources = self.template.resources
        for name, resource in resources.items():
            base: LogicalPath = (spell(self.template, "resources"), name, via)
            for index, target in enumerate(resource.depends_on):
                path = (*base, index) if len(resource.depends_on) > 1 else base
                known = target.value in resources
                self.record("resource", target.value, target.span, path, name, via, known)
                if target.value == name:
                    self.report(c.SELF_REFERENCE, target.span, path, resource=name, via=via)
                elif not known:
                    hint = suggest(target.value, [r for r in resources if r != name])
                    self.report(
                        c.UNKNOWN_RESOURCE, target.span, path, via=via, name=target.value, hint=hint
                    )

    # --- expressions -------------------------------------------------------------------------

    def expression(self, node: e.Expr, at: LogicalPath, site: Site) -> None:
        if not _refers(type(node)):
            return  # most nodes: literals and functions that name nothing
        path = (*at, label(node))  # Heat's error paths end in the function: value.get_attr
        if isinstance(node, e.ParamRef):
            self.parameter(node, path, site)
        elif isinstance(node, e.PseudoRef):
            self.pseudo(node, node.name, self.span_of(node, node.name, node.spelling), path, site)
        elif isinstance(node, e.UnresolvedRef):
            self.unresolved(node.name, node.spelling, node, path, site)
        elif isinstance(node, e.ResourceRef):
            self.resource(node.name, node.spelling, node, path, site)
        elif isinstance(node, e.AttrRef):
            self.attribute(node, path, site)
        elif isinstance(node, e.FindInMap):
            self.find_in_map(node, path, site)
        elif isinstance(node, e.Interpolate) and node.spelling == "Fn::Sub":
            self.sub(node, path, site)

    def parameter(self, node: e.ParamRef, path: LogicalPath, site: Site) -> None:
        name = node.name
        span = self.span_of(node, name, node.spelling)
        hot = self.template.dialect == "hot"
        known = name in self.template.parameters or (hot and name in HOT_PSEUDO)
        self.record("parameter", name, span, path, site.owner, node.spelling, known)
        if known:
            return
        if hot and (name == HOT_DECLARED_ONLY or name in CFN_PSEUDO | AWS_ONLY_PSEUDO):
            self.pseudo(node, name, span, path, site)
            return
        candidates = [*self.template.parameters, *(sorted(HOT_PSEUDO) if hot else ())]
        hint = suggest(name, candidates)
        self.report(c.UNKNOWN_PARAMETER, span, path, via=node.spelling, name=name, hint=hint)

    def pseudo(
        self, node: e.Expr, name: str, span: Span | None, path: LogicalPath, site: Site
    ) -> None:
        via = getattr(node, "spelling", "")
        if self.template.dialect == "hot":
            if name in HOT_PSEUDO:
                self.record("pseudo", name, span, path, site.owner, via, True)
                return
            if name == HOT_DECLARED_ONLY:
                consequence = (
                    "Heat declares OS::region but never provides it, so get_param fails with "
                    '"The Parameter (OS::region) was not provided"'
                )
            else:
                consequence = (
                    "HOT has only OS::stack_id, OS::stack_name and OS::project_id; Heat fails "
                    f'with "The specified reference "{name}" (in unknown) is incorrect"'
                )
            equivalent = HOT_EQUIVALENT.get(name)
            hint = f"; use {equivalent}" if equivalent else ""
            dialect = "HOT"
        else:
            if name in CFN_PSEUDO:
                self.record("pseudo", name, span, path, site.owner, via, True)
                return
            consequence = (
                "Heat provides only AWS::StackId, AWS::StackName and AWS::Region, and fails "
                f'with "The specified reference "{name}" (in unknown) is incorrect"'
            )
            hint = ""
            dialect = "CloudFormation templates"
        self.record("pseudo", name, span, path, site.owner, via, False)
        self.report(
            c.PSEUDO_PARAMETER_NOT_IN_HEAT,
            span,
            path,
            name=name,
            dialect=dialect,
            consequence=consequence,
            hint=hint,
        )

    def unresolved(self, name: str, via: str, node: e.Expr, path: LogicalPath, site: Site) -> None:
        span = self.span_of(node, name, via)
        if self.template.dialect == "cfn" and name in AWS_ONLY_PSEUDO:
            self.pseudo(node, name, span, path, site)
            return
        self.record("reference", name, span, path, site.owner, via, False)
        if self.generated(name):
            return
        pseudo = HOT_PSEUDO if self.template.dialect == "hot" else CFN_PSEUDO
        candidates = [*self.template.parameters, *self.template.resources, *sorted(pseudo)]
        hint = suggest(name, candidates)
        self.report(c.UNKNOWN_REFERENCE, span, path, via=via, name=name, hint=hint)

    def resource(self, name: str, via: str, node: e.Expr, path: LogicalPath, site: Site) -> bool:
        """Checks a resource name; False when it names nothing (or the resource itself)."""
        span = self.span_of(node, name, via)
        known = name in self.template.resources
        self.record("resource", name, span, path, site.owner, via, known)
        if not known:
            if self.generated(name):
                return False
            others = [r for r in self.template.resources if r != site.owner]
            hint = suggest(name, others)
            self.report(c.UNKNOWN_RESOURCE, span, path, via=via, name=name, hint=hint)
            return False
        if site.context == "condition" and self.template.dialect == "cfn" and via == "Ref":
            self.report(c.RESOURCE_REF_IN_CONDITION, span, path, via=via, name=name)
        # Heat's dependencies come from properties and metadata (rsrc_defn.py
        # required_resource_names); a resource there naming itself is a cycle of one.
        own = site.section == "resources" and site.owner == name
        if own and site.field in ("properties", "metadata"):
            self.report(c.SELF_REFERENCE, span, path, resource=name, via=via)
            return False
        return True

    def attribute(self, node: e.AttrRef, path: LogicalPath, site: Site) -> None:
        if not self.resource(node.resource, node.spelling, node, path, site):
            return
        attribute = node.attribute
        if not isinstance(attribute, e.Str):
            return  # all attributes, or a name computed by a function
        attributes = self.resolver.of(self.template, node.resource)
        found = check(attributes, node.resource, attribute.value, node.path) if attributes else None
        span = attribute.span or self.span_of(node, attribute.value, node.resource)
        self.references[-1] = replace(self.references[-1], attribute=attribute.value)
        if found is not None:
            self.report(
                c.UNKNOWN_ATTRIBUTE,
                span,
                path,
                whose=found.whose,
                attribute=found.attribute,
                hint=found.hint,
            )

    def find_in_map(self, node: e.FindInMap, path: LogicalPath, site: Site) -> None:
        if not isinstance(node.map_name, e.Str):
            return
        name = node.map_name.value
        mappings = self.template.mappings
        span = node.map_name.span
        self.record("mapping", name, span, path, site.owner, node.spelling, name in mappings)
        if name not in mappings:
            hint = suggest(name, list(mappings))
            self.report(c.UNKNOWN_MAPPING, span, path, via=node.spelling, name=name, hint=hint)
            return
        if node.default is not None:
            return  # AWS returns the default for a missing key (Heat lacks this form)
        entries = mappings[name].entries
        for level, key in (("top-level", node.top_key), ("second-level", node.second_key)):
            if not isinstance(entries, e.MapExpr) or not isinstance(key, e.Str):
                return
            if key.value not in entries.items:
                hint = suggest(key.value, list(entries.items))
                self.report(
                    c.UNKNOWN_MAPPING_KEY,
                    key.span,
                    path,
                    mapping=name,
                    level=level,
                    key=key.value,
                    hint=hint,
                )
                return
            entries = entries.items[key.value]

    def sub(self, node: e.Interpolate, path: LogicalPath, site: Site) -> None:
        """`${Name}` and `${Resource.Attribute}` of Fn::Sub, as AWS resolves them."""
        if not isinstance(node.template, e.Str):
            return
        if node.bindings is not None and not isinstance(node.bindings, e.MapExpr):
            return  # the variables come from a function: not known here
        bound = node.bindings.items if isinstance(node.bindings, e.MapExpr) else {}
        literal = node.template
        for match in SUB_VARIABLE.finditer(literal.value):
            content = match.group(1)
            name = content.strip()
            if content.startswith("!") or not name or name in bound:
                continue
            span = name_span(self.unit.sources, literal.span, match.group(0), whole_word=False)
            self.sub_variable(name, span, node, path, site)

    def sub_variable(
        self, name: str, span: Span | None, node: e.Interpolate, path: LogicalPath, site: Site
    ) -> None:
        via = node.spelling
        template = self.template
        if "." in name and not name.startswith("AWS::"):
            resource, _, attribute = name.partition(".")
            known = resource in template.resources
            self.record("resource", resource, span, path, site.owner, via, known, attribute)
            if not known:
                if self.generated(resource):
                    return
                hint = suggest(resource, list(template.resources))
                self.report(c.UNKNOWN_RESOURCE, span, path, via=via, name=resource, hint=hint)
                return
            attributes = self.resolver.of(template, resource)
            found = check(attributes, resource, attribute, ()) if attributes else None
            if found is not None:
                fields = {"whose": found.whose, "attribute": found.attribute, "hint": found.hint}
                self.report(c.UNKNOWN_ATTRIBUTE, span, path, **fields)
            return
        if name in template.parameters:
            self.record("parameter", name, span, path, site.owner, via, True)
        elif name in template.resources:
            self.record("resource", name, span, path, site.owner, via, True)
        elif name in CFN_PSEUDO | AWS_ONLY_PSEUDO:
            # Inside Fn::Sub, which Heat lacks as a whole: reported once, for the function.
            self.record("pseudo", name, span, path, site.owner, via, name in CFN_PSEUDO)
        else:
            self.record("reference", name, span, path, site.owner, via, False)
            if self.generated(name):
                return
            candidates = [*template.parameters, *template.resources, *sorted(CFN_PSEUDO)]
            hint = suggest(name, candidates)
            self.report(c.UNKNOWN_REFERENCE, span, path, via=via, name=name, hint=hint)
