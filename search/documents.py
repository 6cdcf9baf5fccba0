"""Loading documents: reading files of every format, paragraphs, languages and titles.

A document is one file in the docs folder of a format that :mod:`search.formats`
reads (``.txt``, ``.md``, ``.html``, ``.pdf``, ``.docx``, ``.hwpx``, ``.hwp``); its id
is the file name without its ending.  When several files share a name
(``report.hwpx`` and ``report.pdf``, one release published twice) the first in
:data:`search.formats.FORMATS` order is the document and the others are skipped,
with a message.  Bad files (binary, undecodable, damaged, encrypted, empty,
symlinks leaving the folder) are reported as :class:`Skipped` and never stop a load.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat as stat_module
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from search import formats
from search.analysis import script_of
from search.errors import DocumentError
from search.formats.base import Extracted
from search.formats.text import MAX_REPLACEMENT_SHARE, decode_text, text_blocks
from search.messages import Message

__all__ = [
    "Document",
    "DocumentError",
    "MAX_DOCUMENT_BYTES",
    "MAX_PARAGRAPH_CHARS",
    "MAX_REPLACEMENT_SHARE",
    "Paragraph",
    "Skipped",
    "decode_bytes",
    "detect_language",
    "document_entries",
    "document_id",
    "document_paths",
    "is_document_name",
    "extract_title",
    "load_document",
    "load_folder",
    "majority_language",
    "split_paragraphs",
]

#: A block longer than this is cut at sentence ends into several paragraphs, so
#: that a result is always something a person can read.
MAX_PARAGRAPH_CHARS = 4000
#: Files larger than this are skipped: a document is read into memory whole
#: (decoded, normalised, split), so one runaway log file must not take the
#: indexer -- or a server reindexing with ``--watch`` -- down with it.
MAX_DOCUMENT_BYTES = 100 * 1024 * 1024
#: How often a file that changes while it is read is read again.
READ_ATTEMPTS = 3
#: The ending of plain text documents (every ending read: :data:`search.formats.SUFFIXES`).
DOCUMENT_SUFFIX = ".txt"


@dataclass(frozen=True)
class Paragraph:
    n: int
    lang: str
    text: str
    page: int | None = None  # the page it starts on, for formats with pages (PDF)


@dataclass(frozen=True)
class Document:
    doc_id: str
    title: str
    paragraphs: tuple[Paragraph, ...]
    path: Path
    size: int = 0
    mtime: float = 0.0
    sha256: str = ""
    warnings: tuple[str, ...] = field(default=())
    author: str = ""  # as the file states them (PDF, DOCX, HWPX, HTML metadata)
    date: str = ""  # YYYY-MM-DD

    @property
    def languages(self) -> list[str]:
        return sorted({p.lang for p in self.paragraphs})


@dataclass(frozen=True)
class Skipped:
    name: str
    reason: str


# --- decoding ------------------------------------------------------------------

#: Decode text file bytes to NFC text with ``\n`` line ends: (text, warnings).
decode_bytes = decode_text


# --- paragraphs and languages ------------------------------------------------------

_SENTENCE_END_RE = re.compile(r"(?<=[.!?。])\s+|(?<=다\.)\s*")


def split_paragraphs(text: str) -> list[str]:
    """Blocks separated by blank lines, whitespace collapsed, over-long blocks cut."""
    return [piece for block in text_blocks(text) for piece in _cut_long(block)]


def _cut_long(text: str, limit: int = MAX_PARAGRAPH_CHARS) -> Iterator[str]:
    while len(text) > limit:
        window = text[:limit]
        cut = max((m.end() for m in _SENTENCE_END_RE.finditer(window)), default=0)
        if cut < limit // 2:
            cut = window.rfind(" ") + 1
        if cut < limit // 2:
            cut = limit
        yield text[:cut].strip()
        text = text[cut:].strip()
    if text:
        yield text


def majority_language(lang: str, text: str) -> str:
    """'ko' or 'en' for a paragraph; a mixed one by its majority script ('' with no letters).

    Where a paragraph must be on one side (the ``lang`` attribute of HTML, a
    side of a parallel text), a mixed one goes with its Hangul syllables
    counted twice against Latin letters, as in :func:`detect_language`.
    """
    if lang in ("ko", "en"):
        return lang
    hangul = latin = 0
    for char, count in Counter(text).items():
        if char.isalpha():
            script = script_of(char)
            hangul += count * (script == "hangul")
            latin += count * (script == "latin")
    if not hangul and not latin:
        return ""
    return "ko" if 2 * hangul >= latin else "en"


def detect_language(text: str) -> str:
    """'ko', 'en' or 'mixed' from the share of Hangul vs Latin letters.

    A Hangul syllable counts twice: it spells a consonant-vowel(-consonant)
    group, so a Korean sentence with one English name in brackets stays 'ko'.
    """
    hangul = latin = 0
    # Count each distinct character once (Counter runs in C): classifying every
    # character of a 30 MB file one by one took a third of its indexing time.
    for char, count in Counter(text).items():
        if char.isalpha():
            script = script_of(char)
            if script == "hangul":
                hangul += 2 * count  # a syllable carries about as much as two Latin letters
            elif script == "latin":
                latin += count
    letters = hangul + latin
    if not letters:
        return "mixed"
    share = hangul / letters
    if share >= 0.8:
        return "ko"
    if share <= 0.2:
        return "en"
    return "mixed"


# --- titles --------------------------------------------------------------------

#: Words of web-page furniture that are never a title.
_DEBRIS_WORDS = frozenset(
    [
        "본문",
        "바로가기",
        "메뉴",
        "닫기",
        "공유",
        "인쇄",
        "로그인",
        "검색",
        "목록",
        "이전",
        "다음",
        "글자",
        "크기",
        "확대",
        "축소",
        "홈",
        "close",
        "menu",
        "share",
        "print",
        "login",
        "search",
        "skip",
        "content",
        "main",
        "navigation",
        "text",
        "size",
        "font",
        "home",
        "back",
        "next",
        "previous",
        "top",
        "bar_progress",
        "tweet",
        "facebook",
        "twitter",
        "email",
        "subscribe",
    ]
)
_TITLE_MAX_CHARS = 200
_SENTENCE_LIKE_RE = re.compile(r"[.!?。]$|다\.?$")


def _is_debris(line: str, seen: dict[str, int]) -> bool:
    words = line.split()
    if seen.get(line, 0) > 1:  # captions and navigation repeat themselves
        return True
    if line.startswith(("-", "*", "•", "·", "<", "[", "※")) or line.endswith(("-", ":")):
        return True
    if len(words) < 3:
        return True
    if sum(w.lower().strip(".,:|") in _DEBRIS_WORDS for w in words) * 2 >= len(words):
        return True
    return not any(c.isalpha() for c in line)


def extract_title(text: str, fallback: str) -> str:
    """The first line that reads like a title rather than page debris.

    Lines that are too short (< 3 words), repeated (captions), bullets, labels
    or navigation words are skipped.  Among the first few remaining lines the
    first one that is not a full sentence wins; failing that, the first
    remaining line, shortened at a word boundary.
    """
    lines = [" ".join(line.split()) for line in text.split("\n")]
    lines = [line for line in lines if line]
    seen: dict[str, int] = {}
    for line in lines:
        seen[line] = seen.get(line, 0) + 1
    candidates = [line for line in lines[:40] if not _is_debris(line, seen)][:5]
    for line in candidates:
        if len(line) <= _TITLE_MAX_CHARS and not _SENTENCE_LIKE_RE.search(line):
            return line
    if candidates:
        return _shorten(candidates[0], 120)
    return fallback


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit].rstrip(",;: ") + "…"


# --- files and folders -------------------------------------------------------------


def parse_document(doc_id: str, text: str, path: Path | None = None, **meta: Any) -> Document:
    """Build a :class:`Document` from already decoded text."""
    blocks = split_paragraphs(text)
    if not blocks:
        raise DocumentError(_NO_TEXT)
    paragraphs = tuple(Paragraph(i, detect_language(b), b) for i, b in enumerate(blocks, 1))
    return Document(
        doc_id=doc_id,
        title=extract_title(text, fallback=doc_id),
        paragraphs=paragraphs,
        path=path or Path(doc_id + DOCUMENT_SUFFIX),
        **meta,
    )


def document_from(doc_id: str, extracted: Extracted, path: Path, **meta: Any) -> Document:
    """Build a :class:`Document` from what a format's reader found (:mod:`search.formats`).

    Blocks become paragraphs as a text file's do (over-long ones cut at sentence
    ends, each keeping its page); the title is the one the file states, else
    the first block that reads like a title.
    """
    paragraphs: list[Paragraph] = []
    for block in extracted.blocks:
        for piece in _cut_long(block.text):
            paragraphs.append(
                Paragraph(len(paragraphs) + 1, detect_language(piece), piece, block.page)
            )
    if not paragraphs:
        raise DocumentError(_NO_TEXT)
    title = extracted.title or extract_title("\n".join(b.text for b in extracted.blocks), doc_id)
    return Document(
        doc_id=doc_id,
        title=title,
        paragraphs=tuple(paragraphs),
        path=path,
        author=extracted.author,
        date=extracted.date,
        **meta,
    )


def read_document(
    doc_id: str, name: str, data: bytes, path: Path | None = None, **meta: Any
) -> Document:
    """The document in the bytes ``data`` of a file named ``name``, of any format read.

    Raises :class:`DocumentError` saying why a file cannot be used.
    """
    path = path or Path(name)
    if not data.strip():
        raise DocumentError(Message("empty file"))
    fmt = formats.format_of(name)
    if fmt is not None and fmt.name == "text":
        text, warnings = decode_bytes(data)
        meta["warnings"] = tuple(warnings)
        return parse_document(doc_id, text, path=path, **meta)
    extracted = formats.read(name, data)
    meta["warnings"] = tuple(extracted.warnings)
    return document_from(doc_id, extracted, path, **meta)


def load_document(path: Path, root: Path | None = None) -> Document:
    """Read one file of any format read; raises :class:`DocumentError` if it is unusable.

    Only regular files inside ``root`` (the documents folder; symlinks may
    point within it) of at most :data:`MAX_DOCUMENT_BYTES` are read.  The
    recorded size and time are those from *before* the bytes were read, so a
    file rewritten meanwhile looks changed to the next reindex, which reads it
    again: nothing written to a document is lost.
    """
    root = (root or path.parent).resolve()
    data, stat = _read_file(Path(path), root)
    return read_document(
        document_id(path.name),
        path.name,
        data,
        path=path,
        size=len(data),
        mtime=stat.st_mtime,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _read_file(path: Path, root: Path) -> tuple[bytes, os.stat_result]:
    """The bytes of a document file and its status from just before they were read."""
    if path.is_symlink():
        # decided before opening: opening some devices (a link to /dev/...) has effects
        target = path.resolve()
        if not target.is_relative_to(root):
            raise DocumentError(_outside(target))
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)  # O_NONBLOCK: a named pipe must not block the indexer
    except FileNotFoundError:
        raise DocumentError(Message("file disappeared before it could be read")) from None
    except OSError as exc:
        raise DocumentError(_unreadable(exc)) from None
    try:
        before = os.fstat(fd)
        if not stat_module.S_ISREG(before.st_mode):
            raise DocumentError(Message("not a regular file"))
        fh = os.fdopen(fd, "rb")
    except OSError as exc:
        os.close(fd)
        raise DocumentError(_unreadable(exc)) from None
    except BaseException:
        os.close(fd)
        raise
    with fh:
        try:
            _check_still_inside(path, root, before)
            for _ in range(READ_ATTEMPTS):
                if before.st_size > MAX_DOCUMENT_BYTES:
                    raise DocumentError(_too_large(before.st_size))
                fh.seek(0)
                read_from = before
                data = _read_bytes(fh, MAX_DOCUMENT_BYTES + 1)
                if len(data) > MAX_DOCUMENT_BYTES:
                    raise DocumentError(_too_large(len(data)))
                after = os.fstat(fd)
                if _same_version(before, after) and len(data) == after.st_size:
                    break
                before = after  # written to while we read: read it again
            # Still changing after READ_ATTEMPTS reads: keep the last read with the
            # status from before it; the next reindex sees a newer time and reads it again.
        except OSError as exc:
            raise DocumentError(_unreadable(exc)) from None
    return data, read_from


def _read_bytes(fh: BinaryIO, limit: int) -> bytes:
    """At most ``limit`` bytes from ``fh`` (a seam for tests that rewrite files mid-read)."""
    return fh.read(limit)


def _check_still_inside(path: Path, root: Path, opened: os.stat_result) -> None:
    """Refuse a file that is not the one ``path`` names inside ``root`` any more.

    Catches a symlink swapped in between the check above and the opening.
    """
    target = path.resolve()
    if not target.is_relative_to(root):
        raise DocumentError(_outside(target))
    try:
        now = os.stat(target)
    except FileNotFoundError:
        raise DocumentError(Message("file disappeared while reading")) from None
    if (now.st_dev, now.st_ino) != (opened.st_dev, opened.st_ino):
        raise DocumentError(
            Message("file was replaced while reading; the next reindex reads it again")
        )


def _same_version(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_size, a.st_mtime_ns, a.st_ctime_ns) == (b.st_size, b.st_mtime_ns, b.st_ctime_ns)


#: Why a file whose text has no paragraph is not a document.
_NO_TEXT = Message("empty file (no text)")


def _too_large(size: int) -> Message:
    mb = 1024 * 1024
    return Message(
        "file too large (%(size)s MB; the limit is %(limit)s MB)",
        size=f"{size / mb:,.1f}",
        limit=MAX_DOCUMENT_BYTES // mb,
    )


def _outside(target: Path) -> Message:
    return Message("symlink points outside the documents folder (%(target)s)", target=str(target))


def _unreadable(exc: OSError) -> Message:
    return Message("cannot read file (%(error)s)", error=exc.strerror or str(exc))


def is_document_name(name: str) -> bool:
    """Whether a file of this name in the docs folder is a document (by its ending; not hidden)."""
    return not name.startswith(".") and formats.format_of(name) is not None


def document_entries(folder: Path, shadowed: list[Skipped] | None = None) -> list[os.DirEntry[str]]:
    """The document files directly in ``folder`` (not recursive) as directory entries,
    sorted by name: for callers that need only the names and stats of thousands of files
    (a reindex looking for changes), where making a :class:`~pathlib.Path` for each was
    most of the time.

    One file per document id: of several files sharing a name the first in
    :data:`search.formats.FORMATS` order; the others are added to ``shadowed``.
    """
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        raise DocumentError(
            Message("documents folder not found: %(folder)s", folder=str(folder))
        ) from None
    except NotADirectoryError:
        raise DocumentError(Message("not a folder: %(folder)s", folder=str(folder))) from None
    candidates = []
    for entry in entries:
        fmt = None if entry.name.startswith(".") else formats.format_of(entry.name)
        if fmt is not None:
            candidates.append((formats.FORMATS.index(fmt), entry.name, entry))
    chosen: dict[str, tuple[int, str, os.DirEntry[str]]] = {}
    for candidate in sorted(candidates, key=lambda c: (c[0], c[1])):
        doc_id = document_id(candidate[1])
        if doc_id not in chosen:
            chosen[doc_id] = candidate
        elif shadowed is not None:
            kept = chosen[doc_id][1]
            shadowed.append(
                Skipped(
                    candidate[1],
                    Message("same name as %(file)s, which is indexed instead", file=kept),
                )
            )
    kept_entries = [entry for _, _, entry in chosen.values()]
    kept_entries.sort(key=lambda e: e.name)
    return kept_entries


def document_id(name: str) -> str:
    """The document ID of a file named ``name`` in the documents folder: its name without
    its ending (``보도자료.pdf`` → ``보도자료``)."""
    fmt = formats.format_of(name)
    if fmt is None:
        return Path(name).stem
    lowered = name.lower()
    for suffix in fmt.suffixes:
        if lowered.endswith(suffix):
            return name[: -len(suffix)]
    return Path(name).stem


def document_paths(folder: Path, shadowed: list[Skipped] | None = None) -> list[Path]:
    """The document files directly in ``folder`` (not recursive), sorted by name."""
    return [Path(folder) / e.name for e in document_entries(folder, shadowed)]


def load_folder(folder: Path) -> Iterator[Document | Skipped]:
    """Every document of ``folder`` in name order; unusable files come as :class:`Skipped`.

    Nothing is logged here: callers report skipped files and ``Document.warnings``.
    """
    root = Path(folder)
    shadowed: list[Skipped] = []
    paths = document_paths(root, shadowed)
    yield from shadowed
    for path in paths:
        if path.is_dir():
            continue  # a folder named like a document is not one (nor worth a message)
        try:
            doc = load_document(path, root)
        except DocumentError as exc:
            yield Skipped(path.name, exc.message)
            continue
        yield doc
