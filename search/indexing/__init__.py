"""The index on disk: generations and locks, building, incremental reindexing, watching a folder.

* :mod:`~search.indexing.generations` — the folder layout, the atomic swap of
  generations, opening for reading, the writer lock;
* :mod:`~search.indexing.build` — a full build, in one process or several;
* :mod:`~search.indexing.reindex` — applying only what changed in the folder;
* :mod:`~search.indexing.watch` — reindexing when the folder changes.

What an entry holds is :mod:`search.records`.
"""

from search.indexing.build import (
    BuildReport,
    BuildWorkerError,
    build_index,
    build_locked,
    build_procs,
    ensure_index,
    split_evenly,
)
from search.indexing.generations import (
    IndexBusy,
    IndexMissing,
    SharedReadStorage,
    current_generation,
    index_lock,
    open_generation,
    open_index,
)
from search.records import document_fields, index_writer, make_schema

__all__ = [
    "BuildReport",
    "BuildWorkerError",
    "IndexBusy",
    "IndexMissing",
    "SharedReadStorage",
    "build_index",
    "build_locked",
    "build_procs",
    "current_generation",
    "document_fields",
    "ensure_index",
    "index_lock",
    "index_writer",
    "make_schema",
    "open_generation",
    "open_index",
    "split_evenly",
]
