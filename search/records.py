"""The stored record layout of the index: field names, the schema, and typed readers.

This module is the one place that knows how documents become index entries
and how entries are read back.  The index holds one entry per paragraph
(``kind=p``, key ``<doc id>#<n>``) plus one record per document (``kind=d``,
key ``<doc id>``) whose stored ``meta`` (:class:`DocumentMeta`, JSON) keeps
what the document list and incremental reindexing need.  A paragraph with a
translation in its document stores it as ``counterpart`` (:class:`Counterpart`,
JSON).  Everything else reads entries through the helpers here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from whoosh import fields
from whoosh.index import FileIndex

from search.analysis import bigram_analyzer, bilingual_analyzer, pair_analyzer
from search.bilingual.alignment import counterparts, find_alignments
from search.documents import Document, Paragraph

__all__ = [
    "ANALYSED_FIELDS",
    "BIGRAM_FIELD",
    "COUNTERPART_FIELD",
    "Counterpart",
    "DOCUMENT_KIND",
    "DOC_ID_FIELD",
    "DocumentMeta",
    "KEY_FIELD",
    "KIND_FIELD",
    "LANG_FIELD",
    "META_FIELD",
    "NUMBER_FIELD",
    "PAGE_FIELD",
    "PAIR_FIELD",
    "PARAGRAPH_KIND",
    "SCORED_FIELDS",
    "TEXT_FIELD",
    "TEXT_FIELDS",
    "TITLE_FIELD",
    "document_fields",
    "document_record",
    "index_writer",
    "make_schema",
    "paragraph_key",
    "stored_counterpart",
    "stored_meta",
]

# --- field names -------------------------------------------------------------------

KEY_FIELD = "key"  # unique: the document id, or "<doc id>#<n>" for a paragraph
KIND_FIELD = "kind"  # DOCUMENT_KIND or PARAGRAPH_KIND
DOC_ID_FIELD = "doc_id"
NUMBER_FIELD = "n"  # a paragraph's number in its document, from 1
LANG_FIELD = "lang"  # "ko", "en" or "mixed"
PAGE_FIELD = "page"  # the page a paragraph starts on (PDF); absent for formats without pages
TITLE_FIELD = "title"
TEXT_FIELD = "text"
#: Searched beside the morphemes under match=any: the Hangul syllable pairs of the text.
BIGRAM_FIELD = "bigrams"
#: Searched beside the morphemes under match=any: pairs of neighbouring Korean morphemes.
PAIR_FIELD = "pairs"
META_FIELD = "meta"  # a document record's DocumentMeta as JSON
COUNTERPART_FIELD = "counterpart"  # a paragraph's Counterpart as JSON, absent if none
#: The fields a typed word is searched in (phrases: text and title only).
TEXT_FIELDS = (TITLE_FIELD, TEXT_FIELD)
#: The fields scored by BM25 (:mod:`search.scoring`); the others are IDs.
SCORED_FIELDS = (TITLE_FIELD, TEXT_FIELD, BIGRAM_FIELD, PAIR_FIELD)
#: The analysed fields and what of :class:`search.analysis.paragraphs.IndexTerms` each is
#: indexed as (how a build analyses a paragraph once for all of them); the analyzers of
#: :func:`make_schema` give the same terms.
ANALYSED_FIELDS = {
    TITLE_FIELD: "words",
    TEXT_FIELD: "words",
    BIGRAM_FIELD: "bigrams",
    PAIR_FIELD: "pairs",
}

DOCUMENT_KIND = "d"
PARAGRAPH_KIND = "p"

#: Index-time weight of title words; how much a title match counts is set at
#: search time instead (:attr:`search.settings.RankingSettings.field_weights`).
TITLE_BOOST = 1.0


def paragraph_key(doc_id: str, n: int) -> str:
    """The unique key of paragraph ``n`` of document ``doc_id``."""
    return f"{doc_id}#{n}"


# --- typed values ------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentMeta:
    """What a document record stores about its file and contents."""

    file: str
    title: str
    size: int = 0
    mtime: float = 0.0
    sha256: str = ""
    paragraphs: int = 0
    languages: list[str] = field(default_factory=list)
    author: str = ""  # as the file states it
    date: str = ""  # YYYY-MM-DD, as the file states it
    pages: int = 0  # the last page with a paragraph (formats with pages), else 0

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, stored: str) -> DocumentMeta:
        value = json.loads(stored)
        return cls(
            file=value.get("file", ""),
            title=value.get("title", ""),
            size=value.get("size", 0),
            mtime=value.get("mtime", 0.0),
            sha256=value.get("sha256", ""),
            paragraphs=value.get("paragraphs", 0),
            languages=list(value.get("languages", [])),
            author=value.get("author", ""),
            date=value.get("date", ""),
            pages=value.get("pages", 0),
        )

    @classmethod
    def of(cls, doc: Document) -> DocumentMeta:
        return cls(
            file=doc.path.name,
            title=doc.title,
            size=doc.size,
            mtime=doc.mtime,
            sha256=doc.sha256,
            paragraphs=len(doc.paragraphs),
            languages=list(doc.languages),
            author=doc.author,
            date=doc.date,
            pages=max((p.page or 0 for p in doc.paragraphs), default=0),
        )


@dataclass(frozen=True)
class Counterpart:
    """The paragraph(s) of the same document that translate a paragraph, and their language.

    Two numbers for a 1–2 link.  Its JSON (stored, and in ``/api/docs/<id>``)
    is ``{"paragraphs": [n, ...], "lang": "ko"|"en"}``.
    """

    paragraphs: tuple[int, ...]
    lang: str

    @property
    def first(self) -> int:
        return self.paragraphs[0]

    def to_dict(self) -> dict[str, Any]:
        return {"paragraphs": list(self.paragraphs), "lang": self.lang}

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    @classmethod
    def from_stored(cls, stored: str | None) -> Counterpart | None:
        """A stored ``counterpart`` field; None when absent (older index) or unreadable."""
        if not stored:
            return None
        try:
            value = json.loads(stored)
        except ValueError:
            return None
        numbers = value.get("paragraphs") if isinstance(value, dict) else None
        if not numbers or not all(isinstance(n, int) for n in numbers):
            return None
        return cls(tuple(numbers), str(value.get("lang", "")))


def stored_counterpart(entry: Mapping[str, Any]) -> Counterpart | None:
    """The counterpart of a stored paragraph entry, if it has one."""
    return Counterpart.from_stored(entry.get(COUNTERPART_FIELD))


def stored_meta(entry: Mapping[str, Any]) -> DocumentMeta:
    """The :class:`DocumentMeta` of a stored document record."""
    return DocumentMeta.from_json(entry[META_FIELD])


# --- writing -------------------------------------------------------------------------


def make_schema() -> fields.Schema:
    analyzer = bilingual_analyzer()
    return fields.Schema(
        key=fields.ID(unique=True, stored=True),
        kind=fields.ID(stored=True),
        doc_id=fields.ID(stored=True, sortable=True),
        n=fields.NUMERIC(int, stored=True, sortable=True),
        lang=fields.ID(stored=True, sortable=True),
        title=fields.TEXT(analyzer=analyzer, stored=True, field_boost=TITLE_BOOST),
        # chars: each occurrence's characters too, so results are highlighted without
        # analysing their text again (search.columnar)
        text=fields.TEXT(analyzer=analyzer, stored=True, chars=True),
        # Searched beside the morphemes under match=any: Hangul syllable pairs of
        # the text (recall) and pairs of neighbouring Korean morphemes (proximity)
        bigrams=fields.TEXT(analyzer=bigram_analyzer(), phrase=False),
        pairs=fields.TEXT(analyzer=pair_analyzer(), phrase=False),
        meta=fields.STORED(),
        page=fields.STORED(),
        # JSON {"paragraphs": [n, ...], "lang": "ko"|"en"}: the paragraph(s) of the
        # same document that translate this one (search.bilingual.alignment); absent if none
        counterpart=fields.STORED(),
    )


def index_writer(ix: FileIndex, limitmb: int = 256) -> Any:
    """A writer for ``ix`` that knows every stored field of :func:`make_schema`.

    An index built before a stored field existed (``counterpart``, ``page``) gets it
    added, so that a reindex can write the new entries; its older entries
    simply have no value for it.
    """
    writer: Any = ix.writer(limitmb=limitmb)  # a SegmentWriter: IndexWriter declares no schema
    wanted = make_schema()
    for name in wanted.names():
        if name not in writer.schema and type(wanted[name]) is fields.STORED:
            writer.add_field(name, wanted[name])
    return writer


def document_record(doc: Document) -> dict[str, Any]:
    """The document's own record (its ``kind=d`` entry)."""
    return {
        KEY_FIELD: doc.doc_id,
        KIND_FIELD: DOCUMENT_KIND,
        DOC_ID_FIELD: doc.doc_id,
        META_FIELD: DocumentMeta.of(doc).to_json(),
    }


