"""Every built-in diagnostic code, declared once (mypy errorcodes.py, ruff codes.rs).

The id is a category prefix plus three digits; the kebab-case name is what users put in
suppressions. Severity is a field, never a letter of the id. Messages live in messages.py.
Plugins declare their own codes through the `kiln_diagnostic_codes` hook, with their own prefix.
"""

from dataclasses import dataclass
from enum import IntEnum
from typing import Final

DOC_ROOT: Final = "https://kiln.dev/codes/"


class Severity(IntEnum):
    """Ordered so that `max()` of severities gives the worst one."""

    HINT = 0
    INFO = 1
    WARNING = 2
    ERROR = 3

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Code:
    id: str
    name: str
    summary: str
    default_severity: Severity
    category: str
    blocker: bool = False

    @property
    def doc_url(self) -> str:
        return f"{DOC_ROOT}{self.id}"


def _code(id: str, name: str, severity: Severity, summary: str, *, blocker: bool = False) -> Code:
    return Code(id, name, summary, severity, id.rstrip("0123456789"), blocker)


E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741

# --- SYN: reading the file and the shape of the document ------------------------------------
INVALID_YAML: Final = _code(
    "SYN001", "invalid-yaml", E, "The file is not valid YAML.", blocker=True
)
INVALID_JSON: Final = _code(
    "SYN002", "invalid-json", E, "The file is not valid JSON.", blocker=True
)
DUPLICATE_KEY: Final = _code("SYN003", "duplicate-key", E, "A mapping has the same key twice.")
UNKNOWN_TAG: Final = _code("SYN004", "unknown-tag", E, "A YAML tag that no dialect defines.")
FILE_TOO_LARGE: Final = _code(
    "SYN005", "file-too-large", E, "The file exceeds the size limit.", blocker=True
)
ALIAS_LIMIT: Final = _code(
    "SYN006", "alias-expansion-limit", E, "YAML aliases expand beyond the node limit.", blocker=True
)
NESTING_TOO_DEEP: Final = _code(
    "SYN007", "nesting-too-deep", E, "The document nests deeper than the limit.", blocker=True
)
NOT_A_MAPPING: Final = _code(
    "SYN008", "template-not-a-mapping", E, "The document is not a mapping.", blocker=True
)
UNDECODABLE: Final = _code(
    "SYN009", "undecodable-file", E, "The file is not UTF-8 text.", blocker=True
)
MULTIPLE_DOCUMENTS: Final = _code(
    "SYN010", "multiple-documents", E, "The file holds more than one YAML document."
)
MISSING_VERSION: Final = _code(
    "SYN011",
    "missing-template-version",
    E,
    "No template version key, and no dialect recognised it.",
)
UNKNOWN_VERSION: Final = _code(
    "SYN012", "unknown-template-version", E, "A template version Heat does not know."
)
UNKNOWN_SECTION: Final = _code(
    "SYN013", "unknown-section", E, "A top-level section the dialect does not have."
)
WRONG_SHAPE: Final = _code(
    "SYN015", "wrong-shape", E, "A section or key holds the wrong kind of value."
)
UNKNOWN_RESOURCE_KEY: Final = _code(
    "SYN016", "unknown-resource-key", E, "A resource key the dialect does not have."
)
KEY_NOT_IN_VERSION: Final = _code(
    "SYN014",
    "not-in-version",
    E,
    "A section, key or constraint this template version does not accept.",
)
MISSING_RESOURCE_TYPE: Final = _code(
    "SYN018", "missing-resource-type", E, "A resource without a type."
)
UNKNOWN_OUTPUT_KEY: Final = _code(
    "SYN019", "unknown-output-key", E, "An output key the dialect does not have."
)
MISSING_OUTPUT_VALUE: Final = _code(
    "SYN020", "missing-output-value", E, "An output without a value."
)
UNKNOWN_PARAMETER_KEY: Final = _code(
    "SYN021", "unknown-parameter-key", E, "A parameter key the dialect does not have."
)
UNKNOWN_PARAMETER_TYPE: Final = _code(
    "SYN022", "unknown-parameter-type", E, "A parameter type the dialect does not have."
)
MISSING_PARAMETER_TYPE: Final = _code(
    "SYN023", "missing-parameter-type", E, "A parameter without a type."
)
UNKNOWN_CONSTRAINT: Final = _code(
    "SYN024", "unknown-constraint", E, "A parameter constraint kind that does not exist."
)
INVALID_CONSTRAINT: Final = _code(
    "SYN025", "invalid-constraint", E, "A parameter constraint with the wrong arguments."
)
INVALID_DELETION_POLICY: Final = _code(
    "SYN026",
    "invalid-deletion-policy",
    E,
    "A deletion policy that is not Delete, Retain or Snapshot.",
)
EMPTY_DOCUMENT: Final = _code("SYN027", "empty-document", E, "The file is empty.", blocker=True)
INVALID_PARAMETER_GROUP: Final = _code(
    "SYN028", "invalid-parameter-group", E, "A parameter group with the wrong shape."
)
NON_STRING_KEY: Final = _code("SYN029", "non-string-key", W, "A mapping key that is not a string.")
INVALID_RESOURCE_NAME: Final = _code(
    "SYN031", "invalid-resource-name", E, 'A resource name Heat refuses (one with a "/").'
)
TOO_MANY_RESOURCES: Final = _code(
    "SYN030",
    "too-many-resources",
    E,
    "A template with more resources than Heat's max_resources_per_stack allows.",
)

