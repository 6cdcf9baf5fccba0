"""Messages for people that another layer can translate: :class:`Message`.

The library speaks English: the CLI prints its messages and the JSON API sends
them as they are.  The web pages are also in Korean, so every message the
library writes for a person who may read it on a page is a :class:`Message`,
a ``str`` (its English text, so everything that treats it as text goes on
working unchanged) that also keeps the gettext template it was made from and
the values put into it::

    >>> m = Message("No document with id '%(id)s'.", id="report")
    >>> m
    "No document with id 'report'."
    >>> m.template, m.params
    ("No document with id '%(id)s'.", {'id': 'report'})

These are:

* the messages of :class:`~search.errors.QueryError` (search/request.py,
  search/query.py, search/engine.py): a query or parameter that cannot be used;
* the notes shown with results (search/query.py, search/engine.py,
  search/results.py, search/opensearch/search.py): the any-word fallback, words
  ignored, a search or marking cut short by the time limit, a page past the last;
* the refusals of uploads and deletions (:mod:`search.uploads`);
* why a file is not a usable document (:class:`~search.errors.DocumentError` in
  search/documents.py and search/formats/), which is also the reason of a
  skipped file (:class:`search.documents.Skipped`).

The web layer's own refusals of the admin token (web/admin.py) are Messages too.
The web layer translates them: ``web.i18n.translate`` looks the template up in
the interface's catalogue (gettext), translates each value that is a Message
itself (a reason inside "The file cannot be read: %(reason)s."), and formats;
``web.errors.error_response`` does so for error pages (not for the JSON API),
and templates with the ``tr`` filter (``{{ note|tr }}``).  The templates are gathered into
the catalogue with the rest of the interface's strings: ``pybabel extract``
reads the first argument of every ``Message(...)`` call (see web/i18n.py), so a
template must be a plain string literal (adjacent literals may be joined; not an
f-string) and its values go in as keyword arguments, formatted as the English
text shows them (``n=f"{count:,}"``).  A literal ``%`` in a template with
values is written ``%%``.

:attr:`search.errors.DariError.message` gives an error's Message as it was
raised (``str(exc)`` would give plain text): pass that on when a message
quotes another one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeAlias

__all__ = ["Message", "Param"]

#: What goes into a message: text (maybe a Message, translated too) or a number.
Param: TypeAlias = str | int | float


class Message(str):
    """``template % params`` as a ``str``, keeping ``template`` and ``params`` for translation.

    Without ``params`` the text is ``template`` itself (no ``%`` formatting, as
    gettext does).  Equal to, hashed and printed as its English text; pickled
    as its template and params (a reason crosses from build workers).
    """

    template: str
    params: Mapping[str, Param]

    def __new__(cls, template: str, /, **params: Param) -> Message:
        text = template % params if params else template
        self = super().__new__(cls, text)
        self.template = template
        self.params = params
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.template, dict(self.params)))

    def __getnewargs_ex__(self) -> tuple[tuple[str], dict[str, Param]]:
        return (self.template,), dict(self.params)


def _rebuild(cls: type[Message], template: str, params: dict[str, Param]) -> Message:
    """A pickled :class:`Message` made again (see :meth:`Message.__reduce__`)."""
    return cls(template, **params)
