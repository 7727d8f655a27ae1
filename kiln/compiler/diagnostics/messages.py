"""Message templates bound to codes, in one place (mypy message_registry.py).

Code never builds a diagnostic message inline: it names a code and passes the fields,
so a wording change is a one-file review and golden files change together.
"""

from typing import Final

from kiln.compiler.diagnostics import codes as c

MESSAGES: Final[dict[str, str]] = {
    c.INVALID_YAML.id: "invalid YAML: {problem}",
    c.INVALID_JSON.id: "invalid JSON: {problem}",
    c.DUPLICATE_KEY.id: "duplicate key {key!r}; the first is at line {first_line}",
    c.UNKNOWN_TAG.id: "unknown YAML tag {tag!r}; read as the single-key map {{{name!r}: ...}}",
    c.FILE_TOO_LARGE.id: "file is {size} bytes, over the limit of {limit} bytes",
    c.ALIAS_LIMIT.id: "YAML aliases expand to more than {limit} nodes",
    c.NESTING_TOO_DEEP.id: "the document nests deeper than {limit} levels",
    c.NOT_A_MAPPING.id: "a template must be a mapping, not {kind}",
    c.UNDECODABLE.id: "the file is not UTF-8 text: {problem}",
    c.MULTIPLE_DOCUMENTS.id: "only the first YAML document is read; this file has more",
    c.MISSING_VERSION.id: (
        "no template version: add 'heat_template_version' (HOT) or "
        "'AWSTemplateFormatVersion' (CloudFormation)"
    ),
    c.UNKNOWN_VERSION.id: "unknown {key} {version!r}{hint}",
    c.UNKNOWN_SECTION.id: "unknown section {key!r}{hint}",
    c.WRONG_SHAPE.id: "{what} must be {expected}, not {kind}",
    c.UNKNOWN_RESOURCE_KEY.id: "unknown key {key!r} in resource {resource!r}{hint}",
    c.KEY_NOT_IN_VERSION.id: "{what} {key!r} needs {version_key} {since} or later; this template is {version}",
    c.MISSING_RESOURCE_TYPE.id: "resource {resource!r} has no {key}",
    c.UNKNOWN_OUTPUT_KEY.id: "unknown key {key!r} in output {output!r}{hint}",
    c.MISSING_OUTPUT_VALUE.id: "output {output!r} has no {key}",
    c.UNKNOWN_PARAMETER_KEY.id: "unknown key {key!r} in parameter {parameter!r}{hint}",
    c.UNKNOWN_PARAMETER_TYPE.id: "parameter {parameter!r} has unknown type {type!r}{hint}",
    c.MISSING_PARAMETER_TYPE.id: "parameter {parameter!r} has no {key}",
    c.UNKNOWN_CONSTRAINT.id: "unknown constraint {kind!r} on parameter {parameter!r}{hint}",
    c.INVALID_CONSTRAINT.id: "constraint {kind!r} on parameter {parameter!r}: {problem}",
    c.INVALID_DELETION_POLICY.id: "deletion policy {policy!r} of resource {resource!r} is not one of {allowed}",
    c.EMPTY_DOCUMENT.id: "the file is empty",
    c.INVALID_PARAMETER_GROUP.id: "parameter group: {problem}",
    c.NON_STRING_KEY.id: "key {key!r} is a {kind}, not a string",
    c.INVALID_RESOURCE_NAME.id: 'resource name {resource!r}: Resource name may not contain "/"',
    c.TOO_MANY_RESOURCES.id: (
        "the template has {count} resources, more than Heat's max_resources_per_stack "
        "({limit}): Heat refuses it (Request limit exceeded)"
    ),
    c.UNKNOWN_FUNCTION.id: "unknown function {name!r}{hint}",
    c.FUNCTION_NOT_IN_VERSION.id: (
        "{name!r} needs {key} {since} or later; in {version} Heat keeps it as a plain map"
    ),
    c.FUNCTION_REMOVED.id: "{name!r} is not supported in {key} {version} (removed in {removed}){hint}",
    c.BAD_FUNCTION_ARGUMENTS.id: "{name!r} takes {expected}",
    c.FUNCTION_NOT_IN_CONDITION.id: "{name!r} is not allowed in a condition",
    c.FOREACH_NOT_EXPANDED.id: (
        "{name!r} is not expanded: Kiln does not check what the loop generates, and Heat "
        "has no Fn::ForEach{hint}"
    ),
    c.BAD_ARGUMENT_TYPE.id: "{name!r}: {what} must be {expected}, not {actual} (Heat: {heat})",
    c.BAD_ARGUMENT_VALUE.id: "{name!r}: {problem} (Heat: {heat})",
    c.FUNCTION_NOT_IN_HEAT.id: "{name!r} is not supported by Heat: {consequence}",
    c.MISSPELT_FUNCTION.id: (
        "{key!r} is not a function in {version}; Heat keeps this single-key map as it is{hint}"
    ),
    c.MISSING_FILE.id: "{what} {path!r} not found",
    c.PATH_OUTSIDE_ROOT.id: "{what} {path!r} is outside {root}; allow it with --allow-path",
    c.REMOTE_FILE.id: "{what} {url!r} is a URL; Kiln does not fetch it, so its content is not checked",
    c.NESTING_LIMIT.id: "nested templates deeper than {limit} levels (Heat's max_nested_stack_depth)",
    c.INCLUDE_CYCLE.id: "template {path!r} includes itself through {chain}",
    c.UNKNOWN_ENV_SECTION.id: "unknown environment section {section!r}{hint}",
    c.INVALID_REGISTRY_ENTRY.id: "resource_registry entry {key!r}: {problem}",
    c.UNKNOWN_HOOK.id: "unknown {what} {name!r}; expected one of {allowed}",
    c.UNDECLARED_PARAMETER.id: "parameter {parameter!r} is not declared by the template{hint}",
    c.INVALID_MERGE_STRATEGY.id: "merge strategy {strategy!r} for {parameter!r} is not one of {allowed}",
    c.CONFLICTING_MERGE_STRATEGY.id: (
        "merge strategy {strategy!r} for {parameter!r} conflicts with {fixed!r}, which {file} "
        "gave it first (Heat's ConflictingMergeStrategyForParam)"
    ),
    c.UNKNOWN_RESOURCE_TYPE.id: "resource {resource!r} has unknown type {type!r}{hint}",
    c.TYPE_NOT_IN_HEAT.id: "resource {resource!r}: Heat has no type {type!r}{hint}",
    c.UNKNOWN_PROPERTY.id: "Unknown Property {name} in resource {resource!r} ({type}){hint}",
    c.MISSING_PROPERTY.id: "Property {name} not assigned in resource {resource!r}: {type} requires it",
    c.INVALID_PROPERTY_VALUE.id: "Property error: {where}: {problem}",
    c.PROPERTY_CONSTRAINT.id: "Property error: {where}: {problem}",
    c.HIDDEN_RESOURCE_TYPE.id: "resource {resource!r}: {type} is retired in Heat ({status} since {version}){detail}",
    c.DEPRECATED_RESOURCE_TYPE.id: "resource {resource!r}: {type} is {status} since {version}{detail}",
    c.UNSUPPORTED_RESOURCE_TYPE.id: "resource {resource!r}: {type} is UNSUPPORTED in Heat{detail}",
    c.DEPRECATED_PROPERTY.id: "property {name!r} of {type} is {status}{detail}{hint}",
    c.PROPERTY_NOT_IMPLEMENTED.id: "Property {name} not implemented yet in {type} (resource {resource!r})",
    c.PROPERTY_RULE.id: "resource {resource!r} ({type}): {problem}",
    c.PROPERTY_NOT_IN_HEAT.id: "resource {resource!r}: Heat's {type} rejects this, though AWS may accept it: {problem}{hint}",
    c.SNAPSHOT_NOT_SUPPORTED.id: (
        '"Snapshot" deletion policy not supported: resource {resource!r} is {type}, which '
        "Heat cannot snapshot (only servers and volumes have handle_snapshot_delete)"
    ),
    c.INVALID_UPDATE_POLICY.id: "Property error: {where}: {problem}{hint}",
    c.DELETION_POLICY_NOT_IN_HEAT.id: (
        "Invalid deletion policy {policy!r} of resource {resource!r}: Heat knows only "
        "{allowed}; AWS's {policy} is not in Heat"
    ),
    # REF
    c.UNKNOWN_PARAMETER.id: "{via!r} names parameter {name!r}, which is not declared{hint}",
    c.UNKNOWN_RESOURCE.id: "{via!r} names resource {name!r}, which is not defined{hint}",
    c.UNKNOWN_REFERENCE.id: (
        "{via!r} names {name!r}, which is no parameter, resource or pseudo parameter{hint}"
    ),
    c.UNKNOWN_MAPPING.id: "{via!r} names mapping {name!r}, which is not defined{hint}",
    c.UNKNOWN_MAPPING_KEY.id: "mapping {mapping!r} has no {level} key {key!r}{hint}",
    c.PSEUDO_PARAMETER_NOT_IN_HEAT.id: (
        "pseudo parameter {name!r} is not supported by Heat in {dialect}: {consequence}{hint}"
    ),
    c.UNKNOWN_ATTRIBUTE.id: "no attribute {attribute!r} on {whose}{hint}",
    c.SELF_REFERENCE.id: (
        "resource {resource!r} refers to itself through {via!r}; Heat reports a circular dependency"
    ),
    c.RESOURCE_REF_IN_CONDITION.id: (
        "{via!r} names resource {name!r} in a condition, where Heat reads Ref as a parameter "
        "reference only and fails"
    ),
    c.DUPLICATE_NAME.id: (
        "resource {name!r} has the same name as a parameter; Heat rejects the template "
        "(Duplicate names)"
    ),
    # CND
    c.UNDEFINED_CONDITION.id: "condition {name!r} is not defined{hint} (Heat: Invalid condition)",
    c.CONDITION_CYCLE.id: (
        "condition {name!r} depends on itself: {chain} (Heat: Circular definition for condition)"
    ),
    c.INVALID_CONDITION_DEFINITION.id: (
        "the definition of condition {name!r} is invalid: {definition}; it must be a condition "
        "function or a boolean{hint}"
    ),
    c.INVALID_CONDITION.id: (
        "{value} is not a condition: Heat takes a boolean or the name of a condition here "
        "(Invalid condition)"
    ),
    # EVL
    c.EVALUATION_FAILED.id: "{name!r} fails when Heat resolves it: {message}",
    c.REPLACE_KEY_NOT_FOUND.id: "{name!r}: {message}",
    c.REPLACE_EMPTY_VALUE.id: "{name!r}: {message}",
    c.YAQL_FAILED.id: "{name!r}: {message}",
    # PAR
    c.INVALID_PARAMETER_VALUE.id: "Parameter {parameter!r} is invalid: {problem} ({source} is not a valid {type})",
    c.PARAMETER_CONSTRAINT.id: "Parameter {parameter!r} is invalid: {problem} ({source} breaks the {constraint} constraint)",
    c.MISSING_PARAMETER_VALUE.id: "The Parameter ({parameter}) was not provided: it has no default, and no -P or environment value sets it",
    c.UNKNOWN_CUSTOM_CONSTRAINT.id: "parameter {parameter!r}: Heat has no custom constraint {name!r}{hint}",
    c.CONSTRAINT_NOT_FOR_TYPE.id: "Parameter {parameter!r} is invalid: {problem}",
    c.HEAT_REJECTS_AWS_PARAMETER.id: "Parameter {parameter!r}: Heat rejects {source}, though AWS reads it as text: {problem}",
    c.UNKNOWN_GROUPED_PARAMETER.id: (
        "Parameter Groups error: group {group}: the grouped parameter {parameter!r} does not "
        "reference a valid parameter{hint}"
    ),
    c.PARAMETER_IN_SEVERAL_GROUPS.id: (
        "Parameter Groups error: group {group}: the {parameter!r} parameter must be assigned "
        "to one parameter group only; it is already in group {first}"
    ),
    c.INVALID_ALLOWED_PATTERN.id: (
        "Parameter {parameter!r} is invalid: {kind} {pattern!r} is not a regular expression "
        "Heat can compile: {problem}"
    ),
    c.GROUP_WITHOUT_PARAMETERS.id: (
        "Parameter Groups error: group {group}: the parameters must be provided for each "
        "parameter group"
    ),
    # DEP
    c.DEPENDENCY_CYCLE.id: "circular dependency: {cycle}; Heat cannot create this stack (Circular Dependency Found)",
    c.REFERENCE_TO_DISABLED.id: (
        "{owner} refers to {target!r} ({function}), which is disabled because "
        "its condition {condition} is false; Heat rejects this (the specified reference is "
        "incorrect)"
    ),
    c.EXTERNAL_RESOURCE_DEPENDS_ON.id: (
        "resource {resource!r} has an external_id, so it cannot have depends_on (Heat's "
        "InvalidExternalResourceDependency)"
    ),
    # RUN: worded where the plan finds them (kiln/runtime/desired.py, plan.py).
    **{
        code.id: "{message}"
        for code in (
            c.NO_HANDLER,
            c.PARAMETER_WITHOUT_VALUE,
            c.NOT_KNOWN_BEFORE_DEPLOY,
            c.IMMUTABLE_PROPERTY_CHANGED,
            c.RESTRICTED_ACTION,
            c.NOT_DEPLOYABLE,
            c.PROPERTIES_REJECTED,
        )
    },
    c.PLUGIN_FAILED.id: "plugin {plugin!r} failed: {problem}",
    c.UNUSED_SUPPRESSION.id: "{kind} suppression of {what} suppressed nothing{where}",
    c.UNKNOWN_SUPPRESSED_CODE.id: "{kind} suppression names {token!r}, which is no known code, rule name or code prefix{hint}",
    c.INVALID_LINT_CONFIG.id: "{what}: {problem}",
}


def format_message(code: c.Code, fields: dict[str, object]) -> str:
    template = MESSAGES.get(code.id)
    if template is None:  # plugin codes without a registered template use their summary
        return str(fields.get("message", code.summary))
    return template.format(**fields)