# --- FN: intrinsic functions -------------------------------------------------------------------
UNKNOWN_FUNCTION: Final = _code(
    "FN001", "unknown-function", E, "A function name that no dialect defines."
)
FUNCTION_NOT_IN_VERSION: Final = _code(
    "FN002", "function-not-in-version", E, "A function this template version does not have yet."
)
FUNCTION_REMOVED: Final = _code(
    "FN003", "function-removed", E, "A function this template version no longer supports."
)
BAD_FUNCTION_ARGUMENTS: Final = _code(
    "FN004", "bad-function-arguments", E, "A function called with arguments of the wrong shape."
)
FUNCTION_NOT_IN_CONDITION: Final = _code(
    "FN005", "function-not-in-condition", E, "A function that conditions do not accept."
)
FOREACH_NOT_EXPANDED: Final = _code(
    "FN006",
    "foreach-not-expanded",
    W,
    "A CloudFormation Fn::ForEach loop, which Kiln does not expand and Heat does not have.",
)
BAD_ARGUMENT_TYPE: Final = _code(
    "FN007", "bad-argument-type", E, "A function argument of a type the function cannot use."
)
BAD_ARGUMENT_VALUE: Final = _code(
    "FN008", "bad-argument-value", E, "A function argument value the function rejects."
)
FUNCTION_NOT_IN_HEAT: Final = _code(
    "FN009", "function-not-in-heat", E, "A CloudFormation function Heat does not implement."
)
MISSPELT_FUNCTION: Final = _code(
    "FN010",
    "misspelt-function",
    W,
    "A single-key map whose key looks like a misspelt function; Heat keeps it as a map.",
)

# --- FIL: files referenced by templates (get_file, provider and nested templates) -------------
MISSING_FILE: Final = _code("FIL001", "missing-file", E, "A referenced file does not exist.")
PATH_OUTSIDE_ROOT: Final = _code(
    "FIL002", "path-outside-root", E, "A referenced file lies outside the allowed directories."
)
REMOTE_FILE: Final = _code("FIL003", "remote-file", I, "A referenced URL that Kiln does not fetch.")
NESTING_LIMIT: Final = _code(
    "FIL004", "nested-stack-depth", E, "Nested templates deeper than Heat's max_nested_stack_depth."
)
INCLUDE_CYCLE: Final = _code(
    "FIL005", "nested-template-cycle", E, "A template that includes itself."
)

