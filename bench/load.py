"""Load test: many users against a real ``dari serve`` on loopback, one reindex in the middle.

    .venv/bin/pip install -e '.[bench]'          # locust
    .venv/bin/python bench/load.py --users 50 --seconds 60

It copies ``seeds/`` into a temporary folder with generated documents beside
them, starts its own ``dari serve`` there on a free 127.0.0.1 port (with an
admin token), and runs locust headless: ``--users`` users with no think time
mixing searches (Korean, English, phrases, filters, typos, pages), document
pages and the JSON API, and hostile requests (script tags, lone surrogates,
queries over the limits, a 64-word OR, a 100 KB address, bad parameters).
Halfway through it adds, changes and removes documents and asks the server to
reindex (``POST /api/reindex``), then checks that a new document is found.

It stops by itself after ``--seconds``, prints a table (requests, failures,
5xx, p50/p95/p99 in ms, requests per second, per kind of request and in
total) and exits 1 on any 5xx, dropped connection, unexpected status or a
failed reindex, 0 otherwise.  Only loopback addresses are used.
"""

# locust patches the standard library with gevent when imported: first, before anything else
from gevent import monkey  # isort: skip

monkey.patch_all()

import argparse  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import secrets  # noqa: E402
import shutil  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.error  # noqa: E402
import urllib.request  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402
from urllib.parse import quote, urlencode  # noqa: E402

import gevent  # noqa: E402
from locust import FastHttpUser, events, task  # noqa: E402
from locust.env import Environment  # noqa: E402

if not __package__:  # run as a file (python bench/load.py): the repository's packages
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.live_server import HOST, free_port, start_server  # noqa: E402
from bench.report import reindex_counts  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
MAX_USERS, MAX_SECONDS = 500, 900

QUERIES = [
    "quantum",
    "quantum cooperation",
    '"freedom of inquiry"',
    "다자협약체",
    "양자기술",
    "양자 협력",
    "공동성명서",
    '"신뢰받는 글로벌 시장"',
    "Gretchen Campbell",
    "Daejeon OR 대전",
    "(quantum OR 양자) 협력",
    "quantum -Korea",
    "양자기술 lang:ko",
    "supply chain lang:en",
    "quantim",  # did you mean
    "양자기슬",
    "co-operation",
    "R&D",
    "한-미",
    "Korea-US quantum technology cooperation center in Washington",
]
#: (query string, statuses that are a correct answer to it)
HOSTILE = [
    ("q=" + quote("<script>alert(1)</script>"), {200}),
    ("q=%ED%A0%80", {200, 400}),  # a lone surrogate
    ("q=%FF%FE%FD", {200, 400}),  # not UTF-8
    ("q=quantum%00", {200}),
    ("q=" + "x" * 1001, {400}),  # over the query limit
    ("q=" + "%EC%96%91" * 2000, {400}),  # 2,000 Korean characters
    ("q=" + "%EC%96%91" * 12_000, {414}),  # a 108 KB address
    ("q=((((((((((", {200, 400}),
    ("q=" + quote('"""""'), {200, 400}),
    ("q=the", {400}),
    ("q=quantum&per_page=100000", {400}),
    ("q=quantum&page=-1", {400}),
    ("q=quantum&lang=xx", {400}),
    ("q=quantum&doc=" + quote("../../etc/passwd"), {400}),
    ("q=doc:" + quote("../../etc/passwd"), {400}),
    ("q=" + quote("{{7*7}} %s%n"), {200, 400}),
]
_COMMON_WORDS = (
    "quantum research cooperation science technology policy industry network security "
    "innovation partnership investment semiconductor computing sensor communication university "
    "government minister agreement center program talent market supply chain energy climate "
    "health data software hardware laboratory standard export import trade finance budget growth "
    "strategy startup company engineer student professor seoul daejeon washington london tokyo "
    "paris berlin report summit forum council ministry agency project bridge harbor railway"
)
COMMON_64 = _COMMON_WORDS.split()[:64]
PATHOLOGICAL = " OR ".join(COMMON_64)

# --- what the run records ------------------------------------------------------------------

server_errors: dict[str, int] = {}
dropped: list[str] = []
unexpected: list[str] = []
reindex_log: list[str] = []


@events.request.add_listener
def _on_request(request_type, name, response_time, response_length, response, exception, **_):
    status = getattr(response, "status_code", 0) or 0
    if status >= 500:
        server_errors[name] = server_errors.get(name, 0) + 1
    if exception is not None and status == 0:
        dropped.append(f"{request_type} {name}: {exception!r}")


