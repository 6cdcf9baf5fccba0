"""The evaluation harness: metrics on hand-made rankings, loaders on tiny files, a real slice."""

from __future__ import annotations

import io
import json
import math
from argparse import Namespace

import pytest

from search import evaluation as ev
from search.cli import main
from search.query import parse_query

# --- metrics ----------------------------------------------------------------------------


def test_reciprocal_rank_is_one_over_the_first_relevant_rank_within_the_cutoff():
    ranking = ["a", "b", "c", "d"]
    assert ev.reciprocal_rank(ranking, {"c"}) == pytest.approx(1 / 3)
    assert ev.reciprocal_rank(ranking, {"b", "d"}) == pytest.approx(1 / 2)  # the first one counts
    assert ev.reciprocal_rank(ranking, {"d"}, k=3) == 0.0  # below the cutoff
    assert ev.reciprocal_rank(ranking, {"x"}) == 0.0
    assert ev.reciprocal_rank([], {"a"}) == 0.0


def test_hit_at_k_asks_whether_a_relevant_document_is_in_the_top_k():
    ranking = ["a", "b", "c"]
    assert ev.hit_at(ranking, {"b"}, 1) == 0.0
    assert ev.hit_at(ranking, {"b"}, 2) == 1.0
    assert ev.hit_at(ranking, {"a"}, 1) == 1.0
    assert ev.hit_at(ranking, {"z"}, 10) == 0.0


def test_ndcg_uses_graded_gains_and_the_ideal_order_of_all_judged_documents():
    # judged: d2 gain 4, d4 gain 3, d3 gain 1; d4 is never retrieved
    gains = {"d2": 4, "d4": 3, "d3": 1}
    ranking = ["d1", "d2", "d3"]
    dcg = 0 / math.log2(2) + 4 / math.log2(3) + 1 / math.log2(4)  # 2.5237 + 0.5
    ideal = 4 / math.log2(2) + 3 / math.log2(3) + 1 / math.log2(4)  # 4 + 1.8928 + 0.5
    assert ev.ndcg_at(ranking, gains, 10) == pytest.approx(dcg / ideal)
    assert ev.ndcg_at(ranking, gains, 10) == pytest.approx(0.47299, abs=1e-5)
    assert ev.ndcg_at(["d2", "d4", "d3"], gains, 10) == pytest.approx(1.0)
    # the cutoff applies to the ranking and to the ideal: top-1 is d1 (gain 0)
    assert ev.ndcg_at(ranking, gains, 1) == 0.0
    assert ev.ndcg_at(["d4"], gains, 1) == pytest.approx(3 / 4)
    assert ev.ndcg_at(ranking, {}, 10) == 0.0


def test_average_precision_averages_precision_at_each_hit_over_all_relevant():
    # relevant a, b, c; a at rank 1 (precision 1/1), b at rank 3 (2/3), c never
    ranking = ["a", "x", "b", "y"]
    assert ev.average_precision(ranking, {"a", "b", "c"}) == pytest.approx((1 + 2 / 3) / 3)
    assert ev.average_precision(ranking, {"a", "b", "c"}) == pytest.approx(0.55556, abs=1e-5)
    assert ev.average_precision(["a", "b"], {"a", "b"}) == pytest.approx(1.0)
    assert ev.average_precision(["x"], {"a"}) == 0.0
    assert ev.average_precision(["a"], set()) == 0.0


def test_mean_metrics_averages_over_queries_and_counts_a_missing_ranking_as_empty():
    queries = [
        ev.EvalQuery(1, "q1", {"a": 1}),
        ev.EvalQuery(2, "q2", {"b": 1}),
        ev.EvalQuery(3, "q3", {"c": 1}),
    ]
    rankings = {1: ["a", "b"], 2: ["c", "b"]}  # q3 has no ranking
    values = ev.mean_metrics(("MRR@10", "hit@1", "hit@10"), rankings, queries)
    assert values["MRR@10"] == pytest.approx((1 + 1 / 2 + 0) / 3)
    assert values["hit@1"] == pytest.approx(1 / 3)
    assert values["hit@10"] == pytest.approx(2 / 3)


def test_odd_numbers_are_dev_and_even_numbers_test():
    assert [ev.EvalQuery(n, "", {}).split for n in (1, 2, 3, 4)] == ["dev", "test", "dev", "test"]


