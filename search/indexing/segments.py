"""Writing a new segment at build speed: the same Whoosh segment, made without Whoosh's per-posting Python.

Whoosh's own writer analyses each field of a document on its own (the text
three times, through ``Token`` objects), puts every posting into a pool as a
tuple, sorts the pool and hands the postings one at a time to its codec, which
looks up each document's field length again for each of them; the columnar
form of the query path (:mod:`search.columnar.store`) then reads the new
segment back, posting by posting.  A build spent more time there than in Kiwi.

:class:`BuildWriter` is a Whoosh ``SegmentWriter`` whose documents are taken
apart differently:

* each paragraph is analysed once for all its fields
  (:func:`search.analysis.paragraphs.index_terms`, the same terms as the
  fields' analyzers give);
* the postings go into typed arrays (term number, document, frequency, and the
  positions and characters where the field keeps them);
* when the segment is finished, the postings are ordered by term and document
  with numpy and written block by block through Whoosh's own codec (the same
  bytes as its writer would write: ``tests/test_build_writer.py`` compares the
  two), and the segment's columnar form is made from the same arrays and saved
  beside it, instead of being read back.

Stored fields, field lengths and sortable columns go through Whoosh's
per-document writer as usual.  A segment holds at most :data:`SEGMENT_POSTINGS`
postings: the build starts a new one between documents (:meth:`BuildWriter.next_segment`).
It writes new segments only: merging old ones into it (``commit(merge=True)``
over an index with segments) is refused, so reindexing keeps Whoosh's writer.
"""

from __future__ import annotations

import zlib
from array import array
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from pickle import dumps
from typing import Any

import numpy as np
from whoosh import formats
from whoosh.analysis.tokenizers import IDTokenizer
from whoosh.codec.whoosh3 import COMPRESSION_MIN_SIZE, WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.filedb.filetables import _lengths as _HASH_LENGTHS
from whoosh.system import emptybytes, pack_int, pack_long, pack_ushort
from whoosh.util.numeric import length_to_byte
from whoosh.writing import SegmentWriter

from search.analysis.paragraphs import IndexTerms, index_terms
from search.columnar import store as columnar
from search.records import ANALYSED_FIELDS

__all__ = ["SEGMENT_POSTINGS", "BuildWriter"]

#: Postings a build's segment holds at most.  They stay in memory until the segment is
#: written (and ordering a large field takes as much again), so a new segment starts
#: after the document that reaches it and a build's memory does not grow with the
#: collection (Whoosh's own writer spills its posting pool to disk for the same
#: reason).  More segments cost searches a little; the benchmark's 712k build in two
#: processes stays under 2 GB with this (docs/performance.md, "The build").
SEGMENT_POSTINGS = 8_500_000


def _length_bytes(lengths: np.ndarray) -> np.ndarray:
    """Whoosh's ``length_to_byte`` of every length at once (0 stays 0)."""
    out = np.searchsorted(columnar.BYTE_TO_LENGTH, lengths, side="left")
    return np.minimum(out, 255).astype(np.uint8)