# --- ENV: environment files --------------------------------------------------------------------
UNKNOWN_ENV_SECTION: Final = _code(
    "ENV001", "unknown-environment-section", E, "An environment section Heat does not have."
)
INVALID_REGISTRY_ENTRY: Final = _code(
    "ENV002", "invalid-registry-entry", E, "A resource_registry entry with the wrong shape."
)
UNKNOWN_HOOK: Final = _code(
    "ENV003", "unknown-hook", E, "A hook or restricted action Heat does not have."
)
UNDECLARED_PARAMETER: Final = _code(
    "ENV004",
    "undeclared-parameter",
    E,
    "A parameter value for a parameter the template does not declare.",
)
INVALID_MERGE_STRATEGY: Final = _code(
    "ENV005",
    "invalid-merge-strategy",
    E,
    "A parameter merge strategy that is not overwrite, merge or deep_merge.",
)
CONFLICTING_MERGE_STRATEGY: Final = _code(
    "ENV007",
    "conflicting-merge-strategy",
    E,
    "An environment file gives a parameter another merge strategy than an earlier file did.",
)

# --- SCH: resources against resource-type schemas ------------------------------------------
UNKNOWN_RESOURCE_TYPE: Final = _code(
    "SCH001",
    "unknown-resource-type",
    E,
    "A resource type no schema, plugin or environment defines.",
)
TYPE_NOT_IN_HEAT: Final = _code(
    "SCH002", "type-not-in-heat", W, "A CloudFormation resource type that Heat does not implement."
)
UNKNOWN_PROPERTY: Final = _code(
    "SCH003", "unknown-property", E, "A property the resource type does not have."
)
MISSING_PROPERTY: Final = _code(
    "SCH004", "missing-required-property", E, "A required property without a value or default."
)
INVALID_PROPERTY_VALUE: Final = _code(
    "SCH005", "invalid-property-value", E, "A property value of a type the property cannot take."
)
PROPERTY_CONSTRAINT: Final = _code(
    "SCH006",
    "property-constraint-violated",
    E,
    "A property value that breaks a constraint of its schema.",
)
HIDDEN_RESOURCE_TYPE: Final = _code(
    "SCH007", "hidden-resource-type", E, "A resource type Heat has retired (HIDDEN)."
)
DEPRECATED_RESOURCE_TYPE: Final = _code(
    "SCH008",
    "deprecated-resource-type",
    W,
    "A deprecated resource type, or a hidden one Heat still maps to its substitute.",
)
UNSUPPORTED_RESOURCE_TYPE: Final = _code(
    "SCH009",
    "unsupported-resource-type",
    W,
    "A resource type Heat marks UNSUPPORTED (use at your own risk).",
)
DEPRECATED_PROPERTY: Final = _code(
    "SCH010", "deprecated-property", W, "A deprecated, hidden or unsupported property."
)
PROPERTY_NOT_IMPLEMENTED: Final = _code(
    "SCH011", "property-not-implemented", E, "A property Heat declares but does not implement."
)
PROPERTY_RULE: Final = _code(
    "SCH012",
    "invalid-property-combination",
    E,
    "Properties that Heat's plugin rejects together (or alone).",
)
PROPERTY_NOT_IN_HEAT: Final = _code(
    "SCH013",
    "heat-rejects-aws-property",
    W,
    "A property use that Heat's implementation of an AWS type rejects, in a template for AWS.",
)
SNAPSHOT_NOT_SUPPORTED: Final = _code(
    "SCH014",
    "snapshot-policy-not-supported",
    E,
    "A Snapshot deletion policy on a type Heat cannot snapshot.",
)
INVALID_UPDATE_POLICY: Final = _code(
    "SCH015",
    "invalid-update-policy",
    E,
    "An update policy that breaks its type's update policy schema.",
)
DELETION_POLICY_NOT_IN_HEAT: Final = _code(
    "SCH016",
    "deletion-policy-not-in-heat",
    E,
    "A CloudFormation deletion policy Heat does not implement (RetainExceptOnCreate).",
)

