"""`dari serve`: building a missing index, warming up, serving with waitress, port clashes."""

import json
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from web.server import serve

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "seeds"


def test_live_server_built_the_missing_index_and_answers_health(live_server):
    with urllib.request.urlopen(live_server.url + "/healthz", timeout=5) as response:
        assert json.load(response) == {"status": "ok", "documents": 5, "paragraphs": 110}
    log = live_server.log()
    assert "no index in" in log and "indexed 5 documents" in log
    assert "warmed up in" in log
    assert f"Dari is serving on {live_server.url}/" in log


def test_live_server_is_waitress_with_security_headers(live_server):
    with urllib.request.urlopen(live_server.url + "/search?q=quantum", timeout=10) as response:
        assert response.headers["Server"] == "dari"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "<mark>" in response.read().decode("utf-8")


def test_second_server_on_the_same_port_exits_1_with_a_clear_message(live_server):
    port = live_server.url.rsplit(":", 1)[1]
    result = subprocess.run(
        [sys.executable, "-m", "search.cli", "serve", "--port", port, "--docs", str(SEEDS)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "already in use" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_serve_returns_1_when_the_port_is_taken(web_index, capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        assert serve(port=port, index_dir=web_index, docs_dir=SEEDS) == 1
    err = capsys.readouterr().err
    assert f"cannot listen on 127.0.0.1:{port}" in err and "already in use" in err


def test_serve_returns_2_without_index_or_documents(tmp_path, capsys):
    code = serve(port=0, index_dir=tmp_path / "index", docs_dir=tmp_path / "missing-docs")
    assert code == 2  # the folder named does not exist: as for dari index, reindex and watch
    assert "documents folder not found" in capsys.readouterr().err


def test_serve_stops_cleanly_on_ctrl_c(web_index, server_on):
    server = server_on(web_index)
    server.proc.send_signal(signal.SIGINT)
    try:
        code = server.proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        pytest.fail(f"still running 20 s after Ctrl+C; its log:\n{server.log()}")
    assert code == 0
    log = server.log()
    assert "no index in" not in log  # the existing index was used as it is
    assert "stopped" in log and "Traceback" not in log
    assert "Task queue depth" not in log  # waitress's chatter stays out of the log


def test_serve_returns_2_for_a_bad_glossary(web_index, tmp_path, capsys):
    bad = tmp_path / "bad.tsv"
    bad.write_text("quantum\n", "utf-8")
    assert serve(port=0, index_dir=web_index, docs_dir=SEEDS, glossary=bad) == 2
    err = capsys.readouterr().err
    assert "bad.tsv:1" in err and "Traceback" not in err


#: `dari` started with SIGINT ignored, as a non-interactive shell starts its background
#: jobs (`dari serve &` in a script): the disposition is inherited across exec.
SIGINT_IGNORED = [
    sys.executable,
    "-c",
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_IGN); "
    "os.execv(sys.executable, [sys.executable, '-m', 'search.cli', *sys.argv[1:]])",
]


def test_ctrl_c_stops_a_server_started_with_sigint_ignored(web_index, server_on):
    server = server_on(web_index, command=SIGINT_IGNORED)
    server.proc.send_signal(signal.SIGINT)
    assert server.proc.wait(timeout=20) == 0
    assert "stopped" in server.log()


def test_serve_help_shows_the_default_host_and_port(capsys):
    from search.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["serve", "--help"])
    assert exit_.value.code == 0
    help_text = " ".join(capsys.readouterr().out.split())
    assert "--host HOST the address to listen on" in help_text
    assert "(default: 127.0.0.1)" in help_text
    assert "0 picks a free one (default: 8000)" in help_text
    assert "threads of each worker (default: 8)" in help_text
