"""Measuring helpers: percentiles, process-tree memory and CPU, sizes on disk, load."""

from __future__ import annotations

import contextlib
import math
import os
import resource
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "Latencies",
    "RunResult",
    "dir_size",
    "loadavg",
    "percentile",
    "run_measured",
    "tree_memory",
    "tree_rss",
]


def percentile(values: list[float], p: float) -> float:
    """The ``p``-th percentile (0–100) by linear interpolation between closest ranks."""
    if not values:
        return math.nan
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * p / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass
class Latencies:
    """Per-request latencies (seconds) of one measured run, and what went wrong."""

    seconds: list[float] = field(default_factory=list)
    errors: int = 0
    wall: float = 0.0  # of the whole run, for the throughput
    error_samples: list[str] = field(default_factory=list)

    def add_error(self, what: str) -> None:
        self.errors += 1
        if len(self.error_samples) < 5:
            self.error_samples.append(what)

    def summary(self) -> dict:
        ms = [s * 1000 for s in self.seconds]
        n = len(ms)
        return {
            "requests": n + self.errors,
            "errors": self.errors,
            "p50_ms": round(percentile(ms, 50), 2) if n else None,
            "p95_ms": round(percentile(ms, 95), 2) if n else None,
            "p99_ms": round(percentile(ms, 99), 2) if n else None,
            "max_ms": round(max(ms), 2) if n else None,
            "mean_ms": round(sum(ms) / n, 2) if n else None,
            "rps": round((n + self.errors) / self.wall, 1) if self.wall else None,
            "error_samples": self.error_samples,
        }


def tree_rss(pid: int) -> tuple[int, int]:
    """(RSS of ``pid`` alone, RSS of ``pid`` and all its descendants), in bytes."""
    import psutil

    try:
        proc = psutil.Process(pid)
        own = proc.memory_info().rss
        total = own
        for child in proc.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                total += child.memory_info().rss
        return own, total
    except psutil.Error:
        return 0, 0


def tree_memory(pid: int) -> dict[str, int]:
    """The memory of ``pid`` and its descendants (a server and its forked workers):
    ``pss_bytes``, their proportional set sizes summed (a page shared by n processes
    counts 1/n in each: the memory the server really holds), ``pss_file_bytes``, the
    part of it that is files mapped into memory (the index's segments and columns, and
    the libraries: pages the kernel can drop and read again; where Linux tells), ``rss_sum_bytes``,
    ``rss_largest_bytes`` and ``processes``."""
    import psutil

    pss = pss_file = rss_sum = rss_largest = count = 0
    try:
        procs = [psutil.Process(pid)]
        procs += procs[0].children(recursive=True)
    except psutil.Error:
        procs = []
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            info = proc.memory_full_info()
            pss += info.pss
            pss_file += _pss_file(proc.pid)
            rss_sum += info.rss
            rss_largest = max(rss_largest, info.rss)
            count += 1
    return {
        "pss_bytes": pss,
        "pss_file_bytes": pss_file,
        "rss_sum_bytes": rss_sum,
        "rss_largest_bytes": rss_largest,
        "processes": count,
    }


def _pss_file(pid: int) -> int:
    """The file-backed part of a process's PSS (``Pss_File`` of smaps_rollup; 0 where
    the kernel does not say)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Pss_File:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


@dataclass
class RunResult:
    returncode: int
    wall: float
    cpu: float  # user + system seconds of the process and every child it waited for
    peak_rss: int  # the largest sum of RSS over the process tree, sampled
    peak_rss_main: int  # the process itself (its own high-water mark)
    stdout: str
    stderr: str


def run_measured(
    cmd: list[str], env: dict | None = None, timeout: float = 3600, sample: float = 0.05
) -> RunResult:
    """Run ``cmd`` to its end, sampling the memory of its process tree every ``sample`` s."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak = [0]
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], tree_rss(proc.pid)[1])
            done.wait(sample)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        stdout, stderr = proc.communicate()
    wall = time.perf_counter() - started
    done.set()
    watcher.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    # ru_maxrss of the children is the largest of any one child (KiB on Linux)
    main_peak = after.ru_maxrss * 1024
    return RunResult(proc.returncode, wall, cpu, peak[0], main_peak, stdout, stderr)


def dir_size(path: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(root, name)).st_size
    return total


def loadavg() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []
