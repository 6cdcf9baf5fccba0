"""Incremental reindexing: only the difference, atomic under SIGKILL, live for readers."""

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import search.indexing.reindex as reindex_module
from search.engine import Engine
from search.indexing import IndexBusy, build_index, index_lock
from search.indexing.reindex import reindex
from search.indexing.watch import FolderWatcher

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def docs(tmp_path, seeds_dir) -> Path:
    folder = tmp_path / "docs"
    shutil.copytree(seeds_dir, folder)
    return folder


@pytest.fixture
def built(docs, tmp_path) -> Path:
    root = tmp_path / "index"
    build_index(docs, root)
    return root


def doc_ids(root: Path) -> set[str]:
    return {d.doc_id for d in Engine(root).documents()}


def test_without_an_index_reindex_does_a_full_build(docs, tmp_path):
    report = reindex(docs, tmp_path / "index")
    assert report.full_build and len(report.added) == 5
    assert len(doc_ids(tmp_path / "index")) == 5


def test_nothing_changed_means_nothing_written(docs, built):
    report = reindex(docs, built)
    assert (report.added, report.updated, report.removed, report.unchanged) == ([], [], [], 5)
    assert not report.changed


def test_new_file_is_added_and_searchable(docs, built):
    (docs / "new.txt").write_text("Postquantum cryptography pilot in 대전", "utf-8")
    report = reindex(docs, built)
    assert report.added == ["new"] and report.unchanged == 5
    assert Engine(built).search("Postquantum pilot").results[0].doc_id == "new"


def test_changed_file_replaces_its_old_paragraphs(docs, built):
    path = docs / "004_5334acd3d0054ac8.txt"
    path.write_text("Completely new text about superconducting qubits", "utf-8")
    report = reindex(docs, built)
    assert report.updated == ["004_5334acd3d0054ac8"]
    engine = Engine(built)
    assert engine.search("superconducting qubits").total == 1
    assert engine.search("Donelan").total == 0


def test_removed_file_is_deleted_from_the_index(docs, built):
    (docs / "000_04ba2ab33a6fa034.txt").unlink()
    report = reindex(docs, built)
    assert report.removed == ["000_04ba2ab33a6fa034"]
    assert Engine(built).search("Gretchen Campbell").total == 0


def test_summary_names_each_kind_of_change(docs, built):
    (docs / "new.txt").write_text("new text", "utf-8")
    (docs / "001_dc24151964aacdd8.txt").write_text("changed text", "utf-8")
    (docs / "002_1f3f6e6e2c6619e0.txt").unlink()
    summary = reindex(docs, built).summary()
    assert summary.startswith("added 1, updated 1, removed 1, unchanged 3, ")


def test_unchanged_files_are_not_read_again(docs, built, monkeypatch):
    loaded = []
    real = reindex_module.load_document
    monkeypatch.setattr(
        reindex_module, "load_document", lambda p, r: loaded.append(p.name) or real(p, r)
    )
    (docs / "new.txt").write_text("new text", "utf-8")
    reindex(docs, built)
    assert loaded == ["new.txt"]


def test_touched_but_identical_file_is_not_reanalysed(docs, built):
    path = docs / "003_f33e5257b7cf7671.txt"
    os.utime(path, (time.time() + 10, time.time() + 10))
    report = reindex(docs, built)
    assert not report.changed and report.unchanged == 5
    assert not reindex(docs, built).changed  # and the new mtime was recorded


def test_file_that_turned_unreadable_keeps_its_last_version(docs, built):
    (docs / "000_04ba2ab33a6fa034.txt").write_bytes(b"\x00\x01\x02 binary now")
    report = reindex(docs, built)
    assert [s.name for s in report.skipped] == ["000_04ba2ab33a6fa034.txt"]
    assert Engine(built).search("Gretchen Campbell").total == 1


def test_second_writer_is_refused_with_a_clear_message(docs, built):
    with index_lock(built), pytest.raises(IndexBusy, match="Another indexing process"):
        reindex(docs, built)


def test_second_writer_can_wait_for_the_first(docs, built):
    (docs / "new.txt").write_text("waiting writer", "utf-8")
    done = []
    with index_lock(built):
        worker = threading.Thread(target=lambda: done.append(reindex(docs, built, wait=True)))
        worker.start()
        time.sleep(0.5)
        assert not done
    worker.join(timeout=60)
    assert done and done[0].added == ["new"]


def test_a_running_engine_sees_reindexed_documents_without_restart(docs, built):
    engine = Engine(built)
    assert engine.search("superconducting").total == 0 if _searchable(engine) else True
    (docs / "new.txt").write_text("superconducting qubits", "utf-8")
    reindex(docs, built)
    assert engine.search("superconducting").total == 1
    build_index(docs, built)  # a full rebuild swaps generations under the engine
    assert engine.search("superconducting").total == 1