class _Postings:
    """One field's postings while its segment is written, in the order they came."""

    def __init__(self, fieldobj: Any) -> None:
        fmt = fieldobj.format
        self.format = fmt
        self.scorable = bool(fieldobj.scorable)
        self.chars = isinstance(fmt, formats.Characters)
        self.positions = isinstance(fmt, formats.Positions)  # Characters is one too
        self.boost = float(fmt.field_boost)
        self.term_ids: dict[str, int] = {}
        self.term = array("i")
        self.doc = array("i")
        self.freq = array("i")
        #: the occurrences of every posting, one after the other (position fields)
        self.pos = array("i")
        self.start = array("i")
        self.end = array("i")
        #: each posting's encoded value, for fields indexed by Whoosh's own analysis
        self.values: list[bytes] | None = None
        self.weights: array | None = None
        #: a number's items, as :meth:`add_value_of` made them
        self.items_of: dict[int, list[tuple[str, int, float, bytes]]] = {}
        #: an ID field: its term is the value itself (Whoosh's IDTokenizer, Existence format)
        self.whole_value = isinstance(
            getattr(fieldobj, "analyzer", None), IDTokenizer
        ) and isinstance(fmt, formats.Existence)

    def add_value(self, docnum: int, value: str) -> None:
        """Index an ID field's value (its one term, as Whoosh's ``Existence`` format has it)."""
        self.add_items(docnum, [(value, 1, self.boost, emptybytes)])

    def add_terms(self, docnum: int, terms: list[str]) -> int:
        """Index a document's ``terms`` (frequencies only); returns the field's length."""
        counts = Counter(terms)  # in order of first appearance, as Whoosh's formats count
        ids, t_append = self.term_ids, self.term.append
        for term in counts:
            i = ids.get(term)
            if i is None:
                i = ids[term] = len(ids)
            t_append(i)
        self.doc.extend([docnum] * len(counts))
        self.freq.extend(counts.values())
        return len(terms)

    def add_words(self, docnum: int, words: list[tuple[str, int, int, int]]) -> int:
        """Index a document's ``words`` (term, position, start, end); returns the field's length."""
        seen: dict[str, list[tuple[int, int, int]]] = {}
        for term, p, s, e in words:
            found = seen.get(term)
            if found is None:
                seen[term] = [(p, s, e)]
            else:
                found.append((p, s, e))
        ids, t_append = self.term_ids, self.term.append
        pos, start, end = self.pos, self.start, self.end
        for term, occurrences in seen.items():
            i = ids.get(term)
            if i is None:
                i = ids[term] = len(ids)
            t_append(i)
            for p, s, e in occurrences:
                pos.append(p)
                start.append(s)
                end.append(e)
        self.doc.extend([docnum] * len(seen))
        self.freq.extend([len(o) for o in seen.values()])
        return len(words)

    def add_value_of(self, docnum: int, fieldobj: Any, value: Any) -> int:
        """Index ``value`` as Whoosh's ``fieldobj.index()`` does (numbers, lists); returns the
        field's length.  A number's terms are kept: a paragraph number recurs in every document."""
        if isinstance(value, int):
            items = self.items_of.get(value)
            if items is None:
                if len(self.items_of) >= 4096:
                    self.items_of.clear()
                items = self.items_of[value] = [
                    (tbytes.decode("utf-8", "surrogateescape"), freq, weight, vbytes)
                    for tbytes, freq, weight, vbytes in fieldobj.index(value)
                ]
        else:
            items = [
                (tbytes.decode("utf-8", "surrogateescape"), freq, weight, vbytes)
                for tbytes, freq, weight, vbytes in fieldobj.index(value)
            ]
        return self.add_items(docnum, items)

    def add_items(self, docnum: int, items: list[tuple[str, int, float, bytes]]) -> int:
        """Index (term, frequency, weight, encoded value) items; returns the field's length."""
        if self.values is None:
            self.values, self.weights = [], array("f")
        assert self.weights is not None
        length = 0
        ids = self.term_ids
        for term, freq, weight, vbytes in items:
            i = ids.get(term)
            if i is None:
                i = ids[term] = len(ids)
            self.term.append(i)
            self.doc.append(docnum)
            self.freq.append(freq)
            self.weights.append(weight)
            self.values.append(vbytes)
            if self.scorable:
                length += freq
        return length

    def sorted_terms(self) -> tuple[list[bytes], np.ndarray]:
        """The field's terms as sorted bytes, and each term number's rank among them."""
        encoded = [t.encode("utf-8", "surrogateescape") for t in self.term_ids]
        order = sorted(range(len(encoded)), key=encoded.__getitem__)
        rank = np.empty(len(encoded), dtype=np.int32)
        rank[order] = np.arange(len(encoded), dtype=np.int32)
        return [encoded[i] for i in order], rank


