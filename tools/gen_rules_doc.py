"""Write docs/rules.md from the lint-rule registry (built-in rules only).

    python tools/gen_rules_doc.py          # rewrite docs/rules.md
    python tools/gen_rules_doc.py --check  # exit 1, saying so, when it is out of date

The same text is `kiln rules --format markdown --no-plugins`; tests/lint/test_rules_doc.py
fails when the checked-in file differs.
"""

import sys
from pathlib import Path

from kiln.compiler.diagnostics.codes import BUILTIN_CODES
from kiln.compiler.lint.catalog import REGENERATE, render_markdown, session_codes
from kiln.plugins.host import load

DOC = Path(__file__).resolve().parents[1] / "docs" / "rules.md"


def generate() -> str:
    registries = load(entry_points=False)
    return render_markdown(registries.lint_rules, session_codes(BUILTIN_CODES))


def main(argv: list[str]) -> int:
    text = generate()
    if "--check" in argv:
        current = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
        if current != text:
            print(f"{DOC} is out of date: run `{REGENERATE}`", file=sys.stderr)
            return 1
        return 0
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
