"""What looks like a secret: names of parameters and properties, credential material in text.

Names are split into words (`DBMasterPassword` -> db, master, password; `admin_pass` -> admin,
pass) and judged by the words, never by substrings, so `bypass`, `passthrough` or `KeyName`
are not secrets. A word that says the name is *about* a secret (`password_length`,
`secret_name`, `token_url`) clears it. Credential material (private keys, cloud access keys)
is recognised by its shape, from a table of patterns.
"""

import functools
import itertools
import re
from typing import Final

from kiln.compiler.ir import expr as e
from kiln.compiler.ir.nodes import Parameter
from kiln.compiler.ir.types import ParamType
from kiln.compiler.lint.rule import RuleContext
from kiln.compiler.passes.sites import expressions

# A word that makes a name a secret on its own.
SECRET_WORDS: Final = frozenset(
    {
        "password",
        "passwords",
        "passwd",
        "passphrase",
        "pass",
        "pwd",
        "pw",
        "psk",
        "secret",
        "secrets",
        "token",
        "credential",
        "credentials",
    }
)
# `key` is a secret only with one of these before it (`private_key`, `api_key`), never alone:
# `key_name`, `ssh_key` (a public key), `KeyName` name things that are not secret.
KEY_QUALIFIERS: Final = frozenset(
    {"private", "secret", "api", "encryption", "shared", "master", "signing", "auth", "fernet"}
)
KEY_WORDS: Final = frozenset({"key", "keys"})
# Other words that are secrets only after a qualifier: RabbitMQ's Erlang cookie is its cluster
# password, a CloudFront `CookieBehavior` is not.
QUALIFIED: Final[dict[str, frozenset[str]]] = {
    **dict.fromkeys(KEY_WORDS, KEY_QUALIFIERS),
    "cookie": frozenset({"rabbit", "rabbitmq", "erlang"}),
}
# Pairs that name something else: a custom resource's `ServiceToken` is a function's ARN.
NOT_SECRET_PAIRS: Final = frozenset({("service", "token")})
# Words that make the name a name, a reference, a setting or a flag about a secret.
NOT_SECRET_WORDS: Final = frozenset(
    {
        "name",
        "names",
        "id",
        "ids",
        "ref",
        "refs",
        "arn",
        "uri",
        "url",
        "urls",
        "file",
        "path",
        "dir",
        "length",
        "len",
        "min",
        "max",
        "size",
        "bits",
        "count",
        "policy",
        "policies",
        "type",
        "types",
        "format",
        "version",
        "algorithm",
        "enabled",
        "enable",
        "disabled",
        "disable",
        "generate",
        "expiration",
        "expiry",
        "ttl",
        "timeout",
        "provider",
        "rotation",
        "prompt",
        "username",
        "required",
        "complexity",
        "strength",
        "authentication",  # `PasswordAuthentication: yes`: a switch
        "through",
        "less",
        "public",
        "store",
        "manager",
        "location",
        "endpoint",
        "host",
        "port",
    }
)
# Pairs that make a secret whatever else the name says (`auth_token_file` is still about one,
# but `AuthTokenName` is not: the clearing words are checked first, the pairs after).
SECRET_COMPOUNDS: Final = frozenset({"apikey", "privatekey", "secretkey", "authtoken"})

_CAMEL: Final = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
# Values that stand for a secret kept elsewhere: CloudFormation dynamic references.
DYNAMIC_REFERENCE: Final = re.compile(r"\{\{resolve:(secretsmanager|ssm-secure|ssm):")


def words(name: str) -> tuple[str, ...]:
    """`DBMasterPassword` -> ("db", "master", "password"); `admin_pass` -> ("admin", "pass")."""
    return tuple(part.lower() for part in _CAMEL.findall(name))


@functools.lru_cache(maxsize=8192)  # pure, and the same few hundred names come back
def is_secret_name(name: str) -> bool:
    if any(char in name for char in ":/ "):
        return False  # not an identifier: an ARN, a URL, a condition key
    found = words(name)
    pairs = list(itertools.pairwise(found))
    if any(word in NOT_SECRET_WORDS for word in found) or NOT_SECRET_PAIRS.intersection(pairs):
        return False
    if any(word in SECRET_WORDS or word in SECRET_COMPOUNDS for word in found):
        return True
    return any(first in QUALIFIED.get(second, ()) for first, second in pairs)


# --- credential material in text ------------------------------------------------------------