class BuildWriter(SegmentWriter):
    """A ``SegmentWriter`` for new segments of a build (see the module's description)."""

    def __init__(self, ix: Any, max_postings: int | None = None, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        #: postings a segment holds before :meth:`segment_full` says so (see SEGMENT_POSTINGS)
        self.max_postings = SEGMENT_POSTINGS if max_postings is None else max_postings
        #: the segments finished by :meth:`next_segment`, in order
        self.finished: list[Any] = []
        for name, fieldobj in self.schema.items():
            if fieldobj.vector or fieldobj.separate_spelling():
                raise ValueError(f"BuildWriter cannot write field {name!r}: vectors or spelling")
        self._postings: dict[str, _Postings] = {}
        self._analysed: dict[str, IndexTerms] = {}

    # --- documents -----------------------------------------------------------------

    def _terms_of(self, text: str) -> IndexTerms:
        """``text`` analysed once per document entry (its fields share it) and per title."""
        found = self._analysed.get(text)
        if found is None:
            if len(self._analysed) >= 64:
                self._analysed.clear()
            found = self._analysed[text] = index_terms(text)
        return found

    def add_document(self, **fields: Any) -> None:
        """As Whoosh's ``add_document`` (stored values, ``_stored_<field>``, columns),
        with the analysed fields of :data:`search.records.ANALYSED_FIELDS` analysed once.

        As with Whoosh's, a value a field refuses (``ValueError``) may leave some of the
        document's postings behind: a build that meets one is abandoned, not committed.
        """
        self._check_state()
        if any(name.startswith("_") and name.endswith("boost") for name in fields):
            raise ValueError("BuildWriter takes no boosts")
        schema, perdoc, docnum = self.schema, self.perdocwriter, self.docnum
        names = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, names)
        perdoc.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                fieldobj = schema[name]
                length = 0
                if fieldobj.indexed:
                    postings = self._postings.get(name)
                    if postings is None:
                        postings = self._postings[name] = _Postings(fieldobj)
                    part = ANALYSED_FIELDS.get(name)
                    if postings.whole_value and isinstance(value, str):
                        postings.add_value(docnum, value)
                    elif part is None or not isinstance(value, str):
                        length = postings.add_value_of(docnum, fieldobj, value)
                    elif part == "words":
                        length = postings.add_words(docnum, self._terms_of(value).words)
                    else:
                        length = postings.add_terms(docnum, getattr(self._terms_of(value), part))
                stored = fields.get(f"_stored_{name}", value)
                perdoc.add_field(name, fieldobj, stored if fieldobj.stored else None, length)
                column = fieldobj.column_type
                if column and stored is not None:
                    perdoc.add_column_value(name, column, fieldobj.to_column_value(stored))
        except ValueError:
            perdoc.cancel_doc()
            raise
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    # --- the segments ----------------------------------------------------------------

    def segment_full(self) -> bool:
        """Whether the segment being written holds :attr:`max_postings` postings or more."""
        return sum(len(p.doc) for p in self._postings.values()) >= self.max_postings

    def next_segment(self) -> None:
        """Write the segment so far (kept in :attr:`finished`) and start a new one.

        Call it between documents: a document's entries stay in one segment.
        """
        if not self._added:
            return
        self.finished.append(self._finalize_segment())
        self.newsegment = self.codec.new_segment(self.storage, self.indexname)
        self.compound = self.compound and self.newsegment.should_assemble()
        self.perdocwriter = self.codec.per_document_writer(self.storage, self.newsegment)
        self.fieldwriter = self.codec.field_writer(self.storage, self.newsegment)
        self.docnum = self.docbase
        self._added = False

    def all_segments(self) -> list[Any]:
        """Write the last segment (if it has documents); every segment written, in order."""
        if self._added:
            self.finished.append(self._finalize_segment())
        else:
            self._close_segment()
        segments, self.finished = self.finished, []
        return segments

    def _flush_segment(self) -> None:
        if self.pool.current or getattr(self.pool, "runs", None):
            raise RuntimeError("BuildWriter writes new segments only (nothing merged into them)")
        self.perdocwriter.close()
        n = self.docnum - self.docbase
        arrays: dict[str, np.ndarray] = {}
        length_bytes: dict[str, np.ndarray | None] = {}
        for name in sorted(self._postings):
            postings = self._postings.pop(name)  # each field's arrays freed once written
            lengths = np.bincount(
                np.frombuffer(postings.doc, dtype=np.int32),
                weights=np.frombuffer(postings.freq, dtype=np.int32),
                minlength=n,
            ).astype(np.int64)
            raw = _length_bytes(lengths) if postings.scorable else np.zeros(n, dtype=np.uint8)
            length_bytes[name] = raw
            field_arrays = self._write_field(
                name, postings, columnar.BYTE_TO_LENGTH[raw] * (raw > 0)
            )
            if name in columnar.FIELDS:
                arrays.update(field_arrays)
        self.fieldwriter.close()
        segment_id = self.newsegment.segment_id()
        folder = Path(self.storage.folder)
        columnar.save(columnar.finish_segment(arrays, length_bytes, n), folder, segment_id, n)

    def _write_field(
        self, name: str, postings: _Postings, doc_lengths: np.ndarray
    ) -> dict[str, np.ndarray]:
        """Write one field's postings through the codec; returns its columnar arrays."""
        terms, rank = postings.sorted_terms()
        keys = rank[np.frombuffer(postings.term, dtype=np.int32)]
        del rank
        order = np.argsort(keys, kind="stable")  # by term, then document (as added)
        post_off = np.zeros(len(terms) + 1, dtype=np.int64)
        np.cumsum(np.bincount(keys, minlength=len(terms)), out=post_off[1:])
        del keys
        docs = np.frombuffer(postings.doc, dtype=np.int32)[order]
        freq = np.frombuffer(postings.freq, dtype=np.int32)[order]
        if postings.weights is not None:
            weights = np.frombuffer(postings.weights, dtype=np.float32)[order]
        else:
            weights = freq.astype(np.float32)
            if postings.boost != 1.0:
                weights *= np.float32(postings.boost)
        fmt = postings.format
        fixed = fmt.fixed_value_size()
        occ = occ_starts = None
        values_of: list[bytes] | _EncodedValues | None
        if postings.values is not None:
            values_of = [postings.values[i] for i in order.tolist()]
        elif postings.positions:
            # each posting's occurrences, ordered with their posting; where each posting's
            # occurrences start in that order
            occ_starts = np.zeros(len(freq) + 1, dtype=np.int64)
            np.cumsum(freq, out=occ_starts[1:])
            occ_off = np.zeros(len(freq) + 1, dtype=np.int64)
            np.cumsum(np.frombuffer(postings.freq, dtype=np.int32), out=occ_off[1:])
            starts, sizes = occ_off[:-1][order], freq
            pick = np.repeat(starts - occ_starts[:-1], sizes) + np.arange(int(occ_starts[-1]))
            occ = {
                "pos": np.frombuffer(postings.pos, dtype=np.int32)[pick],
                "start": np.frombuffer(postings.start, dtype=np.int32)[pick],
                "end": np.frombuffer(postings.end, dtype=np.int32)[pick],
            }
            values_of = _EncodedValues(fmt.encode, postings.chars, freq, occ_starts, occ)
        else:
            values_of = None  # fixed-size values: the frequencies, packed per block
        del order
        packed = freq.astype(">u4").tobytes() if fixed and fixed > 0 else b""

        fw = self.fieldwriter
        fw.start_field(name, self.schema[name])
        pw = fw._postwriter
        pw._postfile = _CountingFile(pw._postfile)
        pw._format = fmt  # what start_postings sets
        blocklimit = pw._blocklimit
        # Within the loop the term index and the postings file are only written to and
        # asked where they are: a counting stand-in answers without a system call
        tindex = fw._tindex
        term_file, tindex.dbfile = tindex.dbfile, _CountingFile(tindex.dbfile)
        try:
            # the bytes of typed arrays (4 per posting; viewed, not copied), not lists (36
            # bytes per number, and a field can hold millions of postings)
            doc_view = docs.view(np.uint32).data.cast("B")
            weight_view = weights.data.cast("B")
            lengths_of = doc_lengths.astype(np.int32)[docs]
            length_view = lengths_of.data.cast("B")
            offsets = post_off.tolist()
            field_key = pack_ushort(fw._fieldid)
            one_blocks = _OneBlockTerms(
                pw, tindex, field_key, docs, weights, lengths_of, values_of, packed, fixed
            )
            for t, btext in enumerate(terms):
                a, b = offsets[t], offsets[t + 1]
                if b - a <= blocklimit:
                    one_blocks.add(btext, a, b)
                    continue
                one_blocks.flush()
                fw.start_term(btext)
                for c0 in range(a, b, blocklimit):
                    c1 = min(c0 + blocklimit, b)
                    pw._ids = ids = array("I")
                    ids.frombytes(doc_view[4 * c0 : 4 * c1])
                    pw._weights = block_weights = array("f")
                    block_weights.frombytes(weight_view[4 * c0 : 4 * c1])
                    if values_of is not None:
                        pw._values = (
                            [v for v in values_of[c0:c1] if v] if fixed == 0 else values_of[c0:c1]
                        )
                    else:
                        pw._values = [packed[4 * c0 : 4 * c1]] if packed else []
                    pw._maxweight = max(0, max(block_weights))
                    block_lengths = array("i")
                    block_lengths.frombytes(length_view[4 * c0 : 4 * c1])
                    lengths = [x for x in block_lengths if x]
                    pw._minlength = min(lengths) if lengths else None
                    pw._maxlength = max(lengths) if lengths else 0
                    if c1 < b:
                        pw._write_block()
                fw.finish_term()
            one_blocks.flush()
        finally:
            tindex.dbfile = term_file
        fw.finish_field()

        prefix = f"{name}."
        blob = emptybytes.join(terms)
        term_off = np.zeros(len(terms) + 1, dtype=np.int64)
        np.cumsum([len(t) for t in terms], out=term_off[1:])
        out: dict[str, np.ndarray] = {
            prefix + "terms": np.frombuffer(blob, dtype=np.uint8),
            prefix + "term_off": term_off,
            prefix + "post_off": post_off,
            prefix + "post_doc": docs,
            prefix + "post_tf": weights,
        }
        if occ is not None and occ_starts is not None and name in columnar.POSITION_FIELDS:
            out[prefix + "pos_off"] = occ_starts
            out[prefix + "pos"] = occ["pos"]
            if postings.chars:
                out[prefix + "chr_start"] = occ["start"]
                out[prefix + "chr_end"] = occ["end"]
        return out


