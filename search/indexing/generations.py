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
    """A Whoosh file storage whose readers share one in-memory copy of each segment part.

    Whoosh's own storage maps a segment's compound file and gives every reader
    its own ``BytesIO`` *copy* of each part (postings, terms, stored fields), and
    the engine keeps one searcher per thread: a server with 8 threads held 8
    copies of the index (1.8 GB at 100k reviews).  Here each part is read once
    per process into a ``bytes`` object, which ``BytesIO`` shares without
    copying; readers still each have their own file position.
    """

    def __init__(self, path: str) -> None:
        super().__init__(path, supports_mmap=False)  # compound files are cut with subset()

    def open_file(self, name: str, **kwargs: Any) -> StructFile:
        f = super().open_file(name, **kwargs)
        if name.endswith(".seg"):
            f.__class__ = _SharedPartsFile
        return f


class _SharedPartsFile(StructFile):
    """A compound segment file whose parts come from :func:`_segment_part`."""

    def subset(self, offset: int, length: int, name: str | None = None) -> StructFile:
        return BufferFile(_segment_part(self.file.name, offset, length), name=name or self._name)


_parts_lock = threading.Lock()
_parts: dict[tuple, bytes] = {}


def _segment_part(path: str, offset: int, length: int) -> bytes:
    """Bytes ``offset:offset+length`` of the file at ``path``, read once per process.

    Keyed by the file's identity too, so a replaced file is read again; parts of
    files that are gone (merged segments, old generations) are dropped here.
    """
    st = os.stat(path)
    key = (path, st.st_ino, st.st_mtime_ns, offset, length)
    with _parts_lock:
        data = _parts.get(key)
        if data is None:
            for old in [k for k in _parts if not _same_file(k)]:
                del _parts[old]
            with open(path, "rb") as fh:
                fh.seek(offset)
                data = _parts[key] = fh.read(length)
        return data


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
    os.replace(tmp, root / CURRENT_FILE)
    _fsync_dir(root)
    for old in root.glob(GENERATION_PREFIX + "*"):
        # The generation just replaced stays until the next build: searches
        # running right now may still open its files.  Readers follow CURRENT.
        if old not in (gen, previous) and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)


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
