"""Kiwi's start-up and memory, as Dari loads it and in lighter configurations.

    python -m bench.kiwi_load

Each configuration in a fresh Python process: seconds for ``Kiwi(...)``, for its
first ``tokenize`` call (Kiwi sets much up lazily there) and the process's RSS
after it.  Dari loads Kiwi with ``search.analysis.KIWI_OPTIONS`` and no threads of
its own; the lighter configurations (without the typo dictionary, or without the
default dictionary of proper nouns) analyse differently, so they would need a rebuilt
index and the quality tables measured again: they show what `dari search` could gain.

Then how much a process's memory grows when 1, 2, 4 or 8 threads share the analysis
of the same words (NSMC reviews' words): Kiwi's allocator keeps memory per calling
thread, so a server's request threads each add to it; the last column is with the
allocator settings ``dari serve`` makes (:func:`search.settings.keep_thread_memory_small`).
"""

from __future__ import annotations

import json
import subprocess
import sys

CHILD = """
import json, sys, time, psutil
from kiwipiepy import Kiwi
options = json.loads(sys.argv[1])
t0 = time.perf_counter(); kiwi = Kiwi(**options); t1 = time.perf_counter()
kiwi.tokenize("양자정보과학기술 협력 공동성명서에 서명하였다"); t2 = time.perf_counter()
print(json.dumps({"init": t1 - t0, "first_call": t2 - t1,
                  "rss_mb": psutil.Process().memory_info().rss / 1e6}))
"""


def measure(options: dict) -> dict:
    """One configuration, measured in a process of its own."""
    out = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(options)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


THREADS_CHILD = """
import json, sys, threading, psutil
if sys.argv[3] == "serve":
    from search.settings import keep_thread_memory_small
    keep_thread_memory_small()  # as dari serve does, before Kiwi is loaded
from kiwipiepy import Kiwi
options, threads, words = json.loads(sys.argv[1]), int(sys.argv[2]), json.load(sys.stdin)
kiwi = Kiwi(**options); kiwi.tokenize("다리")
before = psutil.Process().memory_info().rss
def work(part):
    for word in part:
        kiwi.tokenize(word)
runners = [threading.Thread(target=work, args=(words[i::threads],)) for i in range(threads)]
for t in runners: t.start()
for t in runners: t.join()
print(json.dumps({"growth_mb": (psutil.Process().memory_info().rss - before) / 1e6}))
"""

#: Words analysed, one call each, by the threads of :func:`measure_threads`.
THREAD_WORDS = 20_000


def measure_threads(options: dict, threads: int, words: list[str], serve: bool = False) -> float:
    """RSS growth (MB) of a process whose ``threads`` threads share the analysis of
    ``words`` (one Kiwi call each), as a server's request threads do; with ``serve``,
    with the allocator settings ``dari serve`` makes
    (:func:`search.settings.keep_thread_memory_small`)."""
    how = "serve" if serve else "default"
    out = subprocess.run(
        [sys.executable, "-c", THREADS_CHILD, json.dumps(options), str(threads), how],
        input=json.dumps(words),
        capture_output=True,
        text=True,
        check=True,
    )
    return float(json.loads(out.stdout.strip().splitlines()[-1])["growth_mb"])


def main() -> int:
    from search.analysis import KIWI_OPTIONS

    print("| Kiwi options | `Kiwi()` | first call | RSS after it |")
    print("| --- | ---: | ---: | ---: |")
    dari = {"num_workers": 0, **KIWI_OPTIONS}
    configurations = (
        ("Kiwi's defaults", {}),
        (f"Dari's: {dari}", dari),
        ("Dari's, no typo dictionary", {**dari, "load_typo_dict": False}),
        ("Dari's, no default dictionary (proper nouns)", {**dari, "load_default_dict": False}),
    )
    for label, options in configurations:
        m = measure(options)
        print(
            f"| {label} | {m['init']:.2f} s | {m['first_call']:.2f} s | {m['rss_mb']:,.0f} MB |",
            flush=True,
        )

    # Kiwi keeps state per calling thread: what a server's request threads cost
    from bench.corpus import default_nsmc, iter_reviews

    words: list[str] = []
    for _, text in iter_reviews(default_nsmc()):
        words += text.split()
        if len(words) >= THREAD_WORDS:
            break
    words = words[:THREAD_WORDS]
    print()
    print(
        f"| threads calling Kiwi ({len(words):,} words, one call each) | RSS growth "
        "| with `dari serve`'s allocator settings |"
    )
    print("| ---: | ---: | ---: |")
    for threads in (1, 2, 4, 8):
        plain = measure_threads(dari, threads, words)
        served = measure_threads(dari, threads, words, serve=True)
        print(f"| {threads} | {plain:,.0f} MB | {served:,.0f} MB |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
