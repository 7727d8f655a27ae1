"""Hidden parameters are never stored or printed in clear.

What the state store keeps of a value that comes from a hidden parameter is an HMAC of it
(keyed by the stack's own salt), `{"$hidden": "hmac-sha256:..."}`: enough to see that it
changed, nothing to read back. Two ways find such values:

- Properties and outputs are evaluated twice, once with the hidden parameters' real values
  and once with markers in their place; every part that differs comes from a hidden value,
  however the template's functions transformed it (`mask`).
- Whatever else is stored or shown (attributes read back, a cloud's messages) has every
  string that contains a hidden value's text masked (`scrub`).

Masking too much only makes a plan less detailed: changes are still found, by the HMACs.
"""

import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from typing import Any, Final

from kiln.compiler.evaluate import Unknown, Value

HIDDEN_KEY: Final = "$hidden"
SHOWN: Final = "******"


def is_hidden(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {HIDDEN_KEY}


def marked(value: Value) -> Value:
    """A stand-in of the same shape and type that shares no text with `value`."""
    if isinstance(value, str):
        return f"\u2063kiln-hidden-{secrets.token_hex(8)}\u2063"
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 7919
    if isinstance(value, list):
        return [marked(item) for item in value]
    if isinstance(value, dict):
        return {key: marked(item) for key, item in value.items()}
    if value is None:
        return marked("")
    return value


class Masker:
    def __init__(self, salt: str, hidden: Mapping[str, Value]) -> None:
        self.salt = salt
        self.key = salt.encode("utf-8")
        self.hidden = dict(hidden)
        self.texts = tuple(sorted({text for value in hidden.values() for text in _texts(value)}))

    def digest(self, value: Any) -> dict[str, str]:
        data = json.dumps(_plain(value), sort_keys=True, default=str).encode("utf-8")
        return {HIDDEN_KEY: "hmac-sha256:" + hmac.new(self.key, data, hashlib.sha256).hexdigest()}

    def add_secret(self, text: str) -> None:
        """A secret only a deployment learns (a handler's hidden attribute, such as a key
        pair's private key): hidden like a hidden parameter's text from now on."""
        if text and text not in self.texts:
            self.texts = tuple(sorted({*self.texts, text}))

    def marked_parameters(self, parameters: Mapping[str, Value]) -> dict[str, Value]:
        return {
            name: marked(value) if name in self.hidden else value
            for name, value in parameters.items()
        }

    def mask(self, real: Any, stand_in: Any) -> Any:
        """`real` with every part that differs from its evaluation with markers hidden."""
        if not self.hidden:
            return real
        return self.scrub(self._diff(real, stand_in))

    def _diff(self, real: Any, stand_in: Any) -> Any:
        if _same(real, stand_in):
            return real
        if isinstance(real, dict) and isinstance(stand_in, dict) and set(real) == set(stand_in):
            return {key: self._diff(real[key], stand_in[key]) for key in real}
        if isinstance(real, list) and isinstance(stand_in, list) and len(real) == len(stand_in):
            return [self._diff(a, b) for a, b in zip(real, stand_in, strict=True)]
        return self.digest(real)

    def scrub(self, value: Any) -> Any:
        """Every string containing a hidden value's text, hidden."""
        if not self.texts:
            return value
        if isinstance(value, str):
            return self.digest(value) if any(text in value for text in self.texts) else value
        if is_hidden(value):
            return value
        if isinstance(value, dict):
            return {key: self.scrub(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.scrub(item) for item in value]
        return value

    def scrub_text(self, text: str) -> str:
        for secret in self.texts:
            text = text.replace(secret, SHOWN)
        return text


def _texts(value: Value) -> list[str]:
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, list):
        return [text for item in value for text in _texts(item)]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _texts(item)]
    return []


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Unknown) or isinstance(b, Unknown):
        return bool(a == b)
    return type(a) is type(b) and bool(a == b)


def _plain(value: Any) -> Any:
    if isinstance(value, Unknown):
        return {"$unknown": str(value.type)}
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def shown(value: Any) -> Any:
    """A stored value for display: hidden parts as ******."""
    if is_hidden(value):
        return SHOWN
    if isinstance(value, dict):
        return {key: shown(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shown(item) for item in value]
    return value


def unmask_for_evaluation(value: Any, reason: str) -> Any:
    """A stored value as the evaluator may read it: hidden parts are Unknown (their real
    value is not kept)."""
    from kiln.compiler.ir.types import ValueType

    if is_hidden(value):
        return Unknown(ValueType.ANY, reason)
    if isinstance(value, dict):
        return {key: unmask_for_evaluation(item, reason) for key, item in value.items()}
    if isinstance(value, list):
        return [unmask_for_evaluation(item, reason) for item in value]
    return value


def has_hidden(value: Any) -> bool:
    if is_hidden(value):
        return True
    if isinstance(value, dict):
        return any(has_hidden(item) for item in value.values())
    if isinstance(value, list):
        return any(has_hidden(item) for item in value)
    return False
