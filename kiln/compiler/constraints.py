"""Heat's custom constraints that need no cloud, checked offline with Heat's verdicts.

Source: heat/engine/constraint/common_constraints.py (Heat 27.0.1), and what it calls:
neutron_lib.api.validators (validate_ip_address, validate_subnet, validate_no_whitespace),
netaddr 1.x (IPAddress, IPNetwork, valid_mac), heat/common/netutils.py (validate_dns_format),
oslo_utils.timeutils (parse_isotime: the iso8601 package), croniter, zoneinfo.

netaddr is not a dependency (it ships megabytes of OUI data): its parsing is mirrored here with
the same building blocks it uses (socket.inet_pton, its MAC regular expressions). The verdicts
are checked against Heat's own classes by tests/compiler/heat_constraint_table.py.

Every other custom constraint (nova.flavor, glance.image, ...) asks a cloud service; those are
recorded for deploy time and never judged here (`is_pure` is False for them).
"""

import importlib
import json
import re
import socket
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Final

# Heat's message wrapper (BaseCustomConstraint.error).
_ERROR = "Error validating value '{value}'"
_ERROR_WITH = "Error validating value '{value}': {message}"


class _Invalid(Exception):
    """A value the constraint rejects; `message` is the constraint's `_error_message`."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message)
        self.message = message


# --- IP addresses and networks (neutron_lib validators over netaddr) ---------------------------

_WHITESPACE: Final = re.compile(r"\s")


def _no_whitespace(data: str) -> str:
    if _WHITESPACE.search(data):
        raise _Invalid(f"'{data}' contains whitespace")
    return data


def _ipv4_int(text: str, *, zerofill: bool) -> int | None:
    """netaddr.strategy.ipv4.str_to_int in INET_PTON mode (optionally ZEROFILL), or None.
    ZEROFILL's int() of a non-numeric part raises ValueError, as in netaddr."""
    if ":" in text:
        return None
    if zerofill:
        text = ".".join(str(int(part)) for part in text.split("."))
    elif any(len(part) > 1 and part.startswith("0") for part in text.split(".")):
        return None
    try:
        return int.from_bytes(socket.inet_pton(socket.AF_INET, text), "big")
    except (OSError, UnicodeError):
        return None


def _ipv6_int(text: str) -> int | None:
    try:
        return int.from_bytes(socket.inet_pton(socket.AF_INET6, text), "big")
    except (OSError, UnicodeError, ValueError):
        return None


def _ipv4_str(value: int) -> str:
    return ".".join(str((value >> shift) & 0xFF) for shift in (24, 16, 8, 0))


def _ip_address(data: object) -> None:
    """neutron_lib validate_ip_address: raises _Invalid with its message."""
    if not isinstance(data, str):
        raise _Invalid(f"'{data}' is not a valid IP address")
    try:
        _no_whitespace(data)
    except _Invalid:
        raise _Invalid(f"'{data}' is not a valid IP address") from None
    version, value = 0, None
    try:
        value = _ipv4_int(data, zerofill=True)
    except ValueError:  # netaddr retries without ZEROFILL
        value = _ipv4_int(data, zerofill=False)
    if value is not None:
        version = 4
    else:
        value = _ipv6_int(data) if "/" not in data else None
        version = 6 if value is not None else 0
    if not version or value is None:
        raise _Invalid(f"'{data}' is not a valid IP address")
    if ":" not in data and data.count(".") != 3:
        raise _Invalid(f"'{data}' is not a valid IP address")
    if version == 4 and _ipv4_str(value) != data:
        raise _Invalid(
            f"'{data}' is not an accepted IP address, '{_ipv4_str(value)}' is recommended"
        )


def _prefix(
    mask: str, width: int, parse: Callable[[str], int | None]
) -> int | None:  # fmt: skip
    """netaddr parse_ip_network's prefix: an int, else a netmask or hostmask address."""
    try:
        prefix = int(mask)
    except ValueError:
        if "/" in mask:
            return None
        value = parse(mask)
        if value is None:
            return None
        top = (1 << width) - 1
        inverted = (value ^ top) + 1
        if inverted & (inverted - 1) == 0:  # a netmask
            prefix = width - (inverted.bit_length() - 1)
        elif (value + 1) & value == 0:  # a hostmask
            prefix = width - value.bit_length()
        else:
            return None
    return prefix if 0 <= prefix <= width else None


