"""Dari's web front end and JSON API: a thin Flask layer over :class:`search.engine.Engine`."""

from web.app import create_app

__all__ = ["create_app"]
