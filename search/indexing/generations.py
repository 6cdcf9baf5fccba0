"""The index folder on disk: generations, the atomic swap, opening for reading, the writer lock.

Layout of the index folder (``index/`` by default)::

    index/CURRENT          name of the live generation, replaced atomically
    index/gen-<stamp>/     a complete Whoosh index
    index/.lock            held (flock) by whoever writes

A full build writes a new generation beside the live one and then swaps
``CURRENT`` with ``os.replace``, so readers see either the old or the new index,
never a half-written one.
"""

from __future__ import annotations

import fcntl
import mmap
import os
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from whoosh import index
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import BufferFile, StructFile
from whoosh.index import FileIndex

from search.errors import Busy, Unavailable

__all__ = [
    "IndexBusy",
    "IndexMissing",
    "SharedReadStorage",
    "current_generation",
    "index_lock",
    "new_generation",
    "open_generation",
    "open_index",
    "publish",
]

CURRENT_FILE = "CURRENT"
LOCK_FILE = ".lock"
GENERATION_PREFIX = "gen-"
#: In a generation while its build runs (see :func:`remove_abandoned`).
BUILDING_FILE = ".building"


class IndexMissing(Unavailable):
    """There is no built index at the given place."""

    @classmethod
    def at(cls, root: Path) -> IndexMissing:
        return cls(f"No index found in {root}. Build it first with: dari index")


class IndexBusy(Busy):
    """Another process is writing the index."""


def current_generation(root: Path) -> Path | None:
    """The live generation folder, or None when nothing has been built yet."""
    try:
        name = (Path(root) / CURRENT_FILE).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    gen = Path(root) / name
    return gen if name.startswith(GENERATION_PREFIX) and gen.is_dir() else None


def open_index(root: Path) -> FileIndex:
    """Open the live index; raises :class:`IndexMissing` with advice when there is none."""
    return open_generation(root)[0]


def open_generation(root: Path) -> tuple[FileIndex, Path]:
    """The live index and the generation folder it was opened from."""
    gen = current_generation(root)
    if gen is None or not index.exists_in(str(gen)):
        raise IndexMissing.at(root)
    return SharedReadStorage(str(gen)).open_index(), gen


class SharedReadStorage(FileStorage):
    """A Whoosh file storage whose readers share one memory map of each segment file.

    Whoosh's own storage gives every reader its own ``BytesIO`` *copy* of each
    part of a compound segment (postings, terms, stored fields), and the engine
    keeps one searcher per thread: a server with 8 threads held 8 copies of the
    index (1.8 GB at 100k reviews).  Here each segment file is mapped once per
    process and every part is a view of that map, with its own file position:
    the pages are the operating system's file cache, read when touched, shared
    by every thread and every forked worker, and never copied into Python.
    """

    def __init__(self, path: str) -> None:
        super().__init__(path, supports_mmap=False)  # compound files are cut with subset()

    def open_file(self, name: str, **kwargs: Any) -> StructFile:
        f = super().open_file(name, **kwargs)
        if name.endswith(".seg"):
            f.__class__ = _SharedPartsFile
        return f


class _SharedPartsFile(StructFile):
    """A compound segment file whose parts are views of :func:`_segment_map`."""

    def subset(self, offset: int, length: int, name: str | None = None) -> StructFile:
        view = memoryview(_segment_map(self.file.name))[offset : offset + length]
        return _ViewFile(view, name=name or self._name)


class _ViewFile(BufferFile):
    """A Whoosh buffer file over a view that reads without copying the whole view
    (``BufferFile`` wraps its buffer in a ``BytesIO``, which copies a memoryview)."""

    def __init__(self, view: memoryview, name: str | None = None) -> None:
        super().__init__(b"", name=name)
        self._buf = view
        self.file = _ViewReader(view)  # type: ignore[assignment]