class Reader(FastHttpUser):
    """A visitor with no think time: every user sends its next request at once."""

    network_timeout = 60.0
    connection_timeout = 10.0
    doc_ids: list[str] = []

    def expect(self, url: str, name: str, ok: set[int]) -> None:
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code in ok:
                response.success()
            elif response.status_code:  # 0 is a dropped connection, counted by the listener
                unexpected.append(f"{name} {url[:80]} -> {response.status_code}")
                response.failure(f"status {response.status_code}")

    @task(30)
    def api_search(self) -> None:
        q = random.choice(QUERIES)
        params = {"q": q}
        if random.random() < 0.3:
            params["page"] = str(random.randint(1, 3))
        if random.random() < 0.2:
            params["match"] = "any"
        self.expect("/api/search?" + urlencode(params), "GET /api/search", {200})

    @task(20)
    def search_page(self) -> None:
        params = {"q": random.choice(QUERIES)}
        if random.random() < 0.3:
            params["lang"] = random.choice(["ko", "en"])
        self.expect("/search?" + urlencode(params), "GET /search", {200})

    @task(15)
    def document_page(self) -> None:
        doc_id = random.choice(self.doc_ids)
        q = random.choice(QUERIES)
        self.expect(f"/doc/{quote(doc_id)}?" + urlencode({"q": q}), "GET /doc/<id>", {200, 404})

    @task(5)
    def api_document(self) -> None:
        doc_id = random.choice(self.doc_ids)
        self.expect(f"/api/docs/{quote(doc_id)}", "GET /api/docs/<id>", {200, 404})

    @task(3)
    def lists(self) -> None:
        url, name = random.choice([("/api/docs", "GET /api/docs"), ("/", "GET /")])
        self.expect(url, name, {200})

    @task(2)
    def health(self) -> None:
        self.expect("/healthz", "GET /healthz", {200})

    @task(15)
    def hostile(self) -> None:
        query, ok = random.choice(HOSTILE)
        endpoint = random.choice(["/api/search", "/search"])
        self.expect(f"{endpoint}?{query}", f"GET {endpoint} (hostile)", ok)

    @task(5)
    def hostile_paths(self) -> None:
        path = random.choice(
            [
                "/doc/..%2f..%2fetc%2fpasswd",
                "/api/docs/..%2Fetc",
                "/doc/%3Cscript%3E",
                "/api/nothing",
                "/doc/" + "a" * 5000,
            ]
        )
        self.expect(path, "GET hostile paths", {404})

    @task(2)
    def pathological(self) -> None:
        url = "/api/search?" + urlencode({"q": PATHOLOGICAL, "per_page": 100})
        self.expect(url, "GET /api/search (64-word OR)", {200})


# --- the corpus and the server ---------------------------------------------------------


def make_corpus(docs: Path, extra: int, rng: random.Random) -> None:
    """seeds/ plus ``extra`` documents stitched from the seeds' paragraphs."""
    shutil.copytree(SEEDS, docs)
    for path in docs.iterdir():
        path.chmod(0o644)
    paragraphs = []
    for path in sorted(SEEDS.glob("*.txt")):
        blocks = path.read_text("utf-8").split("\n\n")
        paragraphs += [b.strip() for b in blocks if len(b.strip()) > 40]
    for i in range(extra):
        chosen = rng.sample(paragraphs, k=min(25, len(paragraphs)))
        title = f"Generated briefing {i:03d} on quantum cooperation"
        (docs / f"gen_{i:03d}.txt").write_text("\n\n".join([title, *chosen]) + "\n", "utf-8")


def get_json(url: str, timeout: float = 30.0) -> Any:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.load(response)


def reindex_midway(base: str, docs: Path, token: str, delay: float) -> None:
    """Add, change and remove documents, then POST /api/reindex and check a new one is found."""
    gevent.sleep(delay)
    for i in range(10):
        (docs / f"late_{i}.txt").write_text(
            f"Late briefing {i} on the zyxomorphic lattice\n\n"
            f"The zyxomorphic lattice report number {i} arrived during the load test.\n\n"
            "양자 협력에 관한 늦은 보고서입니다.\n",
            "utf-8",
        )
    (docs / "gen_000.txt").write_text("Rewritten briefing\n\nQuantum cooperation, revised.\n")
    (docs / "gen_001.txt").unlink()
    request = urllib.request.Request(
        base + "/api/reindex", method="POST", headers={"Authorization": f"Bearer {token}"}
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=300) as response:
            report = json.load(response)
            status = response.status
    except urllib.error.HTTPError as exc:
        reindex_log.append(f"POST /api/reindex failed: {exc.code} {exc.read()[:200]!r}")
        return
    seconds = time.perf_counter() - started
    found = get_json(base + "/api/search?" + urlencode({"q": "zyxomorphic", "per_page": 100}))
    reindex_log.append(
        f"POST /api/reindex at {delay:.0f} s: {status} in {seconds:.2f} s; "
        f"{reindex_counts(report)}; 'zyxomorphic' then found in "
        f"{len({r['doc_id'] for r in found['results']})} documents"
    )
    if status != 200 or len(report["added"]) != 10 or found["total"] < 10:
        reindex_log.append("reindex FAILED its check")


