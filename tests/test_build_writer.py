"""The build's writer makes the segment Whoosh's own writer makes, and its columnar form."""

import shutil
from pathlib import Path

import numpy as np
import pytest
from whoosh import index

from search.columnar import store
from search.documents import Document, load_folder
from search.indexing.segments import BuildWriter
from search.records import document_fields, make_schema

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def build(folder: Path, fast: bool) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    ix = index.create_in(str(folder), make_schema())
    writer = BuildWriter(ix) if fast else ix.writer()
    for doc in load_folder(SEEDS):
        if isinstance(doc, Document):
            for entry in document_fields(doc):
                writer.add_document(**entry)
    writer.commit()
    if not fast:
        store.prepare(folder)  # read back from the segment, as before
    return folder


def segment_parts(folder: Path) -> dict[str, bytes]:
    ix = index.open_dir(str(folder))
    (segment,) = ix._segments()
    parts = segment.open_compound_file(ix.storage)
    sid = segment.segment_id()
    return {name.replace(sid, "<segment>"): parts.open_file(name).read() for name in parts.list()}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("writers")
    return build(root / "whoosh", fast=False), build(root / "build", fast=True)


def test_the_segment_is_byte_for_byte_the_one_whooshs_writer_makes(built):
    whoosh_dir, build_dir = built
    expected, got = segment_parts(whoosh_dir), segment_parts(build_dir)
    assert sorted(got) == sorted(expected)
    assert any(name.endswith(".pst") for name in got)  # postings, terms, lengths, stored
    for name in expected:
        assert got[name] == expected[name], name


def test_the_columnar_form_is_the_one_read_back_from_the_segment(built):
    whoosh_dir, build_dir = built
    (a,) = index.open_dir(str(whoosh_dir))._segments()
    (b,) = index.open_dir(str(build_dir))._segments()
    read_back = store.load(whoosh_dir, a.segment_id(), a.doc_count_all())
    written = store.load(build_dir, b.segment_id(), b.doc_count_all())
    assert read_back is not None and written is not None
    assert sorted(written) == sorted(read_back)
    for name, array in read_back.items():
        assert written[name].dtype == array.dtype, name
        assert np.array_equal(written[name], array), name


def test_boosts_are_refused(tmp_path):
    ix = index.create_in(str(tmp_path), make_schema())
    writer = BuildWriter(ix)
    with pytest.raises(ValueError, match="boosts"):
        writer.add_document(key="a", kind="d", doc_id="a", _boost=2.0)
    writer.cancel()


def test_old_segments_are_not_merged_into_a_new_one(tmp_path):
    ix = index.create_in(str(tmp_path), make_schema())
    for key in ("a", "b"):
        writer = ix.writer()
        writer.add_document(key=key, kind="d", doc_id=key)
        writer.commit(merge=False)
    writer = BuildWriter(index.open_dir(str(tmp_path)))
    writer.add_document(key="c", kind="d", doc_id="c")
    with pytest.raises(RuntimeError, match="new segments only"):
        writer.commit(optimize=True)


def test_postings_and_values_taken_a_few_at_a_time_make_the_same_segment(
    built, tmp_path, monkeypatch
):
    from search.indexing import segments

    monkeypatch.setattr(segments._EncodedValues, "WINDOW", 7)
    monkeypatch.setattr(segments._OneBlockTerms, "WINDOW", 5)
    monkeypatch.setattr(segments._OneBlockTerms, "BATCH", 3)
    whoosh_dir, _ = built
    assert segment_parts(build(tmp_path / "small-windows", fast=True)) == segment_parts(whoosh_dir)


def test_a_full_segment_is_written_and_a_new_one_started_between_documents(tmp_path):
    ix = index.create_in(str(tmp_path), make_schema())
    writer = BuildWriter(ix, max_postings=300)
    docs = [d for d in load_folder(SEEDS) if isinstance(d, Document)]
    for doc in docs:
        for entry in document_fields(doc):
            writer.add_document(**entry)
        if writer.segment_full():
            writer.next_segment()
    segments = writer.all_segments()
    writer._commit_toc(segments)
    writer._finish()
    assert len(segments) == len(docs)  # every seed document holds more than 300 postings
    reader = index.open_dir(str(tmp_path)).reader()
    keys = [reader.stored_fields(i)["key"] for i in range(reader.doc_count_all())]
    expected = [e["key"] for doc in docs for e in document_fields(doc)]
    assert keys == expected  # the documents in order, each one whole in its segment
    for segment in segments:  # each with its columnar form already written
        assert store.is_cached(tmp_path, segment.segment_id(), segment.doc_count_all())
