"""Where the time of ``dari index`` goes: a py-spy profile of a build, by category.

    python -m bench.profile_build [--reviews 20000] [--procs 1] [--work DIR] [--rate 100]
    python -m bench.profile_build --raw FILE    # tally a raw profile recorded before

A corpus of the first ``--reviews`` NSMC reviews is written as ``python -m bench``
writes its corpora (:func:`bench.corpus.write_corpus`; in ``--work``, where the next
run with the same ``--reviews`` finds it and uses it again) and indexed by ``dari
index`` under ``py-spy record --subprocesses -r RATE -f raw``, with
``DARI_BUILD_PROCS=--procs`` (1 by default: one process, whose stacks are the
easiest to read).  py-spy pauses the process for each sample, so the build is slower
than without it: its figures are shares, and ``python -m bench`` has the build's times.

Every sampled stack goes to the first category of :data:`CATEGORIES` that it matches
(Kiwi first, then the columnar arrays, the analysis chain, the postings written, the
documents read; else "other"); a category's seconds are its samples ÷ the rate,
added over the processes.  Stacks of threads that wait (:func:`is_idle`: tqdm's
monitor thread, ``threading`` waits, a process waiting for its workers) are left out
and counted.  Then the functions with the most samples on the stack (inclusive)
and as the innermost frame (own), as a profile lists them.

The report is printed and written to ``bench/results/profile-build-<stamp>.md``, the
raw profile beside it (``.raw.txt``: ``frame;frame;... count`` per line, the
outermost frame first, for ``--raw`` or a flame graph).  py-spy is in the bench
extras (``pip install -e '.[bench]'``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import NamedTuple

__all__ = [
    "CATEGORIES",
    "OTHER",
    "BuildProfile",
    "Frame",
    "aggregate",
    "is_idle",
    "main",
    "parse_frame",
    "report",
]

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"


class Frame(NamedTuple):
    """One frame of a py-spy stack: ``Kiwi.tokenize (kiwipiepy/_wrap.py:1234)``."""

    name: str  # the function, ``Class.method`` for a method
    file: str  # as py-spy shows it (shortened: ``kiwipiepy/_wrap.py``, ``search/documents.py``)
    line: int

    @property
    def function(self) -> str:
        """``name (file)``: the frame without its line, as the functions table counts it."""
        return f"{self.name} ({self.file})" if self.file else self.name


_FRAME = re.compile(r"^(?P<name>.*) \((?P<file>.*?)(?::(?P<line>\d+))?\)$")
#: A process's frame (``--subprocesses``), one per process from the first one down to the
#: sampled one: ``process PID:"command line"`` (whose command line may hold ``;``).
_PROCESS = re.compile(r'process (?P<pid>\d+):"(?P<command>[^"]*)"(?:;|$)')


def parse_frame(text: str) -> Frame:
    """A frame of py-spy's raw output (``func (path/to/file.py:123)``)."""
    m = _FRAME.match(text)
    if not m:
        return Frame(text, "", 0)
    return Frame(m["name"], m["file"], int(m["line"] or 0))


Predicate = Callable[[Sequence[Frame]], bool]


def _in_files(*parts: str) -> Predicate:
    """Whether a frame of the stack is in a file whose path holds one of ``parts``."""
    return lambda frames: any(part in f.file for f in frames for part in parts)


def _kiwi_loading(frames: Sequence[Frame]) -> bool:
    return any("kiwipiepy" in f.file and f.name == "Kiwi.__init__" for f in frames)


def _kiwi_analysis(frames: Sequence[Frame]) -> bool:
    return any("kiwipiepy" in f.file and f.name != "Kiwi.__init__" for f in frames)


def _analysis_chain(frames: Sequence[Frame]) -> bool:
    return any(
        "search/analysis/" in f.file
        or "whoosh/analysis" in f.file
        or ("whoosh/formats" in f.file and f.name.endswith("word_values"))
        for f in frames
    )


#: Files of the postings' way to disk: Whoosh's codec, pool and files, and Dari's own
#: segment writer (``search/indexing/segments.py``, which gathers the postings in arrays
#: and hands them to the codec; its analysis is the analysis chain's, coming first).
POSTINGS_FILES = (
    "whoosh/codec",
    "whoosh/externalsort",
    "whoosh/filedb",
    "search/indexing/segments.py",
)


