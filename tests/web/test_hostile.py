"""Hostile requests against a real `dari serve`: what a red-team pass found, kept as tests.

Each test reproduces one finding the way it was first run (issue #21) and states the
behaviour that replaced it.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import selectors
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from search.query import MAX_NESTING
from search.uploads import MAX_UPLOAD_BYTES
from web.serving import HEAD_TIMEOUT

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

DEEP_QUERIES = [
    "(" * 327 + "x",  # 327 characters: well under the 1,000-character limit
    "-(" * 300 + "x",
    "(-" * 300 + "x",
]


@pytest.mark.parametrize("q", DEEP_QUERIES, ids=["open", "not-open", "open-not"])
def test_deeply_nested_queries_answer_400_with_a_message_not_500(live_server, q):
    status, body = live_server.request("GET", "/api/search?" + urllib.parse.urlencode({"q": q}))
    assert status == 400
    assert f"more than {MAX_NESTING} levels" in json.loads(body)["error"]


def test_refused_queries_leave_no_traceback_in_the_log(live_server):
    before = len(live_server.log())
    for q in DEEP_QUERIES * 5:
        status, _ = live_server.request("GET", "/search?" + urllib.parse.urlencode({"q": q}))
        assert status == 400
    written = live_server.log()[before:]
    assert "Traceback" not in written
    assert len(written) < 2_000  # at most a line per request, not 100 KB each


def test_nesting_up_to_the_limit_is_searched(live_server):
    q = "(" * MAX_NESTING + "quantum" + ")" * MAX_NESTING
    status, body = live_server.request("GET", "/api/search?" + urllib.parse.urlencode({"q": q}))
    assert status == 200
    assert json.loads(body)["total"] > 0


def test_a_repeated_server_error_logs_its_traceback_once_then_counts(web_index, caplog):
    from web.app import create_app

    app = create_app(web_index)

    @app.get("/api/broken")
    def broken():
        raise RuntimeError("a bug")

    client = app.test_client()
    with caplog.at_level("ERROR", logger="web.errors"):
        for _ in range(20):
            response = client.get("/api/broken")
            assert response.status_code == 500
            assert "a bug" not in response.get_data(as_text=True)
    tracebacks = [r for r in caplog.records if r.exc_info]
    counted = [r.getMessage() for r in caplog.records if not r.exc_info]
    assert len(tracebacks) == 1
    assert [m.split("seen ")[1].split(" ")[0] for m in counted] == ["2", "4", "8", "16"]


# --- uploads racing -----------------------------------------------------------------------

TOKEN = "hostile-test-token-9f8e7d"


@pytest.fixture
def docs(tmp_path) -> Path:
    folder = tmp_path / "docs"
    shutil.copytree(SEEDS, folder)
    return folder


@pytest.fixture
def admin_server(docs, tmp_path, server_on):
    """`dari serve` (two workers) over a copy of the seeds, with uploads on."""
    return server_on(tmp_path / "index", docs=docs, env={"DARI_ADMIN_TOKEN": TOKEN}, workers=2)


def at_once(calls: list) -> list:
    """Run the calls together (each on a thread of its own, released at one moment)."""
    start = threading.Barrier(len(calls))

    def run(call):
        start.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def test_ten_uploads_of_one_new_name_at_once_add_it_exactly_once(admin_server, docs):
    texts = [f"Upload number {i} of the race, word xylo{i}.\n".encode() for i in range(10)]
    outcomes = at_once(
        [lambda data=data: admin_server.upload("race.txt", data, TOKEN) for data in texts]
    )
    statuses = sorted(status for status, _ in outcomes)
    assert statuses == [201] + [409] * 9
    winner = next(texts[i] for i, (status, _) in enumerate(outcomes) if status == 201)
    assert (docs / "race.txt").read_bytes() == winner
    status, body = admin_server.request("GET", "/api/docs/race")
    assert status == 200 and json.loads(body)["paragraphs"][0]["text"] == winner.decode().strip()


def test_deletes_racing_remove_once_and_answer_404_to_the_rest(admin_server):
    assert admin_server.upload("gone.txt", b"Soon removed.\n", TOKEN)[0] == 201
    auth = {"Authorization": f"Bearer {TOKEN}"}
    outcomes = at_once([lambda: admin_server.request("DELETE", "/api/docs/gone", headers=auth)] * 6)
    assert sorted(status for status, _ in outcomes) == [200] + [404] * 5
    assert admin_server.request("GET", "/api/docs/gone")[0] == 404


def test_a_korean_name_over_255_bytes_is_refused_with_400(admin_server):
    status, body = admin_server.upload("가" * 84 + ".txt", "본문입니다.\n".encode(), TOKEN)
    assert status == 400
    assert "255 bytes" in json.loads(body)["error"]


# --- slow clients -------------------------------------------------------------------------


def open_connections(server, count: int, first_bytes: bytes = b"") -> list[socket.socket]:
    out = []
    for _ in range(count):
        conn = socket.create_connection((server.host, server.port), timeout=5)
        if first_bytes:
            conn.sendall(first_bytes)
        out.append(conn)
    return out


def all_closed_by_server(conns: list[socket.socket], within: float) -> bool:
    """Whether the server closes every one of ``conns`` within ``within`` seconds."""
    selector = selectors.DefaultSelector()
    for conn in conns:
        selector.register(conn, selectors.EVENT_READ)
    open_ = set(conns)
    deadline = time.monotonic() + within
    try:
        while open_ and time.monotonic() < deadline:
            for key, _ in selector.select(timeout=0.5):
                conn = key.fileobj
                assert isinstance(conn, socket.socket)
                try:
                    data = conn.recv(4096)
                except OSError:  # reset
                    data = b""
                if not data:
                    selector.unregister(conn)
                    open_.discard(conn)
    finally:
        selector.close()
    return not open_


def test_idle_and_trickling_connections_do_not_shut_out_other_clients(live_server):
    idle = open_connections(live_server, 200)
    trickling = open_connections(live_server, 200, b"GET /api/search?q=x HTTP/1.1\r\n")
    stop = threading.Event()

    def trickle() -> None:  # one header line every 2 s, as the red-team client did
        while not stop.wait(2.0):
            for conn in trickling:
                with contextlib.suppress(OSError):
                    conn.sendall(b"X-Slow: 1\r\n")

    trickler = threading.Thread(target=trickle, daemon=True)
    trickler.start()
    try:
        for _ in range(3):  # with 400 of them open, others are still answered
            status, body = live_server.request("GET", "/api/search?q=quantum", timeout=10)
            assert status == 200 and json.loads(body)["total"] > 0
        # and they are closed once their head is overdue, however busy they keep
        assert all_closed_by_server(idle + trickling, within=HEAD_TIMEOUT + 10)
    finally:
        stop.set()
        trickler.join()
        for conn in idle + trickling:
            conn.close()


# --- full and read-only disks -------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path):
    """A real 8 MB tmpfs (needs root, as CI has); unmounted afterwards."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        if os.environ.get("CI") == "true":
            pytest.fail(f"cannot mount a tmpfs under CI: {done.stderr.strip()}")
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], check=False)


