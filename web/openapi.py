"""The OpenAPI 3.0 description of the JSON API, served at ``/api/openapi.json``.

Built from the same constants the views validate with, so the limits it
states are the limits the server applies.
"""

from __future__ import annotations

import copy
from typing import Any

from search.engine import MAX_PER_PAGE
from search.query import LANGUAGES, MAX_QUERY_CHARS
from web.params import DEFAULT_PER_PAGE, MATCH_MODES, MAX_PAGE

__all__ = ["openapi_document"]

VERSION = "0.1.0"


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _ok(description: str, ref: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
    }


_COUNTS = {"type": "object", "additionalProperties": {"type": "integer", "minimum": 1}}
_LANG = {"type": "string", "enum": list(LANGUAGES)}

_SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "additionalProperties": False,
        "properties": {"error": {"type": "string", "description": "A message for a person."}},
    },
    "Health": {
        "type": "object",
        "required": ["status", "documents", "paragraphs"],
        "additionalProperties": False,
        "properties": {
            "status": {"type": "string", "enum": ["ok"]},
            "documents": {"type": "integer", "minimum": 0},
            "paragraphs": {"type": "integer", "minimum": 0},
        },
    },
    "HealthError": {
        "type": "object",
        "required": ["status", "error"],
        "additionalProperties": False,
        "properties": {
            "status": {"type": "string", "enum": ["error"]},
            "error": {"type": "string"},
        },
    },
    "Result": {
        "type": "object",
        "required": ["doc_id", "title", "paragraph", "lang", "score", "text", "snippet", "url"],
        "additionalProperties": False,
        "properties": {
            "doc_id": {"type": "string"},
            "title": {"type": "string"},
            "paragraph": {"type": "integer", "minimum": 1, "description": "Paragraph number."},
            "lang": _LANG,
            "score": {"type": "number", "description": "BM25F score (higher is better)."},
            "text": {"type": "string", "description": "The whole paragraph, plain text."},
            "snippet": {
                "type": "string",
                "description": "HTML: an escaped excerpt with <mark> around the matches.",
            },
            "url": {"type": "string", "description": "The paragraph on its document page."},
        },
    },
    "SearchResults": {
        "type": "object",
        "required": [
            "query",
            "total",
            "page",
            "per_page",
            "took_ms",
            "fallback",
            "results",
            "facets",
            "suggestion",
            "notes",
        ],
        "additionalProperties": False,
        "properties": {
            "query": {"type": "string", "description": "The query as understood (normalised)."},
            "total": {"type": "integer", "minimum": 0, "description": "Matching paragraphs."},
            "page": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
            "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
            "took_ms": {"type": "number", "minimum": 0},
            "fallback": {
                "type": "boolean",
                "description": "True when no paragraph had all the words and those with any are shown.",
            },
            "results": {
                "type": "array",
                "maxItems": MAX_PER_PAGE,
                "items": {"$ref": "#/components/schemas/Result"},
            },
            "facets": {
                "type": "object",
                "required": ["lang", "doc"],
                "additionalProperties": False,
                "properties": {
                    "lang": {**_COUNTS, "description": "Matching paragraphs per language."},
                    "doc": {**_COUNTS, "description": "Matching paragraphs per document id."},
                },
            },
            "suggestion": {
                "type": "string",
                "nullable": True,
                "description": "A corrected query that finds more (did you mean), or null.",
            },
            "notes": {
                "type": "array",
                "items": {"type": "string"},
                "description": "How the query was read or repaired, for the user.",
            },
        },
    },
    "DocumentSummary": {
        "type": "object",
        "required": ["doc_id", "title", "paragraphs", "languages"],
        "additionalProperties": False,
        "properties": {
            "doc_id": {"type": "string"},
            "title": {"type": "string"},
            "paragraphs": {"type": "integer", "minimum": 1},
            "languages": {"type": "array", "items": _LANG},
        },
    },
    "Document": {
        "type": "object",
        "required": ["doc_id", "title", "paragraphs"],
        "additionalProperties": False,
        "properties": {
            "doc_id": {"type": "string"},
            "title": {"type": "string"},
            "paragraphs": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["n", "lang", "text"],
                    "additionalProperties": False,
                    "properties": {
                        "n": {"type": "integer", "minimum": 1},
                        "lang": _LANG,
                        "text": {"type": "string"},
                    },
                },
            },
        },
    },
}

_SEARCH_PARAMETERS: list[dict[str, Any]] = [
    {
        "name": "q",
        "in": "query",
        "required": True,
        "description": (
            'The query: words, "phrases", -exclusions, OR, (groups), lang:ko|en|mixed, doc:<id>. '
            "A query with nothing searchable left (only common words or operators) gets 400."
        ),
        "schema": {"type": "string", "minLength": 1, "maxLength": MAX_QUERY_CHARS},
        "example": "양자기술 lang:ko",
    },
    {
        "name": "page",
        "in": "query",
        "description": "Page number; past the last page, results is empty.",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
    },
    {
        "name": "per_page",
        "in": "query",
        "schema": {
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_PER_PAGE,
            "default": DEFAULT_PER_PAGE,
        },
    },
    {
        "name": "lang",
        "in": "query",
        "description": "Only paragraphs in this language.",
        "schema": {"type": "string", "enum": list(LANGUAGES)},
    },
    {
        "name": "doc",
        "in": "query",
        "description": "Only this document (an id from /api/docs); an unknown id gets 400.",
        "schema": {"type": "string", "minLength": 1},
    },
    {
        "name": "match",
        "in": "query",
        "description": "all: every word must match (falls back to any when nothing does); any: any word.",
        "schema": {"type": "string", "enum": list(MATCH_MODES), "default": "all"},
    },
]

_DOCUMENT: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {
        "title": "Dari search API",
        "version": VERSION,
        "description": (
            "Bilingual Korean/English full-text search over paragraphs. "
            'Every error is JSON: {"error": "<message for a person>"}.'
        ),
    },
    "servers": [{"url": "/"}],
    "paths": {
        "/api/search": {
            "get": {
                "operationId": "search",
                "summary": "Search paragraphs",
                "parameters": _SEARCH_PARAMETERS,
                "responses": {
                    "200": _ok("One page of ranked paragraphs.", "SearchResults"),
                    "400": _error("A bad parameter or a query that cannot be run."),
                },
            }
        },
        "/api/docs": {
            "get": {
                "operationId": "listDocuments",
                "summary": "Every indexed document",
                "responses": {
                    "200": {
                        "description": "The documents in id order.",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/DocumentSummary"},
                                }
                            }
                        },
                    }
                },
            }
        },
        "/api/docs/{doc_id}": {
            "get": {
                "operationId": "getDocument",
                "summary": "One document, paragraph by paragraph",
                "parameters": [
                    {
                        "name": "doc_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                        "example": "003_f33e5257b7cf7671",
                    }
                ],
                "responses": {
                    "200": _ok("The document.", "Document"),
                    "404": _error("No document has this id."),
                },
            }
        },
        "/api/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "This description",
                "responses": {
                    "200": {
                        "description": "An OpenAPI 3.0 document.",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        },
        "/healthz": {
            "get": {
                "operationId": "health",
                "summary": "Liveness and index size",
                "responses": {
                    "200": _ok("The server can search.", "Health"),
                    "503": {
                        "description": "The index cannot be read.",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/HealthError"}
                            }
                        },
                    },
                },
            }
        },
    },
    "components": {"schemas": _SCHEMAS},
}


def openapi_document() -> dict[str, Any]:
    """A fresh copy of the OpenAPI description (callers may modify it)."""
    return copy.deepcopy(_DOCUMENT)
