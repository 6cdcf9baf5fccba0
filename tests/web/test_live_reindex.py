"""A real `dari serve` follows the index while it changes: reindexing from another process,
searches during a reindex and a full rebuild, `--watch`, and uploads through waitress.
"""

import contextlib
import json
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import pytest

from search.indexing import build_index
from search.uploads import MAX_UPLOAD_BYTES

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "seeds"
TOKEN = "live-test-token-5a4b3c2d1e"
NEW_TEXT = (
    "Xylophonist joins the Daejeon orchestra\n\n"
    "The xylophonist played with the Daejeon philharmonic in spring.\n\n"
    "대전 필하모닉 오케스트라에 실로폰 연주자가 합류했다."
)
#: what the hammering threads ask: English, Korean, OR, a phrase, and the new documents
QUERIES = ["quantum", "양자기술", "Daejeon OR 대전", '"freedom of inquiry"', "bulkmarker"]


@pytest.fixture
def docs(tmp_path) -> Path:
    folder = tmp_path / "docs"
    shutil.copytree(SEEDS, folder)
    return folder


def get_json(url: str, timeout: float = 30) -> dict:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        assert response.status == 200
        return json.load(response)


def search(server, q: str) -> dict:
    return get_json(f"{server.url}/api/search?{urlencode({'q': q, 'per_page': 100})}")


def found(server, q: str) -> set[str]:
    return {r["doc_id"] for r in search(server, q)["results"]}


def dari(*args: object) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "search.cli", *map(str, args)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    return result