# --- plain-text questions -----------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        '"아담이 경작하고 이브가 길쌈할 때"라는 표어를 만든 사람은?',
        "부산을 특별시로 승격하고, (가칭)부산발전 특별법을 제정하자고 한 단체는?",
        "what is -the effect of lang:ko OR doc:003 on heat transfer ( in slabs",
        "-흡수 NOT 방출 | AND && + 방법은?",
    ],
)
def test_plain_query_leaves_no_operator_in_a_question(question):
    text = ev.plain_query(question)
    assert not set('"()') & set(text)
    parsed = parse_query(text)
    assert parsed.phrases == [] and parsed.langs == set() and parsed.docs == set()
    assert "ANDNOT" not in str(parsed.query) and " OR " not in text


def test_plain_query_keeps_the_words():
    assert (
        ev.plain_query('"freedom of inquiry" (2023) -OR lang:en')
        == "freedom of inquiry 2023 or lang en"
    )


# --- loaders ------------------------------------------------------------------------------


def _korquad(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"version": "x", "data": data}, ensure_ascii=False), "utf-8")
    return path


def test_korquad_loader_finds_each_question_the_paragraph_that_holds_its_answer(tmp_path):
    p1 = "리슐리외는 프랑스의 총리이다."
    p2 = "콜베르는 중상주의를 추진하였다."
    p3 = "리슐리외는 프랑스의 총리이다."  # the same text again
    data = [
        {
            "title": "A",
            "paragraphs": [
                {"context": p1, "qas": [_qa("리슐리외는 누구인가?", p1, "총리")]},
                {
                    "context": p2,
                    "qas": [
                        _qa("콜베르가 추진한 것은?", p2, "중상주의"),
                        # filed under p2, but its answer is at its offset in p1
                        {
                            "id": "x",
                            "question": "리슐리외의 나라는?",
                            "answers": [{"answer_start": p1.index("프랑스"), "text": "프랑스"}],
                        },
                    ],
                },
            ],
        },
        {"title": "B", "paragraphs": [{"context": p3, "qas": []}]},
    ]
    bench = ev.load_korquad(_korquad(tmp_path / "k.json", data))
    assert list(bench.documents) == ["p00001", "p00002", "p00003"]
    assert bench.documents["p00002"] == ("", p2)
    q1, q2, q3 = bench.queries
    assert [q.number for q in bench.queries] == [1, 2, 3]
    assert q1.relevant == {"p00001": 1, "p00003": 1}  # paragraphs of the same text count alike
    assert q2.relevant == {"p00002": 1}
    # filed under p2, but judged by where its answer is
    assert q3.relevant == {"p00001": 1, "p00003": 1}
    assert bench.metrics == ("MRR@10", "hit@1", "hit@10")


def _qa(question, context, answer):
    return {
        "id": question,
        "question": question,
        "answers": [{"answer_start": context.index(answer), "text": answer}],
    }


CRAN_DOCS = """.I 1
.T
experimental investigation of the aerodynamics of a
wing in a slipstream .
.A
brenckman,m.
.B
j. ae. scs. 25, 1958, 324.
.W
experimental investigation of the aerodynamics of a
wing in a slipstream .
  an experimental study of a wing in a propeller slipstream was
made .
.I 2
.T
simple shear flow past a flat plate .
.A
ting-yili
.B
department of aeronautical engineering.
.W
simple shear flow past a flat plate .
in the study of the boundary layer in a shear flow .
.I 3
.T
heat transfer in slabs .
.W
heat conduction in composite slabs .
"""
CRAN_QUERIES = """.I 001
.W
what similarity laws must be obeyed when constructing aeroelastic models
of heated high speed aircraft .
.I 004
.W
what problems of heat conduction in composite slabs have been solved so
far .
"""
CRAN_QRELS = """1 2 2
1 1 4
1 3 -1
2 3 1
"""


def _cranfield(folder):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "cran.all.1400").write_text(CRAN_DOCS, "latin-1")
    (folder / "cran.qry").write_text(CRAN_QUERIES, "latin-1")
    (folder / "cranqrel").write_text(CRAN_QRELS, "latin-1")
    return folder


