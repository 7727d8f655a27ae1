"""What goes wrong in the runtime: diagnostics found while planning, and exceptions while
deploying.

A mistake in the template or its inputs that only deployment reveals (a type Kiln has no
handler for, a parameter without a value, a group count not known before deploy) is a RUN
diagnostic at the resource's span, reported before anything is touched. A cloud's refusal is a
`CloudError` carrying the cloud's own message, classified transient (retried with backoff) or
permanent (the resource and the stack go FAILED). Every other exception class here is a
condition the CLI reports in one line (exit 1); anything else is a bug in Kiln (exit 3).

The RUN codes are the runtime's own, with their message given at the report site
(`message=...`): codes.py holds the compiler's codes; these join the registry when the lead
lists them there (see the report of the runtime helper).
"""

from typing import Final

from kiln.compiler.diagnostics.codes import Code, Severity


def _code(id: str, name: str, summary: str) -> Code:
    return Code(id, name, summary, Severity.ERROR, "RUN", blocker=True)


NO_HANDLER: Final = _code(
    "RUN001", "no-deploy-handler", "A resource type Kiln cannot deploy (no handler for it)."
)
PARAMETER_WITHOUT_VALUE: Final = _code(
    "RUN002", "parameter-without-value", "A parameter with neither a value nor a default."
)
NOT_KNOWN_BEFORE_DEPLOY: Final = _code(
    "RUN003",
    "not-known-before-deploy",
    "A value the plan needs (a group's count or member type) depends on a resource.",
)
IMMUTABLE_PROPERTY_CHANGED: Final = _code(
    "RUN004", "immutable-property-changed", "A property Heat marks immutable has changed."
)
RESTRICTED_ACTION: Final = _code(
    "RUN005",
    "restricted-action",
    "The environment's restricted_actions forbid the update or replacement the plan needs.",
)
NOT_DEPLOYABLE: Final = _code(
    "RUN006",
    "not-deployable",
    "A template feature Kiln's deploy does not support (nested stacks, Snapshot policy, ...).",
)
PROPERTIES_REJECTED: Final = _code(
    "RUN007",
    "properties-rejected",
    "Properties the type's own checks reject (Heat's plugin validate()).",
)

RUNTIME_CODES: Final[tuple[Code, ...]] = (
    NO_HANDLER,
    PARAMETER_WITHOUT_VALUE,
    NOT_KNOWN_BEFORE_DEPLOY,
    IMMUTABLE_PROPERTY_CHANGED,
    RESTRICTED_ACTION,
    NOT_DEPLOYABLE,
    PROPERTIES_REJECTED,
)


class KilnRuntimeError(Exception):
    """A condition the user can act on; the CLI prints the message and exits 1."""


class StateError(KilnRuntimeError):
    """The state store cannot be opened or does not hold what Kiln expects."""


class LockRefused(KilnRuntimeError):
    """Another run holds the stack's lock."""


class NoSuchStack(KilnRuntimeError):
    """The state store has no stack of that name."""


class NoCloud(KilnRuntimeError):
    """A handler needs a cloud and none was named (--cloud or OS_CLOUD)."""


class CloudError(KilnRuntimeError):
    """A failed cloud call: the cloud's message, whether retrying may help, the HTTP status."""

    def __init__(self, message: str, *, transient: bool = False, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.transient = transient
        self.status = status


class HandlerFailure(KilnRuntimeError):
    """A resource that cannot be made as asked, found by its handler (never retried)."""


class ResourceFailed(KilnRuntimeError):
    """A resource operation that failed; the message is what the stack records."""


class DeployTimeout(KilnRuntimeError):
    """A resource did not reach its target state in time."""