class _ViewReader:
    """The file methods Whoosh and ``pickle.load`` call (read, readline, readinto,
    seek, tell, close) over a memoryview."""

    __slots__ = ("_pos", "_view")

    def __init__(self, view: memoryview) -> None:
        self._view = view
        self._pos = 0

    def read(self, size: int | None = -1) -> bytes:
        start = self._pos
        end = len(self._view) if size is None or size < 0 else min(start + size, len(self._view))
        self._pos = max(start, end)
        return self._view[start:end].tobytes()

    def readline(self, size: int | None = -1) -> bytes:
        start = self._pos
        limit = len(self._view) if size is None or size < 0 else min(start + size, len(self._view))
        end = start
        while end < limit and self._view[end] != 0x0A:
            end += 1
        self._pos = min(end + 1, limit) if end < limit else limit
        return self._view[start : self._pos].tobytes()

    def readinto(self, target: bytearray | memoryview) -> int:
        data = self.read(len(target))
        target[: len(data)] = data
        return len(data)

    def seek(self, pos: int, whence: int = os.SEEK_SET) -> int:
        if whence == os.SEEK_CUR:
            pos += self._pos
        elif whence == os.SEEK_END:
            pos += len(self._view)
        if pos < 0:
            raise ValueError(f"negative seek position {pos}")
        self._pos = pos
        return pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        pass


_maps_lock = threading.Lock()
_maps: dict[tuple, mmap.mmap] = {}


def _segment_map(path: str) -> mmap.mmap:
    """A read-only memory map of the segment file at ``path``, made once per process.

    Keyed by the file's identity too, so a replaced file is mapped again; maps of
    files that are gone (merged segments, old generations) are dropped here (a map
    lives on while a reader still holds a view of it).
    """
    st = os.stat(path)
    key = (path, st.st_ino, st.st_mtime_ns)
    with _maps_lock:
        mapped = _maps.get(key)
        if mapped is None:
            for old in [k for k in _maps if not _same_file(k)]:
                del _maps[old]
            with open(path, "rb") as fh:
                mapped = _maps[key] = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        return mapped


def _same_file(key: tuple) -> bool:
    try:
        st = os.stat(key[0])
    except OSError:
        return False
    return (st.st_ino, st.st_mtime_ns) == key[1:3]


def publish(root: Path, gen: Path) -> None:
    """Make ``gen`` the live generation with one atomic rename, then tidy up."""
    tmp = root / f".{CURRENT_FILE}.{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(gen.name + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    previous = current_generation(root)
    (gen / BUILDING_FILE).unlink(missing_ok=True)
    os.replace(tmp, root / CURRENT_FILE)
    _fsync_dir(root)
    for old in root.glob(GENERATION_PREFIX + "*"):
        # The generation just replaced stays until the next build: searches
        # running right now may still open its files.  Readers follow CURRENT.
        if old not in (gen, previous) and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)


def remove_abandoned(root: Path) -> list[str]:
    """Remove what killed writers left in ``root``; the names removed.

    Call with :func:`index_lock` held, so that no build is running.  A build's
    generation carries a :data:`BUILDING_FILE` marker until it is published; one
    that still has it was abandoned by a killed build and nothing will ever read
    it.  A half-written ``CURRENT`` beside the real one goes too.
    """
    live = current_generation(root)
    removed = []
    for gen in sorted(root.glob(GENERATION_PREFIX + "*")):
        if gen != live and (gen / BUILDING_FILE).exists():
            shutil.rmtree(gen, ignore_errors=True)
            removed.append(gen.name)
    for tmp in root.glob(f".{CURRENT_FILE}.*"):
        tmp.unlink(missing_ok=True)
        removed.append(tmp.name)
    return removed


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def new_generation(root: Path) -> Path:
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    gen = root / f"{GENERATION_PREFIX}{stamp}-{os.getpid()}-{time.monotonic_ns() % 10**6:06d}"
    gen.mkdir(parents=True)
    (gen / BUILDING_FILE).write_text(f"{os.getpid()}\n", "utf-8")
    return gen


@contextmanager
def index_lock(root: Path, wait: bool = False) -> Iterator[None]:
    """Hold the writer lock of ``root``; raise :class:`IndexBusy` if taken and not waiting.

    An flock dies with its process, so a killed writer never leaves a stale lock.
    """
    root.mkdir(parents=True, exist_ok=True)
    with open(root / LOCK_FILE, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise IndexBusy(
                f"Another indexing process is writing {root}; try again when it has finished."
            ) from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
