"""The status of the index: ``/status`` (a page) and ``/api/status`` (JSON).

What a person running Dari wants to see at a glance, as Meilisearch's index stats
show it: how many documents and paragraphs, in which languages, the index's
generation and size, and when it was last built or reindexed and what that did.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template

from web.service import get_engine

__all__ = ["bp"]

bp = Blueprint("status", __name__)


@bp.get("/status")
def page() -> str:
    return render_template("status.html", status=get_engine().status())


@bp.get("/api/status")
def api() -> Response:
    return jsonify(get_engine().status().to_dict())