def test_cranfield_loader_numbers_queries_in_file_order_and_maps_grades_to_gains(tmp_path):
    bench = ev.load_cranfield(_cranfield(tmp_path / "cranfield"))
    assert bench.documents["1"] == (
        "experimental investigation of the aerodynamics of a wing in a slipstream",
        "experimental investigation of the aerodynamics of a wing in a slipstream . "
        "an experimental study of a wing in a propeller slipstream was made .",
    )
    assert bench.documents["3"][0] == "heat transfer in slabs"
    q1, q2 = bench.queries
    # the file's ids are 001 and 004; qrels number the queries 1, 2 in file order
    assert (q1.number, q2.number) == (1, 2)
    assert q2.text.startswith("what problems of heat conduction")
    assert q1.relevant == {"2": 3, "1": 1}  # grade 2 -> gain 3, grade 4 -> gain 1, -1 dropped
    assert q2.relevant == {"3": 4}
    assert bench.metrics == ("nDCG@10", "MAP")


def test_cranfield_documents_are_written_as_title_line_blank_line_body(tmp_path):
    bench = ev.load_cranfield(_cranfield(tmp_path / "cranfield"))
    ev.write_documents(bench, tmp_path / "docs")
    text = (tmp_path / "docs" / "3.txt").read_text("utf-8")
    assert text == "heat transfer in slabs\n\nheat conduction in composite slabs .\n"


def test_the_whole_harness_runs_on_tiny_cranfield_files(tmp_path, capsys):
    _cranfield(tmp_path / "cranfield")
    args = Namespace(benchmark="cranfield", split="all", bench_dir=tmp_path, limit=None, index=None)
    assert ev.run_eval_command(args) == 0
    out = capsys.readouterr().out
    rows = [
        line for line in out.splitlines() if line.startswith("| dev") or line.startswith("| test")
    ]
    assert len(rows) == 2 * (len(_systems()))
    assert any("**dari**" in row for row in rows)
    # query 2 ("heat conduction in composite slabs") finds abstract 3 first in every system
    bench, results = ev.evaluate("cranfield", tmp_path, splits=("test",))
    assert all(r.values["nDCG@10"] == pytest.approx(1.0) for r in results)


def test_the_tuning_grid_ranks_each_entry_with_its_own_settings_and_changes_no_default(
    tmp_path, capsys, monkeypatch, seed_index
):
    from bench import tune_quality
    from search.engine import Engine
    from search.settings import DEFAULT_FIELD_WEIGHTS, RankingSettings

    _cranfield(tmp_path / "cranfield")
    product = RankingSettings()
    made = []

    class RecordingEngine(Engine):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(self.ranking)

    monkeypatch.setattr(tune_quality, "Engine", RecordingEngine)
    grid = '[{}, {"K1": 0.9, "feedback_weight": 0.0, "weights": {"title": 1.0}}]'
    args = ["cranfield", "--split", "test", "--bench-dir", str(tmp_path), "--grid", grid]
    assert tune_quality.main(args) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    # query 2 ("heat conduction in composite slabs") finds abstract 3 first
    assert lines[0] == "{}: nDCG@10 1.0000, MAP 1.0000"
    # one engine per entry: {} is the product's settings; weights add to the product's
    assert made == [
        product,
        product.replace(k1=0.9, feedback_weight=0.0, field_weights={"title": 1.0}),
    ]
    assert made[1].field_weights == {**DEFAULT_FIELD_WEIGHTS, "title": 1.0}
    assert made[1].b == product.b and made[1].feedback_docs == product.feedback_docs
    # nothing process-wide changed: new settings and a new engine rank as the product
    assert RankingSettings() == product
    assert Engine(seed_index).ranking == product


FLUTTER_FILLER = (
    "the panel was measured in the tunnel at several speeds and the loads were recorded"
)


