"""The columnar form of one Whoosh segment: what ranking needs, as numpy arrays.

Whoosh stays the index of record.  A segment never changes once written (only
its deletions do), so its columnar form is a cache keyed by the segment: made
from the segment's own postings the first time it is needed (or right after a
build or reindex wrote it), written atomically into ``<generation>/columnar/
<segment id>/`` and memory-mapped from then on.  A cache that is missing,
half-written, from another format version or unreadable is rebuilt, never
trusted: the ``meta.json`` written last holds the version, the segment's
document count and the size of every array file.

Per searched field (:data:`FIELDS`) the form holds the field's terms in sorted
order (one byte blob plus offsets), each term's postings (document numbers
within the segment and term frequencies) and, for the fields phrases are
searched in, each posting's positions.  Per document it holds each field's
length as Whoosh decodes it for scoring (one byte, lossy), the paragraph's
language, its document's ordinal and whether it is a paragraph at all.
Deletions are not part of it: a searcher applies them as a mask when it opens.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import mmap
import os
import shutil
import threading
from array import array
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.util.numeric import byte_to_length

from search.records import (
    DOC_ID_FIELD,
    KIND_FIELD,
    LANG_FIELD,
    PARAGRAPH_KIND,
    SCORED_FIELDS,
    TEXT_FIELD,
    TITLE_FIELD,
)

__all__ = [
    "COLUMNAR_DIR",
    "FIELDS",
    "FORMAT_VERSION",
    "FieldColumns",
    "SegmentColumns",
    "finish_segment",
    "load_or_build",
    "prepare",
    "save",
]

#: Bump when the arrays change meaning: older caches are then rebuilt.
FORMAT_VERSION = 5
#: Folder of a generation that holds the segments' columnar forms.
COLUMNAR_DIR = "columnar"
DATA_FILE = "data.bin"
META_FILE = "meta.json"
#: (document, position) keys are document × this + position.
_SPAN = 1 << 32
#: Each array starts at a multiple of this many bytes in the data file.
_ALIGN = 64
#: The scored fields, and the ID fields that filters and facets read.
ID_FIELDS = (KIND_FIELD, LANG_FIELD, DOC_ID_FIELD)
FIELDS = SCORED_FIELDS + ID_FIELDS
#: Fields whose postings keep positions (phrases are searched in them).
POSITION_FIELDS = (TITLE_FIELD, TEXT_FIELD)
#: Longest Hangul term (syllables) a table lists by its syllables (TermTable.hangul_words).
HANGUL_WORD_CHARS = 8
#: Terms whose place a term table remembers (about 100 bytes each) before it starts over
#: (a table per field and segment: 24 of them in a 6-segment index).
FOUND_CACHE_TERMS = 4_000
#: Languages by code (a paragraph's ``lang``), and the code of "none" (a document record).
LANG_CODES = ("ko", "en", "mixed")
NO_LANG = 255

#: Whoosh's field lengths by their one-byte code (``byte_to_length``), all 256 of them.
BYTE_TO_LENGTH = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)
_locks_lock = threading.Lock()
_locks: dict[str, threading.Lock] = {}
#: Segments loaded by this process, shared by every thread's searcher (they never change).
_loaded_lock = threading.Lock()
_loaded: dict[tuple[str, str, int], SegmentColumns] = {}


def term_prefixes(blob: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Each term's first 8 bytes as a big-endian number (zero-padded): sorted like the terms."""
    starts, ends = offsets[:-1], offsets[1:]
    at = starts[:, None] + np.arange(8, dtype=np.int64)[None, :]
    inside = at < ends[:, None]
    padded = np.zeros(at.shape, dtype=np.uint8)
    if len(blob):
        padded[inside] = np.asarray(blob)[at[inside]]
    return padded.view(">u8").ravel().astype(np.uint64)