def document_fields(doc: Document) -> Iterator[dict[str, Any]]:
    """The index entries of one document: its record, then one per paragraph.

    A paragraph with a translation elsewhere in the document (an agreement
    published in both languages) stores it as ``counterpart``.
    """
    yield document_record(doc)
    translations = counterparts(find_alignments(doc.paragraphs))
    for p in doc.paragraphs:
        entry: dict[str, Any] = {
            KEY_FIELD: paragraph_key(doc.doc_id, p.n),
            KIND_FIELD: PARAGRAPH_KIND,
            DOC_ID_FIELD: doc.doc_id,
            NUMBER_FIELD: p.n,
            LANG_FIELD: p.lang,
            TITLE_FIELD: doc.title if _title_adds_to(doc, p) else "",
            "_stored_title": doc.title,  # shown with every result, searched where it adds
            TEXT_FIELD: p.text,
            BIGRAM_FIELD: p.text,
            PAIR_FIELD: p.text,
        }
        if p.page is not None:
            entry[PAGE_FIELD] = p.page
        if p.n in translations:
            value = translations[p.n]
            entry[COUNTERPART_FIELD] = Counterpart(
                tuple(value["paragraphs"]), value["lang"]
            ).to_json()
        yield entry


def _title_adds_to(doc: Document, p: Paragraph) -> bool:
    """Whether the paragraph's title field should hold the document's title.

    Not when the document has no heading line and the title was cut from this
    very paragraph: then the title is the paragraph's own first sentence and
    would count its words twice (and a one-paragraph file would rank by its
    first sentence).
    """
    stem = doc.title.removesuffix("…").rstrip()
    if not stem or not p.text.startswith(stem):
        return True
    return any(q.text == doc.title for q in doc.paragraphs)  # a heading: a real title