def test_a_tuning_grid_entry_changes_the_ranking(tmp_path, capsys):
    """Abstract 1 says "flutter" once in a few words, abstract 2 eight times in many:
    BM25's length normalisation (b) puts 1 first, none (b = 0) puts 2 first."""
    from bench import tune_quality

    folder = tmp_path / "cranfield"
    folder.mkdir()
    long_text = f"{FLUTTER_FILLER} flutter " * 8
    (folder / "cran.all.1400").write_text(
        f".I 1\n.W\nwing flutter in a tunnel .\n.I 2\n.W\n{long_text}.\n"
        f".I 3\n.W\n{FLUTTER_FILLER} .\n",
        "latin-1",
    )
    (folder / "cran.qry").write_text(".I 1\n.W\npanel loads .\n.I 2\n.W\nflutter .\n", "latin-1")
    (folder / "cranqrel").write_text("1 3 1\n2 1 1\n", "latin-1")
    grid = '[{}, {"B": 0}]'
    args = ["cranfield", "--split", "test", "--bench-dir", str(tmp_path), "--grid", grid]
    assert tune_quality.main(args) == 0
    default, no_length_norm = capsys.readouterr().out.splitlines()
    assert default == "{}: nDCG@10 1.0000, MAP 1.0000"
    # the relevant abstract second: nDCG 1/log2(3), precision 1/2 at its rank
    expected = f"nDCG@10 {1 / math.log2(3):.4f}, MAP 0.5000"
    assert no_length_norm == f'{{"B": 0}}: {expected}'


def test_eval_options_are_checked_and_run_eval_writes_to_the_streams_it_is_given(tmp_path):
    with pytest.raises(ValueError, match="unknown benchmark"):
        ev.EvalOptions("msmarco")
    with pytest.raises(ValueError, match="unknown split"):
        ev.EvalOptions("cranfield", split="train")
    options = ev.EvalOptions("cranfield", bench_dir=str(tmp_path))
    assert options.bench_dir == tmp_path and options.splits == ev.SPLITS
    out, err = io.StringIO(), io.StringIO()
    assert ev.run_eval(options, out=out, err=err) == 2
    assert out.getvalue() == ""
    assert err.getvalue() == f"dari eval: benchmark data not found: {tmp_path / 'cranfield'}\n"


def test_missing_benchmark_data_is_a_clear_error(tmp_path, capsys):
    args = Namespace(benchmark="korquad", split="all", bench_dir=tmp_path, limit=None, index=None)
    assert ev.run_eval_command(args) == 2
    assert "not found" in capsys.readouterr().err


# --- a slice of the real KorQuAD ------------------------------------------------------------

REAL_KORQUAD = ev.default_bench_dir() / ev.KORQUAD_FILE


@pytest.mark.skipif(not REAL_KORQUAD.exists(), reason="../shared/bench is not here")
def test_eval_runs_end_to_end_on_a_slice_of_korquad(tmp_path, capsys):
    data = json.loads(REAL_KORQUAD.read_text("utf-8"))["data"][:3]  # three articles
    _korquad(tmp_path / ev.KORQUAD_FILE, data)
    args = Namespace(benchmark="korquad", split="all", bench_dir=tmp_path, limit=20, index=None)
    assert ev.run_eval_command(args) == 0
    out = capsys.readouterr().out
    assert "KorQuAD 1.0 dev" in out
    rows = {}
    for line in out.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells[0] in ("dev", "test"):
            rows[(cells[0], cells[1].strip("*"))] = (int(cells[2]), [float(c) for c in cells[3:]])
    assert set(rows) == {(s, n) for s in ("dev", "test") for n in _systems()}
    assert rows[("dev", "dari")][0] == 10 and rows[("test", "dari")][0] == 10
    for _, values in rows.values():
        assert all(0.0 <= v <= 1.0 for v in values)
    # these questions are easy: the product finds most paragraphs first
    assert rows[("dev", "dari")][1][0] >= 0.6


# --- xlang: English sentences finding their Korean translations ------------------------------


def _pairs(folder, split, pairs):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"park.{split}.en").write_text("".join(en + "\n" for en, _ in pairs), "utf-8")
    (folder / f"park.{split}.ko").write_text("".join(ko + "\n" for _, ko in pairs), "utf-8")


PAIRS = [
    ("The minister visited Daejeon.", "장관이 대전을 방문했다."),
    ("Quantum cooperation grows.", "양자 협력이 늘어난다."),
    ("The supply chain is strong.", "공급망이 튼튼하다."),
    ("", "빈 줄의 짝은 빠진다."),
]


