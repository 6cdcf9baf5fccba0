"""What the last build or reindex of an index did, kept beside it for the status page.

After every full build and every reindex (:mod:`search.indexing.build`,
:mod:`search.indexing.reindex`) a small JSON record (:func:`run_record`) is written
atomically to ``<index>/last-run.json`` (on a cluster, into the index's mapping
``_meta``: :mod:`search.opensearch.indexing`): when it ended, what kind of run it was, how long it took
and what it changed (the names of at most :data:`MAX_NAMES` documents per list, and
the counts).  Failing to write it never fails the run: the index is what matters,
and the next run writes it again.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from pathlib import Path
from typing import Any

__all__ = ["MAX_NAMES", "RECORD_FILE", "last_run", "record_run", "run_record"]

log = logging.getLogger(__name__)

RECORD_FILE = "last-run.json"
#: Names listed per kind of change; the counts are always whole.
MAX_NAMES = 20


def run_record(
    kind: str,
    seconds: float,
    added: list[str] | None = None,
    updated: list[str] | None = None,
    removed: list[str] | None = None,
    unchanged: int = 0,
    skipped: list[tuple[str, str]] | None = None,
    documents: int | None = None,
) -> dict[str, Any]:
    """The record of a ``kind`` run ("build" or "reindex") that just ended."""
    record: dict[str, Any] = {
        "kind": kind,
        "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "seconds": round(seconds, 3),
        "unchanged": unchanged,
    }
    for name, values in (("added", added), ("updated", updated), ("removed", removed)):
        values = values or []
        record[name] = {"count": len(values), "names": values[:MAX_NAMES]}
    skipped = skipped or []
    record["skipped"] = {
        "count": len(skipped),
        "files": [{"file": f, "reason": r} for f, r in skipped[:MAX_NAMES]],
    }
    if documents is not None:
        record["documents"] = documents
    return record


def record_run(root: Path, record: dict[str, Any]) -> None:
    """Keep ``record`` (:func:`run_record`) as the last run of the index at ``root``."""
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(dir=root, prefix=".last-run-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(record, fh, ensure_ascii=False)
        os.replace(tmp, Path(root) / RECORD_FILE)
        tmp = None
    except OSError as exc:
        log.warning("could not record the last %s in %s: %s", record.get("kind"), root, exc)
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def last_run(root: Path) -> dict[str, Any] | None:
    """The record of the last build or reindex at ``root``; None if there is none readable."""
    try:
        value = json.loads((Path(root) / RECORD_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None
