"""Small facts about names shared by frontends and passes."""

import difflib
from collections.abc import Sequence


def suggest(word: str, candidates: Sequence[str]) -> str:
    """`; did you mean 'x'?` or ''."""
    matches = difflib.get_close_matches(word, candidates, n=1, cutoff=0.75)
    return f"; did you mean {matches[0]!r}?" if matches else ""


def is_template_type(type_name: str) -> bool:
    """Heat's TemplateResource: a type ending in .yaml or .template, or a URL
    (heat/engine/environment.py, ResourceRegistry._register_info)."""
    return type_name.endswith((".yaml", ".template")) or "://" in type_name
