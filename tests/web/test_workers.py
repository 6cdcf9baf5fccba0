"""`dari serve --workers N`: forked workers on one socket, supervised by the parent."""

import http.client
import json
import os
import signal
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import psutil
import pytest

from web.workers import MAX_DEFAULT_WORKERS, default_workers


def workers_of(server) -> list[psutil.Process]:
    return psutil.Process(server.proc.pid).children()


def search_total(server, q: str = "quantum") -> int:
    with urllib.request.urlopen(f"{server.url}/api/search?q={q}", timeout=30) as response:
        return json.load(response)["total"]


def wait_until(condition, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_default_is_one_worker_per_core_at_most_four():
    assert 1 <= default_workers() <= MAX_DEFAULT_WORKERS
    assert default_workers() == min(len(os.sched_getaffinity(0)), MAX_DEFAULT_WORKERS)


def test_two_workers_are_two_processes_that_both_answer(web_index, server_on):
    server = server_on(web_index, workers=2)
    assert "with 2 workers" in server.log()
    assert len(workers_of(server)) == 2
    # 40 searches on 40 connections at once: every one answered alike, whichever worker took it
    with ThreadPoolExecutor(8) as pool:
        totals = set(pool.map(lambda _: search_total(server), range(40)))
    assert totals == {search_total(server)}
    assert all(w.cpu_times().user > 0 for w in workers_of(server))


def test_a_killed_worker_is_replaced_and_searches_go_on(web_index, server_on):
    server = server_on(web_index, workers=2)
    first = workers_of(server)[0]
    first.kill()
    assert wait_until(
        lambda: (
            len(workers_of(server)) == 2 and first.pid not in {w.pid for w in workers_of(server)}
        )
    )
    assert search_total(server) > 0
    assert f"worker {first.pid} stopped (signal SIGKILL); starting another" in server.log()


def test_sigterm_stops_the_parent_and_every_worker(web_index, server_on):
    server = server_on(web_index, workers=2)
    workers = workers_of(server)
    server.proc.send_signal(signal.SIGTERM)
    assert server.proc.wait(timeout=20) == 0
    assert wait_until(lambda: not any(w.is_running() and w.status() != "zombie" for w in workers))
    log = server.log()
    assert "stopped" in log and "Traceback" not in log


def test_workers_stop_when_their_parent_is_killed(web_index, server_on):
    server = server_on(web_index, workers=2)
    workers = workers_of(server)
    server.proc.kill()
    server.proc.wait(timeout=10)
    assert wait_until(lambda: not any(w.is_running() and w.status() != "zombie" for w in workers))


def test_one_worker_serves_in_the_servers_own_process(web_index, server_on):
    server = server_on(web_index, workers=1)
    assert workers_of(server) == []
    assert search_total(server) > 0
    assert "workers" not in server.log()


@pytest.mark.parametrize("value", ["0", "many", "-2"])
def test_a_bad_dari_workers_is_one_line_and_exit_2(web_index, tmp_path, value):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "search.cli", "serve", "--index", str(web_index), "--port", "0"],
        env={**os.environ, "DARI_WORKERS": value},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "DARI_WORKERS" in result.stderr and "Traceback" not in result.stderr


def test_four_keep_alive_clients_end_up_two_on_each_of_two_workers(web_index, server_on):
    # A client keeps its connection, so whichever worker accepted it served it for
    # good: four clients could all land on one worker while the other idled.
    server = server_on(web_index, workers=2)
    workers = workers_of(server)
    queries = ["quantum", "양자 협력", '"joint statement"', "cooperation -Daejeon", "한미 연구"]
    stop_at = time.monotonic() + 4.0
    errors: list[str] = []

    def client(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        n = 0
        while time.monotonic() < stop_at:
            q = urllib.parse.quote(queries[(k + n) % len(queries)])
            conn.request("GET", f"/api/search?q={q}")
            response = conn.getresponse()
            response.read()  # after a "Connection: close" the next request reconnects
            if response.status != 200:
                errors.append(f"{q}: {response.status}")
            n += 1
        conn.close()

    def spread() -> tuple[int, ...]:
        return tuple(
            sum(1 for c in w.net_connections(kind="tcp") if c.status == "ESTABLISHED")
            for w in workers
        )

    with ThreadPoolExecutor(4) as pool:
        running = [pool.submit(client, k) for k in range(4)]
        time.sleep(1.0)  # let them settle
        samples = []
        while time.monotonic() < stop_at - 0.2:
            samples.append(spread())
            time.sleep(0.1)
        for future in running:
            future.result()

    assert not errors
    balanced = sum(1 for s in samples if s == (2, 2))
    assert balanced >= 0.6 * len(samples), samples
