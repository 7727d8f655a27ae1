"""Files read while compiling, kept between compile_file calls in one process.

A template included by many roots (tripleo's containers-common.yaml by 94 of the corpus) is
read and lowered once: `kiln validate dir/`, the bench and an editor session compile many roots
in one process. An entry is keyed by the path as given (spans name it) and the load options,
and holds the file's bytes: every lookup reads the file again and compares, so an edited file
is parsed again, whatever its size or modification time say. What is kept is immutable: the
SourceFile, the loader's diagnostics, and per registries the lowered Template (frozen IR) with
the frontend's diagnostics, which a hit replays into the session's sink.

The located tree is dropped once a frontend has lowered it (it is twice the IR's size and only
the frontend reads it); a caller that needs it again gets it parsed again. Entries are evicted
least recently used first once their text exceeds a budget.
"""

import threading
from collections import OrderedDict
from dataclasses import replace
from typing import Final

from kiln.compiler.diagnostics import Diagnostic
from kiln.compiler.ir.frozen import frozen_dataclass
from kiln.compiler.ir.nodes import Template
from kiln.frontends.loader import LoadOptions, LoadResult, load_bytes, read_file

# Characters of source text kept (about 15 bytes of memory each with the IR): a whole
# repository's shared templates, not a whole corpus.
DEFAULT_BUDGET: Final = 500_000


@frozen_dataclass
class Lowered:
    """What a frontend made of a file: the Template (None when no frontend claimed the
    document) and the diagnostics it reported, for the registries it was lowered with."""

    registries: object
    template: Template | None
    diagnostics: tuple[Diagnostic, ...]


class CachedFile:
    """One file as read: its bytes (None: unreadable, never kept), its load result and, once
    a frontend lowered it, what that made of it."""

    __slots__ = ("data", "lowered", "path", "result")

    def __init__(self, path: str, data: bytes | None, result: LoadResult) -> None:
        self.path = path
        self.data = data
        self.result = result
        self.lowered: Lowered | None = None

    def lowered_for(self, registries: object) -> Lowered | None:
        lowered = self.lowered
        return lowered if lowered is not None and lowered.registries is registries else None


class FileCache:
    def __init__(self, budget: int = DEFAULT_BUDGET) -> None:
        self.budget = budget
        self._entries: OrderedDict[tuple[str, LoadOptions], CachedFile] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def load(self, path: str, options: LoadOptions) -> CachedFile:
        """The file as it is now: the cached entry when its bytes are the same, else parsed
        (and kept, when it could be read). Its root may have been dropped: see `tree`."""
        data = read_file(path, options)
        if isinstance(data, LoadResult):
            return CachedFile(path, None, data)
        key = (path, options)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry.data == data:
                self._entries.move_to_end(key)
                return entry
        entry = CachedFile(path, data, load_bytes(data, path, options))
        self._store(key, entry)
        return entry

    def tree(self, entry: CachedFile, options: LoadOptions) -> LoadResult:
        """The entry's load result with its located tree, parsed again if it was dropped."""
        result = entry.result
        if result.root is None and entry.lowered is not None and entry.data is not None:
            result = load_bytes(entry.data, entry.path, options)
        return result

    def keep_lowered(self, entry: CachedFile, lowered: Lowered) -> None:
        """Remember what a frontend made of the entry; drop its tree once there is a Template."""
        entry.lowered = lowered
        if lowered.template is not None and entry.result.root is not None:
            entry.result = replace(entry.result, root=None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._size = 0

    def __len__(self) -> int:
        return len(self._entries)

    def _store(self, key: tuple[str, LoadOptions], entry: CachedFile) -> None:
        source = entry.result.source
        size = len(source.text) if source is not None else 0
        if size > self.budget:
            return
        with self._lock:
            previous = self._entries.pop(key, None)
            if previous is not None:
                self._size -= _size(previous)
            self._entries[key] = entry
            self._size += size
            while self._size > self.budget:
                _, evicted = self._entries.popitem(last=False)
                self._size -= _size(evicted)


def _size(entry: CachedFile) -> int:
    source = entry.result.source
    return len(source.text) if source is not None else 0
