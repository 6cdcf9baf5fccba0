"""The OpenAPI 3.0 description of the JSON API, served at ``/api/openapi.json``.

Built from the constants :class:`search.request.SearchRequest` validates with
(and the web's own limits), so the enums and limits it states are the ones the
server applies.  The admin operations (adding,
replacing and removing documents, reindexing) carry the ``adminToken`` bearer
security scheme.
"""

from __future__ import annotations

import copy
from typing import Any

from search.completion import MAX_SUGGEST_LIMIT, SUGGEST_LIMIT
from search.formats import SUFFIXES
from search.request import (
    DEFAULT_PER_PAGE,
    LANGUAGES,
    MATCH_MODES,
    MAX_PAGE,
    MAX_PER_PAGE,
    MAX_QUERY_CHARS,
    SORTS,
)
from search.uploads import MAX_UPLOAD_BYTES
from web.limits import MAX_URL_LENGTH

__all__ = ["openapi_document"]

#: The page a paragraph starts on.
_PAGE = {
    "type": "integer",
    "minimum": 1,
    "nullable": True,
    "description": "The page the paragraph starts on (PDF); null for formats without pages.",
}
#: What a document's file states about it.
_FILE_METADATA: dict[str, dict[str, Any]] = {
    "file": {"type": "string", "description": "The file name in the docs folder."},
    "author": {"type": "string", "description": "The author the file states, or ''."},
    "date": {
        "type": "string",
        "description": "The date the file states (YYYY-MM-DD), or ''.",
    },
    "pages": {
        "type": "integer",
        "minimum": 0,
        "description": "The last page with text (PDF); 0 for formats without pages.",
    },
}
#: A counterpart's paragraph numbers (two for a 1–2 link) and language.
_COUNTERPART_PARAGRAPHS = {
    "type": "array",
    "minItems": 1,
    "maxItems": 2,
    "items": {"type": "integer", "minimum": 1},
}
_COUNTERPART_LANG = {"type": "string", "enum": ["en", "ko"]}
#: What a change answered with 202 (and its job) was.
_ACTION = {"type": "string", "enum": ["added", "replaced", "removed", "reindex"]}

VERSION = "0.1.0"


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _path_parameter(name: str, example: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
        "example": example,
    }


def _ok(description: str, ref: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
    }


_ACCEPTED = {
    "description": (
        "Still being indexed when the time limit (DARI_SEARCH_TIME_LIMIT) came: the change "
        "goes on in the background; follow it at the Location header's job."
    ),
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Accepted"}}},
    "headers": {
        "Location": {"description": "The job's URL.", "schema": {"type": "string"}},
        "Retry-After": {
            "description": "Seconds to wait before asking the job.",
            "schema": {"type": "integer", "minimum": 1},
        },
    },
}


def _admin_errors(**extra: str) -> dict[str, Any]:
    """The refusals every admin operation may answer, plus ``extra`` (status → description)."""
    described: dict[str, Any] = {
        "401": {
            **_error("No admin token, or a wrong one (Authorization: Bearer <token>)."),
            "headers": {
                "WWW-Authenticate": {
                    "description": 'Bearer realm="dari" (with error="invalid_token" for a wrong one).',
                    "schema": {"type": "string"},
                }
            },
        },
        "403": _error("The server has no admin token configured: these operations are off."),
        **{code.lstrip("_"): _error(text) for code, text in extra.items()},
        "429": {
            **_error("Too many wrong tokens from this address within a minute."),
            "headers": {
                "Retry-After": {
                    "description": "Seconds until the address may try again.",
                    "schema": {"type": "integer", "minimum": 1},
                }
            },
        },
        "503": _error("The documents folder cannot be read."),
    }
    return dict(sorted(described.items()))


_COUNTS = {"type": "object", "additionalProperties": {"type": "integer", "minimum": 1}}
_LANG = {"type": "string", "enum": list(LANGUAGES)}

