"""The dari command: index, search, JSON output, exit codes and messages."""

import json
import subprocess
import sys

import pytest

from search.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_index_builds_and_prints_a_summary(capsys, tmp_path, seeds_dir):
    code, out, err = run(capsys, "index", "--docs", str(seeds_dir), "--index", str(tmp_path))
    assert code == 0
    assert "indexed 5 documents, 110 paragraphs, skipped 0 files" in out


def test_index_names_skipped_files(capsys, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "good.txt").write_text("quantum cooperation", "utf-8")
    (docs / "bad.txt").write_bytes(b"\x00\x01binary")
    code, out, err = run(capsys, "index", "--docs", str(docs), "--index", str(tmp_path / "ix"))
    assert code == 0
    assert "skipped 1 files" in out
    assert "bad.txt" in err and "NUL" in err


def test_index_and_search_read_a_pdf_and_say_its_page(capsys, tmp_path):
    from tests.files import STATEMENT_KO, pdf_bytes, scanned_pdf_bytes

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "summit.pdf").write_bytes(pdf_bytes([STATEMENT_KO[:1], ["The xylophonist played."]]))
    (docs / "scan.pdf").write_bytes(scanned_pdf_bytes())
    code, out, err = run(capsys, "index", "--docs", str(docs), "--index", str(tmp_path / "ix"))
    assert code == 0 and "indexed 1 documents" in out and "skipped 1 files" in out
    assert "skipped scan.pdf: no text layer (scanned?)" in err
    code, out, _ = run(capsys, "search", "xylophonist", "--index", str(tmp_path / "ix"))
    assert code == 0 and "p. 2 ¶2 [en]" in out


def test_index_of_a_missing_folder_is_a_clear_error(capsys, tmp_path):
    code, _, err = run(capsys, "index", "--docs", str(tmp_path / "none"), "--index", str(tmp_path))
    assert code == 2
    assert "documents folder not found" in err


def test_search_prints_title_paragraph_and_marked_snippet(capsys, seed_index):
    code, out, _ = run(capsys, "search", "--index", str(seed_index), '"freedom of inquiry"')
    assert code == 0
    assert "1 result for" in out
    assert "¶22 [en]" in out
    assert "**freedom of inquiry**" in out
    assert "/doc/003_f33e5257b7cf7671#p22" in out


def test_search_prints_the_translation_of_a_clause_under_it(capsys, seed_index):
    code, out, _ = run(capsys, "search", "--index", str(seed_index), '"freedom of inquiry"')
    assert code == 0
    assert "↔ ¶43 [ko] 우리는 질의의 자유, 공정한 경쟁," in out


def test_search_json_has_the_api_shape(capsys, seed_index):
    code, out, _ = run(
        capsys, "search", "--index", str(seed_index), "--json", "--limit", "2", "quantum"
    )
    data = json.loads(out)
    assert code == 0
    assert data["per_page"] == 2 and len(data["results"]) == 2
    assert set(data) == {
        "query",
        "total",
        "page",
        "per_page",
        "took_ms",
        "fallback",
        "expansions",
        "results",
        "suggestion",
    }


def test_search_says_did_you_mean_for_a_misspelt_query(capsys, seed_index):
    index = str(seed_index)
    code, out, _ = run(capsys, "search", "--index", index, "--no-typo", "quantom", "cooperaton")
    assert code == 0
    assert out.startswith("Did you mean: quantum cooperation?")


def test_search_json_has_the_did_you_mean(capsys, seed_index):
    code, out, _ = run(
        capsys, "search", "--index", str(seed_index), "--json", "--no-typo", "quantom"
    )
    assert code == 0 and json.loads(out)["suggestion"] == "quantum"
    code, out, _ = run(capsys, "search", "--index", str(seed_index), "--json", "quantum")
    assert json.loads(out)["suggestion"] is None  # found enough: nothing to suggest


