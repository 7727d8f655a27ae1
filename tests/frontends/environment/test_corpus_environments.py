"""Every environment file in the corpus parses, and with the templates of its source its
registry mappings resolve.

The corpus keeps env files under hot-env/<source>/ at their repository path, and templates under
hot/<source>/ (corpus README): registry paths are resolved against the matching directory under
hot/, with parse_environment's base_dir, as if the two trees were one repository.
"""

import os
from collections import Counter
from pathlib import Path

import pytest

from kiln.compiler.driver import CompileOptions, Session, compile_file
from kiln.compiler.ir.environment import Environment
from kiln.frontends import environment as env
from kiln.frontends import includes
from kiln.frontends.syntax import LMap
from kiln.plugins.host import Registries

pytestmark = pytest.mark.corpus

SUFFIXES = (".yaml", ".yml", ".json")
# Checked by hand: these sections are empty, which heat/common/environment_format.py rejects
# ('environment has empty section').
EMPTY_SECTIONS = {
    "pnda-heat-templates/pnda_env_example.yaml",
    "tripleo-heat-templates/environments/barbican-backend-simple-crypto.yaml",
    "tripleo-heat-templates/environments/firewall.yaml",
    "tripleo-heat-templates/environments/rhsm.yaml",
}


def env_files(corpus: Path) -> list[Path]:
    return sorted(
        p for p in (corpus / "hot-env").rglob("*") if p.suffix in SUFFIXES and p.is_file()
    )


def test_every_environment_file_parses(corpus: Path, registries: Registries) -> None:
    files = env_files(corpus)
    assert len(files) > 100
    problems: list[str] = []
    for path in files:
        relative = path.relative_to(corpus / "hot-env").as_posix()
        result = compile_file(str(path), registries)
        codes = Counter(d.code.id for d in result.diagnostics)
        if result.kind != "environment":
            problems.append(f"{relative}: read as {result.kind}")
        if codes["ENV001"] or codes["ENV002"]:
            problems.append(f"{relative}: {dict(codes)}")
        if codes["SYN015"] and relative not in EMPTY_SECTIONS:
            problems.append(f"{relative}: {dict(codes)}")
    assert not problems, "\n".join(problems)


def test_registry_mappings_resolve_with_the_templates_of_their_source(
    corpus: Path, registries: Registries
) -> None:
    pairs = 0
    problems: list[str] = []
    for path in env_files(corpus):
        relative = path.relative_to(corpus / "hot-env")
        source = corpus / "hot" / relative.parts[0]
        session = Session(registries, CompileOptions(allow_paths=(str(source),)))
        environment = _environment(session, path, corpus / "hot" / relative.parent)
        if environment is None:
            continue
        for template_path in _users(source, environment):
            template = session.load_template(str(template_path))
            if template is None:
                continue
            pairs += 1
            included = includes.resolve(
                template, environment, session.load_template, (str(source),), session.sink
            )
            loaded = {ref.nested_file for ref in included.nested if ref.via == "registry"}
            for name, resource in template.resources.items():
                entry = environment.lookup_type(name, resource.type)
                target = entry.target_path if entry else None
                if target and os.path.isfile(target) and target not in loaded:
                    problems.append(
                        f"{relative} + {template_path.name}: {name} -> {target} not loaded"
                    )
    assert pairs > 50
    assert not problems, "\n".join(problems)


def _environment(session: Session, path: Path, base_dir: Path) -> Environment | None:
    root = session.read(str(path))
    if not isinstance(root, LMap):
        return None
    return env.parse_environment(
        session.sources[str(path)], root, session.sink, base_dir=str(base_dir)
    )


def _users(source: Path, environment: Environment) -> list[Path]:
    """Templates of the source whose text names a type the environment maps (a cheap filter
    before parsing)."""
    keys = {
        entry.key
        for entry in environment.resource_registry
        if "::" in entry.key and not entry.removes
    }
    if not keys:
        return []
    found: list[Path] = []
    for path in sorted(source.rglob("*")):
        if path.suffix in SUFFIXES and path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            if "heat_template_version" in text and any(key in text for key in keys):
                found.append(path)
    return found