def fill(disk: Path, leave: int) -> Path:
    """Fill ``disk`` until only about ``leave`` bytes are free; the filler file."""
    filler = disk / "filler"
    free = shutil.disk_usage(disk).free - leave
    with open(filler, "wb") as fh:
        fh.write(b"\0" * max(free, 0))
    return filler


def generation_files(index: Path) -> set[str]:
    live = (index / "CURRENT").read_text().strip()
    return {p.name for p in (index / live).iterdir()}


def test_an_upload_to_a_full_index_disk_answers_507_and_changes_nothing(
    docs, small_disk, server_on
):
    index = small_disk / "index"
    server = server_on(index, docs=docs, env={"DARI_ADMIN_TOKEN": TOKEN})
    before_files, before_docs = generation_files(index), sorted(p.name for p in docs.iterdir())
    filler = fill(small_disk, leave=16 * 1024)
    text = "\n\n".join(f"Paragraph {i} about zyxomatic engines." for i in range(3000)).encode()

    status, body = server.upload("big-report.txt", text, TOKEN)

    assert status == 507
    assert "disk is full" in json.loads(body)["error"]
    assert sorted(p.name for p in docs.iterdir()) == before_docs  # the file was taken back
    assert generation_files(index) == before_files  # the failed writer's files are gone
    assert "Traceback" not in server.log()
    filler.unlink()  # with space again, the same upload goes through
    status, body = server.upload("big-report.txt", text, TOKEN)
    assert status == 201
    assert json.loads(server.request("GET", "/api/search?q=zyxomatic")[1])["total"] == 3000


