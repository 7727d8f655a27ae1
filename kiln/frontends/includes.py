"""Files a template includes: get_file contents and nested templates, recursively.

What heatclient gathers into the `files` dict before a stack create
(heatclient/common/template_utils.py), done here offline: get_file targets, provider templates
(`type: x.yaml`), templates the environment's registry maps types to, and the templates of
nested stack resources. A type that Heat's default environment maps to a template it ships
(AWS::RDS::DBInstance) is a registry mapping to Kiln's copy (kiln/schemas/templates/). Paths
resolve against the including file's directory and stay relative when the root was given
relative, so diagnostics show readable paths. Nothing outside the root template's tree, the
environment files' directories, an --allow-path directory or Kiln's copies is read (FIL002);
URLs and CloudFormation dynamic references are never fetched (FIL003). Heat's
max_nested_stack_depth (5) and include cycles are reported, never followed.
"""

import os
import re
from collections.abc import Callable, Sequence
from functools import cache
from typing import Final
from urllib.parse import unquote, urljoin, urlparse

from kiln.compiler.diagnostics import Diagnostic, DiagnosticSink, LogicalPath, Note
from kiln.compiler.diagnostics import codes as c
from kiln.compiler.diagnostics.messages import format_message
from kiln.compiler.ir import expr as e
from kiln.compiler.ir.environment import Environment
from kiln.compiler.ir.frozen import frozen_dataclass
from kiln.compiler.ir.nodes import Resource, Template
from kiln.compiler.ir.visit import walk_exprs
from kiln.compiler.names import is_template_type
from kiln.compiler.source import Span
from kiln.compiler.unit import NestedRef
from kiln.frontends.loader import DEFAULT_MAX_BYTES
from kiln.schemas.default_environment import templates_dir

# heat/common/config.py: a stack at this depth may not create a nested stack (root is 0).
MAX_NESTED_DEPTH: Final = 5
CFN_STACK: Final = "AWS::CloudFormation::Stack"
HEAT_STACK: Final = "OS::Heat::Stack"
# AWS's dynamic references ({{resolve:ssm:name:1}}, ssm-secure, secretsmanager): resolved by
# CloudFormation at deploy time; Heat has none and keeps the text.
DYNAMIC_REFERENCE: Final = re.compile(r"\{\{resolve:[^{}]*\}\}")
# Group types whose members are one resource definition (property, then its `type` key).
GROUP_MEMBER: Final = {
    "OS::Heat::ResourceGroup": "resource_def",
    "OS::Heat::AutoScalingGroup": "resource",
}


@frozen_dataclass
class Included:
    templates: dict[str, Template]
    files: dict[str, str]
    nested: tuple[NestedRef, ...] = ()


def is_remote(reference: str) -> bool:
    """A URL Kiln does not read: anything with a scheme except file://."""
    return "://" in reference and not reference.startswith("file://")


def join_reference(base_dir: str, reference: str) -> str:
    """heatclient's urljoin(base_url, reference) for a local base: a file:// URL becomes its
    path, a relative path is joined and normalised (kept relative if the base is), other URLs
    stay as they are. A URL base (an environment's http base_url) joins as a URL."""
    if reference.startswith("file://"):
        return os.path.normpath(unquote(urlparse(reference).path))
    if "://" in reference:
        return reference
    if "://" in base_dir:
        return urljoin(base_dir.rstrip("/") + "/", reference)
    return os.path.normpath(os.path.join(base_dir, reference))


def resolve_file(including_file: str, reference: str) -> str:
    """The key a get_file or template reference has in the unit's files/templates tables."""
    return join_reference(os.path.dirname(including_file), reference)


def resolve(
    template: Template,
    environment: Environment,
    load_template: Callable[[str], Template | None],
    allow_paths: Sequence[str],
    sink: DiagnosticSink,
) -> Included:
    resolver = _Resolver(template, environment, load_template, allow_paths, sink)
    resolver.walk(template, environment, 0, ((resolver.real(template.file), template.file),))
    return Included(resolver.templates, resolver.files, tuple(resolver.nested))


