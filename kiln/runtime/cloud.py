"""The cloud: the only module that imports openstacksdk (and keystoneauth1, under it).

- `connect(name)`: a connection to a cloud named in clouds.yaml (openstacksdk's own lookup:
  OS_CLIENT_CONFIG_FILE, ./clouds.yaml, ~/.config/openstack/, /etc/openstack/), authorised
  at once so a wrong password is said before anything starts.
- `Cloud.call(fn, ...)`: every SDK call through it; a failure comes out as `CloudError` with
  the cloud's own message and `transient` set when retrying may help (`classify`).
- Marks on what Kiln creates: tags (Neutron, Nova) or metadata (Cinder, Swift, ...) naming the
  stack, the logical resource and the request token, and `find_tagged` to find a resource by
  them again (a resumed create, a retried one).

The SDK is imported inside the functions that use it: importing this module is free, so
commands that never reach a cloud never pay for it.
"""

import hashlib
import threading
from collections.abc import Callable, Iterable
from typing import Any, Final, TypeVar

from kiln.runtime.errors import CloudError, KilnRuntimeError, NoCloud

T = TypeVar("T")

# Nova server tags: at most 60 characters, no "/" or ","; Neutron allows 255. Every mark
# fits the stricter rule.
TAG_LIMIT: Final = 60
STACK_TAG: Final = "kiln-stack="
RESOURCE_TAG: Final = "kiln-res="
TOKEN_TAG: Final = "kiln-token="
# HTTP answers worth another try: a server error, a conflict while a resource is busy
# (Neutron's 409 "in use", Nova's task_state conflicts), too many requests.
TRANSIENT_STATUSES: Final = frozenset({408, 409, 429})


def _fits(prefix: str, value: str) -> str:
    tag = prefix + value
    if len(tag) <= TAG_LIMIT and "/" not in tag and "," not in tag:
        return tag
    return prefix + hashlib.sha256(value.encode("utf-8")).hexdigest()[: TAG_LIMIT - len(prefix)]


def resource_tags(stack_id: str, logical_name: str, token: str) -> tuple[str, ...]:
    return (
        _fits(STACK_TAG, stack_id),
        _fits(RESOURCE_TAG, logical_name),
        _fits(TOKEN_TAG, token),
    )


def resource_metadata(stack_id: str, logical_name: str, token: str) -> dict[str, str]:
    return {"kiln_stack": stack_id, "kiln_resource": logical_name, "kiln_token": token}


def classify(error: BaseException) -> CloudError | None:
    """The SDK's (and keystoneauth's) exceptions as CloudError; None for anything else,
    which is a bug and is left to propagate."""
    from keystoneauth1 import exceptions as ksa
    from openstack import exceptions as sdk

    if isinstance(error, sdk.HttpException):
        status = error.status_code
        message = str(error.details or error.message or error)
        transient = status is not None and (status >= 500 or status in TRANSIENT_STATUSES)
        return CloudError(message, transient=transient, status=status)
    if isinstance(error, ksa.RetriableConnectionFailure | ksa.ConnectionError):
        return CloudError(f"connection failed: {error}", transient=True)
    if isinstance(error, ksa.http.HttpError):
        status = getattr(error, "http_status", None)
        transient = status is not None and (status >= 500 or status in TRANSIENT_STATUSES)
        return CloudError(str(error), transient=transient, status=status)
    if isinstance(error, sdk.SDKException | ksa.ClientException):
        return CloudError(str(error))
    import requests

    if isinstance(error, requests.ConnectionError | requests.Timeout):
        return CloudError(f"connection failed: {error}", transient=True)
    return None


class Cloud:
    """A connection (openstack.connection.Connection) with classified failures."""

    def __init__(self, name: str, connection: Any) -> None:
        self.name = name
        self.connection = connection

    def call(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        try:
            return function(*args, **kwargs)
        except Exception as error:
            classified = classify(error)
            if classified is None:
                raise
            raise classified from error

    @property
    def project_id(self) -> str:
        return str(self.call(lambda: self.connection.current_project_id))

    @property
    def region(self) -> str | None:
        region = self.connection.config.get_region_name()
        return str(region) if region else None

    def find_tagged(
        self, listing: Callable[..., Iterable[Any]], tags: Iterable[str], **filters: Any
    ) -> str | None:
        """The id of the first resource `listing(tags=..., **filters)` returns."""
        wanted = ",".join(tags)
        for found in self.call(lambda: list(listing(tags=wanted, **filters))):
            return str(found.id)
        return None

    def find_by_metadata(
        self, listing: Callable[..., Iterable[Any]], metadata: dict[str, str], **filters: Any
    ) -> str | None:
        """The id of the first listed resource whose metadata holds every given pair (for
        services without tags: Cinder volumes, Swift containers)."""
        for found in self.call(lambda: list(listing(**filters))):
            own = getattr(found, "metadata", None) or {}
            if all(own.get(key) == value for key, value in metadata.items()):
                return str(found.id)
        return None


def connect(name: str) -> Cloud:
    import openstack
    from openstack import exceptions as sdk

    try:
        connection = openstack.connect(cloud=name)
    except sdk.ConfigException as error:
        raise KilnRuntimeError(f"cloud {name!r}: {error}") from error
    cloud = Cloud(name, connection)
    try:
        cloud.call(connection.authorize)
    except CloudError as error:
        raise KilnRuntimeError(f"cannot connect to cloud {name!r}: {error.message}") from error
    return cloud


class LazyCloud:
    """Connects on first use, once, whichever thread asks first; NoCloud when no cloud was
    named and a resource needs one."""

    def __init__(self, name: str | None, connector: Callable[[str], Cloud] = connect) -> None:
        self.name = name
        self.connector = connector
        self._cloud: Cloud | None = None
        self._lock = threading.Lock()

    def __call__(self) -> Cloud:
        with self._lock:
            if self._cloud is None:
                if not self.name:
                    raise NoCloud(
                        "this resource needs a cloud: name one with --cloud NAME or OS_CLOUD "
                        "(a cloud of clouds.yaml)"
                    )
                self._cloud = self.connector(self.name)
            return self._cloud
