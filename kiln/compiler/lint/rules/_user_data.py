"""Secrets that end up in a server's user data.

User data is served by the metadata service (Nova's, or EC2's) to every process on the
server, and shown by `openstack server show` to whoever may see the server; it is stored
unencrypted. What flows into it: the user-data property itself, the config resources it names
(OS::Heat::CloudConfig, SoftwareConfig, MultipartMime parts), and files read with get_file.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Final

from kiln.compiler.diagnostics import LogicalPath
from kiln.compiler.ir import expr as e
from kiln.compiler.lint.rule import RuleContext
from kiln.compiler.lint.rules._secrets import is_placeholder, is_secret_name, literal_assignments
from kiln.compiler.lint.rules._walk import get, resource_path, resources, sub_span
from kiln.compiler.passes.sites import name_span, walk
from kiln.compiler.source import Span

# Resource type -> the property path of its user data.
USER_DATA: Final[dict[str, tuple[str, ...]]] = {
    "OS::Nova::Server": ("user_data",),
    "AWS::EC2::Instance": ("UserData",),
    "AWS::AutoScaling::LaunchConfiguration": ("UserData",),
    "AWS::EC2::LaunchTemplate": ("LaunchTemplateData", "UserData"),
}
# Config resources whose body becomes user data when user data names them.
CONFIG_BODIES: Final[dict[str, str]] = {
    "OS::Heat::CloudConfig": "cloud_config",
    "OS::Heat::SoftwareConfig": "config",
    "OS::Heat::StructuredConfig": "config",
    "OS::Heat::MultipartMime": "parts",
}
_SUB_VARIABLE_CHARS: Final = "${}!"


@dataclass(frozen=True, slots=True)
class Leak:
    what: str
    where: str
    span: Span | None
    path: LogicalPath


def leaks(context: RuleContext, secrets: Mapping[str, str]) -> Iterator[Leak]:
    """Every secret written into user data; `secrets` maps parameter names to how they are
    secret ("hidden", "secret-looking")."""
    template = context.template
    seen: set[tuple[Span | None, str]] = set()
    for name, resource in resources(template, *USER_DATA):
        keys = USER_DATA[resource.type]
        body = get(resource.properties, *keys)
        if body is None:
            continue
        where = f"the {keys[-1]} of {name!r}"
        reader = _Reader(context, secrets, where)
        reader.read(body, resource_path(template, name, *keys))
        for leak in reader.found:
            if (leak.span, leak.what) not in seen:
                seen.add((leak.span, leak.what))
                yield leak


class _Reader:
    def __init__(self, context: RuleContext, secrets: Mapping[str, str], where: str) -> None:
        self.context = context
        self.secrets = secrets
        self.where = where
        self.found: list[Leak] = []
        self.followed: set[str] = set()

    def read(self, root: e.Expr, path: LogicalPath) -> None:
        placeholders: dict[int, frozenset[str]] = {}
        for node, where in walk(root, path):
            if isinstance(node, e.ParamRef):
                self.parameter(node, where)
            elif isinstance(node, e.Interpolate):
                keys = self.interpolate(node, where)
                for inner, _ in walk(node.template, where):
                    placeholders[id(inner)] = placeholders.get(id(inner), frozenset()) | keys
            elif isinstance(node, e.Str):
                self.literal(node, where, placeholders.get(id(node), frozenset()))
            elif isinstance(node, e.ResourceRef | e.AttrRef):
                name = node.name if isinstance(node, e.ResourceRef) else node.resource
                self.follow(name)
            elif isinstance(node, e.GetFile):
                self.file(node, where)

    def report(self, what: str, span: Span | None, path: LogicalPath) -> None:
        self.found.append(Leak(what, self.where, span, path))

    def parameter(self, node: e.ParamRef, path: LogicalPath) -> None:
        kind = self.secrets.get(node.name)
        if kind is not None:
            span = name_span(self.context.unit.sources, node.span, node.name, node.spelling)
            self.report(f"the value of {kind} parameter {node.name!r}", span, path)

    def interpolate(self, node: e.Interpolate, path: LogicalPath) -> frozenset[str]:
        """Reports secrets the bindings and Fn::Sub variables put in; returns the strings the
        template string has filled in (not literal values)."""
        bindings = node.bindings.items if isinstance(node.bindings, e.MapExpr) else {}
        keys = set(bindings)
        if node.spelling == "Fn::Sub" and isinstance(node.template, e.Str):
            keys |= {f"${{{key}}}" for key in bindings}
            self.sub_variables(node.template, bindings, path)
        for key, bound in bindings.items():
            secret = is_secret_name(key.strip(_SUB_VARIABLE_CHARS + "%_<>"))
            if secret and isinstance(bound, e.Str) and not is_placeholder(bound.value.strip()):
                what = f"a literal value for {key!r}"
                self.report(what, bound.span, (*path, node.spelling, key))
        return frozenset(keys)

    def sub_variables(
        self, template: e.Str, bound: Mapping[str, e.Expr], path: LogicalPath
    ) -> None:
        text = template.value
        start = text.find("${")
        while start != -1:
            end = text.find("}", start)
            if end == -1:
                return
            name = text[start + 2 : end].strip()
            if not name.startswith("!") and name not in bound and name in self.secrets:
                what = f"the value of {self.secrets[name]} parameter {name!r}"
                self.report(what, sub_span(self.context.source, template, start, end + 1), path)
            start = text.find("${", end)

    def literal(self, node: e.Str, path: LogicalPath, placeholders: frozenset[str]) -> None:
        for start, end in literal_assignments(node.value, placeholders):
            span = sub_span(self.context.source, node, start, end)
            self.report("a literal credential", span, path)

    def follow(self, name: str) -> None:
        resource = self.context.template.resources.get(name)
        if resource is None or name in self.followed or resource.type not in CONFIG_BODIES:
            return
        self.followed.add(name)
        key = CONFIG_BODIES[resource.type]
        body = get(resource.properties, key)
        if body is not None:
            self.read(body, resource_path(self.context.template, name, key))

    def file(self, node: e.GetFile, path: LogicalPath) -> None:
        content = file_content(self.context, node)
        if content is not None and literal_assignments(content):
            self.report(f"a literal credential in {node.path!r}", node.span, path)


def file_content(context: RuleContext, node: e.GetFile) -> str | None:
    """The content of a get_file target, as the includes step read it."""
    from kiln.frontends.includes import is_remote, resolve_file

    files = context.unit.files
    key = node.path if node.path in files or is_remote(node.path) else None
    if key is None:
        key = str(resolve_file(context.template.file, node.path))
    content: str | None = files.get(key)
    return content