def term_prefix(term: bytes) -> np.uint64:
    """A term's first 8 bytes as :func:`term_prefixes` has them."""
    return np.uint64(int.from_bytes(term[:8].ljust(8, b"\0"), "big"))


class TermTable:
    """A field's sorted terms (UTF-8 bytes) in one blob.

    Looked up by the terms' 8-byte prefixes (one ``searchsorted``), then by
    binary search among the few terms that share a prefix.
    """

    def __init__(self, blob: np.ndarray, offsets: np.ndarray, prefixes: np.ndarray) -> None:
        self.blob = blob
        self.offsets = offsets
        self.prefixes = prefixes
        #: terms looked up lately and where they are (-1: absent); every thread of the
        #: process shares it (a dict's get and set are atomic), emptied when full
        self._found: dict[bytes, int] = {}
        self._list: list[bytes] | None = None
        self._hangul: dict[int, tuple[np.ndarray, np.ndarray]] | None = None

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i: int) -> bytes:
        return self.blob[self.offsets[i] : self.offsets[i + 1]].tobytes()

    def find(self, term: bytes) -> int:
        """The index of ``term``, or -1."""
        i = self._found.get(term)
        if i is None:
            i = self._search(term)
            if len(self._found) >= FOUND_CACHE_TERMS:
                self._found = {}
            self._found[term] = i
        return i

    def find_many(self, terms: list[bytes]) -> list[int]:
        """:meth:`find` for many terms, the prefixes of those not looked up lately
        searched in one vectorised step."""
        found = self._found
        todo = [t for t in dict.fromkeys(terms) if t not in found]
        if todo:
            keys = np.fromiter((term_prefix(t) for t in todo), dtype=np.uint64, count=len(todo))
            los = np.searchsorted(self.prefixes, keys, side="left").tolist()
            his = np.searchsorted(self.prefixes, keys, side="right").tolist()
            if len(found) + len(todo) > FOUND_CACHE_TERMS:
                found = self._found = {}
            for term, lo, hi in zip(todo, los, his, strict=True):
                found[term] = self._among(term, lo, hi)
        return [found[t] if t in found else self.find(t) for t in terms]

    def as_list(self) -> list[bytes]:
        """The terms as a sorted list, made on first use and kept (about 50 bytes a term):
        for walks that jump through the terms many times (did-you-mean's automaton),
        where a C ``bisect`` over a list beats a numpy search per jump."""
        terms = self._list
        if terms is None:
            blob, offsets = self.blob.tobytes(), self.offsets.tolist()
            terms = self._list = [blob[a:b] for a, b in itertools.pairwise(offsets)]
        return terms

    def hangul_words(self) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        """The terms written in Hangul syllables only, by length (up to
        :data:`HANGUL_WORD_CHARS`): each length's syllables as a matrix of code points
        (one row per term) and the terms' places in the table.  Made on first use and
        kept: one-edit neighbours of a Korean word are then a few array comparisons."""
        found = self._hangul
        if found is None:
            rows: dict[int, list[tuple[int, str]]] = {}
            for i, term in enumerate(self.as_list()):
                # a Hangul syllable is three UTF-8 bytes from EA B0 80 to ED 9E A3
                if len(term) % 3 or not 0xEA <= term[0] <= 0xED:
                    continue
                word = term.decode("utf-8")
                if len(word) <= HANGUL_WORD_CHARS and all("가" <= c <= "힣" for c in word):
                    rows.setdefault(len(word), []).append((i, word))
            found = {
                n: (
                    np.array([[ord(c) for c in w] for _, w in group], dtype=np.uint16),
                    np.array([i for i, _ in group], dtype=np.int64),
                )
                for n, group in rows.items()
            }
            self._hangul = found
        return found

    def _search(self, term: bytes) -> int:
        key = term_prefix(term)
        lo = int(np.searchsorted(self.prefixes, key, side="left"))
        hi = int(np.searchsorted(self.prefixes, key, side="right"))
        return self._among(term, lo, hi)

    def _among(self, term: bytes, lo: int, hi: int) -> int:
        """Where ``term`` is among the terms ``lo:hi`` (those sharing its prefix), or -1."""
        if hi - lo == 0:
            return -1
        if hi - lo == 1:
            return lo if self[lo] == term else -1
        i = bisect_left(self, term, lo, hi)
        return i if i < hi and self[i] == term else -1

    def terms(self) -> Iterator[bytes]:
        for i in range(len(self)):
            yield self[i]


