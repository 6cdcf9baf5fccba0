"""The errors of the library: one base class, and the kinds that callers tell apart.

Every error Dari raises on purpose is a :class:`DariError` whose message is
written for the person who caused it or can fix it, so a caller can print
``str(exc)`` and nothing else.  The kinds say *who* can do something about it:

======================  ==========================================  ===========
kind                    meaning                                     HTTP status
======================  ==========================================  ===========
:class:`UserError`      what the user gave cannot be used           400
:class:`QueryError`     a query or search parameter that cannot be  400
:class:`NotFound`       what the user named does not exist          404
:class:`Conflict`       it exists already                           409
:class:`TooLarge`       what the user sent is too big               413
:class:`ConfigError`    a setting or configured file is unusable    (at start)
:class:`Unavailable`    the index is missing or cannot be read      503
:class:`Busy`           another process is writing the index        409
======================  ==========================================  ===========

The statuses are given by the web layer (``web/errors.py``) and exit codes by
the CLI (``search/cli.py``), each in one table; the library knows neither.
"""

from __future__ import annotations

__all__ = [
    "Busy",
    "Conflict",
    "ConfigError",
    "DariError",
    "NotFound",
    "QueryError",
    "TooLarge",
    "Unavailable",
    "UserError",
]


class DariError(Exception):
    """Base of every error Dari raises on purpose; ``str(exc)`` is the message for a person."""


class UserError(DariError, ValueError):
    """The user's input (a query, a parameter, a file, a name) cannot be used."""


class QueryError(UserError):
    """A query or search parameter that cannot be used; ``str(err)`` is a message for the user."""


class NotFound(UserError):
    """The user named something (a document) that does not exist."""


class Conflict(UserError):
    """The request clashes with what exists (a document of that name is there already)."""


class TooLarge(UserError):
    """What the user sent is larger than allowed."""


class ConfigError(DariError, ValueError):
    """A setting (environment, option, configured file) that cannot be used; says which and why."""


class Unavailable(DariError):
    """The index is missing or cannot be read right now."""


class Busy(DariError):
    """Another process is writing the index; try again when it has finished."""
