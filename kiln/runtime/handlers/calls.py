"""REST calls to OpenStack services for the cloud handlers, through openstacksdk's service
adapters (`connection.compute`, `.network`, `.block_storage`, `.image`, `.object_store`).

The handlers speak each API's own documents, as Heat's clients do, so a request body is the
one Heat sends and an attribute is read from the same field. openstacksdk still does the
work that matters (authentication, the catalog, version discovery, microversion headers);
kiln/runtime/cloud.py stays the only module importing it. A failed answer becomes a
`CloudError` with the service's own message, transient as `cloud.classify` decides it.
"""

import threading
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import quote

from kiln.runtime.cloud import TRANSIENT_STATUSES, Cloud
from kiln.runtime.errors import CloudError

# The newest microversions the handlers are written against (the sandbox's Nova and Cinder
# support them; Heat 27 asks for the highest both sides know): Nova 2.90 has tags and NIC
# tags at create, `networks: auto|none`, flavor descriptions and server-group rules, and
# still accepts a rebuild's user_data; Cinder 3.42 extends in-use volumes.
NOVA: Final = "2.90"
CINDER: Final = "3.42"


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: Any
    headers: Mapping[str, str]


def request(
    cloud: Cloud,
    service: str,
    method: str,
    path: str,
    *,
    json: Any = None,
    headers: Mapping[str, str] | None = None,
    microversion: str | None = None,
    missing_ok: bool = False,
    params: Mapping[str, Any] | None = None,
) -> Answer | None:
    """One call; None for a 404 when `missing_ok` (a resource already gone)."""
    adapter = getattr(cloud.connection, service)
    kwargs: dict[str, Any] = {}
    if json is not None:
        kwargs["json"] = json
    if headers:
        kwargs["headers"] = dict(headers)
    if microversion is not None:
        kwargs["microversion"] = microversion
    if params:
        kwargs["params"] = dict(params)
    response = cloud.call(adapter.request, path, method, **kwargs)
    status = int(response.status_code)
    if status == 404 and missing_ok:
        return None
    if status >= 400:
        raise CloudError(
            error_message(response),
            transient=status >= 500 or status in TRANSIENT_STATUSES,
            status=status,
        )
    return Answer(status, _body(response), response.headers)


def call(cloud: Cloud, service: str, method: str, path: str, **kwargs: Any) -> Any:
    """The answer's JSON body (the resource is expected to exist)."""
    answer = request(cloud, service, method, path, **kwargs)
    assert answer is not None
    return answer.body


def get(cloud: Cloud, service: str, path: str, **kwargs: Any) -> Any | None:
    """The JSON body, or None when the resource does not exist."""
    answer = request(cloud, service, "GET", path, missing_ok=True, **kwargs)
    return None if answer is None else answer.body


def delete(cloud: Cloud, service: str, path: str, **kwargs: Any) -> bool:
    """Delete; False when it was already gone."""
    return request(cloud, service, "DELETE", path, missing_ok=True, **kwargs) is not None


def _body(response: Any) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return response.text


def error_message(response: Any) -> str:
    """The service's own words: Nova's {"badRequest": {"message"}}, Neutron's
    {"NeutronError": {"message"}}, Keystone's {"error": {"message"}}, Swift's text."""
    body = _body(response)
    if isinstance(body, Mapping):
        for value in body.values():
            if isinstance(value, Mapping) and value.get("message"):
                return str(value["message"])
        if body.get("message"):
            return str(body["message"])
        if body.get("description"):
            return str(body["description"])
    if isinstance(body, str) and body.strip():
        text = " ".join(body.split())
        return text if len(text) <= 300 else text[:300] + "..."
    return f"HTTP {response.status_code} {getattr(response, 'reason', '') or ''}".strip()


def find_by_name_or_id(
    cloud: Cloud,
    service: str,
    collection: str,
    key: str | None,
    value: str,
    *,
    kind: str,
    microversion: str | None = None,
    filters: Mapping[str, Any] | None = None,
    name_filter: bool = True,
    remember: bool = False,
) -> dict[str, Any]:
    """A resource named or identified by `value` (Heat's find_resourceid_by_name_or_id):
    by id first, then by exact name; none or several is the user's mistake. `key` wraps
    one resource in its service's answers (Nova's {"flavor": ...}); None when it is bare
    (Glance's images). `remember`: what was found is kept for the rest of this connection,
    as Heat memoizes its flavor and image finders (MEMOIZE_FINDER in heat/engine/clients/
    os/nova.py and glance.py): ten servers of one flavor ask Nova once, not ten times at
    once. Only what was found is kept: a name missing now may be created by this deploy."""
    if not remember:
        return _find(cloud, service, collection, key, value, kind, microversion, filters,
                     name_filter)  # fmt: skip
    memo = (service, collection, value, microversion or "", repr(sorted((filters or {}).items())))
    with _FOUND_LOCK:
        found_here = _FOUND.setdefault(cloud, {})
        lock = _FINDING.setdefault(cloud, {}).setdefault(memo, threading.Lock())
    with lock:  # the threads asking for the same name wait for the first one's answer
        if memo not in found_here:
            found_here[memo] = _find(cloud, service, collection, key, value, kind,
                                     microversion, filters, name_filter)  # fmt: skip
    return dict(found_here[memo])


_FOUND_LOCK: Final = threading.Lock()
_FOUND: "weakref.WeakKeyDictionary[Cloud, dict[tuple[str, ...], dict[str, Any]]]" = (
    weakref.WeakKeyDictionary()
)
_FINDING: "weakref.WeakKeyDictionary[Cloud, dict[tuple[str, ...], threading.Lock]]" = (
    weakref.WeakKeyDictionary()
)


def _find(
    cloud: Cloud,
    service: str,
    collection: str,
    key: str | None,
    value: str,
    kind: str,
    microversion: str | None,
    filters: Mapping[str, Any] | None,
    name_filter: bool,
) -> dict[str, Any]:
    found = get(cloud, service, f"/{collection}/{quote(value, safe='')}", microversion=microversion)
    if isinstance(found, Mapping) and key is not None:
        found = found.get(key)
    if isinstance(found, Mapping) and found.get("id"):
        return dict(found)
    query = {"name": value} if name_filter else {}  # Nova's flavor list refuses `name`
    listing = get(
        cloud, service, f"/{collection}", params={**query, **(filters or {})},
        microversion=microversion,
    )  # fmt: skip
    items = listing.get(collection, []) if isinstance(listing, Mapping) else []
    named = [item for item in items if item.get("name") == value]
    if not named:
        raise CloudError(f"The {kind} ({value}) could not be found.", status=404)
    if len(named) > 1:
        raise CloudError(
            f"Multiple physical resources were found with name ({value}): {kind}s "
            + ", ".join(str(item.get("id")) for item in named)
        )
    return dict(named[0])