def _searchable(engine) -> bool:
    from search.query import QueryError

    try:
        engine.search("superconducting")
    except QueryError:
        return False
    return True


def test_searches_during_reindex_see_no_errors(docs, built):
    engine = Engine(built)
    errors, counts = [], []
    stop = threading.Event()

    def searcher():
        while not stop.is_set():
            try:
                counts.append(engine.search("quantum", per_page=5).total)
            except Exception as exc:  # noqa: BLE001 - any error fails the test
                errors.append(repr(exc))

    threads = [threading.Thread(target=searcher) for _ in range(3)]
    for t in threads:
        t.start()
    for i in range(3):
        (docs / f"extra{i}.txt").write_text(f"quantum extra document {i}", "utf-8")
        reindex(docs, built, wait=True)
    build_index(docs, built, wait=True)
    stop.set()
    for t in threads:
        t.join()
    assert errors == []
    assert counts and max(counts) > min(counts)


def _make_corpus(folder: Path, seeds_dir: Path, copies: int) -> None:
    texts = [p.read_text("utf-8") for p in sorted(seeds_dir.glob("*.txt"))]
    for i in range(copies):
        (folder / f"bulk{i:04d}.txt").write_text(
            f"bulk marker{i}\n\n" + texts[i % len(texts)], "utf-8"
        )


