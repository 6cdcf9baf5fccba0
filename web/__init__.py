"""Dari's web front end and JSON API: a thin Flask layer over :class:`search.engine.Engine`.

``create_app`` is loaded on first use, so that ``dari`` (which finds
``dari serve`` in :mod:`web.cli`) does not import Flask for other commands.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from web.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from web.app import create_app

        return create_app
    raise AttributeError(f"module 'web' has no attribute {name!r}")
