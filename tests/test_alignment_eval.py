"""``dari eval align``: test documents from line-aligned sentences, gold links, the runner."""

from __future__ import annotations

from argparse import Namespace
from pathlib import Path

import pytest

from search import evaluation as ev
from search.documents import load_document
from search.evaluation import alignment as ae

PRESS = "003_f33e5257b7cf7671"


def test_a_merged_pair_is_one_link_and_a_dropped_sentence_a_link_with_an_empty_side():
    block = ae.Block(en=[(0,), (1, 2), (3,), (4,)], ko=[(0,), (1,), (2,), (4,), (5,)])
    assert ae.gold_links(block) == {
        (frozenset({0}), frozenset({0})),
        (frozenset({1, 2}), frozenset({1, 2})),  # 2 sentences in one English paragraph: 1–2
        (frozenset({3}), frozenset()),  # no Korean for sentence 3
        (frozenset({4}), frozenset({4})),
        (frozenset(), frozenset({5})),
    }


def test_blocks_are_reproducible_and_keep_every_sentence_on_at_least_one_side():
    pairs = [(f"Sentence {i}.", f"문장 {i}입니다.") for i in range(60)]
    blocks = ae.make_blocks(pairs)
    assert blocks == ae.make_blocks(pairs)  # seeded
    assert len(blocks) == 3
    for k, block in enumerate(blocks):
        en = [i for para in block.en for i in para]
        ko = [i for para in block.ko for i in para]
        assert en == sorted(en) and ko == sorted(ko)  # order kept, each sentence once a side
        assert set(en) | set(ko) == set(range(20 * k, 20 * k + 20))
    shapes = {(len(p)) for b in blocks for p in b.en + b.ko}
    assert shapes == {1, 2}  # some merges happen
    assert any(len(b.en) != len(b.ko) or b.en != b.ko for b in blocks)


def _statement_pairs(seeds_dir: Path) -> list[tuple[str, str]]:
    by_n = {p.n: p.text for p in load_document(seeds_dir / f"{PRESS}.txt").paragraphs}
    return [(by_n[n], by_n[n + 21]) for n in range(14, 35)]


def test_the_align_benchmark_runs_end_to_end_on_a_hand_made_pair_file(tmp_path, seeds_dir, capsys):
    pairs = _statement_pairs(seeds_dir)  # the joint statement, one clause a line
    folder = tmp_path / ae.ALIGN_DIR
    folder.mkdir()
    (folder / "park.dev.en").write_text("\n".join(e for e, _ in pairs) + "\n", "utf-8")
    (folder / "park.dev.ko").write_text("\n".join(k for _, k in pairs) + "\n", "utf-8")
    args = Namespace(benchmark="align", split="dev", bench_dir=tmp_path, limit=None, index=None)
    assert ev.run_eval_command(args) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("| dev"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[1:3] == ["1", "1"]  # one document (20 of the 21 clauses), detected
    precision, recall = float(cells[7]), float(cells[8])
    assert 0.0 <= precision <= 1.0 and 0.0 <= recall <= 1.0
    assert recall >= 0.5
    assert "other edit rates" in out


def test_missing_alignment_data_is_a_clear_error(tmp_path, capsys):
    args = Namespace(benchmark="align", split="all", bench_dir=tmp_path, limit=None, index=None)
    assert ev.run_eval_command(args) == 2
    assert "not found" in capsys.readouterr().err


REAL = ev.default_bench_dir() / ae.ALIGN_DIR / "park.dev.en"


@pytest.mark.skipif(not REAL.exists(), reason="../shared/bench is not here")
def test_a_slice_of_the_real_news_pairs_aligns_mostly_right(capsys):
    pairs = ae.load_pairs(ev.default_bench_dir(), "dev")[:100]
    row = ae.evaluate_alignment(pairs, "dev")
    assert row.documents == 5 and row.detected >= 4
    assert row.precision >= 0.7 and row.recall >= 0.6