# --- the report ---------------------------------------------------------------------------


def table(env: Environment, seconds: float) -> str:
    """Markdown: one row per kind of request, busiest first, then the total."""
    rows = [
        "| requests | count | failures | 5xx | p50 ms | p95 ms | p99 ms | req/s |",
        "|" + " --- |" * 8,
    ]
    entries = sorted(env.stats.entries.values(), key=lambda e: -e.num_requests)
    for entry in [*entries, env.stats.total]:
        if entry is env.stats.total:
            name, errors = "**total**", sum(server_errors.values())
        else:
            name, errors = entry.name, server_errors.get(entry.name, 0)
        rows.append(
            f"| {name} | {entry.num_requests:,} | {entry.num_failures:,} | {errors} "
            f"| {entry.get_response_time_percentile(0.5):.0f} "
            f"| {entry.get_response_time_percentile(0.95):.0f} "
            f"| {entry.get_response_time_percentile(0.99):.0f} "
            f"| {entry.num_requests / seconds:.1f} |"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50, help=f"at most {MAX_USERS}")
    parser.add_argument("--seconds", type=float, default=60.0, help=f"at most {MAX_SECONDS}")
    parser.add_argument("--spawn-rate", type=float, default=25.0, help="users started per second")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads of the server")
    parser.add_argument("--extra-docs", type=int, default=60, help="generated documents")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    if not 1 <= args.users <= MAX_USERS or not 1 <= args.seconds <= MAX_SECONDS:
        parser.error(f"--users must be 1..{MAX_USERS} and --seconds 1..{MAX_SECONDS}")

    rng = random.Random(7)
    folder = Path(tempfile.mkdtemp(prefix="dari-load-"))
    token = secrets.token_urlsafe(32)
    make_corpus(folder / "docs", args.extra_docs, rng)
    port = free_port()
    base = f"http://{HOST}:{port}"
    print(f"load: starting dari serve on {base} over {folder}", file=sys.stderr)
    try:
        server = start_server(
            folder / "index",
            folder / "docs",
            folder / "serve.log",
            port=port,
            threads=args.threads,
            env={"DARI_ADMIN_TOKEN": token},
            timeout=180,
            stop_timeout=30,
        )
    except (RuntimeError, TimeoutError) as exc:
        raise SystemExit(f"{exc}\nsee {folder}/serve.log") from None
    try:
        health = get_json(base + "/healthz")
        Reader.doc_ids = [d["doc_id"] for d in get_json(base + "/api/docs")] + ["no-such-doc"]
        env = Environment(user_classes=[Reader], host=base, events=events)
        runner = env.create_local_runner()
        print(
            f"load: {health['documents']} documents, {health['paragraphs']} paragraphs; "
            f"{args.users} users for {args.seconds:g} s",
            file=sys.stderr,
        )
        started = time.perf_counter()
        runner.start(args.users, spawn_rate=args.spawn_rate)
        side = gevent.spawn(reindex_midway, base, folder / "docs", token, args.seconds / 2)
        gevent.spawn_later(args.seconds, runner.quit)
        runner.greenlet.join()
        elapsed = time.perf_counter() - started
        side.join(timeout=300)
        alive = server.proc.poll() is None and get_json(base + "/healthz")["status"] == "ok"
    finally:
        server.stop()
        log = server.log()
        if args.keep:
            print(f"load: kept {folder}", file=sys.stderr)
        else:
            shutil.rmtree(folder, ignore_errors=True)

    print(f"\n{args.users} users, {elapsed:.0f} s, loopback, `dari serve --threads {args.threads}`")
    print(table(env, elapsed))
    print()
    for line in reindex_log:
        print(line)
    problems = []
    if server_errors:
        problems.append(f"5xx answers: {server_errors}")
    if dropped:
        problems.append(f"{len(dropped)} dropped connections, e.g. {dropped[:3]}")
    if unexpected:
        problems.append(f"{len(unexpected)} unexpected statuses, e.g. {unexpected[:3]}")
    if not reindex_log or any("FAILED" in line or "failed" in line for line in reindex_log):
        problems.append("the reindex in the middle did not succeed")
    if not alive:
        problems.append("the server was not healthy at the end")
    if "Traceback" in log:
        problems.append("the server log has a traceback")
    for problem in problems:
        print(f"FAIL: {problem}")
    if not problems:
        print(
            "OK: no 5xx, no dropped connections, every answer as expected; the server is healthy."
        )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
