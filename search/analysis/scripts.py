"""Character classes and script runs: which characters are Hangul, Latin or other.

Also NFC normalisation with a map back to the original offsets, so that tokens
of NFD input still point at the characters the user's text holds.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "HANGUL",
    "JOINER_SPLIT_RE",
    "KO_JOINER_SPLIT_RE",
    "LATIN",
    "TOKEN_RE",
    "nfc_with_offsets",
    "script_of",
]

HANGUL = (
    "\uac00-\ud7a3"  # syllables
    "\u1100-\u11ff"  # conjoining jamo (NFD)
    "\u3130-\u318f"  # compatibility jamo
    "\ua960-\ua97f\ud7b0-\ud7ff"  # jamo extended A/B
)
LATIN = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff"
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"  # combining
_JOINERS = "\\-\u2010\u2011\u2013.&_/+"  # characters that glue Latin parts together

_KO_WORD = f"[0-9{HANGUL}]*[{HANGUL}][0-9{HANGUL}]*"
_KO_JOINERS = "\\-\u00b7\u2010\u2011\u30fb"  # 한-미, 한·미
_KO_UNIT = f"{_KO_WORD}(?:[{_KO_JOINERS}]{_KO_WORD})*"
_LATIN_PART = f"[0-9{LATIN}][0-9{LATIN}{_MARKS}]*(?:['\u2019][{LATIN}][{LATIN}{_MARKS}]*)*"
TOKEN_RE = re.compile(
    # A Hangul run is several Korean words with the spaces between them, so that
    # Kiwi sees each phrase in context.
    f"(?P<ko>{_KO_UNIT}(?:[ \t\u00a0]+{_KO_UNIT})*)"
    f"|(?P<latin>{_LATIN_PART}(?:[{_JOINERS}]{_LATIN_PART})*)"
    f"|(?P<other>(?:[^\\W\\d_][{_MARKS}]*)+|\\d+)"
)
JOINER_SPLIT_RE = re.compile(f"[{_JOINERS}]+")
KO_JOINER_SPLIT_RE = re.compile(f"[{_KO_JOINERS}]+")
_HANGUL_CHAR_RE = re.compile(f"[{HANGUL}]")
_LATIN_CHAR_RE = re.compile(f"[{LATIN}]")


def script_of(char: str) -> str:
    """'hangul', 'latin' or 'other' for one character (used for language shares)."""
    if _HANGUL_CHAR_RE.match(char):
        return "hangul"
    if _LATIN_CHAR_RE.match(char):
        return "latin"
    return "other"


def nfc_with_offsets(text: str) -> tuple[str, list[int]]:
    """NFC-normalise ``text`` and map every normalised index back to the original.

    The text is cut into clusters (a starter plus the combining marks or Hangul
    vowel/final jamo after it); each cluster is normalised on its own.  The
    returned list has ``len(normalised) + 1`` entries; entry *i* is the original
    offset where normalised character *i* starts (the last entry is ``len(text)``).
    """
    if unicodedata.is_normalized("NFC", text):
        return text, list(range(len(text) + 1))
    out: list[str] = []
    offsets: list[int] = []
    start = 0
    n = len(text)
    while start < n:
        end = start + 1
        while end < n and _continues_cluster(text[end]):
            end += 1
        piece = unicodedata.normalize("NFC", text[start:end])
        out.append(piece)
        offsets.extend([start] * len(piece))
        start = end
    offsets.append(n)
    return "".join(out), offsets


def _continues_cluster(char: str) -> bool:
    code = ord(char)
    # Hangul medial vowels and finals (and their extended blocks) compose with
    # the jamo before them even though their combining class is 0.
    if 0x1160 <= code <= 0x11FF or 0xD7B0 <= code <= 0xD7FF:
        return True
    return unicodedata.combining(char) != 0
