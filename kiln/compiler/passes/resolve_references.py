"""Bind CloudFormation `Ref`s: a parameter, else a resource (pseudo parameters were bound by
the frontend). A Ref that names nothing stays an UnresolvedRef for the checks to report."""

from dataclasses import replace

from kiln.compiler.ir import expr as e
from kiln.compiler.ir.frozen import FrozenMap
from kiln.compiler.ir.nodes import Template
from kiln.compiler.ir.visit import transform
from kiln.compiler.passes import PassContext
from kiln.compiler.unit import CompilationUnit


def bind_template(template: Template) -> Template:
    parameters = template.parameters
    resources = template.resources

    def bind(node: e.Expr) -> e.Expr:
        if not isinstance(node, e.UnresolvedRef):
            return node
        if node.name in parameters:
            return e.ParamRef(name=node.name, spelling=node.spelling, span=node.span)
        if node.name in resources:
            return e.ResourceRef(name=node.name, spelling=node.spelling, span=node.span)
        return node

    return transform(template, bind)


def resolve_references(unit: CompilationUnit, context: PassContext) -> CompilationUnit:
    del context
    root = bind_template(unit.root)
    templates = FrozenMap(
        (path, bind_template(template)) for path, template in unit.templates.items()
    )
    return replace(unit, root=root, templates=templates)
