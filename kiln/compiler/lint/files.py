"""The files a lint run reads: command-line paths, directories and globs; exclusion globs.

Directories are walked as `kiln validate` walks them (template suffixes, hidden directories
skipped), and hidden files are skipped too: `.kiln.yaml` and other dotfiles are configuration.
A file named on the command line is linted whatever its name.

Glob patterns (in `exclude`, `per-file-ignores`) follow .gitignore's reading: a pattern with no
`/` matches a file or directory name at any depth (`*.json`, `vendor`); one with a `/` is
anchored at the configuration file's directory, `*` and `?` stay within one path segment,
`**` crosses segments, and a pattern naming a directory covers everything under it.
"""

import contextlib
import glob
import os
import re
from collections.abc import Iterable, Iterator
from fnmatch import fnmatchcase
from functools import lru_cache

from kiln.compiler.driver import discover

_GLOB_CHARS = re.compile(r"[*?\[]")


class PathError(Exception):
    """A command-line path that names nothing (usage error, exit 2)."""


def expand(paths: Iterable[str]) -> tuple[list[str], tuple[str, ...]]:
    """Files to lint, in command-line order without repeats, and the directories among the
    arguments (a tree whose files may include each other). A path that does not exist is
    read as a glob (`templates/**/*.yaml`, quoted so the shell leaves it alone)."""
    files: list[str] = []
    directories: list[str] = []
    seen: set[str] = set()
    for path in paths:
        if os.path.isdir(path):
            directories.append(path)
            found: Iterable[str] = _visible(discover([path]))
        elif os.path.exists(path):
            found = [path]
        elif _GLOB_CHARS.search(path):
            matches = sorted(glob.glob(path, recursive=True))
            if not matches:
                raise PathError(f"{path!r} matches no file")
            found = _visible(discover(matches))
        else:
            raise PathError(f"{path!r}: no such file or directory")
        for file in found:
            key = os.path.normpath(file)
            if key not in seen:
                seen.add(key)
                files.append(file)
    return files, tuple(directories)


def _visible(found: Iterable[str]) -> Iterator[str]:
    """Files found by walking, without hidden ones (`.kiln.yaml`, `.pre-commit-config.yaml`,
    editors' and --fix's temporary files): configuration, not templates."""
    return (path for path in found if not os.path.basename(path).startswith("."))


def relative_to(path: str, directory: str) -> str:
    """`path` relative to `directory`, with `/` separators (`../x` when outside)."""
    relative = os.path.relpath(os.path.abspath(path), os.path.abspath(directory))
    return relative.replace(os.sep, "/")


def matches(pattern: str, relative: str) -> bool:
    """Whether `relative` (a `/`-separated path) is covered by the glob `pattern`."""
    pattern = pattern.strip().rstrip("/")
    if pattern.startswith("./"):
        pattern = pattern[2:]
    if "/" not in pattern:
        return any(fnmatchcase(part, pattern) for part in relative.split("/"))
    return _compiled(pattern).match(relative) is not None


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    out: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if pattern.startswith("**/", index):
            out.append("(?:.*/)?")
            index += 3
            continue
        if pattern.startswith("**", index):
            out.append(".*")
            index += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            close = pattern.find("]", index + 1)
            if close == -1:
                out.append(re.escape(char))
            else:
                body = pattern[index + 1 : close]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                index = close
        else:
            out.append(re.escape(char))
        index += 1
    return re.compile("".join(out) + "(?:/.*)?$")


def write_atomic(path: str, data: bytes, *, like: str | None = None) -> None:
    """Write `data` to `path` through a temporary file in the same directory and a rename,
    so a reader never sees half a file. `like`: an existing file whose permissions to keep."""
    import tempfile

    directory = os.path.dirname(os.path.abspath(path))
    descriptor, temporary = tempfile.mkstemp(
        dir=directory, prefix=f".{os.path.basename(path)}.", suffix=".kiln-tmp"
    )
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        copy_mode(like or path, temporary)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def copy_mode(source: str, target: str) -> None:
    """Give `target` the permission bits of `source` when it exists (mkstemp makes 0600)."""
    import stat

    try:
        mode = stat.S_IMODE(os.stat(source).st_mode)
    except OSError:
        mode = 0o666 & ~_umask()
    os.chmod(target, mode)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