@frozen_dataclass
class _Ref:
    """A nested template one resource uses, and the environment that template will see."""

    resource: str
    path: str
    via: str
    span: Span | None
    environment: Environment


class _Resolver:
    def __init__(
        self,
        root: Template,
        environment: Environment,
        load_template: Callable[[str], Template | None],
        allow_paths: Sequence[str],
        sink: DiagnosticSink,
    ) -> None:
        self.root_dir = os.path.dirname(root.file) or "."
        self._reals: dict[str, str] = {}  # realpath() asks the file system for every component
        env_dirs = [os.path.dirname(path) or "." for path in environment.files]
        # The templates of Heat's default environment that Kiln ships are always readable.
        self.allowed = [
            *(self.real(p) for p in (self.root_dir, *allow_paths, *env_dirs)),
            _builtin_templates(),
        ]
        self.load_template = load_template
        self.sink = sink
        self.templates: dict[str, Template] = {}
        self.files: dict[str, str] = {}
        self.nested: list[NestedRef] = []
        self._links: set[NestedRef] = set()
        self._loaded: dict[str, Template | None] = {self.real(root.file): root}
        self._read_files: set[str] = set()  # templates whose get_file targets are done
        self._explored: dict[tuple[str, object], int] = {}  # (file, registry) -> deepest depth
        self._reported: set[tuple[str, Span | None, LogicalPath, str]] = set()

    # --- the walk ----------------------------------------------------------------------------

    def walk(
        self,
        template: Template,
        environment: Environment,
        depth: int,
        stack: tuple[tuple[str, str], ...],
    ) -> None:
        """Depth first along the current chain of includes (`stack`: real path, shown path)."""
        self.get_files(template)
        for ref in self.references(template, environment):
            real = self.real(ref.path)
            start = next((index for index, (seen, _) in enumerate(stack) if seen == real), None)
            if start is not None:
                cycle = " -> ".join([*(shown for _, shown in stack[start:]), ref.path])
                self.report(
                    c.INCLUDE_CYCLE,
                    ref.span,
                    ("resources", ref.resource),
                    path=ref.path,
                    chain=cycle,
                )
                continue
            if depth + 1 > MAX_NESTED_DEPTH:
                self.report(
                    c.NESTING_LIMIT, ref.span, ("resources", ref.resource), limit=MAX_NESTED_DEPTH
                )
                continue
            nested = self.load(ref.path, real)
            link = NestedRef(template.file, ref.resource, ref.path, ref.via)
            if link not in self._links:
                self._links.add(link)
                self.nested.append(link)
            # A template is walked again only from deeper than before (depth limits) or with
            # another registry view; its own diagnostics are reported once either way.
            key = (real, ref.environment.resource_registry)
            if nested is None or self._explored.get(key, -1) >= depth + 1:
                continue
            self._explored[key] = depth + 1
            self.walk(nested, ref.environment, depth + 1, (*stack, (real, ref.path)))

    def load(self, path: str, real: str) -> Template | None:
        if real not in self._loaded:
            loaded = self.load_template(path)
            self._loaded[real] = loaded
            if loaded is not None:
                self.templates[path] = loaded
        return self._loaded[real]

    # --- get_file ----------------------------------------------------------------------------

    def get_files(self, template: Template) -> None:
        if template.file in self._read_files:
            return
        self._read_files.add(template.file)
        for expr, path in _get_file_sites(template):
            self.get_file(template.file, expr, path)

    def get_file(self, including: str, node: e.GetFile, path: LogicalPath) -> None:
        target = self.local(including, node.path, "get_file target", node.span, path)
        if target is None or target in self.files:
            return
        try:
            size = os.path.getsize(target)
            if size > DEFAULT_MAX_BYTES:
                self.report(c.FILE_TOO_LARGE, node.span, path, size=size, limit=DEFAULT_MAX_BYTES)
                return
            with open(target, encoding="utf-8", errors="replace") as handle:
                self.files[target] = handle.read()
        except OSError as error:
            self.report(
                c.MISSING_FILE,
                node.span,
                path,
                what="get_file target",
                path=f"{target} ({error.strerror})",
            )

    # --- nested templates --------------------------------------------------------------------

    def references(self, template: Template, environment: Environment) -> list[_Ref]:
        refs: list[_Ref] = []
        for name, resource in template.resources.items():
            ref = self.reference(template, name, resource, environment)
            if ref is not None:
                refs.append(ref)
        return refs

    def reference(
        self, template: Template, name: str, resource: Resource, environment: Environment
    ) -> _Ref | None:
        """The nested template of one resource, as Heat finds it: a template type, a registry
        mapping, the template of a nested stack, or the member type of a group."""
        span = resource.type_span or resource.span
        found = self.type_reference(
            template.file, name, name, resource.type, span, environment, "type"
        )
        if found is not None or is_template_type(resource.type):
            return found
        final_type = environment.resolve_type(name, resource.type)
        if final_type == CFN_STACK:
            url = _property(resource.properties, "TemplateURL")
            if isinstance(url, e.Str) and DYNAMIC_REFERENCE.search(url.value):
                # A CloudFormation dynamic reference ({{resolve:ssm:...}}) names a URL that AWS
                # looks up when it deploys: there is no file here to read, nor a path to join.
                what = "nested stack template (a dynamic reference)"
                self.report(c.REMOTE_FILE, url.span, ("resources", name), what=what, url=url.value)
                return None
            if isinstance(url, e.Str):
                path = self.local(
                    template.file, url.value, "nested stack template", url.span, ("resources", name)
                )
                return (
                    _Ref(name, path, "stack", url.span, environment.nested(name)) if path else None
                )
        elif final_type == HEAT_STACK:
            body = _property(resource.properties, "template")
            if isinstance(body, e.GetFile):
                path = self.local(
                    template.file, body.path, "get_file target", body.span, ("resources", name)
                )
                return (
                    _Ref(name, path, "stack", body.span, environment.nested(name)) if path else None
                )
        elif final_type in GROUP_MEMBER:
            definition = _property(resource.properties, GROUP_MEMBER[final_type])
            member = _property(definition, "type")
            if isinstance(member, e.Str):
                # Members are named 0, 1, ... in the group's nested stack.
                inner = environment.nested(name)
                return self.type_reference(
                    template.file, name, "0", member.value, member.span, inner, "group"
                )
        return None

    def type_reference(
        self, including: str, name: str, lookup_name: str, type_name: str, span: Span | None,
        environment: Environment, via: str,
    ) -> _Ref | None:  # fmt: skip
        """A type that is a template, or that the registry maps to one. `lookup_name` is the
        resource name Heat looks the type up with (a group's member is "0", not the group)."""
        where: LogicalPath = ("resources", name, "type")
        if is_template_type(type_name):
            path = self.local(including, type_name, "provider template", span, where)
            return _Ref(name, path, via, span, environment.nested(lookup_name)) if path else None
        entry = environment.lookup_type(lookup_name, type_name)
        if entry is None or entry.target_path is None:
            return None
        # A missing or remote registry target is the environment file's mistake: say it there,
        # once, with a note at the first resource that uses it.
        note = Note(f"resource {name!r} of type {type_name!r} uses it", span)
        target_span = entry.target_span or span
        at: LogicalPath = ("resource_registry", *entry.path)
        what = "registry template"
        if is_remote(entry.target_path):
            self.report(c.REMOTE_FILE, target_span, at, what=what, url=entry.target_path)
            return None
        if not self.inside(entry.target_path, what, target_span, at):
            return None
        if not os.path.isfile(entry.target_path):
            self.report(
                c.MISSING_FILE, target_span, at, notes=(note,), what=what, path=entry.target_path
            )
            return None
        child = environment.nested(lookup_name, entry)
        return _Ref(name, entry.target_path, "registry" if via == "type" else via, span, child)

    # --- paths -------------------------------------------------------------------------------

    def local(
        self, including: str, reference: str, what: str, span: Span | None, where: LogicalPath
    ) -> str | None:
        """A readable local file for a reference, or None (reported: URL, outside, missing)."""
        if is_remote(reference):
            self.report(c.REMOTE_FILE, span, where, what=what, url=reference)
            return None
        path = resolve_file(including, reference)
        if not self.inside(path, what, span, where):
            return None
        if not os.path.isfile(path):
            self.report(c.MISSING_FILE, span, where, what=what, path=path)
            return None
        return path

    def real(self, path: str) -> str:
        """os.path.realpath, once per path and run, and a path's directory resolved once for
        all the files in it: realpath asks the file system about every component."""
        real = self._reals.get(path)
        if real is None:
            head, tail = os.path.split(path)
            if head and tail and tail not in (".", ".."):
                # realpath(head/tail) is realpath(realpath(head)/tail): only tail to look at.
                joined = os.path.join(self.real(head), tail)
                real = _real(joined) if os.path.islink(joined) else joined
            else:
                real = _real(path)
            self._reals[path] = real
        return real

    def inside(self, path: str, what: str, span: Span | None, where: LogicalPath) -> bool:
        real = self.real(path)
        if any(os.path.commonpath([root, real]) == root for root in self.allowed):
            return True
        root = f"the template's directory {self.root_dir!r}"
        self.report(c.PATH_OUTSIDE_ROOT, span, where, what=what, path=path, root=root)
        return False

    def report(
        self,
        code: c.Code,
        span: Span | None,
        where: LogicalPath,
        *,
        notes: Sequence[Note] = (),
        **fields: object,
    ) -> None:
        """Once per place: a template reached along two chains is checked once. Built here, not
        with sink.report: FIL messages have a `path` field, which is report's logical path."""
        key = (code.id, span, where, repr(sorted(fields.items())))
        if key in self._reported:
            return
        self._reported.add(key)
        message = format_message(code, dict(fields))
        self.sink.add(Diagnostic(code, code.default_severity, message, span, where, tuple(notes)))