class _OneBlockTerms:
    """Terms whose postings fit in one block, written many at a time.

    The bytes are those Whoosh writes for such a term (``W3PostingsWriter.start_postings``,
    ``_write_block(last=True)``, ``finish_postings``, ``W3TermInfo.add_block`` and
    ``to_bytes``, ``W3FieldWriter.finish_term``, ``OrderedHashWriter.add``), made from
    lists of a window of postings and gathered before they are written, without the
    work none of them needs for one block: most terms have one (``tests/test_build_writer.py``
    holds the segment byte-for-byte equal to Whoosh's).  :meth:`flush` before
    anything else writes to the postings file or the term index.
    """

    #: Postings turned into lists at a time.
    WINDOW = 1 << 16
    #: Terms gathered before they are written (their bytes are held until then).
    BATCH = 1 << 12

    def __init__(
        self,
        pw: Any,
        tindex: Any,
        field_key: bytes,
        docs: np.ndarray,
        weights: np.ndarray,
        lengths: np.ndarray,
        values_of: list[bytes] | _EncodedValues | None,
        packed: bytes,
        fixed: int | None,
    ) -> None:
        self.postfile, self.tindex, self.field_key = pw._postfile, tindex, field_key
        self.compression = pw._compression
        self.docs, self.weights, self.lengths = docs, weights, lengths
        self.values_of, self.packed, self.fixed = values_of, packed, fixed
        #: postings w0 .. w0 + len(window docs) as lists
        self.w0 = 0
        self.window: tuple[list[int], list[float], list[int]] = ([], [], [])
        #: bytes not yet written to the postings file and the term index, and where each ends
        self.postings: list[bytes] = []
        self.entries: list[bytes] = []
        self.post_at = self.index_at = -1
        self.keys: list[bytes] = []

    def _lists(self, a: int, b: int) -> tuple[list[int], list[float], list[int]]:
        w0, (docs, _, _) = self.w0, self.window
        if a < w0 or b > w0 + len(docs):
            w1 = min(max(b, a + self.WINDOW), len(self.docs))
            self.w0, w0 = a, a
            self.window = (
                self.docs[a:w1].tolist(),
                self.weights[a:w1].tolist(),
                self.lengths[a:w1].tolist(),
            )
        docs, weights, lengths = self.window
        return docs[a - w0 : b - w0], weights[a - w0 : b - w0], lengths[a - w0 : b - w0]

    def add(self, btext: bytes, a: int, b: int) -> None:
        """The term ``btext`` with the postings ``a:b`` (one block's worth)."""
        if self.post_at < 0:
            self.post_at, self.index_at = self.postfile.tell(), self.tindex.dbfile.tell()
        ids, weights, lengths = self._lists(a, b)
        fixed, values_of = self.fixed, self.values_of
        if fixed == 0:
            values: Any = None
        else:
            if values_of is not None:
                listed = values_of[a:b]
            else:
                listed = [self.packed[4 * a : 4 * b]] if self.packed else []
            values = tuple(listed) if fixed is None or fixed < 0 else emptybytes.join(listed)
        first = ids[0]
        if len(ids) == 1:
            mini_ids: tuple[int, ...] = (first,)
        else:
            mini_ids = (first, *[y - x for x, y in zip(ids, ids[1:], strict=False)])
        w = weights[0]
        if all(x == w for x in weights):
            mini_weights: Any = None if w == 1.0 else w
        else:
            mini_weights = tuple(weights)
        databytes = dumps((mini_ids, mini_weights, values), 2)
        comp = self.compression if len(databytes) >= COMPRESSION_MIN_SIZE else 0
        if comp:
            databytes = zlib.compress(databytes, comp)
        maxweight = max(0, max(weights))
        present = [x for x in lengths if x]
        minlength = min(present) if present else None
        maxbyte = length_to_byte(max(present) if present else 0)
        minbyte = length_to_byte(minlength)
        infobytes = dumps((len(ids), ids[-1], maxweight, comp, minbyte, maxbyte), 2)
        block = (
            WHOOSH3_HEADER_MAGIC
            + pack_int(-(len(infobytes) + len(databytes)))
            + infobytes
            + databytes
        )
        start = self.post_at
        self.postings.append(block)
        self.post_at += len(block)
        info = W3TermInfo._struct.pack(
            False, 0 + sum(weights), len(ids), minbyte, maxbyte, maxweight, first, ids[-1]
        )
        key = self.field_key + btext
        value = info + pack_long(start) + pack_int(len(block))
        entry = _HASH_LENGTHS.pack(len(key), len(value)) + key + value
        tindex, pos = self.tindex, self.index_at
        tindex.index.append(pos)
        h = tindex.hashfn(key)
        tindex.buckets[h & 255].append((h, pos))
        self.entries.append(entry)
        self.index_at += len(entry)
        self.keys.append(key)
        if len(self.keys) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        """Write what :meth:`add` gathered."""
        if not self.keys:
            return
        self.postfile.write(emptybytes.join(self.postings))
        self.tindex.dbfile.write(emptybytes.join(self.entries))
        self.tindex.lastkey = self.keys[-1]
        self.postings, self.entries, self.keys = [], [], []
        self.post_at = self.index_at = -1


