"""The compilation unit: a root template with everything it includes, and the side tables
passes fill in. Nodes never carry analysis results; the unit does."""

from dataclasses import dataclass, field

from kiln.compiler.ir.environment import Environment
from kiln.compiler.ir.frozen import FrozenMap
from kiln.compiler.ir.nodes import Template
from kiln.compiler.source import SourceFile


@dataclass(frozen=True, slots=True)
class NestedRef:
    """A resource whose type is a template: a provider template, a registry mapping, or an
    AWS::CloudFormation::Stack / OS::Heat::Stack with a local template."""

    template_file: str
    resource: str
    nested_file: str
    via: str  # "type", "registry", "stack"


@dataclass(frozen=True, slots=True)
class CompilationUnit:
    root: Template
    templates: FrozenMap[str, Template] = field(default_factory=FrozenMap)
    sources: FrozenMap[str, SourceFile] = field(default_factory=FrozenMap)
    files: FrozenMap[str, str] = field(default_factory=FrozenMap)
    environment: Environment = field(default_factory=Environment)
    nested: tuple[NestedRef, ...] = ()

    def all_templates(self) -> tuple[Template, ...]:
        return (self.root, *(t for path, t in self.templates.items() if path != self.root.file))
