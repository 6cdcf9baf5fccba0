"""The JSON API under ``/api`` (described by ``/api/openapi.json``).

The admin endpoints (``POST /api/docs``, ``DELETE /api/docs/<id>``,
``POST /api/reindex``, ``GET /api/jobs/<id>``) need ``Authorization: Bearer
<admin token>``; see :mod:`web.admin`.  A change that outlasts the time limit is
answered ``202`` with a job to follow (:mod:`web.jobs`).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from search.completion import MAX_SUGGEST_LIMIT, SUGGEST_LIMIT
from search.errors import QueryError
from search.request import MAX_QUERY_CHARS, SearchRequest, clean_text, parse_flag, whole_number
from search.uploads import MAX_UPLOAD_BYTES, UploadRejected
from web import admin
from web.errors import AdminError, error_response
from web.jobs import Handed, job_state, job_url
from web.openapi import openapi_document
from web.service import get_engine, run_search

__all__ = ["bp"]

bp = Blueprint("api", __name__)


@bp.get("/search")
def search() -> Response:
    search_request = SearchRequest.from_params(request.args, strict=True)  # QueryError → 400
    return jsonify(run_search(search_request).to_dict())


#: The columns of ``/api/search.csv``, one row per result of the page.
CSV_COLUMNS = ("rank", "doc_id", "title", "paragraph", "page", "lang", "score", "text", "url")


@bp.get("/search.csv")
def search_csv() -> Response:
    """The same search as ``/api/search``, its page of results as CSV (UTF-8 with a BOM, so
    that spreadsheet programs read the Korean right)."""
    search_request = SearchRequest.from_params(request.args, strict=True)  # QueryError → 400
    results = run_search(search_request).results
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    first = (results.page - 1) * results.per_page + 1
    for rank, r in enumerate(results.results, first):
        row = (rank, r.doc_id, r.title, r.paragraph, r.page or "", r.lang, r.score, r.text, r.url)
        writer.writerow(row)
    response = Response("\ufeff" + out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="dari-search.csv"'
    return response


@bp.get("/suggest")
def suggest() -> Response:
    """Search as you type: completions of the last word, titles, glossary terms."""
    raw = request.args.get("q")
    if raw is None:
        raise QueryError("Give the text typed so far (parameter q).")
    q = clean_text(raw)
    if len(q) > MAX_QUERY_CHARS:
        raise QueryError(
            f"The query is too long ({len(q):,} characters; the limit is {MAX_QUERY_CHARS:,})."
        )
    limit = whole_number(request.args, "limit", SUGGEST_LIMIT, 1, MAX_SUGGEST_LIMIT, strict=True)
    found = get_engine().complete(q, limit) if q.strip() else []
    return jsonify({"query": q, "suggestions": [s.to_dict() for s in found]})


@bp.get("/docs")
def documents() -> Response:
    return jsonify(
        [
            {
                "doc_id": d.doc_id,
                "title": d.title,
                "paragraphs": d.paragraphs,
                "languages": d.languages,
                "file": d.file,
                "author": d.author,
                "date": d.date,
                "pages": d.pages,
            }
            for d in get_engine().documents()
        ]
    )


@bp.get("/docs/<doc_id>")
def document(doc_id: str) -> Response:
    doc_id = clean_text(doc_id)
    view = get_engine().document(doc_id)
    if view is None:
        return error_response(404, f"No document with id '{doc_id}'.")
    return jsonify(
        {
            "doc_id": view.doc_id,
            "title": view.title,
            "author": view.author,
            "date": view.date,
            "pages": view.pages,
            "paragraphs": [
                {
                    "n": p.n,
                    "lang": p.lang,
                    "page": p.page,
                    "text": p.text,
                    "counterpart": p.counterpart,
                }
                for p in view.paragraphs
            ],
        }
    )


@bp.post("/docs")
def add_document() -> tuple[Response, int]:
    admin.authorize(admin.bearer_token())
    replace = parse_flag(request.args.get("replace"), "replace", False, strict=False)
    storage = request.files.get("file")
    if storage is None:
        raise UploadRejected("Send the document as a multipart/form-data file field named 'file'.")
    data = storage.stream.read(MAX_UPLOAD_BYTES + 1)
    change = admin.add_document(storage.filename or "", data, replace=replace)
    if isinstance(change, Handed):
        return _accepted(change)
    return jsonify(change.to_dict()), 201 if change.action == "added" else 200


@bp.delete("/docs/<doc_id>")
def delete_document(doc_id: str) -> Response | tuple[Response, int]:
    admin.authorize(admin.bearer_token())
    # not cleaned first: x%00 must be refused as it is, not read as x
    change = admin.remove_document(doc_id)
    return _accepted(change) if isinstance(change, Handed) else jsonify(change.to_dict())


@bp.post("/reindex")
def reindex() -> Response | tuple[Response, int]:
    admin.authorize(admin.bearer_token())
    report = admin.run_reindex()
    return _accepted(report) if isinstance(report, Handed) else jsonify(report.to_dict())


#: Seconds a client is asked to wait before it asks how a job went.
JOB_RETRY_AFTER = 1


def _accepted(handed: Handed[Any]) -> tuple[Response, int]:
    """``202 Accepted``: the change goes on as a job, to be followed at its URL."""
    response = jsonify(handed.to_dict())
    response.headers["Location"] = job_url(handed.job_id)
    response.headers["Retry-After"] = str(JOB_RETRY_AFTER)
    return response, 202


@bp.get("/jobs/<job_id>")
def job(job_id: str) -> Response:
    admin.authorize(admin.bearer_token())
    state = job_state(Path(current_app.config["DARI_INDEX"]), job_id)
    if state is None:
        raise AdminError(404, f"No job '{job_id[:40]}' (jobs are kept for a day).")
    response = jsonify(state)
    if state.get("state") == "running":
        response.headers["Retry-After"] = str(JOB_RETRY_AFTER)
    return response


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document())