# --- REF: names and references (resolve_references) ------------------------------------------
UNKNOWN_PARAMETER: Final = _code(
    "REF001", "unknown-parameter", E, "A reference to a parameter the template does not declare."
)
UNKNOWN_RESOURCE: Final = _code(
    "REF002", "unknown-resource", E, "A reference to a resource the template does not define."
)
UNKNOWN_REFERENCE: Final = _code(
    "REF003",
    "unknown-reference",
    E,
    "A Ref or Fn::Sub variable that names no parameter, resource or pseudo parameter.",
)
UNKNOWN_MAPPING: Final = _code(
    "REF004", "unknown-mapping", E, "Fn::FindInMap names a mapping the template does not define."
)
UNKNOWN_MAPPING_KEY: Final = _code(
    "REF005", "unknown-mapping-key", E, "Fn::FindInMap names a key its mapping does not have."
)
PSEUDO_PARAMETER_NOT_IN_HEAT: Final = _code(
    "REF006",
    "pseudo-parameter-not-in-heat",
    E,
    "A pseudo parameter Heat does not provide in this dialect.",
)
UNKNOWN_ATTRIBUTE: Final = _code(
    "REF007", "unknown-attribute", E, "An attribute the resource's type does not have."
)
SELF_REFERENCE: Final = _code(
    "REF008", "self-reference", E, "A resource that depends on or refers to itself."
)
RESOURCE_REF_IN_CONDITION: Final = _code(
    "REF009",
    "resource-ref-in-condition",
    E,
    "A Ref to a resource inside a condition, where Heat reads Ref as a parameter only.",
)
DUPLICATE_NAME: Final = _code(
    "REF010", "duplicate-name", E, "A resource with the same name as a parameter."
)

# --- CND: conditions (resolve_conditions) -----------------------------------------------------
UNDEFINED_CONDITION: Final = _code(
    "CND001", "undefined-condition", E, "A condition name that no condition defines."
)
CONDITION_CYCLE: Final = _code(
    "CND002", "condition-cycle", E, "A condition whose definition depends on itself."
)
INVALID_CONDITION_DEFINITION: Final = _code(
    "CND003",
    "invalid-condition-definition",
    E,
    "A condition definition that is not a condition function or a boolean.",
)
INVALID_CONDITION: Final = _code(
    "CND004",
    "invalid-condition",
    E,
    "A value used as a condition that is neither a boolean nor a condition name.",
)

# --- EVL: evaluating functions (the evaluator, wherever a value is resolved) -----------------
EVALUATION_FAILED: Final = _code(
    "EVL001", "evaluation-failed", E, "A function Heat fails to resolve with these values."
)
REPLACE_KEY_NOT_FOUND: Final = _code(
    "EVL002",
    "replace-key-not-found",
    E,
    "A str_replace_strict parameter that does not occur in the template string.",
)
REPLACE_EMPTY_VALUE: Final = _code(
    "EVL003",
    "replace-empty-value",
    E,
    "A str_replace_vstrict parameter whose value is empty or null.",
)
YAQL_FAILED: Final = _code(
    "EVL004", "yaql-failed", E, "A yaql expression that fails to parse or to evaluate."
)

# --- PAR: parameter values and constraints (validate_parameters) -----------------------------
INVALID_PARAMETER_VALUE: Final = _code(
    "PAR001",
    "invalid-parameter-value",
    E,
    "A parameter value or default Heat cannot read as the parameter's type.",
)
PARAMETER_CONSTRAINT: Final = _code(
    "PAR002",
    "parameter-constraint-violated",
    E,
    "A parameter value or default that breaks a constraint.",
)
MISSING_PARAMETER_VALUE: Final = _code(
    "PAR003",
    "missing-parameter-value",
    E,
    "A parameter without a default that no -P or environment value sets.",
)
UNKNOWN_CUSTOM_CONSTRAINT: Final = _code(
    "PAR004", "unknown-custom-constraint", E, "A custom_constraint name Heat does not register."
)
CONSTRAINT_NOT_FOR_TYPE: Final = _code(
    "PAR005",
    "constraint-not-for-type",
    E,
    "A constraint kind Heat does not allow on the parameter's type.",
)
HEAT_REJECTS_AWS_PARAMETER: Final = _code(
    "PAR006",
    "heat-rejects-aws-parameter",
    W,
    "A default AWS reads as text that Heat's constraint checks reject (a number where text is checked).",
)
UNKNOWN_GROUPED_PARAMETER: Final = _code(
    "PAR007",
    "unknown-grouped-parameter",
    E,
    "A parameter group that lists a parameter the template does not declare.",
)
PARAMETER_IN_SEVERAL_GROUPS: Final = _code(
    "PAR008",
    "parameter-in-several-groups",
    E,
    "A parameter listed more than once in the parameter groups.",
)
GROUP_WITHOUT_PARAMETERS: Final = _code(
    "PAR009",
    "group-without-parameters",
    E,
    "A parameter group without a `parameters` list.",
)
INVALID_ALLOWED_PATTERN: Final = _code(
    "PAR010",
    "invalid-allowed-pattern",
    E,
    "An allowed pattern that Python's re, which Heat uses, cannot compile.",
)

