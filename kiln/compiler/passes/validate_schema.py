"""Resources against resource-type schemas.

So far: the type exists (a registered plugin type, an alias, a provider template, or a type the
environment maps); property-level validation follows in the schema validator.
"""

from kiln.compiler.diagnostics import codes as c
from kiln.compiler.names import is_template_type, suggest
from kiln.compiler.passes import PassContext
from kiln.compiler.unit import CompilationUnit


def validate_schema(unit: CompilationUnit, context: PassContext) -> CompilationUnit:
    schemas = context.registries.schemas
    names = sorted(schemas.names())
    mapped = {(ref.template_file, ref.resource) for ref in unit.nested}
    for template in unit.all_templates():
        for name, resource in template.resources.items():
            type_name = resource.type
            if not type_name or is_template_type(type_name) or (template.file, name) in mapped:
                continue
            if unit.environment.lookup_type(name, type_name) is not None:
                continue
            if type_name in schemas or schemas.resolve_alias(type_name) in schemas:
                continue
            # In CloudFormation an unknown type may be real on AWS (its own types, Custom::*,
            # registry extensions, modules): a warning for the Heat target, not an error.
            cfn = template.dialect == "cfn"
            context.sink.report(
                c.TYPE_NOT_IN_HEAT if cfn else c.UNKNOWN_RESOURCE_TYPE,
                resource.type_span or resource.span,
                ("Resources", name, "Type") if cfn else ("resources", name, "type"),
                type=type_name,
                resource=name,
                hint=suggest(type_name, names),
            )
    return unit