# (what it is, a literal every match contains, pattern). The literal is a cheap first test:
# most strings of a template hold none of them.
KEY_MATERIAL: Final[tuple[tuple[str, str, re.Pattern[str]], ...]] = (
    (
        "a private key",
        "PRIVATE KEY",
        re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"),
    ),
    ("an AWS access key id", "AKIA", re.compile(r"\bAKIA[0-9A-Z]{16}\b")),
    ("an AWS access key id", "ASIA", re.compile(r"\bASIA[0-9A-Z]{16}\b")),
    ("a GitHub token", "gh", re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36}\b")),
    ("a Slack token", "xox", re.compile(r"\bxox[abprs]-[0-9A-Za-z-]{10,}")),
    ("a Google API key", "AIza", re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b")),
)
# Documentation's sample values are not leaks (AWS's own AKIAIOSFODNN7EXAMPLE).
_SAMPLE: Final = re.compile(r"EXAMPLE|example|XXXX|xxxx|\.\.\.")


def key_material(text: str) -> tuple[str, int, int] | None:
    """The first credential material in `text`: (what it is, start, end)."""
    for what, marker, pattern in KEY_MATERIAL:
        if marker not in text:
            continue
        for match in pattern.finditer(text):
            if _SAMPLE.search(match.group(0)):
                continue
            return what, match.start(), match.end()
    return None


# `password=...`, `DB_PASS: ...`, `--password ...`, `"secret": "..."` in a script or config
# file: a secret-like word, then a literal value. The value stops at quotes and spaces.
_WORD: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
_VALUE: Final = re.compile(
    r"""["']?[ \t]*(?P<separator>=>|=|:(?![/=:])|[ \t])[ \t]*"""
    r"""(?P<quote>["']?)(?P<value>[^\s"';|&]+)"""
)
_OPTION: Final = re.compile(
    r"""--?(?:password|passwd|pass|secret|token)(?:=|[ \t]+)["']?(?P<value>[^\s"';|&]+)""",
    re.IGNORECASE,
)
# What stands for a value written elsewhere: shell and template variables, command
# substitutions, placeholders, hashed passwords, and words that are not values.
_PLACEHOLDER: Final = re.compile(
    r"""^(?:\$|%|\{|<|@|\\|\[|\(|`|~)|^[A-Z][A-Z0-9_]*[A-Z0-9]$|^[A-Z]$"""
)
_CODE: Final = re.compile(r"[(\[]|^[a-z_]+(?:\.[a-z_]+)+$")
_NOT_VALUES: Final = frozenset(
    {
        "true",
        "false",
        "yes",
        "no",
        "none",
        "null",
        "nil",
        "on",
        "off",
        "required",
        "optional",
        "is",
        "for",
        "of",
        "to",
        "the",
        "and",
        "or",
        "in",
        "from",
        "with",
        "if",
        "then",
        "must",
        "will",
        "should",
        "string",
        "random",
        "auto",
        "file",
        "prompt",
        "stdin",
        "-",
        "=",
        ":",
    }
)


def literal_assignments(
    text: str, placeholders: frozenset[str] = frozenset()
) -> list[tuple[int, int]]:
    """Where `text` assigns a literal value to a secret-like key: (start, end) of each value.
    `placeholders` are strings the text's own template replaces (str_replace keys, Fn::Sub
    variables): a value that is one of them is filled in elsewhere, not written here."""
    found: set[tuple[int, int]] = set()
    for option in _OPTION.finditer(text):
        if not is_placeholder(option.group("value"), placeholders):
            found.add((option.start("value"), option.end("value")))
    for word in _WORD.finditer(text):
        if not is_secret_name(word.group(0)):
            continue
        match = _VALUE.match(text, word.end())
        if match is None:
            continue
        if match.group("separator") in (" ", "\t") and not match.group("quote"):
            continue  # `the password is`: prose, unless the value is quoted
        if not is_placeholder(match.group("value"), placeholders):
            found.add((match.start("value"), match.end("value")))
    return sorted(found)


def is_placeholder(value: str, placeholders: frozenset[str] = frozenset()) -> bool:
    """A value that stands for one written elsewhere (a variable, a template key, code)."""
    stripped = value.rstrip(".,;)")
    if not stripped or stripped.lower() in _NOT_VALUES or _PLACEHOLDER.search(stripped):
        return True
    if any(placeholder and placeholder in stripped for placeholder in placeholders):
        return True
    if _CODE.search(stripped):
        return True  # `password = get_password()`, `token: self.token`: code, not a value
    return bool(DYNAMIC_REFERENCE.search(stripped))


# --- parameters that hold secrets ------------------------------------------------------------

# Parameter types that can hold a secret (a number or a boolean is not one; CloudFormation's
# AWS-specific types name things, and SSM types name a parameter in the store).
_SECRET_TYPES: Final = frozenset({ParamType.STRING, ParamType.JSON, ParamType.COMMA_DELIMITED_LIST})
_SECRET_SPELLINGS: Final = frozenset(
    {"string", "json", "comma_delimited_list", "String", "Json", "CommaDelimitedList"}
)
# Properties that hold a secret whatever their name says.
SECRET_PROPERTIES: Final[dict[str, frozenset[str]]] = {
    "OS::Barbican::Secret": frozenset({"payload"}),
}


def may_hold_secret(parameter: Parameter) -> bool:
    return parameter.type in _SECRET_TYPES and parameter.type_spelling in _SECRET_SPELLINGS


def secret_sinks(context: RuleContext) -> dict[str, tuple[str, str]]:
    """Parameters passed as they are to a secret property: name -> (resource, property)."""
    found: dict[str, tuple[str, str]] = {}
    for site, nodes in expressions(context.template):
        if site.field != "properties":
            continue
        resource = context.template.resources[site.owner]
        extra = SECRET_PROPERTIES.get(resource.type, frozenset())
        for node, _ in nodes:
            if not isinstance(node, e.MapExpr):
                continue
            for key, item in node.items.items():
                secret = is_secret_name(key) or key in extra
                if secret and isinstance(item, e.ParamRef) and not item.path:
                    found.setdefault(item.name, (site.owner, key))
    return found


def secret_parameters(context: RuleContext) -> dict[str, str]:
    """Parameters whose value is a secret: name -> "hidden" or "secret-looking"."""
    sinks = secret_sinks(context)
    found: dict[str, str] = {}
    for name, parameter in context.template.parameters.items():
        if parameter.hidden:
            found[name] = "hidden"
        elif may_hold_secret(parameter) and (is_secret_name(name) or name in sinks):
            found[name] = "secret-looking"
    return found