class _CountingFile:
    """A file being appended to that knows where it is: Whoosh's postings writer and
    term index ask (``tell``) two times each per term, and a buffered file answers with
    a system call each time.  Everything written goes through it meanwhile."""

    def __init__(self, structfile: Any) -> None:
        self._write = structfile.write
        self._at = structfile.tell()

    def write(self, data: bytes) -> None:
        self._write(data)
        self._at += len(data)

    def write_int(self, n: int) -> None:
        self.write(pack_int(n))

    def tell(self) -> int:
        return self._at


class _EncodedValues:
    """Each posting's value as its field's format encodes it (positions, and characters),
    made a window of postings at a time: ``values[a:b]`` for the postings ``a:b`` in order.

    Made all at once they would be a few Python objects per occurrence, all alive
    together (hundreds of MB for a large segment's text field).
    """

    WINDOW = 1 << 16

    def __init__(
        self,
        encode: Callable[[Any], bytes],
        chars: bool,
        freq: np.ndarray,
        occ_off: np.ndarray,
        occ: dict[str, np.ndarray],
    ) -> None:
        self.encode, self.chars = encode, chars
        self.freq, self.occ_off, self.occ = freq, occ_off, occ
        #: the window: the values of postings start .. start + len(values)
        self.start = 0
        self.values: list[bytes] = []

    def __getitem__(self, window: slice) -> list[bytes]:
        a, b = window.start, window.stop
        if a < self.start or b > self.start + len(self.values):
            self._encode(a, max(b, a + self.WINDOW))
        return self.values[a - self.start : b - self.start]

    def _encode(self, a: int, b: int) -> None:
        b = min(b, len(self.freq))
        o0, o1 = int(self.occ_off[a]), int(self.occ_off[b])
        pos = self.occ["pos"][o0:o1].tolist()
        start = self.occ["start"][o0:o1].tolist()
        end = self.occ["end"][o0:o1].tolist()
        encode, at = self.encode, 0
        values: list[bytes] = []
        for f in self.freq[a:b].tolist():
            if self.chars:
                values.append(
                    encode(
                        list(
                            zip(pos[at : at + f], start[at : at + f], end[at : at + f], strict=True)
                        )
                    )
                )
            else:
                values.append(encode(pos[at : at + f]))
            at += f
        self.start, self.values = a, values