def test_search_shows_the_corrections_it_searched(capsys, seed_index):
    code, out, _ = run(capsys, "search", "--index", str(seed_index), "quantom", "cooperaton")
    assert code == 0
    assert (
        "also searched: quantom → quantum (typo), cooperaton → cooperation (typo), "
        "quantum → 양자, cooperation → 협력  (--no-xlang / --no-typo to turn off)" in out
    )
    assert "Did you mean" not in out  # what it would suggest was searched


def test_search_json_lists_the_corrections(capsys, seed_index):
    code, out, _ = run(capsys, "search", "--index", str(seed_index), "--json", "didwk")
    body = json.loads(out)
    assert body["expansions"][0] == {"from": "didwk", "to": ["양자"], "kind": "layout"}
    assert body["total"] > 0


def test_search_options_filter_and_page(capsys, seed_index):
    code, out, _ = run(
        capsys,
        "search",
        "--index",
        str(seed_index),
        "--json",
        "--lang",
        "ko",
        "--page",
        "2",
        "--limit",
        "5",
        "양자",
    )
    data = json.loads(out)
    assert data["page"] == 2
    assert {r["lang"] for r in data["results"]} == {"ko"}


def test_search_without_an_index_tells_to_run_dari_index(capsys, tmp_path):
    code, _, err = run(capsys, "search", "--index", str(tmp_path / "none"), "quantum")
    assert code == 2
    assert "dari index" in err


def test_bad_query_is_a_message_not_a_traceback(capsys, seed_index):
    code, _, err = run(capsys, "search", "--index", str(seed_index), "lang:xx")
    assert code == 2
    assert "Unknown language" in err and "Traceback" not in err


def test_a_deeply_nested_query_is_one_line_and_exit_code_2(capsys, seed_index):
    code, out, err = run(capsys, "search", "--index", str(seed_index), "(" * 327 + "x")
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and "too deeply" in err


@pytest.mark.parametrize(
    "argv", [["search"], ["search", "--limit", "0", "q"], ["search", "--lang", "fr", "q"], ["nope"]]
)
def test_wrong_options_print_usage_and_exit_2(capsys, argv):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_console_script_runs_as_a_module(seed_index):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "search.cli",
            "search",
            "--index",
            str(seed_index),
            "--json",
            "Gretchen Campbell",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["results"][0]["doc_id"] == "000_04ba2ab33a6fa034"


def test_search_prints_what_else_it_searched(capsys, seed_index):
    code, out, _ = run(capsys, "search", "--index", str(seed_index), "워싱턴 협력센터")
    assert code == 0
    assert (
        "also searched: 워싱턴 → Washington / Washington DC, 협력센터 → cooperation center" in out
    )
    assert "/doc/000_04ba2ab33a6fa034#p" in out


def test_search_no_xlang_turns_translations_off(capsys, seed_index):
    code, out, _ = run(capsys, "search", "--index", str(seed_index), "--no-xlang", "--json", "대전")
    assert code == 0
    assert json.loads(out)["expansions"] == [] and json.loads(out)["total"] == 0


def test_search_with_a_users_glossary(capsys, seed_index, tmp_path):
    mine = tmp_path / "mine.tsv"
    mine.write_text("plaque\t명판\tterm\n", "utf-8")
    args = ["search", "--index", str(seed_index), "--glossary", str(mine), "--json", "명판"]
    code, out, _ = run(capsys, *args)
    data = json.loads(out)
    assert code == 0 and data["expansions"] == [{"from": "명판", "to": ["plaque"]}]
    assert data["results"][0]["doc_id"] == "000_04ba2ab33a6fa034"


@pytest.mark.parametrize("content", ["quantum\n", None])
def test_search_with_a_bad_glossary_is_a_clear_error(capsys, seed_index, tmp_path, content):
    path = tmp_path / "bad.tsv"
    if content is not None:
        path.write_text(content, "utf-8")
    code, out, err = run(capsys, "search", "--index", str(seed_index), "--glossary", str(path), "x")
    assert code == 2 and out == ""
    assert "bad.tsv" in err and "Traceback" not in err