def _postings(frames: Sequence[Frame]) -> bool:
    return any(
        any(part in f.file for part in POSTINGS_FILES)
        or (
            "whoosh/writing" in f.file
            and ("flush" in f.name or "_finalize" in f.name or f.name.startswith("PostingPool."))
        )
        for f in frames
    )


#: (label, predicate on a stack's frames, outermost first): a stack is counted in the
#: first category it matches, in this order; one that matches none in :data:`OTHER`.
CATEGORIES: tuple[tuple[str, Predicate], ...] = (
    ("Kiwi (loading)", _kiwi_loading),  # Kiwi.__init__: the model read
    ("Kiwi (analysis)", _kiwi_analysis),  # any other kiwipiepy frame (its first call too)
    ("columnar arrays", _in_files("search/columnar/")),
    ("analysis chain (Dari's tokenizer/filters, Whoosh tokens)", _analysis_chain),
    ("postings written (Whoosh codec, pool)", _postings),
    (
        "documents read (files, paragraphs, alignment)",
        _in_files("search/documents.py", "search/bilingual/"),
    ),
)
OTHER = "other"

#: (end of the file's path, function without its class) of an innermost frame that waits.
WAITS = {
    ("threading.py", "wait"),
    ("threading.py", "join"),
    ("threading.py", "_wait_for_tstate_lock"),
    ("selectors.py", "select"),
    ("queue.py", "get"),
    ("multiprocessing/connection.py", "wait"),
    ("multiprocessing/connection.py", "poll"),
    ("multiprocessing/connection.py", "_poll"),
    ("multiprocessing/connection.py", "_recv"),
    ("multiprocessing/popen_fork.py", "poll"),
    ("multiprocessing/popen_fork.py", "wait"),
    ("subprocess.py", "wait"),
    ("subprocess.py", "_wait"),
}


def is_idle(frames: Sequence[Frame]) -> bool:
    """Whether a stack is a thread that waits: anywhere in tqdm's monitor thread, or
    with an innermost frame of :data:`WAITS` (py-spy leaves out most idle threads
    itself; these are the ones it samples as they go to sleep or wake up)."""
    if any("tqdm/_monitor" in f.file or f.name.startswith("TMonitor.") for f in frames):
        return True
    last = frames[-1]
    method = last.name.rsplit(".", 1)[-1]
    return any(last.file.endswith(end) and method == name for end, name in WAITS)


@dataclass
class BuildProfile:
    """The samples of a raw py-spy profile, by category and by function."""

    rate: float
    samples: int = 0  # every sample, idle ones included
    idle: int = 0  # threads waiting (:func:`is_idle`)
    no_frames: int = 0  # a process without a Python frame (its interpreter starting)
    processes: dict[int, tuple[str, int]] = field(default_factory=dict)  # pid: command, samples
    categories: dict[str, int] = field(default_factory=dict)  # CATEGORIES' order, then OTHER
    inclusive: Counter[str] = field(default_factory=Counter)  # samples with it on the stack
    own: Counter[str] = field(default_factory=Counter)  # samples with it innermost

    @property
    def busy(self) -> int:
        """The samples counted: all but the idle ones and those without a Python frame."""
        return self.samples - self.idle - self.no_frames

    def seconds(self, samples: int) -> float:
        return samples / self.rate

    def category_seconds(self) -> dict[str, float]:
        """Seconds of each category (samples ÷ rate), in the categories' order."""
        return {label: self.seconds(n) for label, n in self.categories.items()}


def aggregate(
    raw: str, rate: float, categories: Sequence[tuple[str, Predicate]] = CATEGORIES
) -> BuildProfile:
    """Tally py-spy's raw (collapsed) stacks: one line per distinct stack,
    ``frame;frame;... count``, outermost first, each frame ``func (file:line)``; with
    ``--subprocesses`` they start with ``process PID:"command line"``, one for the first
    process and one for each process down to the sampled one (and with ``--threads`` a
    ``thread (0x...)`` follows them)."""
    profile = BuildProfile(rate, categories={label: 0 for label, _ in categories})
    profile.categories[OTHER] = 0
    for line in raw.splitlines():
        stack, _, count_text = line.strip().rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        pid, command, at = 0, "", 0
        while m := _PROCESS.match(stack, at):
            pid, command, at = int(m["pid"]), m["command"], m.end()
        parts = stack[at:].split(";") if stack[at:] else []
        frames = [parse_frame(p) for p in parts if not p.startswith("thread (")]
        profile.samples += count
        known, before = profile.processes.get(pid, ("", 0))
        profile.processes[pid] = (known or command, before + count)
        if not frames:
            profile.no_frames += count
            continue
        if is_idle(frames):
            profile.idle += count
            continue
        label = next((label for label, matches in categories if matches(frames)), OTHER)
        profile.categories[label] += count
        for function in {f.function for f in frames}:
            profile.inclusive[function] += count
        profile.own[frames[-1].function] += count
    return profile