def test_a_deletion_on_a_read_only_index_disk_answers_503_and_keeps_the_document(
    docs, small_disk, server_on
):
    index = small_disk / "index"
    server = server_on(index, docs=docs, env={"DARI_ADMIN_TOKEN": TOKEN})
    doc_id = sorted(docs.glob("*.txt"))[0].stem
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)

    auth = {"Authorization": f"Bearer {TOKEN}"}
    status, body = server.request("DELETE", f"/api/docs/{doc_id}", headers=auth)

    assert status == 503
    assert "read-only" in json.loads(body)["error"]
    assert (docs / f"{doc_id}.txt").is_file()  # put back
    assert server.request("GET", f"/api/docs/{doc_id}")[0] == 200
    assert "Traceback" not in server.log()


def test_serving_from_a_read_only_disk_without_an_index_is_one_line(small_disk):
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    done = subprocess.run(
        [sys.executable, "-m", "search.cli", "serve", "--port", "0"]
        + ["--index", str(small_disk / "index"), "--docs", str(SEEDS)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and "cannot be written" in done.stderr


def test_an_upload_far_over_the_limit_reads_a_json_413_not_a_connection_reset(admin_server, docs):
    before = sorted(p.name for p in docs.iterdir())
    status, body = admin_server.upload("huge.txt", b"a" * (4 * MAX_UPLOAD_BYTES), TOKEN)
    assert status == 413
    assert "too large" in json.loads(body)["error"]
    assert sorted(p.name for p in docs.iterdir()) == before


@pytest.mark.parametrize("doc_id", ["%00", "%01", "%7F"])
def test_deleting_a_name_with_a_control_character_is_400_and_deletes_nothing(
    admin_server, docs, doc_id
):
    victim = sorted(docs.glob("*.txt"))[0].stem
    auth = {"Authorization": f"Bearer {TOKEN}"}
    status, body = admin_server.request(
        "DELETE", f"/api/docs/{urllib.parse.quote(victim)}{doc_id}", headers=auth
    )
    assert status == 400
    assert (docs / f"{victim}.txt").is_file()


# --- load: deadlines, shedding, health ----------------------------------------------------


def test_a_request_that_waited_too_long_for_a_thread_is_shed_with_503_and_retry_after():
    from web.serving import MAX_QUEUE_WAIT, RECEIVED_AT, shed_when_busy

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"searched"]

    answers: list[tuple[str, dict]] = []
    wsgi = shed_when_busy(app)
    for path, waited in [("/api/search", MAX_QUEUE_WAIT + 1), ("/search", 0.0), ("/healthz", 60)]:
        environ = {"PATH_INFO": path, RECEIVED_AT: time.monotonic() - waited}
        body = b"".join(
            wsgi(environ, lambda status, headers: answers.append((status, dict(headers))))
        )
        answers[-1][1]["body"] = body
    (late, late_headers), (fresh, _), (health, _) = answers
    assert late.startswith("503") and late_headers["Retry-After"] == "2"
    assert "busy" in json.loads(late_headers["body"])["error"]
    assert fresh.startswith("200") and health.startswith("200")  # /healthz is never shed


def test_a_burst_beyond_the_threads_is_answered_in_time_or_shed_with_503(web_index, server_on):
    from web.serving import MAX_QUEUE_WAIT

    limit = 1.0
    server = server_on(
        web_index,
        workers=1,
        extra_args=("--threads", "1"),
        env={"DARI_SEARCH_TIME_LIMIT": str(limit)},
    )
    words = ["quantum", "cooperation", "research", "science", "Korea", "joint", "centre", "양자"]
    queries = [" OR ".join(words[i % 8 :] + words[: i % 8]) + f" w{i}" for i in range(120)]

    def search(q: str) -> tuple[int, float, dict, str | None]:
        conn = http.client.HTTPConnection(server.host, server.port, timeout=60)
        started = time.perf_counter()
        try:
            conn.request("GET", "/api/search?" + urllib.parse.urlencode({"q": q, "match": "any"}))
            response = conn.getresponse()
            body = json.loads(response.read())
            return (
                response.status,
                time.perf_counter() - started,
                body,
                response.getheader("Retry-After"),
            )
        finally:
            conn.close()

    health: list[tuple[int, float]] = []

    def check_health() -> None:
        time.sleep(0.2)  # while the burst is queued
        started = time.perf_counter()
        health.append((server.request("GET", "/healthz")[0], time.perf_counter() - started))

    watcher = threading.Thread(target=check_health)
    watcher.start()
    outcomes = at_once([lambda q=q: search(q) for q in queries])
    watcher.join()

    statuses = {status for status, *_ in outcomes}
    assert statuses <= {200, 503}
    shed = [o for o in outcomes if o[0] == 503]  # how many depends on the machine's speed
    assert len(outcomes) > len(shed)  # the ones a thread took in time are answered
    assert all(retry == "2" and "busy" in body["error"] for _, _, body, retry in shed)
    slowest = max(seconds for _, seconds, _, _ in outcomes)
    assert slowest < limit + MAX_QUEUE_WAIT + 3  # no answer waits behind the whole burst
    assert health and health[0][0] == 200
    assert health[0][1] < slowest  # /healthz did not wait for the searches


# --- killed processes ---------------------------------------------------------------------


def test_a_restarted_server_indexes_what_a_killed_one_left_unindexed(docs, tmp_path, server_on):
    index = tmp_path / "index"
    server_on(index, docs=docs).stop()
    # what a server killed between saving an upload and indexing it leaves behind
    (docs / "late.txt").write_text("Saved but never indexed: quizzaciously.\n", "utf-8")
    (docs / ".upload-1a2b3c.pending").write_bytes(b"half")
    (docs / ".replaced-4d5e6f.pending").write_bytes(b"old version")

    server = server_on(index, docs=docs)

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status, body = server.request("GET", "/api/search?q=quizzaciously")
        if status == 200 and json.loads(body)["total"]:
            break
        time.sleep(0.2)
    assert json.loads(server.request("GET", "/api/search?q=quizzaciously")[1])["total"] == 1
    assert not list(docs.glob(".*.pending"))


def test_an_upload_outlasting_the_time_limit_is_202_and_a_killed_job_reads_interrupted(
    docs, tmp_path, server_on
):
    # "A 5 MB upload holds its request thread 17.7 s": now the thread waits the time
    # limit at most; the job is written down in the index folder, for every worker
    index = tmp_path / "index"
    env = {"DARI_ADMIN_TOKEN": TOKEN, "DARI_SEARCH_TIME_LIMIT": "0.2"}
    server = server_on(index, docs=docs, env=env, workers=1)
    seeds_text = "\n\n".join(p.read_text("utf-8") for p in sorted(SEEDS.glob("*.txt")))
    text = (seeds_text * 40 + "\n\nMarked by the word xenodochial.").encode()  # about 1.1 MB

    status, body = server.upload("long-copy.txt", text, TOKEN)

    assert status == 202
    job = json.loads(body)["job"]
    auth = {"Authorization": f"Bearer {TOKEN}"}
    status, body = server.request("GET", job["url"], headers=auth)
    assert status == 200 and json.loads(body)["state"] == "running"
    server.proc.kill()  # kill -9 while it indexes
    server.proc.wait(timeout=30)

    restarted = server_on(index, docs=docs, env=env, workers=2)

    status, body = restarted.request("GET", job["url"], headers=auth)
    assert status == 200
    state = json.loads(body)
    assert state["state"] == "interrupted" and state["file"] == "long-copy.txt"
    assert "indexes it when it starts again" in state["error"]["message"]
    deadline = time.monotonic() + 120  # the restarted server catches up in the background
    while time.monotonic() < deadline:
        status, body = restarted.request("GET", "/api/search?q=xenodochial")
        if status == 200 and json.loads(body)["total"]:
            break
        time.sleep(0.2)
    assert json.loads(restarted.request("GET", "/api/search?q=xenodochial")[1])["total"] >= 1
