"""The errors of the library: one base class, and the kinds that callers tell apart.

Every error Dari raises on purpose is a :class:`DariError` whose message is
written for the person who caused it or can fix it, so a caller can print
``str(exc)`` and nothing else.  Messages a person may read on a web page are
:class:`~search.messages.Message` objects (English text that the web layer can
translate); :attr:`DariError.message` gives one as it was raised.  The kinds say
*who* can do something about it:

======================  ==========================================  ===========
kind                    meaning                                     HTTP status
======================  ==========================================  ===========
:class:`UserError`      what the user gave cannot be used           400
:class:`QueryError`     a query or search parameter that cannot be  400
:class:`DocumentError`  a file that cannot be read as a document    400
:class:`NotFound`       what the user named does not exist          404
:class:`Conflict`       it exists already                           409
:class:`TooLarge`       what the user sent is too big               413
:class:`ConfigError`    a setting or configured file is unusable    (at start)
:class:`Unavailable`    the index is missing or cannot be read      503
:class:`Busy`           another process is writing the index        409
:class:`NoSpace`        the disk of the index or documents is full  507
:class:`ReadOnly`       that disk cannot be written to              503
======================  ==========================================  ===========

The statuses are given by the web layer (``web/errors.py``) and exit codes by
the CLI (``search/cli.py``), each in one table; the library knows neither.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = [
    "Busy",
    "Conflict",
    "ConfigError",
    "DariError",
    "DocumentError",
    "NoSpace",
    "NotFound",
    "QueryError",
    "ReadOnly",
    "StorageError",
    "TooLarge",
    "Unavailable",
    "UserError",
    "storage_error",
    "storage_errors",
]


class DariError(Exception):
    """Base of every error Dari raises on purpose; ``str(exc)`` is the message for a person."""

    @property
    def message(self) -> str:
        """The message for a person as it was raised: a :class:`~search.messages.Message`
        stays one (for the web layer to translate), where ``str(exc)`` is plain text."""
        first = self.args[0] if self.args else None
        return first if isinstance(first, str) else str(self)


class UserError(DariError, ValueError):
    """The user's input (a query, a parameter, a file, a name) cannot be used."""


class QueryError(UserError):
    """A query or search parameter that cannot be used; ``str(err)`` is a message for the user.

    ``param`` is the search parameter refused (``"per_page"``), when it is one, so that a
    caller that calls it something else (``dari search --limit``) can say so.
    """

    def __init__(self, message: str, *, param: str | None = None) -> None:
        super().__init__(message)
        self.param = param


class DocumentError(UserError):
    """A file that cannot be indexed (corrupt, encrypted, empty, too large ...); the message
    says why, and the file is skipped while indexing goes on."""


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


class StorageError(DariError):
    """Writing the index or a document file failed for want of storage; nothing was changed."""


class NoSpace(StorageError):
    """The disk (or quota) of the index or of the documents folder is full."""


class ReadOnly(StorageError):
    """The index or the documents folder cannot be written to (a read-only disk, permissions)."""


_NO_SPACE = {errno.ENOSPC, errno.EDQUOT}
_READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}


def storage_error(exc: OSError, what: str) -> StorageError | None:
    """The :class:`StorageError` that ``exc`` (raised writing ``what``) stands for, or None.

    ``what`` names the place for the person who can free space or fix the mount
    (``"the index folder index"``).
    """
    if exc.errno in _NO_SPACE:
        return NoSpace(
            f"There is no space left on the disk of {what}: free some space and try again."
        )
    if exc.errno in _READ_ONLY:
        return ReadOnly(
            f"{what[:1].upper()}{what[1:]} cannot be written to (read-only disk or permissions); "
            "nothing was changed."
        )
    return None


@contextmanager
def storage_errors(what: str) -> Iterator[None]:
    """Raise the :class:`StorageError` of an :class:`OSError` (see :func:`storage_error`)
    from the block; other errors pass unchanged."""
    try:
        yield
    except OSError as exc:
        error = storage_error(exc, what)
        if error is None:
            raise
        raise error from exc