def _property(node: e.Expr | None, key: str) -> e.Expr | None:
    return node.items.get(key) if isinstance(node, e.MapExpr) else None


def _get_file_sites(template: Template) -> tuple[tuple[e.GetFile, LogicalPath], ...]:
    """Every get_file of a template with the resource or output it sits in, in walk order;
    kept for the templates seen last (a template many roots include is the same object each
    time: see kiln/compiler/file_cache.py)."""
    kept = _SITES.get(id(template))
    if kept is not None and kept[0] is template:
        return kept[1]
    found = [expr for expr in walk_exprs(template) if isinstance(expr, e.GetFile)]
    sites: tuple[tuple[e.GetFile, LogicalPath], ...] = ()
    if found:
        paths: dict[int, LogicalPath] = {}
        for section, items in (("resources", template.resources), ("outputs", template.outputs)):
            for name, node in items.items():
                paths.update((id(expr), (section, name)) for expr in walk_exprs(node))
        sites = tuple((expr, paths.get(id(expr), ())) for expr in found)
    if len(_SITES) >= _SITES_SIZE:
        _SITES.clear()  # simpler than least-recently-used, and safe across threads
    _SITES[id(template)] = (template, sites)  # the template is held, so its id stays its own
    return sites


_SITES: dict[int, tuple[Template, tuple[tuple[e.GetFile, LogicalPath], ...]]] = {}
_SITES_SIZE: Final = 64


@cache
def _builtin_templates() -> str:
    """The real directory of the templates Kiln ships (asked once: it is Kiln's own)."""
    return _real(templates_dir())


def _real(path: str) -> str:
    return os.path.realpath(path or ".")