def test_xlang_loader_pairs_line_n_of_both_files(tmp_path):
    _pairs(tmp_path / ev.XLANG_DIR, "test", PAIRS)
    bench = ev.load_xlang(tmp_path / ev.XLANG_DIR, "test")
    assert list(bench.documents) == ["test00001", "test00002", "test00003"]
    assert [(q.number, q.relevant, q.split) for q in bench.queries] == [
        (1, {"test00001": 1}, "test"),
        (2, {"test00002": 1}, "test"),
        (3, {"test00003": 1}, "test"),
    ]


def test_dari_eval_xlang_runs_end_to_end_and_expansion_finds_the_translations(tmp_path, capsys):
    _pairs(tmp_path / ev.XLANG_DIR, "dev", PAIRS[:2])
    _pairs(tmp_path / ev.XLANG_DIR, "test", PAIRS)
    # through the command line, as `dari eval xlang --bench-dir DIR --limit 20`
    assert main(["eval", "xlang", "--bench-dir", str(tmp_path), "--limit", "20"]) == 0
    rows = {}
    for line in capsys.readouterr().out.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells[0] in ("dev", "test"):
            rows[(cells[0], cells[1])] = (int(cells[2]), [float(c) for c in cells[3:]])
    assert set(rows) == {(s, n) for s in ("dev", "test") for n in ev.XLANG_SYSTEMS}
    assert rows[("test", "dari, expansion")] == (3, [1.0, 1.0])
    assert rows[("test", "dari, no expansion")][1] == [0.0, 0.0]


def test_xlang_without_its_files_is_a_clear_error(tmp_path, capsys):
    args = Namespace(benchmark="xlang", split="test", bench_dir=tmp_path, limit=None, index=None)
    assert ev.run_eval_command(args) == 2
    assert "park.test.en" in capsys.readouterr().err


# --- the Lucene rows ----------------------------------------------------------------------


def _lucene_or_skip():
    from search.evaluation.lucene import lucene_missing

    missing = lucene_missing()
    if missing:
        pytest.skip(missing)


@pytest.mark.parametrize(
    ("row", "question", "expected"),
    [
        ("lucene-nori", "양자 기술 협력은 어디서 하나?", "ko"),
        ("lucene-cjk", "양자 기술 협력", "ko"),
        ("lucene-en", "cooperating on quantum technologies", "en"),
    ],
)
def test_a_lucene_row_ranks_the_paragraph_that_holds_the_words_first(row, question, expected):
    _lucene_or_skip()
    from search.evaluation.lucene import LUCENE_ROWS, run_lucene

    bench = ev.Benchmark(
        name="tiny",
        title="tiny",
        documents={
            "ko": ("", "한국과 미국은 양자 기술 분야의 협력을 대전에서 확대한다."),
            "en": ("", "The two countries cooperate on quantum technology in Daejeon."),
            "other": ("", "The weather in Busan was warm and the beaches were full."),
        },
        queries=[ev.EvalQuery(1, question, {expected: 1})],
        metrics=("MRR@10",),
    )
    rankings = run_lucene(LUCENE_ROWS[row], bench, bench.queries)
    assert rankings[1][0] == expected


def test_the_lucene_rows_join_the_table_where_lucene_runs(tmp_path):
    _lucene_or_skip()
    from search.evaluation.runner import evaluate

    folder = tmp_path / "cranfield"
    folder.mkdir()
    # the smallest Cranfield: two abstracts, one judged query
    (folder / "cran.all.1400").write_text(
        ".I 1\n.T\nboundary layer\n.A\nx\n.B\ny\n.W\nboundary layer flow over a flat plate\n"
        ".I 2\n.T\nshock waves\n.A\nx\n.B\ny\n.W\nshock waves in supersonic flow\n",
        "utf-8",
    )
    (folder / "cran.qry").write_text(".I 001\n.W\nshock waves in supersonic flow\n", "utf-8")
    (folder / "cranqrel").write_text("1 2 1\n", "utf-8")
    _, rows = evaluate("cranfield", tmp_path, splits=("dev",), systems=None)
    assert {"lucene-nori", "lucene-cjk", "lucene-en"} <= {r.system for r in rows}


def _systems() -> list[str]:
    """The rows of a KorQuAD or Cranfield table here: the baselines, the Lucene rows where
    Lucene runs on this machine, and Dari."""
    from search.evaluation.lucene import LUCENE_ROWS, lucene_missing

    return [*ev.BASELINES, *([] if lucene_missing() else LUCENE_ROWS), "dari"]