def _network(data: str) -> tuple[int, int] | None:
    """netaddr.IPNetwork(data): (version, prefix length), or None where it raises."""
    address, _, mask = data.partition("/")
    has_mask = "/" in data
    if _ipv4_int(address, zerofill=False) is not None:
        prefix = _prefix(mask, 32, lambda m: _ipv4_int(m, zerofill=False)) if has_mask else 32
        if prefix is not None:
            return 4, prefix
    if _ipv6_int(address) is not None:
        prefix = _prefix(mask, 128, _ipv6_int) if has_mask else 128
        if prefix is not None:
            return 6, prefix
    return None


def _subnet(data: object) -> None:
    """neutron_lib validate_subnet over netaddr.IPNetwork: raises _Invalid."""
    message = f"'{data}' is not a valid IP subnet"
    if not isinstance(data, str):
        raise _Invalid(message)
    try:
        _no_whitespace(data)
    except _Invalid:
        raise _Invalid(message) from None
    network = _network(data)
    if network is None or "/" not in data:
        raise _Invalid(message)
    version, prefix = network
    address = data.partition("/")[0]
    # IPv4 must read back exactly: no netmask form, no leading zeros, no '+'.
    if version == 4 and f"{address}/{prefix}" != data:
        raise _Invalid(message)


def _ip_addr(value: object) -> None:
    """IPConstraint: its message is fixed, whatever neutron said."""
    try:
        _ip_address(value)
    except _Invalid:
        raise _Invalid("Invalid IP address") from None


def _net_cidr(value: object) -> None:
    """CIDRConstraint: netaddr.IPNetwork(cidr_abbrev_to_verbose(v)), then validate_subnet.
    Classful abbreviations ("10/8") parse in the first step and fail in the second; Kiln
    skips the expansion, which changes only which of the two messages such a value gets."""
    if isinstance(value, str) and _network(value) is None:
        raise _Invalid(f"Invalid net cidr invalid IPNetwork {value} ")
    _subnet(value)


def _ip_or_cidr(value: object) -> None:
    if not isinstance(value, str):
        raise _Invalid(f"{value} is not a valid IP or CIDR")
    if "/" in value:
        _subnet(value)
    else:
        _ip_address(value)


# netaddr.strategy.eui48.RE_MAC_FORMATS, matched with findall as valid_mac does.
_MAC_FORMATS: Final = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        "^" + ":".join(["([0-9A-F]{1,2})"] * 6) + "$",
        "^" + "-".join(["([0-9A-F]{1,2})"] * 6) + "$",
        "^" + ":".join(["([0-9A-F]{1,4})"] * 3) + "$",
        "^" + "-".join(["([0-9A-F]{1,4})"] * 3) + "$",
        "^" + r"\.".join(["([0-9A-F]{1,4})"] * 3) + "$",
        "^" + "-".join(["([0-9A-F]{5,6})"] * 2) + "$",
        "^" + ":".join(["([0-9A-F]{5,6})"] * 2) + "$",
        "^(" + "".join(["[0-9A-F]"] * 12) + ")$",
        "^(" + "".join(["[0-9A-F]"] * 11) + ")$",
    )
)


def _mac_addr(value: object) -> None:
    if not isinstance(value, str) or not any(f.findall(value) for f in _MAC_FORMATS):
        raise _Invalid("Invalid MAC address.")


# --- DNS names (heat/common/netutils.py) -------------------------------------------------------

_DNS_LABEL_MAX_LEN: Final = 63
_DNS_LABEL: Final = re.compile(f"[a-z0-9-]{{1,{_DNS_LABEL_MAX_LEN}}}$")
_FQDN_MAX_LEN: Final = 255
_ALL_DIGITS: Final = re.compile("^[0-9]+$")


def _dns_format(data: str) -> None:
    """validate_dns_format; raises ValueError with Heat's reason."""
    if not data:
        return
    trimmed = data if not data.endswith(".") else data[:-1]
    if len(trimmed) > _FQDN_MAX_LEN:
        raise ValueError(f"'{trimmed}' exceeds the {_FQDN_MAX_LEN} character FQDN limit")
    names = trimmed.split(".")
    for name in names:
        if not name:
            raise ValueError("Encountered an empty component.")
        if name.endswith("-") or name.startswith("-"):
            raise ValueError(f"Name '{name}' must not start or end with a hyphen.")
        if not _DNS_LABEL.match(name):
            raise ValueError(
                f"Name '{name}' must be 1-{_DNS_LABEL_MAX_LEN} characters long, each of which "
                "can only be alphanumeric or a hyphen."
            )
    if data.endswith(".") and len(names) > 1 and _ALL_DIGITS.match(names[-1]):
        raise ValueError(f"TLD '{names[-1]}' must not be all numeric.")


