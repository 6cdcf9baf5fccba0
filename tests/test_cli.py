"""The dari command: index, search, JSON output, exit codes and messages."""

import argparse
import json
import re
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import search.cli as cli
from search.cli import EXIT_CODES, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, main
from search.formats import SUFFIXES

REPO = Path(__file__).resolve().parents[1]


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
    assert "indexed 1 document, 1 paragraph, skipped 1 file, " in out
    assert "bad.txt" in err and "NUL" in err


def test_index_and_search_read_a_pdf_and_say_its_page(capsys, tmp_path):
    from tests.files import STATEMENT_KO, pdf_bytes, scanned_pdf_bytes

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "summit.pdf").write_bytes(pdf_bytes([STATEMENT_KO[:1], ["The xylophonist played."]]))
    (docs / "scan.pdf").write_bytes(scanned_pdf_bytes())
    code, out, err = run(capsys, "index", "--docs", str(docs), "--index", str(tmp_path / "ix"))
    assert code == 0 and "indexed 1 document, " in out and "skipped 1 file, " in out
    assert "skipped scan.pdf: no text layer (scanned?)" in err
    args = ["search", "xylophonist", "--index", str(tmp_path / "ix"), "--docs", str(docs)]
    code, out, _ = run(capsys, *args)
    assert code == 0 and "p. 2 ¶2 [en]" in out
    assert f"     {docs / 'summit.pdf'} p. 2 ¶2\n" in out  # where to open it


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
    "argv", [["search"], ["search", "--limit", "x", "q"], ["search", "--lang", "fr", "q"], ["nope"]]
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
    assert "000_04ba2ab33a6fa034.txt ¶" in out


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


@pytest.fixture(autouse=True)
def no_base_url(monkeypatch):
    """Result links as printed without a known server (whatever the shell running the tests set)."""
    monkeypatch.delenv("DARI_BASE_URL", raising=False)


# --- a page past the last -------------------------------------------------------------


