"""Plain text: decoding (UTF-8, else CP949/EUC-KR) and blocks separated by blank lines.

Text files themselves are made into documents by :mod:`search.documents`, which
finds their title among their lines; Markdown decodes its bytes here too.
"""

from __future__ import annotations

import re
import unicodedata

from search.errors import DocumentError
from search.messages import Message

__all__ = ["MAX_REPLACEMENT_SHARE", "decode_text", "text_blocks"]

#: Share of U+FFFD replacement characters above which a file counts as undecodable.
MAX_REPLACEMENT_SHARE = 0.05
_BLANK_LINE_RE = re.compile(r"\n[ \t\u00a0\u3000]*\n")


def decode_text(data: bytes) -> tuple[str, list[str]]:
    """Decode file bytes to NFC text with ``\\n`` line ends; returns (text, warnings).

    UTF-8 (BOM or not) first, then CP949/EUC-KR when that decoding plausibly is
    Korean, else UTF-8 with replacement characters and a warning.  Raises
    :class:`DocumentError` for binary or mostly undecodable data.
    """
    if b"\x00" in data:
        raise DocumentError(Message("not a text file (contains NUL bytes)"))
    warnings: list[str] = []
    text: str | None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = _decode_cp949(data)
        if text is None:
            text = data.decode("utf-8", errors="replace")
            bad = text.count("\ufffd")
            if bad > MAX_REPLACEMENT_SHARE * max(len(text), 1):
                raise DocumentError(Message("not a text file (mostly undecodable bytes)")) from None
            warnings.append(f"invalid UTF-8: {bad} undecodable byte sequence(s) replaced")
        else:
            warnings.append("decoded as CP949/EUC-KR")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text), warnings


def _decode_cp949(data: bytes) -> str | None:
    try:
        text = data.decode("cp949")
    except UnicodeDecodeError:
        return None
    non_ascii = [c for c in text if ord(c) > 127]
    hangul = sum(1 for c in non_ascii if "\uac00" <= c <= "\ud7a3")
    # CP949 happily decodes many byte pairs; only trust it when it yields Korean.
    return text if non_ascii and hangul >= 0.5 * len(non_ascii) else None


def text_blocks(text: str) -> list[str]:
    """Blocks separated by blank lines, whitespace collapsed."""
    blocks = []
    for block in _BLANK_LINE_RE.split(text):
        collapsed = " ".join(block.split())
        if collapsed:
            blocks.append(collapsed)
    return blocks
