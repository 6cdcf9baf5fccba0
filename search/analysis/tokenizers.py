"""The tokenizer of every analyzer: text cut into Hangul phrases, Latin words and other words."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from typing import Any

from whoosh.analysis import Token, Tokenizer

from search.analysis.scripts import TOKEN_RE, nfc_with_offsets

__all__ = ["ScriptRunTokenizer"]


class ScriptRunTokenizer(Tokenizer):
    """Cuts text into script runs: Hangul phrases, Latin words, other words.

    Each emitted token carries ``script`` ('ko', 'latin' or 'other'); Hangul runs
    additionally carry ``norm`` (their NFC text) and ``offmap`` (see
    :func:`nfc_with_offsets`) for the Korean filter to use.
    """

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Any]:
        t: Any = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        t.start_pos = start_pos
        for run, match in enumerate(TOKEN_RE.finditer(value)):
            t.run = run
            kind = match.lastgroup
            t.text = match.group(0)
            t.boost = 1.0
            t.stopped = False
            t.newpos = True
            t.startchar = start_char + match.start()
            t.endchar = start_char + match.end()
            if keeporiginal:
                t.original = t.text
            if kind == "ko":
                t.script = "ko"
                t.norm, t.offmap = nfc_with_offsets(t.text)
            else:
                t.script = "latin" if kind == "latin" else "other"
                t.text = unicodedata.normalize("NFC", t.text)
            yield t
