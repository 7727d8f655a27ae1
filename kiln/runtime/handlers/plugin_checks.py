"""Heat's plugin validate() checks that need no cloud, for a handler's `validate`.

The compiler already keeps them (kiln/compiler/resource_types/rules.py, Heat's messages) and
applies them to what a template says before deployment, skipping values not known yet. A
handler runs the same rules again once every value is known (a property that comes from
another resource's attribute), so nothing is checked twice differently.
"""

from kiln.compiler.resource_types import rules
from kiln.runtime.handlers.base import Props


def compiler_rules(type_name: str, props: Props, name: str) -> str | None:
    """The first finding of the type's rules on these (known) properties, or None; `name`
    stands for the resource where Heat's message names it."""
    view = rules.Props(dict(props), {}, {}, {})
    for rule in rules.RULES.get(type_name, ()):
        for finding in rule(view, name):
            return finding.message
    return None
