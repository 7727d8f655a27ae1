"""The symbol table of one template: what it defines and every reference to a name.

Built by resolve_references and kept on the unit (`TemplateFacts.symbols`), never on the
nodes: the language server answers "go to definition" and "find references" from it, and
later passes can ask which resources an output or a resource names without walking again.
"""

from collections.abc import Iterator
from dataclasses import field
from typing import Literal

from kiln.compiler.diagnostics import LogicalPath
from kiln.compiler.ir.frozen import FrozenMap, frozen_dataclass
from kiln.compiler.ir.nodes import Template
from kiln.compiler.source import Span

Kind = Literal["parameter", "resource", "attribute", "pseudo", "mapping", "reference"]


@frozen_dataclass
class Reference:
    """One use of a name. `kind` "reference" is a CloudFormation Ref (or Fn::Sub variable)
    that names nothing; `attribute` is set for get_attr / Fn::GetAtt with a literal name;
    `owner` is the resource, output or condition the reference sits in."""

    kind: Kind
    name: str
    span: Span | None
    path: LogicalPath
    owner: str
    via: str
    resolved: bool
    attribute: str | None = None


@frozen_dataclass
class SymbolTable:
    file: str
    parameters: FrozenMap[str, Span | None] = field(default_factory=FrozenMap)
    resources: FrozenMap[str, Span | None] = field(default_factory=FrozenMap)
    outputs: FrozenMap[str, Span | None] = field(default_factory=FrozenMap)
    conditions: FrozenMap[str, Span | None] = field(default_factory=FrozenMap)
    mappings: FrozenMap[str, Span | None] = field(default_factory=FrozenMap)
    references: tuple[Reference, ...] = ()

    def references_to(self, kind: Kind, name: str) -> Iterator[Reference]:
        return (ref for ref in self.references if ref.kind == kind and ref.name == name)

    def unresolved(self) -> Iterator[Reference]:
        return (ref for ref in self.references if not ref.resolved)


def definitions(template: Template) -> SymbolTable:
    return SymbolTable(
        file=template.file,
        parameters=FrozenMap((k, v.span) for k, v in template.parameters.items()),
        resources=FrozenMap((k, v.span) for k, v in template.resources.items()),
        outputs=FrozenMap((k, v.span) for k, v in template.outputs.items()),
        conditions=FrozenMap((k, v.span) for k, v in template.conditions.items()),
        mappings=FrozenMap((k, v.span) for k, v in template.mappings.items()),
    )