@pytest.mark.parametrize("output", [[], ["--json"]])
def test_a_page_past_the_last_says_so_and_exits_2(capsys, seed_index, output):
    code, out, _ = run(capsys, "search", "--index", str(seed_index), "--json", "quantum")
    last = -(-json.loads(out)["total"] // 10)
    code, out, err = run(
        capsys, "search", "--index", str(seed_index), *output, "quantum", "--page", "99"
    )
    assert code == EXIT_USAGE
    assert out == ""  # under --json too: an error is one line on stderr, as every error is
    assert err == f"dari: Page 99 is past the last page of results ({last}).\n"


def test_the_last_page_itself_is_shown(capsys, seed_index):
    code, out, _ = run(capsys, "search", "--index", str(seed_index), "--json", "quantum")
    last = -(-json.loads(out)["total"] // 10)
    code, out, _ = run(capsys, "search", "--index", str(seed_index), "quantum", "--page", str(last))
    assert code == EXIT_OK and f"page {last} of {last}" in out


# --- the documents folder -------------------------------------------------------------


@pytest.mark.parametrize("command", ["index", "reindex", "watch"])
def test_a_missing_docs_folder_is_one_line_and_exit_2_for_every_command(capsys, tmp_path, command):
    missing = tmp_path / "none"
    code, out, err = run(capsys, command, "--docs", str(missing), "--index", str(tmp_path / "ix"))
    assert code == EXIT_USAGE
    assert err == f"dari: documents folder not found: {missing}\n"
    assert not (tmp_path / "ix").exists()


def test_an_empty_docs_folder_is_indexed_with_a_warning_naming_the_endings_read(capsys, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "notes.csv").write_text("not a document", "utf-8")
    code, out, err = run(capsys, "index", "--docs", str(docs), "--index", str(tmp_path / "ix"))
    assert code == EXIT_OK
    assert out.startswith("indexed 0 documents, 0 paragraphs, skipped 0 files, ")
    assert f"dari: no documents in {docs}: Dari reads {', '.join(SUFFIXES)} files\n" in err
    assert ".txt, .md" in err and ".pdf" in err and ".hwp" in err


def test_reindex_of_an_empty_docs_folder_warns_too(capsys, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    code, _, err = run(capsys, "reindex", "--docs", str(docs), "--index", str(tmp_path / "ix"))
    assert code == EXIT_OK and f"no documents in {docs}" in err


def test_reindex_counts_one_skipped_file_in_the_singular(capsys, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "good.txt").write_text("quantum cooperation", "utf-8")
    index = str(tmp_path / "ix")
    assert run(capsys, "index", "--docs", str(docs), "--index", index)[0] == EXIT_OK
    (docs / "bad.txt").write_bytes(b"\x00\x01binary")
    code, out, _ = run(capsys, "reindex", "--docs", str(docs), "--index", index)
    assert code == EXIT_OK and "(skipped 1 file)" in out


# --- option values: one validated request ---------------------------------------------


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--limit", "0", "--limit must be a whole number from 1 to 100."),
        ("--limit", "500", "--limit must be a whole number from 1 to 100."),
        ("--page", "0", "--page must be a whole number from 1 to 10,000."),
        ("--page", "10001", "--page must be a whole number from 1 to 10,000."),
    ],
)
def test_a_limit_or_page_out_of_range_is_one_line_and_exit_2(
    capsys, seed_index, option, value, message
):
    code, out, err = run(capsys, "search", "--index", str(seed_index), option, value, "quantum")
    assert code == EXIT_USAGE
    assert (out, err) == ("", f"dari: {message}\n")


@pytest.mark.parametrize("command", [["search", "--bogus", "q"], ["index", "--bogus"]])
def test_a_wrong_option_of_a_command_prints_that_commands_usage(capsys, command):
    with pytest.raises(SystemExit) as exit_:
        main(command)
    err = capsys.readouterr().err
    assert exit_.value.code == EXIT_USAGE
    assert err.startswith(f"usage: dari {command[0]} [-h] [--index INDEX]")
    assert f"dari {command[0]}: error: unrecognized arguments: --bogus" in err


# --- help texts -----------------------------------------------------------------------


def commands() -> dict[str, argparse.ArgumentParser]:
    parser = cli.build_parser()
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(sub.choices)


def test_every_option_of_every_command_has_a_help_text_that_says_its_default():
    checked = 0
    for name, parser in commands().items():
        for action in parser._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            shown = (action.help or "") % {"default": action.default}
            assert shown, f"dari {name} {action.dest} has no help text"
            if action.option_strings and action.nargs != 0:  # an option with a value
                assert "default: " in shown, (name, action.dest, shown)
                if action.default is not None:
                    assert f"default: {action.default}" in shown, (name, action.dest, shown)
            checked += 1
    assert checked > 30 and {"index", "search", "reindex", "watch", "serve", "eval"} <= set(
        commands()
    )


def test_search_help_shows_the_defaults_of_page_and_limit(capsys):
    with pytest.raises(SystemExit):
        main(["search", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "--page PAGE which page of results" in help_text and "default: 1)" in help_text
    assert "results per page, 1 to 100 (default: 10)" in help_text


# --- exit codes -----------------------------------------------------------------------


def readme_section(title: str) -> str:
    readme = (REPO / "README.md").read_text("utf-8")
    start = readme.index(f"\n## {title}\n")
    return readme[start : readme.index("\n## ", start + 1)]


def test_the_readme_exit_codes_table_is_the_clis():
    using = readme_section("Using it")
    rows = dict(re.findall(r"^\| `(\d+)` \| (.+?) \|$", using, re.MULTILINE))
    assert {int(code) for code in rows} == {EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED}
    assert {code for _, code in EXIT_CODES} == {EXIT_FAILED, EXIT_USAGE}
    failed, usage = rows[str(EXIT_FAILED)], rows[str(EXIT_USAGE)]
    for words in ("busy", "disk is full"):
        assert words in failed
    for words in ("option", "query", "folder", "index", "past the last"):
        assert words in usage


def test_the_exit_code_of_each_kind_of_error():
    from search.documents import DocumentError
    from search.errors import ConfigError, NoSpace, QueryError, ReadOnly
    from search.indexing import BuildWorkerError, IndexBusy, IndexMissing

    for error, code in [
        (IndexBusy("busy"), EXIT_FAILED),
        (NoSpace("full"), EXIT_FAILED),
        (ReadOnly("read-only"), EXIT_FAILED),
        (BuildWorkerError("died"), EXIT_FAILED),
        (QueryError("bad query"), EXIT_USAGE),
        (ConfigError("bad setting"), EXIT_USAGE),
        (DocumentError("documents folder not found: x"), EXIT_USAGE),
        (IndexMissing("no index"), EXIT_USAGE),
    ]:
        assert cli.exit_code(error) == code, error


# --- result links ---------------------------------------------------------------------


def test_search_prints_each_results_file_and_paragraph(capsys, seed_index, seeds_dir):
    args = ["search", "--index", str(seed_index), "--docs", str(seeds_dir), '"freedom of inquiry"']
    code, out, _ = run(capsys, *args)
    assert code == EXIT_OK
    assert out.endswith(f"\n     {seeds_dir / '003_f33e5257b7cf7671.txt'} ¶22\n")
    assert "/doc/" not in out


@pytest.mark.parametrize("how", ["option", "environment"])
def test_search_with_a_base_url_prints_full_links(capsys, seed_index, monkeypatch, how):
    args = ["search", "--index", str(seed_index), '"freedom of inquiry"']
    if how == "option":
        args += ["--base-url", "https://dari.example.org/"]
    else:
        monkeypatch.setenv("DARI_BASE_URL", "https://dari.example.org")
    code, out, _ = run(capsys, *args)
    assert code == EXIT_OK
    assert out.endswith("\n     https://dari.example.org/doc/003_f33e5257b7cf7671#p22\n")


def test_json_keeps_the_apis_relative_urls_with_a_base_url(capsys, seed_index):
    args = [
        "search",
        "--index",
        str(seed_index),
        "--json",
        "--base-url",
        "https://dari.example.org",
    ]
    code, out, _ = run(capsys, *args, '"freedom of inquiry"')
    assert code == EXIT_OK
    assert json.loads(out)["results"][0]["url"] == "/doc/003_f33e5257b7cf7671#p22"


@pytest.mark.parametrize(
    ("source", "value", "name"),
    [("option", "search.example.org", "--base-url"), ("env", "ftp://x.org", "DARI_BASE_URL")],
)
def test_a_base_url_that_is_not_http_is_one_line_and_exit_2(
    capsys, seed_index, monkeypatch, source, value, name
):
    args = ["search", "--index", str(seed_index), "quantum"]
    if source == "option":
        args += ["--base-url", value]
    else:
        monkeypatch.setenv("DARI_BASE_URL", value)
    code, out, err = run(capsys, *args)
    assert code == EXIT_USAGE and out == ""
    assert (
        err.startswith(f"dari: {name} must be an http:// or https:// URL") and err.count("\n") == 1
    )


# --- what indexing says while it works ------------------------------------------------


def test_index_says_it_loads_the_korean_analyser_before_the_first_file(capsys, tmp_path, seeds_dir):
    code, _, err = run(capsys, "index", "--docs", str(seeds_dir), "--index", str(tmp_path))
    assert code == EXIT_OK
    assert err.startswith("dari: loading the Korean analyser (Kiwi)…\n")


def test_index_not_to_a_terminal_prints_one_progress_line_at_the_end(capsys, tmp_path, seeds_dir):
    code, _, err = run(capsys, "index", "--docs", str(seeds_dir), "--index", str(tmp_path))
    assert code == EXIT_OK
    assert re.findall(r"dari: indexing: .*", err) == ["dari: indexing: 5 of 5 files (100%)"]


def test_index_not_to_a_terminal_prints_a_progress_line_each_interval(
    capsys, tmp_path, seeds_dir, monkeypatch
):
    monkeypatch.setattr(cli, "PROGRESS_EVERY", 0.0)  # every file is an interval
    code, _, err = run(capsys, "index", "--docs", str(seeds_dir), "--index", str(tmp_path))
    assert code == EXIT_OK
    assert re.findall(r"dari: indexing: .*", err) == [
        f"dari: indexing: {n} of 5 files ({n * 20}%)" for n in range(1, 6)
    ]


# --- dari watch -----------------------------------------------------------------------


def test_watch_stops_on_ctrl_c_with_exit_code_0(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "search.cli",
            "watch",
            "--docs",
            str(docs),
            "--index",
            str(tmp_path / "ix"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    timer = threading.Timer(120, proc.kill)  # a hang fails instead of blocking the run
    timer.start()
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().startswith("reindexed: ")  # watching, first run done
        proc.send_signal(signal.SIGINT)
        code = proc.wait()
    finally:
        timer.cancel()
    err = proc.stderr.read() if proc.stderr else ""
    assert code == EXIT_OK, err
    assert "dari: stopped watching" in err and "Traceback" not in err


# --- .ci/setup ------------------------------------------------------------------------


def test_setup_says_it_installs_before_pip_runs_and_is_quiet_once_installed(tmp_path):
    """.ci/setup in a copy of the repository whose .venv's python only notes its calls."""
    repo = tmp_path / "repo"
    (repo / ".ci").mkdir(parents=True)
    shutil.copy(REPO / ".ci" / "setup", repo / ".ci" / "setup")
    shutil.copy(REPO / "pyproject.toml", repo / "pyproject.toml")
    events = tmp_path / "events"
    python = repo / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(f'#!/bin/sh\necho "python $*" >> {events}\n', "utf-8")
    python.chmod(0o755)

    def setup() -> subprocess.CompletedProcess:
        with events.open("a") as said:  # setup's messages and pip's runs, in order
            return subprocess.run(
                ["bash", str(repo / ".ci" / "setup")], stderr=said, timeout=60, check=True
            )

    setup()
    lines = events.read_text("utf-8").splitlines()
    assert lines[0] == (
        "setup: installing dependencies into .venv (about a minute the first time)…"
    )
    assert lines[1:] == ["python -m pip install --upgrade pip", "python -m pip install -e ."]
    before = events.read_text("utf-8")
    setup()
    assert events.read_text("utf-8") == before  # nothing to install: nothing said or run


def test_search_into_a_pipe_closed_early_ends_without_a_traceback(seed_index):
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "search.cli",
            "search",
            "quantum",
            "--limit",
            "50",
            "--index",
            str(seed_index),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    proc.stdout.close()  # the reader is gone before anything was printed, as `| head -0`
    err = proc.stderr.read()
    proc.wait(timeout=120)
    assert b"Traceback" not in err and b"BrokenPipe" not in err
