"""Kiwi's start-up and memory, as Dari loads it and in lighter configurations.

    python -m bench.kiwi_load

Each configuration in a fresh Python process: seconds for ``Kiwi(...)``, for its
first ``tokenize`` call (Kiwi sets much up lazily there) and the process's RSS
after it.  Dari loads Kiwi with ``search.analysis.KIWI_OPTIONS`` and no threads of
its own; the lighter configurations (no typo or default dictionary, no allomorph
merging) start faster but analyse differently, so they would need a rebuilt index
and the quality tables measured again: they show what `dari search` could gain.
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


def main() -> int:
    from search.analysis import KIWI_OPTIONS

    print("| Kiwi options | `Kiwi()` | first call | RSS after it |")
    print("| --- | ---: | ---: | ---: |")
    dari = {"num_workers": 0, **KIWI_OPTIONS}
    lighter = {**dari, "load_typo_dict": False, "load_default_dict": False}
    configurations = (
        ("Kiwi's defaults", {}),
        (f"Dari's: {dari}", dari),
        ("Dari's, no typo or default dictionary", lighter),
        ("… and no allomorph merging", {**lighter, "integrate_allomorph": False}),
    )
    for label, options in configurations:
        m = measure(options)
        print(
            f"| {label} | {m['init']:.2f} s | {m['first_call']:.2f} s | {m['rss_mb']:,.0f} MB |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