_SCHEMAS: dict[str, Any] = {
    "Suggestions": {
        "type": "object",
        "required": ["query", "suggestions"],
        "additionalProperties": False,
        "properties": {
            "query": {"type": "string", "description": "The text typed so far, as read."},
            "suggestions": {
                "type": "array",
                "description": (
                    "Words first (completions of the last word typed, most held first; a "
                    "Korean syllable being composed included: 협ㄹ → 협력; initial consonants: "
                    "ㅇㅈ → 양자), then titles holding the text, then glossary terms it begins."
                ),
                "items": {"$ref": "#/components/schemas/Suggestion"},
            },
        },
    },
    "Suggestion": {
        "type": "object",
        "required": ["text", "kind", "query"],
        "additionalProperties": False,
        "properties": {
            "text": {"type": "string", "description": "The word, title or glossary term."},
            "kind": {"type": "string", "enum": ["word", "title", "glossary"]},
            "query": {"type": "string", "description": "What choosing it searches."},
            "count": {
                "type": "integer",
                "minimum": 1,
                "description": "A word: the paragraphs (and titles) that hold it.",
            },
            "doc_id": {"type": "string", "description": "A title: its document."},
            "url": {"type": "string", "description": "A title: its document's page."},
            "translations": {
                "type": "array",
                "items": {"type": "string"},
                "description": "A glossary term: its spellings in the other language.",
            },
        },
    },
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
        "required": [
            "doc_id",
            "title",
            "paragraph",
            "lang",
            "score",
            "text",
            "snippet",
            "url",
            "counterpart",
            "page",
        ],
        "additionalProperties": False,
        "properties": {
            "doc_id": {"type": "string"},
            "title": {"type": "string"},
            "paragraph": {"type": "integer", "minimum": 1, "description": "Paragraph number."},
            "page": _PAGE,
            "lang": _LANG,
            "score": {"type": "number", "description": "BM25F score (higher is better)."},
            "text": {"type": "string", "description": "The whole paragraph, plain text."},
            "snippet": {
                "type": "string",
                "description": (
                    "HTML: an escaped excerpt with <mark> around the matches of the words "
                    'typed and <mark class="translation"> around what only a translation '
                    "of them matched."
                ),
            },
            "url": {"type": "string", "description": "The paragraph on its document page."},
            "counterpart": {
                "type": "object",
                "nullable": True,
                "description": (
                    "The same clause in the other language, when the document holds both "
                    "versions (an agreement published in English and Korean); null otherwise. "
                    "For a paragraph translated by two (a 1–2 link), paragraph is the first, "
                    "paragraphs lists both and text joins them with a blank line."
                ),
                "required": ["paragraph", "paragraphs", "lang", "text", "url"],
                "additionalProperties": False,
                "properties": {
                    "paragraph": {"type": "integer", "minimum": 1},
                    "paragraphs": _COUNTERPART_PARAGRAPHS,
                    "lang": _COUNTERPART_LANG,
                    "text": {"type": "string"},
                    "url": {"type": "string"},
                },
            },
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
            "expansions",
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
            "expansions": {
                "type": "array",
                "description": (
                    "What the query's words also searched, weighted below the words typed: "
                    "translations (xlang=0 turns them off): glossary entries, and romanized "
                    'Korean names (kind "romanization"); and corrections of words the index '
                    'does not hold (typo=0 turns them off): "typo" (quantom → quantum, '
                    '협렵 → 협력), "layout" (typed with the other keyboard layout: didwk → 양자) '
                    'and "initials" (initial consonants: ㅇㅈ → 양자, 안전, …).'
                ),
                "items": {
                    "type": "object",
                    "required": ["from", "to"],
                    "additionalProperties": False,
                    "properties": {
                        "from": {"type": "string", "description": "The query's word(s)."},
                        "to": {"type": "array", "minItems": 1, "items": {"type": "string"}},
                        "kind": {
                            "type": "string",
                            "enum": ["romanization", "typo", "layout", "initials"],
                        },
                    },
                },
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
    "Status": {
        "type": "object",
        "required": [
            "documents",
            "paragraphs",
            "languages",
            "backend",
            "location",
            "generation",
            "size_bytes",
            "last_run",
        ],
        "additionalProperties": False,
        "properties": {
            "documents": {"type": "integer", "minimum": 0},
            "paragraphs": {"type": "integer", "minimum": 0},
            "languages": {
                "type": "object",
                "description": 'Paragraphs by language, most first: {"en": 75, "ko": 34}.',
                "additionalProperties": {"type": "integer", "minimum": 0},
            },
            "backend": {"type": "string", "enum": ["local", "opensearch"]},
            "location": {
                "type": "string",
                "description": "The index folder's name, or the alias on the cluster.",
            },
            "generation": {
                "type": "string",
                "description": "The generation folder, or the index behind the alias.",
            },
            "size_bytes": {"type": "integer", "minimum": 0, "nullable": True},
            "last_run": {
                "type": "object",
                "nullable": True,
                "description": (
                    "The last full build or reindex: kind (build or reindex), finished (UTC, "
                    "ISO 8601), seconds, added/updated/removed ({count, names: the first "
                    "20}), unchanged, skipped ({count, files: [{file, reason}]}), and for a "
                    "build the documents indexed. null before the first run recorded."
                ),
            },
        },
    },
    "DocumentSummary": {
        "type": "object",
        "required": [
            "doc_id",
            "title",
            "paragraphs",
            "languages",
            "file",
            "author",
            "date",
            "pages",
        ],
        "additionalProperties": False,
        "properties": {
            "doc_id": {"type": "string"},
            "title": {"type": "string"},
            "paragraphs": {"type": "integer", "minimum": 1},
            "languages": {"type": "array", "items": _LANG},
            **_FILE_METADATA,
        },
    },
    "ReindexReport": {
        "type": "object",
        "required": [
            "added",
            "updated",
            "removed",
            "unchanged",
            "skipped",
            "seconds",
            "full_build",
        ],
        "additionalProperties": False,
        "properties": {
            "added": {"type": "array", "items": {"type": "string"}, "description": "Doc ids."},
            "updated": {"type": "array", "items": {"type": "string"}, "description": "Doc ids."},
            "removed": {"type": "array", "items": {"type": "string"}, "description": "Doc ids."},
            "unchanged": {"type": "integer", "minimum": 0, "description": "Documents kept."},
            "skipped": {
                "type": "array",
                "description": "Files that could not be indexed (a known one keeps its last version).",
                "items": {
                    "type": "object",
                    "required": ["file", "reason"],
                    "additionalProperties": False,
                    "properties": {"file": {"type": "string"}, "reason": {"type": "string"}},
                },
            },
            "seconds": {"type": "number", "minimum": 0},
            "full_build": {
                "type": "boolean",
                "description": "True when there was no index yet and it was built from scratch.",
            },
        },
    },
    "DocumentChange": {
        "type": "object",
        "required": ["doc_id", "file", "reindex"],
        "additionalProperties": False,
        "properties": {
            "doc_id": {"type": "string", "description": "The file name without its ending."},
            "file": {"type": "string", "description": "The file name in the docs folder."},
            "reindex": {"$ref": "#/components/schemas/ReindexReport"},
        },
    },
    "Accepted": {
        "type": "object",
        "description": (
            "A change still being indexed when the time limit came: it goes on in the "
            "background; follow it at job.url (the Location header)."
        ),
        "required": ["action", "job"],
        "additionalProperties": False,
        "properties": {
            "action": _ACTION,
            "doc_id": {"type": "string"},
            "file": {"type": "string"},
            "job": {
                "type": "object",
                "required": ["id", "state", "url"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string"},
                    "state": {"type": "string", "enum": ["running"]},
                    "url": {"type": "string"},
                },
            },
        },
    },
    "Job": {
        "type": "object",
        "description": (
            "How a change answered with 202 went: running, done (with what the reindex did), "
            "failed (with the error it would have been answered with; the change was taken "
            "back) or interrupted (the server stopped; it indexes the change when it starts)."
        ),
        "required": ["id", "state", "action", "updated"],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "string"},
            "state": {"type": "string", "enum": ["running", "done", "failed", "interrupted"]},
            "action": _ACTION,
            "doc_id": {"type": "string"},
            "file": {"type": "string"},
            "updated": {"type": "number", "description": "When the state was written (Unix time)."},
            "reindex": {"$ref": "#/components/schemas/ReindexReport"},
            "error": {
                "type": "object",
                "required": ["status", "message"],
                "additionalProperties": False,
                "properties": {"status": {"type": "integer"}, "message": {"type": "string"}},
            },
        },
    },
    "Document": {
        "type": "object",
        "required": ["doc_id", "title", "author", "date", "pages", "paragraphs"],
        "additionalProperties": False,
        "properties": {
            "doc_id": {"type": "string"},
            "title": {"type": "string"},
            "author": _FILE_METADATA["author"],
            "date": _FILE_METADATA["date"],
            "pages": _FILE_METADATA["pages"],
            "paragraphs": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["n", "lang", "page", "text", "counterpart"],
                    "additionalProperties": False,
                    "properties": {
                        "n": {"type": "integer", "minimum": 1},
                        "lang": _LANG,
                        "page": _PAGE,
                        "text": {"type": "string"},
                        "counterpart": {
                            "type": "object",
                            "nullable": True,
                            "description": "The paragraph(s) translating this one, or null.",
                            "required": ["paragraphs", "lang"],
                            "additionalProperties": False,
                            "properties": {
                                "paragraphs": _COUNTERPART_PARAGRAPHS,
                                "lang": _COUNTERPART_LANG,
                            },
                        },
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
    {
        "name": "xlang",
        "in": "query",
        "description": (
            "1: also search the translations of the query's words (glossary, romanized "
            "Korean names), weighted below the words themselves; 0: only the words typed."
        ),
        "schema": {"type": "string", "enum": ["1", "0"], "default": "1"},
    },
    {
        "name": "typo",
        "in": "query",
        "description": (
            "1: a word the index does not hold also searches its corrections (typos within "
            "1 edit from 5 letters and 2 from 9, Hangul counted in jamo; keyboard-layout "
            "slips; initial consonants), weighted below the words typed; 0: only as typed."
        ),
        "schema": {"type": "string", "enum": ["1", "0"], "default": "1"},
    },
    {
        "name": "sort",
        "in": "query",
        "description": (
            "relevance: best first; date: newest document first (by the date its file "
            "states: PDF, DOCX, HWPX or HTML metadata; undated documents last), its paragraphs "
            "in order; document: in the order of the documents (by id) and of their paragraphs."
        ),
        "schema": {"type": "string", "enum": list(SORTS), "default": "relevance"},
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
        "/api/status": {
            "get": {
                "operationId": "status",
                "summary": "The index's status",
                "description": (
                    "What the index holds (documents, paragraphs by language), where it is "
                    "(a local folder's name or the cluster's alias, never a path or address), "
                    "its generation and size, and what its last build or reindex did. The "
                    "same as the /status page."
                ),
                "responses": {"200": _ok("The status.", "Status")},
            }
        },
        "/api/search.csv": {
            "get": {
                "operationId": "searchCsv",
                "summary": "Search paragraphs, as CSV",
                "description": (
                    "The same search and page as /api/search, one CSV row per result in rank "
                    "order: rank, doc_id, title, paragraph, page, lang, score, text, url. UTF-8 "
                    "with a byte-order mark, so spreadsheet programs read Korean right."
                ),
                "parameters": _SEARCH_PARAMETERS,
                "responses": {
                    "200": {
                        "description": "One page of ranked paragraphs.",
                        "content": {"text/csv": {"schema": {"type": "string"}}},
                    },
                    "400": _error("A bad parameter or a query that cannot be run."),
                },
            }
        },
        "/api/suggest": {
            "get": {
                "operationId": "suggest",
                "summary": "Suggestions while typing",
                "description": (
                    "What the search box suggests as someone types: completions of the last "
                    "word, document titles and glossary terms. An empty q answers no "
                    "suggestions; a text that ends with a space completes no word."
                ),
                "parameters": [
                    {
                        "name": "q",
                        "in": "query",
                        "required": True,
                        "description": "The text typed so far.",
                        "schema": {"type": "string", "maxLength": MAX_QUERY_CHARS},
                    },
                    {
                        "name": "limit",
                        "in": "query",
                        "description": "Words suggested at most.",
                        "schema": {
                            "type": "integer",
                            "minimum": 1,
                            "maximum": MAX_SUGGEST_LIMIT,
                            "default": SUGGEST_LIMIT,
                        },
                    },
                ],
                "responses": {
                    "200": _ok("The suggestions, words first.", "Suggestions"),
                    "400": _error("A missing q, a q too long or a bad limit."),
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
            },
            "post": {
                "operationId": "addDocument",
                "summary": "Add (or replace) a document and reindex (admin)",
                "description": (
                    "Saves the uploaded file (text, Markdown, HTML, PDF, DOCX, HWPX or HWP) into "
                    "the server's documents folder under its file name (the document id is the "
                    "name without its ending) once it was read successfully, and runs an incremental "
                    "reindex before answering, so the document is searchable at once (or, when "
                    "that takes longer than the time limit, answers 202 with a job). Names with "
                    "path separators or '..', hidden names and other endings are refused, as "
                    "are files that cannot be read (damaged, encrypted, a scan without text, "
                    "empty) with the reason; a refused upload writes nothing."
                ),
                "security": [{"adminToken": []}],
                "parameters": [
                    {
                        "name": "replace",
                        "in": "query",
                        "description": "1 to replace a document with the same file name (else 409).",
                        "schema": {
                            "type": "string",
                            "enum": ["0", "1", "true", "false"],
                            "default": "0",
                        },
                    }
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "required": ["file"],
                                "properties": {
                                    "file": {
                                        "type": "string",
                                        "format": "binary",
                                        "description": (
                                            f"A document file ({', '.join(SUFFIXES)}; text "
                                            f"in UTF-8 or CP949), at most {MAX_UPLOAD_BYTES:,} "
                                            "bytes."
                                        ),
                                    }
                                },
                            },
                            "encoding": {"file": {"contentType": "application/octet-stream"}},
                        }
                    },
                },
                "responses": {
                    "201": _ok("Added and indexed.", "DocumentChange"),
                    "200": _ok("Replaced (replace=1) and reindexed.", "DocumentChange"),
                    "202": _ACCEPTED,
                    **_admin_errors(
                        _400="A bad file name (path separators, '..', hidden, an ending Dari does "
                        "not read), a file that cannot be read (the message says why), no 'file' "
                        "field, or a bad replace value.",
                        _409="A document with this file name exists already (use replace=1).",
                        _413=f"The file is larger than {MAX_UPLOAD_BYTES:,} bytes.",
                    ),
                },
            },
        },
        "/api/docs/{doc_id}": {
            "get": {
                "operationId": "getDocument",
                "summary": "One document, paragraph by paragraph",
                "parameters": [_path_parameter("doc_id", "003_f33e5257b7cf7671")],
                "responses": {
                    "200": _ok("The document.", "Document"),
                    "404": _error("No document has this id."),
                },
            },
            "delete": {
                "operationId": "deleteDocument",
                "summary": "Remove a document's file and reindex (admin)",
                "security": [{"adminToken": []}],
                "parameters": [_path_parameter("doc_id", "003_f33e5257b7cf7671")],
                "responses": {
                    "200": _ok("Removed from the folder and from the index.", "DocumentChange"),
                    "202": _ACCEPTED,
                    **_admin_errors(
                        _400="The id cannot be a document file name.",
                        _404="No document file has this id.",
                    ),
                },
            },
        },
        "/api/reindex": {
            "post": {
                "operationId": "reindex",
                "summary": "Apply what changed in the documents folder (admin)",
                "description": (
                    "An incremental reindex: files added, changed or removed in the documents "
                    "folder since the last one. Answers 409 at once if another indexer is running."
                ),
                "security": [{"adminToken": []}],
                "responses": {
                    "200": _ok("What the reindex did.", "ReindexReport"),
                    "202": _ACCEPTED,
                    **_admin_errors(
                        _409="Another indexer is running; try again when it has finished."
                    ),
                },
            }
        },
        "/api/jobs/{job_id}": {
            "get": {
                "operationId": "getJob",
                "summary": "How a change answered with 202 went (admin)",
                "description": "Jobs are kept for a day; any worker of the server answers.",
                "security": [{"adminToken": []}],
                "parameters": [_path_parameter("job_id", "mXc1qP0b2Zr8kT4e")],
                "responses": {
                    "200": _ok("The job's state.", "Job"),
                    **_admin_errors(_404="No such job (or it is more than a day old)."),
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
    "components": {
        "schemas": _SCHEMAS,
        "securitySchemes": {
            "adminToken": {
                "type": "http",
                "scheme": "bearer",
                "description": (
                    "The server's admin token (DARI_ADMIN_TOKEN). Without one configured the "
                    "admin operations answer 403."
                ),
            }
        },
    },
}


# Every address answers 414 when path and query string together are too long.
for _operations in _DOCUMENT["paths"].values():
    for _operation in _operations.values():
        _operation["responses"]["414"] = _error(
            f"The address (path and query string) is longer than {MAX_URL_LENGTH:,} bytes."
        )


def openapi_document() -> dict[str, Any]:
    """A fresh copy of the OpenAPI description (callers may modify it)."""
    return copy.deepcopy(_DOCUMENT)
