"""What goes wrong in the runtime: diagnostics found while planning, and exceptions while
deploying.

A mistake in the template or its inputs that only deployment reveals (a type Kiln has no
handler for, a parameter without a value, a group count not known before deploy) is a RUN
diagnostic at the resource's span, reported before anything is touched. A cloud's refusal is a
`CloudError` carrying the cloud's own message, classified transient (retried with backoff) or
permanent (the resource and the stack go FAILED). Every other exception class here is a
condition the CLI reports in one line (exit 1); anything else is a bug in Kiln (exit 3).

The RUN codes live in the registry (codes.py) with the others; each report site words its
own message (`message=...`), since what a plan cannot do is said best where it is found.
"""

from typing import Final

from kiln.compiler.diagnostics.codes import (
    IMMUTABLE_PROPERTY_CHANGED,
    NO_HANDLER,
    NOT_DEPLOYABLE,
    NOT_KNOWN_BEFORE_DEPLOY,
    PARAMETER_WITHOUT_VALUE,
    PROPERTIES_REJECTED,
    RESTRICTED_ACTION,
    Code,
)

__all__ = [
    "IMMUTABLE_PROPERTY_CHANGED",
    "NOT_DEPLOYABLE",
    "NOT_KNOWN_BEFORE_DEPLOY",
    "NO_HANDLER",
    "PARAMETER_WITHOUT_VALUE",
    "PROPERTIES_REJECTED",
    "RESTRICTED_ACTION",
    "RUNTIME_CODES",
    "CloudError",
    "DeployTimeout",
    "HandlerFailure",
    "KilnRuntimeError",
    "LockRefused",
    "NoCloud",
    "NoSuchStack",
    "ResourceFailed",
    "StateError",
]

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