# --- DEP: the dependency graph (dependency_graph) ---------------------------------------------
DEPENDENCY_CYCLE: Final = _code(
    "DEP001", "dependency-cycle", E, "Resources that depend on each other in a circle."
)
REFERENCE_TO_DISABLED: Final = _code(
    "DEP002",
    "reference-to-disabled-resource",
    E,
    "An enabled resource refers to a resource whose condition is false.",
)
EXTERNAL_RESOURCE_DEPENDS_ON: Final = _code(
    "DEP003",
    "external-resource-depends-on",
    E,
    "A resource with an external_id that declares depends_on.",
)

# --- LNT: the lint session (kiln/compiler/lint/session.py), not rules -------------------------
UNUSED_SUPPRESSION: Final = _code(
    "LNT001",
    "unused-suppression",
    W,
    "A suppression comment or metadata entry that suppressed nothing.",
)
UNKNOWN_SUPPRESSED_CODE: Final = _code(
    "LNT002",
    "unknown-suppressed-code",
    W,
    "A suppression naming no known code, rule name or code prefix.",
)
INVALID_LINT_CONFIG: Final = _code(
    "LNT003",
    "invalid-lint-config",
    E,
    "A lint configuration or baseline file that cannot be read or breaks its schema.",
)


# --- RUN: what only planning a deployment reveals (kiln/runtime/desired.py, plan.py) -----------
def _run(id: str, name: str, summary: str) -> Code:
    return _code(id, name, E, summary, blocker=True)


NO_HANDLER: Final = _run(
    "RUN001", "no-deploy-handler", "A resource type Kiln cannot deploy (no handler for it)."
)
PARAMETER_WITHOUT_VALUE: Final = _run(
    "RUN002", "parameter-without-value", "A parameter with neither a value nor a default."
)
NOT_KNOWN_BEFORE_DEPLOY: Final = _run(
    "RUN003",
    "not-known-before-deploy",
    "A value the plan needs (a group's count or member type) depends on a resource.",
)
IMMUTABLE_PROPERTY_CHANGED: Final = _run(
    "RUN004", "immutable-property-changed", "A property Heat marks immutable has changed."
)
RESTRICTED_ACTION: Final = _run(
    "RUN005",
    "restricted-action",
    "The environment's restricted_actions forbid the update or replacement the plan needs.",
)
NOT_DEPLOYABLE: Final = _run(
    "RUN006",
    "not-deployable",
    "A template feature Kiln's deploy does not support (nested stacks, Snapshot policy, ...).",
)
PROPERTIES_REJECTED: Final = _run(
    "RUN007",
    "properties-rejected",
    "Properties the type's own checks reject (Heat's plugin validate()).",
)

# --- PLG: plugins ------------------------------------------------------------------------------
PLUGIN_FAILED: Final = _code(
    "PLG001", "plugin-failed", E, "A plugin failed to load or register.", blocker=True
)

BUILTIN_CODES: Final[tuple[Code, ...]] = tuple(
    value for value in list(globals().values()) if isinstance(value, Code)
)