def wait_until(condition, timeout: float, step: float = 0.1) -> float:
    """Seconds until ``condition()`` was true; fails after ``timeout``."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return time.monotonic() - started
        time.sleep(step)
    raise AssertionError(f"not true within {timeout} s")


# --- (a) another process reindexes ------------------------------------------------------


def test_running_server_sees_documents_reindexed_by_another_process(docs, tmp_path, server_on):
    index = tmp_path / "index"
    server = server_on(index, docs=docs)
    assert found(server, "xylophonist") == set()

    (docs / "new.txt").write_text(NEW_TEXT, "utf-8")
    assert "added 1" in dari("reindex", "--docs", docs, "--index", index).stdout
    assert found(server, "xylophonist") == {"new"}
    assert found(server, "실로폰") == {"new"}
    assert get_json(server.url + "/healthz")["documents"] == 6
    with urllib.request.urlopen(server.url + "/doc/new", timeout=10) as response:
        assert "Xylophonist joins the Daejeon orchestra" in response.read().decode()

    (docs / "new.txt").write_text("Marimba\n\nA marimbist replaced the xylophonist.", "utf-8")
    (docs / "003_f33e5257b7cf7671.txt").unlink()
    summary = dari("reindex", "--docs", docs, "--index", index).stdout
    assert "updated 1, removed 1" in summary
    assert search(server, "xylophonist")["total"] == 1  # the new version only, once
    assert found(server, "다자협약체") == set()
    assert get_json(server.url + "/healthz") == {"status": "ok", "documents": 5, "paragraphs": 57}


# --- (b) searching while the index changes ---------------------------------------------


def _hammer(url: str, stop: threading.Event, deadline: float, seen: list, errors: list) -> None:
    """Search until told to stop (or the deadline, or 20,000 requests); record any failure."""
    for n in range(20_000):
        if stop.is_set() or time.monotonic() > deadline:
            return
        q = QUERIES[n % len(QUERIES)]
        try:
            with urllib.request.urlopen(
                f"{url}/api/search?{urlencode({'q': q})}", timeout=30
            ) as response:
                status, body = response.status, response.read()
            data = json.loads(body)
            if status != 200 or not isinstance(data.get("total"), int):
                errors.append(f"{q}: {status} {body[:200]!r}")
            else:
                seen.append((q, data["total"]))
        except (OSError, ValueError) as exc:  # HTTPError (4xx/5xx), resets, bad JSON
            errors.append(f"{q}: {exc!r}")


def test_concurrent_searches_see_no_errors_during_a_reindex_and_a_full_rebuild(
    docs, tmp_path, server_on
):
    index = tmp_path / "index"
    server = server_on(index, docs=docs)
    texts = [p.read_text("utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    for i in range(50):
        (docs / f"bulk{i:02d}.txt").write_text(
            f"Bulk {i} bulkmarker\n\n" + texts[i % len(texts)], "utf-8"
        )

    stop = threading.Event()
    deadline = time.monotonic() + 300  # a safety net: the threads stop by themselves
    seen: list[tuple[str, int]] = []
    errors: list[str] = []
    threads = [
        threading.Thread(target=_hammer, args=(server.url, stop, deadline, seen, errors))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    try:
        wait_until(lambda: len(seen) >= 20, timeout=60)
        assert "added 50" in dari("reindex", "--docs", docs, "--index", index).stdout
        during_reindex = len(seen)
        assert "indexed 55 documents" in dari("index", "--docs", docs, "--index", index).stdout
        rebuilt_at = len(seen)
        wait_until(lambda: len(seen) >= rebuilt_at + 20, timeout=60)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    assert during_reindex > 20 and rebuilt_at > during_reindex
    bulk_totals = [total for q, total in seen if q == "bulkmarker"]
    assert bulk_totals[0] == 0 and bulk_totals[-1] == 50  # the change was seen while searching
    assert get_json(server.url + "/healthz")["documents"] == 55
    assert "Traceback" not in server.log()


# --- (c) dari serve --watch ---------------------------------------------------------------


def test_serve_watch_picks_up_a_dropped_file_within_seconds(docs, tmp_path, server_on):
    server = server_on(tmp_path / "index", docs=docs, extra_args=("--watch",))
    wait_until(lambda: "watching" in server.log(), timeout=10)
    time.sleep(0.5)  # let the watcher's catch-up run finish

    (docs / "watched.txt").write_text(NEW_TEXT, "utf-8")
    seconds = wait_until(lambda: found(server, "xylophonist") == {"watched"}, timeout=30)
    assert seconds < 10
    wait_until(lambda: "added watched" in server.log(), timeout=10)
    assert "reindexed: added 1" in server.log()

    (docs / "watched.txt").unlink()
    wait_until(lambda: found(server, "xylophonist") == set(), timeout=30)
    wait_until(lambda: "removed watched" in server.log(), timeout=10)


def test_serve_watch_stops_cleanly_on_sigterm(docs, tmp_path, server_on):
    server = server_on(tmp_path / "index", docs=docs, extra_args=("--watch",))
    wait_until(lambda: "watching" in server.log(), timeout=10)
    server.proc.send_signal(signal.SIGTERM)
    assert server.proc.wait(timeout=30) == 0
    assert "stopped" in server.log() and "Traceback" not in server.log()


def test_serve_watch_without_the_docs_folder_exits_2(tmp_path, docs):
    build_index(docs, tmp_path / "index")  # an index to serve, but nothing to watch
    shutil.rmtree(docs)
    result = subprocess.run(
        [sys.executable, "-m", "search.cli", "serve", "--port", "0", "--watch"]
        + ["--index", str(tmp_path / "index"), "--docs", str(docs)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2  # a folder that does not exist: bad input (README exit codes)
    assert "documents folder not found" in result.stderr and "Traceback" not in result.stderr


# --- uploads through waitress ----------------------------------------------------------


def test_uploads_through_waitress_are_indexed_and_the_token_stays_out_of_the_log(
    docs, tmp_path, server_on
):
    server = server_on(tmp_path / "index", docs=docs, env={"DARI_ADMIN_TOKEN": TOKEN})
    status, body = server.upload("live.txt", NEW_TEXT.encode(), TOKEN)
    assert status == 201 and json.loads(body)["reindex"]["added"] == ["live"]
    assert found(server, "xylophonist") == {"live"}

    assert server.upload("wrong.txt", b"text", "guess-1234")[0] == 401
    status, body = server.upload("big.txt", b"a" * (MAX_UPLOAD_BYTES + 1), TOKEN)
    too_large = f"The file is larger than {MAX_UPLOAD_BYTES // 2**20} MB."
    assert (status, json.loads(body)) == (413, {"error": too_large})
    # far above the limit waitress itself refuses the body (413 and close) before buffering it
    with contextlib.suppress(ConnectionResetError, BrokenPipeError):  # closed while sending
        assert server.upload("huge.txt", b"a" * (MAX_UPLOAD_BYTES + 2**20), TOKEN)[0] == 413
    assert not {"big.txt", "huge.txt", "wrong.txt"} & {p.name for p in docs.iterdir()}

    log = server.log()
    assert "admin token set" in log and "added live.txt" in log and "wrong token" in log
    assert TOKEN not in log and "guess-1234" not in log


def test_without_a_token_waitress_still_refuses_bodies_over_64_kib(live_server):
    request = urllib.request.Request(
        live_server.url + "/api/docs", data=b"x" * (100 * 1024), method="POST"
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 413
    refused.value.close()