@dataclass
class FieldColumns:
    """One field of one segment: terms, postings, and (for phrase fields) positions."""

    terms: TermTable
    #: postings of term i: post_doc[post_off[i]:post_off[i + 1]] (ascending document numbers)
    post_off: np.ndarray
    post_doc: np.ndarray
    post_tf: np.ndarray
    #: positions of posting j: pos[pos_off[j]:pos_off[j + 1]]; None for fields without
    pos_off: np.ndarray | None = None
    pos: np.ndarray | None = None
    #: each position's characters (start, end), where the index stores them
    chr_start: np.ndarray | None = None
    chr_end: np.ndarray | None = None
    #: sorted (document × 2**32 + position) keys and the characters each position covers
    span_key: np.ndarray | None = None
    span_start: np.ndarray | None = None
    span_end: np.ndarray | None = None
    #: each document's terms (indexes into terms) and frequencies, in order of appearance
    fwd_off: np.ndarray | None = None
    fwd_term: np.ndarray | None = None
    fwd_tf: np.ndarray | None = None
    #: terms asked for lately and their postings (None: absent); shared like TermTable's
    _posted: dict[str, tuple[np.ndarray, np.ndarray, int] | None] = field(
        default_factory=dict, repr=False, compare=False
    )

    def word_counts(self, doc: int) -> list[tuple[str, int]] | None:
        """Document ``doc``'s words and counts in order of appearance; None if not kept."""
        if self.fwd_off is None or self.fwd_term is None or self.fwd_tf is None:
            return None
        a, b = int(self.fwd_off[doc]), int(self.fwd_off[doc + 1])
        terms = self.terms
        return [
            (terms[int(i)].decode("utf-8"), int(tf))
            for i, tf in zip(self.fwd_term[a:b], self.fwd_tf[a:b], strict=True)
        ]

    def occurrences(self, term: str, doc: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Where ``term`` stands in document ``doc``: positions, character starts and ends."""
        empty = np.zeros(0, dtype=np.int32)
        found = self.postings(term)
        if found is None or self.pos is None or self.pos_off is None:
            return empty, empty, empty
        docs, _, first = found
        i = int(np.searchsorted(docs, doc))
        if i >= len(docs) or docs[i] != doc:
            return empty, empty, empty
        a, b = int(self.pos_off[first + i]), int(self.pos_off[first + i + 1])
        if self.chr_start is None or self.chr_end is None:
            return self.pos[a:b], empty, empty
        return self.pos[a:b], self.chr_start[a:b], self.chr_end[a:b]

    def position_span(self, doc: int, position: int) -> tuple[int, int] | None:
        """The characters that position ``position`` of ``doc`` covers, if stored."""
        if self.span_key is None or self.span_start is None or self.span_end is None:
            return None
        key = doc * _SPAN + position
        i = int(np.searchsorted(self.span_key, key))
        if i >= len(self.span_key) or self.span_key[i] != key:
            return None
        return int(self.span_start[i]), int(self.span_end[i])

    def postings(self, term: str) -> tuple[np.ndarray, np.ndarray, int] | None:
        """(document numbers, term frequencies, index of the first posting) of ``term``."""
        posted = self._posted
        if term in posted:
            return posted[term]
        i = self.terms.find(term.encode("utf-8"))
        found = None
        if i >= 0:
            start, end = int(self.post_off[i]), int(self.post_off[i + 1])
            found = self.post_doc[start:end], self.post_tf[start:end], start
        if len(posted) >= FOUND_CACHE_TERMS:
            posted = self._posted = {}
        posted[term] = found
        return found


@dataclass
class SegmentColumns:
    """The columnar form of one segment (see the module's docstring)."""

    segment_id: str
    doc_count: int
    fields: dict[str, FieldColumns]
    #: field → each document's length in it, as Whoosh's scorer sees it (float64)
    lengths: dict[str, np.ndarray]
    #: each document's language code (index into LANG_CODES; NO_LANG for a record)
    lang: np.ndarray
    #: each document's document ordinal (index into doc_ids)
    doc_ord: np.ndarray
    doc_ids: np.ndarray  # of str
    #: whether each entry is a paragraph (not a document record)
    is_paragraph: np.ndarray


# --- building from a Whoosh segment ---------------------------------------------------------


def _postings_of(reader: Any, fieldname: str, tbytes: bytes, terminfo: Any) -> Iterator[tuple]:
    """(ids, weights, values) blocks of one term's postings, deletions included."""
    if terminfo.is_inlined():
        yield terminfo.inlined_postings()
        return
    fieldobj = reader.schema[fieldname]
    terms = reader._terms  # the segment's W3TermsReader: the term info is in hand already
    m = terms._codec.postings_reader(terms._postfile, terminfo, fieldobj.format)
    while m.is_active():
        if m._ids is None:
            m._read_ids()
        ids = m._ids
        m._read_weights()
        values = None
        if fieldname in POSITION_FIELDS:
            m._read_values()
            values = m._values
        yield ids, m._weights, values
        m._next_block()


def _extend(target: array, values: Any) -> None:
    """Append ``values`` (a tuple, list or array of any type code) to ``target``."""
    if isinstance(values, array) and values.typecode != target.typecode:
        values = values.tolist()
    target.extend(values)


def build_segment(reader: Any) -> dict[str, np.ndarray]:
    """The arrays of a segment reader's columnar form (see :class:`SegmentColumns`)."""
    n = reader.doc_count_all()
    arrays: dict[str, np.ndarray] = {}
    for fieldname in FIELDS:
        arrays.update(_read_field(reader, fieldname))
    length_bytes = {f: _length_bytes(reader, f, n) for f in SCORED_FIELDS}
    return finish_segment(arrays, length_bytes, n)


def _read_field(reader: Any, fieldname: str) -> dict[str, np.ndarray]:
    """One field's terms, postings and (phrase fields) positions and characters, as read."""
    fieldobj = reader.schema[fieldname]
    decode_positions = fieldobj.format.decode_positions if fieldname in POSITION_FIELDS else None
    # character offsets, where the index keeps them (the text field of indexes
    # built since they are stored): highlighting reads them instead of Kiwi
    decode_chars = (
        fieldobj.format.decode_characters
        if fieldname in POSITION_FIELDS and fieldobj.format.supports("characters")
        else None
    )
    # typed arrays, not lists: a list holds each number as an object (9 × the memory)
    starts = array("i")
    ends = array("i")
    blob = bytearray()
    t_off = array("q", [0])
    p_off = array("q", [0])
    docs = array("i")
    tfs = array("f")
    pos_off = array("q", [0])
    pos = array("i")
    for (term_field, tbytes), terminfo in reader._terms.items_from(fieldname, b""):
        if term_field != fieldname:
            break
        blob += tbytes
        t_off.append(len(blob))
        for ids, weights, values in _postings_of(reader, fieldname, tbytes, terminfo):
            _extend(docs, ids)
            _extend(tfs, weights)
            if decode_chars is not None:
                for value in values:
                    for p, start, end in decode_chars(value):
                        pos.append(p)
                        starts.append(start)
                        ends.append(end)
                    pos_off.append(len(pos))
            elif decode_positions is not None:
                for value in values:
                    pos.extend(decode_positions(value))
                    pos_off.append(len(pos))
        p_off.append(len(docs))
    prefix = f"{fieldname}."
    out: dict[str, np.ndarray] = {
        prefix + "terms": np.frombuffer(bytes(blob), dtype=np.uint8),
        prefix + "term_off": np.frombuffer(t_off, dtype=np.int64).copy(),
        prefix + "post_off": np.frombuffer(p_off, dtype=np.int64).copy(),
        prefix + "post_doc": np.frombuffer(docs, dtype=np.int32).copy(),
        prefix + "post_tf": np.frombuffer(tfs, dtype=np.float32).copy(),
    }
    if decode_positions is not None:
        out[prefix + "pos_off"] = np.frombuffer(pos_off, dtype=np.int64).copy()
        out[prefix + "pos"] = np.frombuffer(pos, dtype=np.int32).copy()
    if decode_chars is not None:
        out[prefix + "chr_start"] = np.frombuffer(starts, dtype=np.int32).copy()
        out[prefix + "chr_end"] = np.frombuffer(ends, dtype=np.int32).copy()
    return out


def finish_segment(
    arrays: dict[str, np.ndarray], length_bytes: dict[str, np.ndarray | None], n: int
) -> dict[str, np.ndarray]:
    """A segment's columnar form from each field's terms, postings and positions
    (as :func:`build_segment` reads them from a segment, or a build's writer has them,
    :mod:`search.indexing.segments`) and each scored field's length bytes."""
    for fieldname in FIELDS:
        prefix = f"{fieldname}."
        arrays[prefix + "term_prefix"] = term_prefixes(
            arrays[prefix + "terms"], arrays[prefix + "term_off"]
        )
        if prefix + "chr_start" in arrays:
            arrays.update(_position_spans(arrays, prefix))
            arrays.update(_forward(arrays, prefix, n))
    for fieldname in SCORED_FIELDS:
        arrays[f"{fieldname}.lengths"] = _lengths(length_bytes.get(fieldname), n)
    arrays["lang"], arrays["is_paragraph"] = _doc_codes(arrays, n)
    arrays["doc_ord"] = _doc_ordinals(arrays, n)
    return arrays


def _position_spans(arrays: dict[str, np.ndarray], prefix: str) -> dict[str, np.ndarray]:
    """Per (document, position): the characters its tokens cover (first start, last end).

    A joined word and its parts share a position; a phrase is marked from the
    start of its first position to the end of its last, whichever token there
    is the widest (as :func:`search.results.highlight_spans` does).
    """
    post_doc = arrays[prefix + "post_doc"]
    pos_off = arrays[prefix + "pos_off"]
    per_posting = np.diff(pos_off)
    docs = np.repeat(post_doc.astype(np.int64), per_posting)
    keys = docs * _SPAN + arrays[prefix + "pos"].astype(np.int64)
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    first = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else keys
    start = arrays[prefix + "chr_start"][order]
    end = arrays[prefix + "chr_end"][order]
    return {
        prefix + "span_key": keys[first] if len(keys) else keys,
        prefix + "span_start": np.minimum.reduceat(start, first) if len(keys) else start,
        prefix + "span_end": np.maximum.reduceat(end, first) if len(keys) else end,
    }


def _forward(arrays: dict[str, np.ndarray], prefix: str, n: int) -> dict[str, np.ndarray]:
    """Per document: its terms and their frequencies, in the order the analysis emits them.

    That order is the order of first appearance — by position, then by first
    character, a joined word before its parts (it is longer) — so that the
    feedback pass counts a paragraph's words as analysing its text would.
    """
    post_off, post_doc = arrays[prefix + "post_off"], arrays[prefix + "post_doc"]
    term_off, pos_off = arrays[prefix + "term_off"], arrays[prefix + "pos_off"]
    term_of = np.repeat(np.arange(len(post_off) - 1, dtype=np.int32), np.diff(post_off))
    first = pos_off[:-1]
    first_pos = arrays[prefix + "pos"][first] if len(first) else first
    first_chr = arrays[prefix + "chr_start"][first] if len(first) else first
    term_len = np.diff(term_off)[term_of]
    order = np.lexsort((term_of, -term_len, first_chr, first_pos, post_doc))
    # A joined word's parts share its characters: put them in the order they stand in it
    key = np.stack([post_doc[order], first_pos[order], first_chr[order]], axis=1)
    same = np.flatnonzero(np.all(key[1:] == key[:-1], axis=1)) if len(key) > 1 else key[:0, 0]
    if len(same):
        terms = TermTable(arrays[prefix + "terms"], term_off, arrays[prefix + "term_prefix"])
        starts = same[np.r_[True, np.diff(same) != 1]]  # first pair of each run of equals
        for start in starts:
            end = start + 1
            while end < len(key) and (key[end] == key[start]).all():
                end += 1
            group = order[start:end]
            whole = terms[int(term_of[group[0]])].decode("utf-8")
            parts = sorted(
                group[1:].tolist(),
                key=lambda j: _place_in(whole, terms[int(term_of[j])].decode("utf-8")),
            )
            order[start + 1 : end] = parts
    fwd_off = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(post_doc, minlength=n), out=fwd_off[1:])
    return {
        prefix + "fwd_off": fwd_off,
        prefix + "fwd_term": term_of[order],
        prefix + "fwd_tf": arrays[prefix + "post_tf"][order],
    }


def _place_in(whole: str, part: str) -> int:
    """Where a part stands in its joined word (by its longest prefix found there)."""
    for size in range(len(part), 0, -1):
        at = whole.find(part[:size])
        if at >= 0:
            return at
    return len(whole)


def _length_bytes(reader: Any, fieldname: str, n: int) -> np.ndarray | None:
    """Each document's length byte in ``fieldname`` (None: the segment keeps no lengths)."""
    perdoc = reader._perdoc
    column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is None:
        return None
    raw = np.zeros(n, dtype=np.uint8)
    count = min(column._count, n)
    if count:
        raw[:count] = np.frombuffer(column._dbfile.get(column._basepos, count), dtype=np.uint8)
    return raw


def _lengths(raw: np.ndarray | None, n: int) -> np.ndarray:
    """Each document's length in a field as the BM25 scorer reads it.

    Whoosh keeps a length as one byte (a logarithmic approximation); the
    column's bytes are decoded all at once.  A document without the field
    reads as 1, as the scorer's default has it (it never matches a term there).
    """
    if raw is None:
        return np.ones(n, dtype=np.float64)
    lengths = BYTE_TO_LENGTH[raw]
    lengths[raw == 0] = 1.0
    return lengths


def _id_postings(arrays: dict[str, np.ndarray], fieldname: str) -> Iterator[tuple[str, np.ndarray]]:
    terms = TermTable(
        arrays[f"{fieldname}.terms"],
        arrays[f"{fieldname}.term_off"],
        arrays[f"{fieldname}.term_prefix"],
    )
    post_off, post_doc = arrays[f"{fieldname}.post_off"], arrays[f"{fieldname}.post_doc"]
    for i, term in enumerate(terms.terms()):
        yield term.decode("utf-8"), post_doc[post_off[i] : post_off[i + 1]]


def _doc_codes(arrays: dict[str, np.ndarray], n: int) -> tuple[np.ndarray, np.ndarray]:
    lang = np.full(n, NO_LANG, dtype=np.uint8)
    for value, docs in _id_postings(arrays, LANG_FIELD):
        if value in LANG_CODES:
            lang[docs] = LANG_CODES.index(value)
    is_paragraph = np.zeros(n, dtype=np.bool_)
    for value, docs in _id_postings(arrays, KIND_FIELD):
        if value == PARAGRAPH_KIND:
            is_paragraph[docs] = True
    return lang, is_paragraph


def _doc_ordinals(arrays: dict[str, np.ndarray], n: int) -> np.ndarray:
    """Each entry's document ordinal: the rank of its doc id among the segment's (sorted)."""
    doc_ord = np.full(n, -1, dtype=np.int32)
    for ordinal, (_, docs) in enumerate(_id_postings(arrays, DOC_ID_FIELD)):
        doc_ord[docs] = ordinal
    return doc_ord


# --- on disk ---------------------------------------------------------------------------


def _segment_dir(generation: Path, segment_id: str) -> Path:
    return Path(generation) / COLUMNAR_DIR / segment_id


def save(arrays: dict[str, np.ndarray], generation: Path, segment_id: str, doc_count: int) -> None:
    """Write a segment's arrays atomically: one data file and its table of contents.

    Everything goes into a temporary folder that is renamed into place, so a
    reader sees the whole cache or none; ``meta.json`` records each array's
    type, shape and place in ``data.bin``.
    """
    final = _segment_dir(generation, segment_id)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.parent / f".{segment_id}.{os.getpid()}.{threading.get_ident()}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        table = {}
        offset = 0
        with open(tmp / DATA_FILE, "wb") as fh:
            for name, array in arrays.items():
                array = np.ascontiguousarray(array)
                pad = -offset % _ALIGN
                fh.write(b"\0" * pad)
                offset += pad
                fh.write(array.tobytes())
                table[name] = [array.dtype.str, list(array.shape), offset]
                offset += array.nbytes
            fh.flush()
            os.fsync(fh.fileno())
        meta = {"version": FORMAT_VERSION, "doc_count": doc_count, "size": offset, "arrays": table}
        with open(tmp / META_FILE, "w", encoding="utf-8") as fh:
            json.dump(meta, fh)
            fh.flush()
            os.fsync(fh.fileno())
        shutil.rmtree(final, ignore_errors=True)
        os.rename(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _trusted_meta(folder: Path, doc_count: int) -> dict[str, Any] | None:
    """The cache's ``meta.json`` if it is of this format and this segment, else None."""
    meta = json.loads((folder / META_FILE).read_text("utf-8"))
    if meta.get("version") != FORMAT_VERSION or meta.get("doc_count") != doc_count:
        return None
    return meta


def is_cached(generation: Path, segment_id: str, doc_count: int) -> bool:
    """Whether a segment's cache looks whole (its meta and its data file's size agree),
    without mapping it: :func:`load` still checks it before any search reads it."""
    folder = _segment_dir(generation, segment_id)
    try:
        meta = _trusted_meta(folder, doc_count)
        return meta is not None and (folder / DATA_FILE).stat().st_size == meta["size"]
    except (OSError, ValueError, KeyError, TypeError):
        return False


def load(generation: Path, segment_id: str, doc_count: int) -> dict[str, np.ndarray] | None:
    """A segment's arrays, memory-mapped (one mapping); None when the cache is not to be trusted."""
    folder = _segment_dir(generation, segment_id)
    try:
        meta = _trusted_meta(folder, doc_count)
        if meta is None:
            return None
        with open(folder / DATA_FILE, "rb") as fh:
            if os.fstat(fh.fileno()).st_size != meta["size"]:
                return None
            data = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) if meta["size"] else b""
        arrays = {}
        for name, (dtype, shape, offset) in meta["arrays"].items():
            count = int(np.prod(shape)) if shape else 1
            array = np.frombuffer(data, dtype=np.dtype(dtype), count=count, offset=offset)
            arrays[name] = array.reshape(shape)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return arrays


def load_or_build(reader: Any, generation: Path) -> SegmentColumns:
    """The columnar form of the segment of ``reader`` (a Whoosh SegmentReader).

    Read from its cache when that can be trusted, else made from the segment's
    postings and written for next time (several threads of one process build
    it once; a process that cannot write the cache still answers from memory).
    """
    segment_id = reader.segment().segment_id()
    n = reader.doc_count_all()
    key = (str(Path(generation).resolve()), segment_id, n)
    with _loaded_lock:
        loaded = _loaded.get(key)
        if loaded is not None:
            return loaded
    arrays = load(generation, segment_id, n)
    if arrays is None:
        with _locks_lock:
            lock = _locks.setdefault(str(_segment_dir(generation, segment_id)), threading.Lock())
        with lock:
            arrays = load(generation, segment_id, n)
            if arrays is None:
                arrays = build_segment(reader)
                with contextlib.suppress(OSError):  # read-only: answer from memory this time
                    save(arrays, generation, segment_id, n)
                    arrays = load(generation, segment_id, n) or arrays  # mapped, not in memory
    columns = from_arrays(arrays, segment_id, n)
    with _loaded_lock:
        for old in [k for k in _loaded if not os.path.isdir(k[0])]:
            del _loaded[old]  # a generation that is gone
        _loaded[key] = columns
    return columns


def prepare(generation: Path) -> int:
    """Make the columnar form of every segment of the index in ``generation`` that lacks one.

    Called by a build before it publishes a generation and by a reindex after
    its commit, so that the first search does not pay for it.  Returns the
    number of segments.  Caches of segments that are gone are removed.  Only
    the segments without a cache are opened (a reindex adds one to several).
    """
    from whoosh.reading import SegmentReader

    from search.indexing.generations import SharedReadStorage

    # memory-mapped parts: Whoosh's own storage would copy every segment's term index
    # into memory to open it (2.8 s of a reindex at 712k)
    storage = SharedReadStorage(str(generation))
    toc = storage.open_index()._read_toc()
    live = set()
    for segment in toc.segments:
        live.add(segment.segment_id())
        if not is_cached(Path(generation), segment.segment_id(), segment.doc_count_all()):
            with SegmentReader(storage, toc.schema, segment, generation=toc.generation) as reader:
                load_or_build(reader, Path(generation))
    folder = Path(generation) / COLUMNAR_DIR
    if folder.is_dir():
        for old in folder.iterdir():
            if old.name not in live and not old.name.startswith("."):
                shutil.rmtree(old, ignore_errors=True)
    return len(toc.segments)


def from_arrays(arrays: dict[str, np.ndarray], segment_id: str, n: int) -> SegmentColumns:
    fields = {}
    for fieldname in FIELDS:
        p = f"{fieldname}."
        fields[fieldname] = FieldColumns(
            terms=TermTable(arrays[p + "terms"], arrays[p + "term_off"], arrays[p + "term_prefix"]),
            post_off=arrays[p + "post_off"],
            post_doc=arrays[p + "post_doc"],
            post_tf=arrays[p + "post_tf"],
            pos_off=arrays.get(p + "pos_off"),
            pos=arrays.get(p + "pos"),
            chr_start=arrays.get(p + "chr_start"),
            chr_end=arrays.get(p + "chr_end"),
            span_key=arrays.get(p + "span_key"),
            span_start=arrays.get(p + "span_start"),
            span_end=arrays.get(p + "span_end"),
            fwd_off=arrays.get(p + "fwd_off"),
            fwd_term=arrays.get(p + "fwd_term"),
            fwd_tf=arrays.get(p + "fwd_tf"),
        )
    doc_terms = fields[DOC_ID_FIELD].terms
    return SegmentColumns(
        segment_id=segment_id,
        doc_count=n,
        fields=fields,
        lengths={f: np.asarray(arrays[f"{f}.lengths"]) for f in SCORED_FIELDS},
        lang=arrays["lang"],
        doc_ord=arrays["doc_ord"],
        doc_ids=np.array([t.decode("utf-8") for t in doc_terms.terms()], dtype=object),
        is_paragraph=arrays["is_paragraph"],
    )
