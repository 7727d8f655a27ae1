"""The compilation unit: a root template with everything it includes, and the side tables
passes fill in. Nodes never carry analysis results; the unit does."""

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from kiln.compiler.evaluate.values import Unknown, Value
from kiln.compiler.graph import DependencyGraph
from kiln.compiler.ir.environment import Environment
from kiln.compiler.ir.frozen import FrozenMap
from kiln.compiler.ir.nodes import Template
from kiln.compiler.source import SourceFile

if TYPE_CHECKING:  # the passes package imports this module; the table is built there
    from kiln.compiler.passes.symbols import SymbolTable


@dataclass(frozen=True, slots=True)
class NestedRef:
    """A resource whose type is a template: a provider template, a registry mapping, or an
    AWS::CloudFormation::Stack / OS::Heat::Stack with a local template."""

    template_file: str
    resource: str
    nested_file: str
    via: str  # "type", "registry", "stack", "group"


@dataclass(frozen=True, slots=True)
class TemplateFacts:
    """What the passes learned about one template (side tables, never fields on nodes)."""

    # validate_parameters: every declared parameter's value (given, default, or Unknown).
    parameters: FrozenMap[str, Value] = field(default_factory=FrozenMap)
    # resolve_conditions: each condition's truth, or Unknown when it depends on the unknown.
    conditions: FrozenMap[str, bool | Unknown] = field(default_factory=FrozenMap)
    # resolve_conditions: resources whose condition is false (Heat drops them).
    disabled: frozenset[str] = frozenset()
    # dependency_graph: explicit, referenced and Heat's implicit dependencies.
    graph: DependencyGraph | None = None
    # resolve_references: definitions and every reference to a name, resolved or not.
    symbols: "SymbolTable | None" = None


@dataclass(frozen=True, slots=True)
class CompilationUnit:
    root: Template
    templates: FrozenMap[str, Template] = field(default_factory=FrozenMap)
    sources: FrozenMap[str, SourceFile] = field(default_factory=FrozenMap)
    files: FrozenMap[str, str] = field(default_factory=FrozenMap)
    environment: Environment = field(default_factory=Environment)
    nested: tuple[NestedRef, ...] = ()
    # Template file -> facts; filled pass by pass.
    facts: FrozenMap[str, TemplateFacts] = field(default_factory=FrozenMap)

    def facts_of(self, template: Template) -> TemplateFacts:
        return self.facts.get(template.file) or TemplateFacts()

    def with_facts(self, template: Template, facts: TemplateFacts) -> "CompilationUnit":
        return replace(self, facts=self.facts.set(template.file, facts))

    def all_templates(self) -> tuple[Template, ...]:
        return (self.root, *(t for path, t in self.templates.items() if path != self.root.file))
