"""What the pages and the API share: the app's engine, running a search, shaping results.

Nothing here renders HTML or JSON; the views in :mod:`web.pages` and
:mod:`web.api` do that.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, has_request_context
from flask import request as http_request

from search.documents import majority_language
from search.engine import Engine
from search.request import SearchRequest
from search.results import Result, SearchResults
from web.serving import RECEIVED_AT

__all__ = [
    "EXTENSION",
    "DariState",
    "DocGroup",
    "SearchOutcome",
    "get_engine",
    "group_by_document",
    "paragraph_lang",
    "run_search",
    "state",
]

EXTENSION = "dari"


class DariState:
    """Per-app state: the one :class:`Engine` and a cache of document titles."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._titles_key: Hashable = None
        self._titles: dict[str, str] = {}
        self._lock = threading.Lock()

    def titles(self) -> dict[str, str]:
        """Document id → title, re-read when the index changes (new generation or commit)."""
        key = self.engine.backend.view().version()
        with self._lock:
            if key != self._titles_key:
                self._titles = {d.doc_id: d.title for d in self.engine.documents()}
                self._titles_key = key
            return self._titles


def state() -> DariState:
    return current_app.extensions[EXTENSION]


def get_engine() -> Engine:
    return state().engine


@dataclass
class SearchOutcome:
    request: SearchRequest
    results: SearchResults
    suggestion: str | None
    #: facets for the page: each one counted as if its own filter were not set,
    #: so that a person can switch from one language (or document) to another
    page_facets: dict[str, dict[str, int]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON body of ``/api/search``."""
        out = self.results.to_dict()
        out["facets"] = {
            "lang": dict(self.results.facets.get("lang", {})),
            "doc": dict(self.results.facets.get("doc", {})),
        }
        out["suggestion"] = self.suggestion
        out["notes"] = list(self.results.notes)
        return out


#: The least time a search gets, however long its request waited for a thread.
MIN_TIME_LIMIT = 0.1


def _waited() -> float:
    """Seconds since this request arrived whole at the server (0 outside ``dari serve``)."""
    received = http_request.environ.get(RECEIVED_AT) if has_request_context() else None
    return max(time.monotonic() - received, 0.0) if isinstance(received, float) else 0.0


def run_search(request: SearchRequest, *, page_facets: bool = False) -> SearchOutcome:
    """Run ``request``; raises :class:`search.errors.QueryError` for the user.

    The search, the "did you mean" and the page's facet counts share one time
    limit (the engine's, ``SEARCH_TIME_LIMIT``), counted from when the request
    arrived at the server, so that time spent waiting for a thread counts too
    (:mod:`web.serving`): once it is spent, what is left is skipped and the
    results say the search was stopped.
    """
    engine = get_engine()
    limit = max(engine.time_limit - _waited(), min(MIN_TIME_LIMIT, engine.time_limit))
    deadline = time.perf_counter() + limit

    def remaining() -> float:
        return deadline - time.perf_counter()

    results = _search(engine, request, facets=True, time_limit=limit)
    past = results.past_last_page()
    if past:  # Whoosh answers a page past the end with the last page; say so instead
        results.results = []
        results.notes.append(past)
    suggestion = None
    if remaining() > 0:
        suggestion = engine.did_you_mean(request, results, time_limit=remaining())
    outcome = SearchOutcome(request, results, suggestion)
    if page_facets:
        outcome.page_facets = dict(results.facets)
        for name in ("lang", "doc"):
            if getattr(request, name) and remaining() > 0:
                wider = _search(
                    engine,
                    request.replace(page=1, per_page=1, **{name: None}),
                    facets=True,
                    time_limit=remaining(),
                )
                if name in wider.facets:
                    outcome.page_facets[name] = wider.facets[name]
    return outcome


def _search(
    engine: Engine, request: SearchRequest, *, facets: bool, time_limit: float
) -> SearchResults:
    """``request`` run through :meth:`Engine.search`, the engine's one entry point for a search.

    (``Engine.search`` makes the same request of these fields and runs it; going
    through it keeps one place where a search can be observed or replaced.)
    """
    return engine.search(**dataclasses.asdict(request), facets=facets, time_limit=time_limit)


@dataclass
class DocGroup:
    doc_id: str
    title: str
    hits: list[tuple[int, Result]]  # (rank in the whole result list, result)


def group_by_document(results: SearchResults) -> list[DocGroup]:
    """The page's results by document, documents in the order of their best hit.

    Each hit is numbered in the order the reader sees it (from the page's first
    number on): grouping moves a document's later hits up beside its first.
    """
    groups: dict[str, DocGroup] = {}
    for result in results.results:
        group = groups.get(result.doc_id)
        if group is None:
            group = groups[result.doc_id] = DocGroup(result.doc_id, result.title, [])
        group.hits.append((0, result))
    rank = (results.page - 1) * results.per_page
    for group in groups.values():
        for i, (_, result) in enumerate(group.hits):
            rank += 1
            group.hits[i] = (rank, result)
    return list(groups.values())


def paragraph_lang(lang: str, text: str) -> str:
    """The ``lang`` attribute for a paragraph: ko or en; a mixed one by its majority script."""
    return majority_language(lang, text)
