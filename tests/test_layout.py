"""The shape of the code: the library stands alone, and its public API is where it says."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import search

REPO = Path(__file__).resolve().parents[1]


def test_the_library_never_imports_the_web_layer():
    script = (
        "import importlib, pkgutil, sys\n"
        "import search\n"
        "for info in pkgutil.walk_packages(search.__path__, 'search.'):\n"
        "    importlib.import_module(info.name)\n"
        "print(sorted(m for m in sys.modules if m == 'web' or m.startswith('web.')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
    for path in REPO.glob("search/**/*.py"):
        text = path.read_text("utf-8")
        assert "from web" not in text and "import web" not in text, path


def test_every_public_name_of_the_library_resolves():
    for name in search.__all__:
        assert getattr(search, name) is not None, name
    assert {
        "Engine",
        "SearchRequest",
        "SearchResults",
        "QueryError",
        "build_index",
        "reindex",
    } <= set(search.__all__)


def test_dari_serve_is_a_command_registered_by_the_web_layer():
    from search.cli import build_parser

    parser = build_parser()
    args = parser.parse_args(["serve", "--port", "0"])
    assert args.command == "serve" and args.port == 0