def _dns_name(value: object) -> None:
    try:
        _dns_format(value)  # type: ignore[arg-type]  # Heat passes whatever it got
    except ValueError as error:
        raise _Invalid(f"'{value}' not in valid format. Reason: {error}") from None
    except (TypeError, AttributeError) as error:  # a non-string: Heat's own call raises
        raise _Invalid(str(error)) from None


def _rel_dns_name(value: object) -> None:
    if not value:
        return
    if not isinstance(value, str):
        raise _Invalid(f"'{value}' is not a string")
    if value.endswith("."):
        raise _Invalid(f"'{value}' is a FQDN. It should be a relative domain name.")
    if len(value) > _FQDN_MAX_LEN - 3:
        raise _Invalid(
            f"'{value}' contains '{len(value)}' characters. Adding a domain name will cause "
            f"it to exceed the maximum length of a FQDN of '{_FQDN_MAX_LEN}'."
        )
    _dns_name(value)


def _dns_domain(value: object) -> None:
    if not value:
        return
    _dns_name(value)
    if not isinstance(value, str) or not value.endswith("."):
        raise _Invalid(f"'{value}' must end with '.'.")


# --- times, cron, JSON -------------------------------------------------------------------------


def _parse_isotime(value: object) -> datetime:
    import iso8601  # lazily: only templates using these constraints pay for it

    try:
        parsed: datetime = iso8601.parse_date(value)  # type: ignore[arg-type]
    except (iso8601.ParseError, TypeError) as error:
        raise ValueError(str(error)) from None
    return parsed


def _iso_8601(value: object) -> None:
    try:
        _parse_isotime(value)
    except Exception:
        raise _Invalid() from None


def _expiration(value: object) -> None:
    if not value:
        return
    try:
        if not isinstance(value, str):
            raise AttributeError(f"'{type(value).__name__}' object has no attribute 'strip'")
        parsed = _parse_isotime(value.strip())
        offset = parsed.utcoffset()
        naive = parsed.replace(tzinfo=None) - offset if offset is not None else parsed
        if naive > datetime.now(UTC).replace(tzinfo=None):
            return
        raise ValueError("Expiration time is out of date.")
    except Exception as error:
        raise _Invalid(f"Expiration {value} is invalid: {error}") from None


def _cron_expression(value: object) -> None:
    if not value:
        return
    try:
        # Lazily, and by name (no type stubs): only CronTrigger and parameters need it.
        croniter = importlib.import_module("croniter")
    except ImportError:  # pragma: no cover - a declared dependency; without it, no verdict
        return
    try:
        croniter.croniter(value)
    except Exception as error:
        raise _Invalid(f"Invalid CRON expression: {error}") from None


def _timezone(value: object) -> None:
    if not value:
        return
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(value)  # type: ignore[arg-type]
    except Exception as error:
        raise _Invalid(f"Invalid timezone: {error}") from None


def _json_string(value: object) -> None:
    if not value:
        return
    try:
        json.loads(value)  # type: ignore[arg-type]
    except json.JSONDecodeError as error:
        raise _Invalid(f"JSON string {value} is invalid: {error}") from None
    except TypeError as error:  # Heat lets this escape; the property fails with it
        raise _Invalid(str(error)) from None


_CHECKS: Final[dict[str, Callable[[object], None]]] = {
    "cron_expression": _cron_expression,
    "dns_domain": _dns_domain,
    "dns_name": _dns_name,
    "expiration": _expiration,
    "ip_addr": _ip_addr,
    "ip_or_cidr": _ip_or_cidr,
    "iso_8601": _iso_8601,
    "json_string": _json_string,
    "mac_addr": _mac_addr,
    "net_cidr": _net_cidr,
    "rel_dns_name": _rel_dns_name,
    "timezone": _timezone,
}
PURE: Final = frozenset(_CHECKS)
"""The constraints Kiln judges offline. `test_constr` and `nova.network` are bound to Heat's
TestConstraintDelay (a sleep through a client), so they count as service-backed."""


def is_pure(name: str) -> bool:
    return name in _CHECKS


def check(name: str, value: object, shown: str | None = None) -> str | None:
    """None when `value` satisfies the pure constraint `name`, else Heat's message
    (CustomConstraint._err_msg through BaseCustomConstraint.error). `shown` replaces the value
    in the message (hidden parameters). Names that are not pure are never judged."""
    function = _CHECKS.get(name)
    if function is None:
        return None
    try:
        function(value)
    except _Invalid as invalid:
        text = str(value) if shown is None else shown
        if invalid.message is None:
            return _ERROR.format(value=text)
        message = invalid.message if shown is None else invalid.message.replace(str(value), shown)
        return _ERROR_WITH.format(value=text, message=message)
    return None