def _share(n: int, total: int) -> str:
    return f"{100 * n / total:.1f} %" if total else "–"


def report(profile: BuildProfile, header: str, top: int = 25) -> str:
    """The markdown report of a profile: the categories, then the ``top`` functions."""
    busy = profile.busy
    lines = [
        header,
        "",
        f"Samples: {profile.samples:,} at {profile.rate:g} Hz in "
        f"{len(profile.processes) or 1} process(es); left out: {profile.idle:,} idle (threads "
        f"waiting: tqdm's monitor, `threading` waits, a process waiting for its workers) and "
        f"{profile.no_frames:,} without a Python frame (an interpreter starting); the shares "
        f"are of the other {busy:,} ({profile.seconds(busy):,.1f} s).",
        "",
        "**Where the time goes** (each stack counted in the first category it matches, "
        "in this order)",
        "",
        "| category | samples | share | seconds |",
        "|---|---:|---:|---:|",
    ]
    for label, n in profile.categories.items():
        lines.append(f"| {label} | {n:,} | {_share(n, busy)} | {profile.seconds(n):,.1f} |")
    lines.append(f"| all | {busy:,} | {_share(busy, busy)} | {profile.seconds(busy):,.1f} |")
    if len(profile.processes) > 1:
        lines += [
            "",
            "**Processes** (every sample of each, idle ones included)",
            "",
            "| process | command line | samples | seconds |",
            "|---|---|---:|---:|",
        ]
        by_samples = sorted(profile.processes.items(), key=lambda item: -item[1][1])
        for pid, (command, n) in by_samples:
            shown = command if len(command) <= 100 else command[:99] + "…"
            shown = shown.replace("|", "\\|").replace("`", "'")
            lines.append(f"| {pid} | `{shown}` | {n:,} | {profile.seconds(n):,.1f} |")
    lines += [
        "",
        f"**Functions** (the {top} with the most samples on the stack: inclusive; own = "
        "the innermost frame, Python frames only: time in C is its caller's)",
        "",
        "| function | inclusive | seconds | own | seconds |",
        "|---|---:|---:|---:|---:|",
    ]
    for function, n in profile.inclusive.most_common(top):
        own = profile.own.get(function, 0)
        lines.append(
            f"| `{function}` | {_share(n, busy)} | {profile.seconds(n):,.1f} "
            f"| {_share(own, busy)} | {profile.seconds(own):,.1f} |"
        )
    return "\n".join(lines) + "\n"


# --- the command ---------------------------------------------------------------------