def _kill_dari_after(delay: float, *argv: str) -> None:
    """Run ``dari ARGV`` in a subprocess and SIGKILL it after ``delay`` seconds."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "search.cli", *argv],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


@pytest.mark.parametrize("delay", [0.8, 1.6, 2.4, 3.5, 4.8])
def test_reindex_killed_by_sigkill_leaves_a_searchable_index_and_the_next_run_finishes(
    docs, built, seeds_dir, delay
):
    _make_corpus(docs, seeds_dir, 120)
    _kill_dari_after(delay, "reindex", "--docs", str(docs), "--index", str(built))
    engine = Engine(built)
    count = len(engine.documents())
    assert count in (5, 125)  # the old state or the new one, never a mix
    assert engine.search("Gretchen Campbell").total >= 1
    report = reindex(docs, built)
    assert len(report.added) == 125 - count
    assert len(Engine(built).documents()) == 125


@pytest.mark.parametrize("delay", [1.0, 2.5])
def test_full_rebuild_killed_by_sigkill_keeps_the_old_index(docs, built, seeds_dir, delay):
    _make_corpus(docs, seeds_dir, 120)
    _kill_dari_after(delay, "index", "--docs", str(docs), "--index", str(built))
    assert len(Engine(built).documents()) in (5, 125)
    build_index(docs, built)
    assert len(Engine(built).documents()) == 125
    # the killed build's leftovers are gone; the replaced generation stays for readers
    assert len(list(built.glob("gen-*"))) == 2


def test_a_killed_builds_partial_generation_is_removed_by_the_next_reindex(docs, built, seeds_dir):
    _make_corpus(docs, seeds_dir, 120)
    proc = subprocess.Popen(
        [sys.executable, "-m", "search.cli", "index", "--docs", str(docs), "--index", str(built)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not list(built.glob("gen-*/.building")) and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)  # as soon as its generation exists
    proc.wait()
    live = (built / "CURRENT").read_text().strip()
    before = {g.name for g in built.glob("gen-*")}
    assert len(before) == 2 and live in before  # and what the killed build had started
    reindex(docs, built)
    assert {g.name for g in built.glob("gen-*")} == {live}
    assert len(Engine(built).documents()) == 125


def test_watcher_picks_up_a_new_file(docs, built):
    reports = []
    watcher = FolderWatcher(docs, built, settle=0.3, on_report=reports.append).start()
    try:
        time.sleep(1.0)
        (docs / "watched.txt").write_text("watched folder picks this up", "utf-8")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any(r.added == ["watched"] for r in reports):
            time.sleep(0.1)
    finally:
        watcher.stop()
    assert any(r.added == ["watched"] for r in reports)
    assert Engine(built).search("watched folder").total == 1


def test_a_file_that_vanishes_after_the_listing_is_named_and_removed(docs, built, monkeypatch):
    doomed = docs / "004_5334acd3d0054ac8.txt"
    real_entries = reindex_module.document_entries

    def listing_then_delete(folder, shadowed=None):
        entries = real_entries(folder, shadowed)
        doomed.unlink()
        return entries

    monkeypatch.setattr(reindex_module, "document_entries", listing_then_delete)
    report = reindex(docs, built)
    assert [(s.name, s.reason) for s in report.skipped] == [(doomed.name, "file disappeared")]
    assert report.removed == ["004_5334acd3d0054ac8"]
    assert Engine(built).search("Donelan").total == 0


def test_an_index_from_before_counterparts_reindexes_and_gains_them(docs, tmp_path, monkeypatch):
    import search.indexing.build as index_module  # where a build finds the layout

    new_schema, new_fields = index_module.make_schema, index_module.document_fields

    def old_schema():
        schema = new_schema()
        schema.remove("counterpart")
        return schema

    def old_fields(doc):
        for entry in new_fields(doc):
            entry.pop("counterpart", None)
            yield entry

    root = tmp_path / "old-index"
    with monkeypatch.context() as patch:
        patch.setattr(index_module, "make_schema", old_schema)
        patch.setattr(index_module, "document_fields", old_fields)
        build_index(docs, root)
    press = "003_f33e5257b7cf7671"
    q = '"trusted global market and supply chain"'
    [before] = Engine(root).search(q).results
    assert before.counterpart is None  # nothing stored: no counterpart, no error

    path = docs / f"{press}.txt"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    report = reindex(docs, root)
    assert report.updated == [press]
    [after] = Engine(root).search(q).results
    assert after.counterpart["paragraph"] == 46
    assert Engine(root).search("Gretchen Campbell").results  # the other documents still answer


def _fresh_process_state(monkeypatch) -> None:
    """Forget what this process remembers of the manifest, as a new process would."""
    monkeypatch.setattr(reindex_module, "_last_manifest", None)


def test_a_reindex_leaves_its_manifest_beside_the_segments_for_the_next_process(
    docs, built, monkeypatch
):
    (docs / "new.txt").write_text("A new document about quasars.\n", "utf-8")
    reindex(docs, built)
    generation = built / (built / "CURRENT").read_text().strip()
    kept = json.loads((generation / reindex_module.MANIFEST_FILE).read_text("utf-8"))
    assert set(kept["documents"]) == doc_ids(built)
    _fresh_process_state(monkeypatch)
    read: list[str] = []
    real = reindex_module.stored_meta
    monkeypatch.setattr(
        reindex_module, "stored_meta", lambda f: read.append(f["doc_id"]) or real(f)
    )
    (docs / "new.txt").write_text("A new document about pulsars.\n", "utf-8")
    assert reindex(docs, built).updated == ["new"]
    assert read == ["new"]  # only the record it writes: the others came from the file


@pytest.mark.parametrize("damage", ["truncated", "other commit", "not json"])
def test_a_stale_or_damaged_manifest_file_is_not_trusted(docs, built, monkeypatch, damage):
    (docs / "new.txt").write_text("A new document about quasars.\n", "utf-8")
    reindex(docs, built)
    generation = built / (built / "CURRENT").read_text().strip()
    path = generation / reindex_module.MANIFEST_FILE
    kept = json.loads(path.read_text("utf-8"))
    if damage == "truncated":
        path.write_text(path.read_text("utf-8")[:100], "utf-8")
    elif damage == "other commit":
        kept["toc"] -= 1
        kept["documents"].pop("new")  # it would make the reindex add "new" twice
        path.write_text(json.dumps(kept), "utf-8")
    else:
        path.write_bytes(b"\x00\xff")
    _fresh_process_state(monkeypatch)
    report = reindex(docs, built)
    assert not report.changed
    assert doc_ids(built) >= {"new"} and len(Engine(built).documents()) == len(doc_ids(built))


def segment_count(root: Path) -> int:
    from search.indexing import open_index

    return len(open_index(root)._segments())


def test_documents_added_one_reindex_at_a_time_leave_few_segments(docs, built):
    # every reindex writes a segment; small ones are merged once a few have gathered
    words = ["aardvark", "bobolink", "caracal", "dugong", "echidna", "fossa", "gharial", "hoatzin"]
    counts = []
    for i, word in enumerate(words):
        (docs / f"added-{i}.txt").write_text(f"A note on the {word}.\n\n양자 협력 {i}", "utf-8")
        reindex(docs, built)
        counts.append(segment_count(built))
    (docs / "added-3.txt").unlink()
    reindex(docs, built)

    assert max(counts) <= reindex_module.MAX_SMALL_SEGMENTS
    assert min(counts) == 1  # they were merged, more than once
    engine = Engine(built)
    for i, word in enumerate(words):
        assert {r.doc_id for r in engine.search(word).results} == (
            set() if i == 3 else {f"added-{i}"}
        )
    assert len(doc_ids(built)) == 5 + len(words) - 1
