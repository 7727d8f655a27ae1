"""Drawing DOT with Graphviz's `dot` program, when it is installed (Kiln never ships it)."""

import shutil
import subprocess
from typing import Final

FORMATS: Final = ("png", "svg")
# Generous: dot lays out a thousand-resource stack in seconds.
TIMEOUT_SECONDS: Final = 300


class GraphvizError(Exception):
    """`dot` is missing or failed; the message says which and what to do."""


def dot_program() -> str | None:
    return shutil.which("dot")


def missing_dot(image_format: str) -> str:
    return (
        f"--render {image_format} needs Graphviz's `dot` on PATH; install Graphviz "
        "(e.g. `apt-get install graphviz`), or print DOT with --format dot and draw it elsewhere"
    )


def render_image(source: str, image_format: str, program: str | None = None) -> bytes:
    program = program or dot_program()
    if program is None:
        raise GraphvizError(missing_dot(image_format))
    completed = subprocess.run(
        [program, f"-T{image_format}"],
        input=source.encode("utf-8"),
        capture_output=True,
        check=False,
        timeout=TIMEOUT_SECONDS,
    )
    if completed.returncode != 0:
        problem = completed.stderr.decode("utf-8", "replace").strip()
        raise GraphvizError(f"`{program} -T{image_format}` failed: {problem}")
    return completed.stdout