def log(message: str) -> None:
    print(f"[profile {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def py_spy() -> str:
    """The py-spy beside this Python (the virtualenv's), else on the PATH."""
    beside = Path(sys.executable).with_name("py-spy")
    found = str(beside) if beside.exists() else shutil.which("py-spy")
    if not found:
        raise SystemExit("py-spy not found: pip install -e '.[bench]'")
    return found


def corpus(tsv: Path, reviews: int, work: Path) -> dict:
    """The corpus of the first ``reviews`` reviews in ``work`` (``docs-N``), written unless
    a run before wrote it (``docs-N.json`` is written after it, what it holds)."""
    from bench.corpus import corpus_limit, write_corpus

    folder, done = work / f"docs-{reviews}", work / f"docs-{reviews}.json"
    if done.exists() and folder.is_dir():
        log(f"using the corpus in {folder}")
        return dict(json.loads(done.read_text(encoding="utf-8")))
    if not tsv.exists():
        raise SystemExit(f"{tsv} not found (the NSMC reviews from ../shared/bench/nsmc/)")
    log(f"writing {reviews:,} reviews to {folder}")
    written = asdict(write_corpus(tsv, folder, corpus_limit(tsv, reviews)))
    written["folder"] = str(folder)
    done.write_text(json.dumps(written), encoding="utf-8")
    return written


def record(folder: Path, index_dir: Path, raw: Path, procs: int, rate: int) -> tuple[float, str]:
    """``dari index`` of ``folder`` under py-spy; (wall seconds, dari's summary line)."""
    from bench.live_server import dari_command

    if index_dir.exists():
        shutil.rmtree(index_dir)
    cmd = [
        py_spy(),
        "record",
        "--subprocesses",
        "-r",
        str(rate),
        "-f",
        "raw",
        "-o",
        str(raw),
        "--",
        *dari_command(),
        "index",
        "--docs",
        str(folder),
        "--index",
        str(index_dir),
    ]
    env = {**os.environ, "DARI_BUILD_PROCS": str(procs)}
    started = time.perf_counter()
    run = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if run.returncode != 0 or not raw.exists():
        raise SystemExit(
            f"py-spy record failed ({run.returncode}); py-spy needs to be allowed to trace "
            f"its child (ptrace):\n{(run.stdout + run.stderr)[-3000:]}"
        )
    said = [ln for ln in run.stdout.splitlines() if ln.startswith("indexed ")]
    return wall, said[-1] if said else ""


def main(argv: list[str] | None = None) -> int:
    from bench.corpus import default_nsmc
    from bench.measure import loadavg
    from bench.run import git_describe

    parser = argparse.ArgumentParser(
        prog="python -m bench.profile_build", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--reviews", type=int, default=20_000, help="NSMC reviews (default 20000)")
    parser.add_argument("--procs", type=int, default=1, help="DARI_BUILD_PROCS (default 1)")
    parser.add_argument("--rate", type=int, default=100, help="samples per second (default 100)")
    parser.add_argument("--top", type=int, default=25, help="functions listed (default 25)")
    parser.add_argument("--work", type=Path, default=None, help="corpus and index (default: tmp)")
    parser.add_argument(
        "--tsv", type=Path, default=None, help="NSMC reviews (default: $DARI_BENCH's)"
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--raw",
        type=Path,
        default=None,
        help="tally this raw profile (recorded at --rate); record none",
    )
    args = parser.parse_args(argv)

    stamp = time.strftime("%Y%m%d-%H%M%S")
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    args.out.mkdir(parents=True, exist_ok=True)
    base = args.out / f"profile-build-{stamp}"
    if args.raw is not None:
        raw = args.raw
        header = f"Profile of `dari index` from {raw} (at {args.rate} Hz) — {machine}."
    else:
        py_spy()  # before the corpus is written
        work = args.work or Path(tempfile.mkdtemp(prefix="dari-profile-"))
        work.mkdir(parents=True, exist_ok=True)
        raw = base.with_name(f"{base.name}.raw.txt")
        try:
            c = corpus(args.tsv or default_nsmc(), args.reviews, work)
            load = loadavg()
            log(f"dari index under py-spy (DARI_BUILD_PROCS={args.procs}, {args.rate} Hz)")
            wall, summary = record(
                Path(c["folder"]), work / f"index-{args.reviews}", raw, args.procs, args.rate
            )
        finally:
            if args.work is None:
                shutil.rmtree(work, ignore_errors=True)
        header = (
            f"Profile of `dari index` — {time.strftime('%Y-%m-%d %H:%M:%S %Z')} — {machine}; "
            f"git {git_describe()}; load average at start {load}, at end {loadavg()}.\n\n"
            f"{c['reviews']:,} NSMC reviews ({c['documents']:,} documents, "
            f"{c['paragraphs']:,} paragraphs, {c['characters']:,} characters); "
            f"`DARI_BUILD_PROCS={args.procs}`; `py-spy record --subprocesses -r {args.rate} "
            f"-f raw`: {wall:.1f} s wall under py-spy (which pauses the process per sample: "
            f"`python -m bench` has the build's times); dari: {summary or '?'}."
        )
    profile = aggregate(raw.read_text(encoding="utf-8"), args.rate)
    text = report(profile, header, args.top)
    base.with_suffix(".md").write_text(text, encoding="utf-8")
    print(text)
    log(f"report: {base}.md; raw profile: {raw}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
