"""Dari's core library: bilingual Korean/English full-text search over a Whoosh index.

The public API, importable from here::

    from search import Engine, SearchRequest, build_index, reindex, from_env

    engine = Engine.from_settings(from_env())
    results = engine.run(SearchRequest("양자 협력", match="any"))

The names are loaded on first use (``import search`` alone loads nothing
heavy), so ``search.settings`` or ``search.errors`` can be imported cheaply.
The library never imports the web layer (``web/``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from search.documents import Document, DocumentError, Paragraph, load_document
    from search.engine import DocumentInfo, DocumentView, Engine
    from search.errors import (
        Busy,
        ConfigError,
        Conflict,
        DariError,
        NotFound,
        QueryError,
        TooLarge,
        Unavailable,
        UserError,
    )
    from search.indexing import BuildReport, IndexBusy, IndexMissing, build_index, ensure_index
    from search.indexing.reindex import ReindexReport, reindex
    from search.indexing.watch import FolderWatcher
    from search.request import SearchRequest
    from search.results import Result, SearchResults
    from search.settings import AnalysisSettings, RankingSettings, Settings, from_env

#: public name → the module that defines it
_HOMES = {
    "Document": "search.documents",
    "DocumentError": "search.documents",
    "Paragraph": "search.documents",
    "load_document": "search.documents",
    "DocumentInfo": "search.engine",
    "DocumentView": "search.engine",
    "Engine": "search.engine",
    "Busy": "search.errors",
    "ConfigError": "search.errors",
    "Conflict": "search.errors",
    "DariError": "search.errors",
    "NotFound": "search.errors",
    "QueryError": "search.errors",
    "TooLarge": "search.errors",
    "Unavailable": "search.errors",
    "UserError": "search.errors",
    "BuildReport": "search.indexing",
    "IndexBusy": "search.indexing",
    "IndexMissing": "search.indexing",
    "build_index": "search.indexing",
    "ensure_index": "search.indexing",
    "ReindexReport": "search.indexing.reindex",
    "reindex": "search.indexing.reindex",
    "FolderWatcher": "search.indexing.watch",
    "SearchRequest": "search.request",
    "Result": "search.results",
    "SearchResults": "search.results",
    "AnalysisSettings": "search.settings",
    "RankingSettings": "search.settings",
    "Settings": "search.settings",
    "from_env": "search.settings",
}

__all__ = [
    "AnalysisSettings",
    "BuildReport",
    "Busy",
    "ConfigError",
    "Conflict",
    "DariError",
    "Document",
    "DocumentError",
    "DocumentInfo",
    "DocumentView",
    "Engine",
    "FolderWatcher",
    "IndexBusy",
    "IndexMissing",
    "NotFound",
    "Paragraph",
    "QueryError",
    "RankingSettings",
    "ReindexReport",
    "Result",
    "SearchRequest",
    "SearchResults",
    "Settings",
    "TooLarge",
    "Unavailable",
    "UserError",
    "build_index",
    "ensure_index",
    "from_env",
    "load_document",
    "reindex",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'search' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
