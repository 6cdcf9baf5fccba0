"""Shared fixtures: the seed documents and one index of them per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from search.engine import Engine
from search.indexing import build_index

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("seed-index")
    build_index(SEEDS, root)
    return root


@pytest.fixture(scope="session")
def engine(seed_index) -> Engine:
    return Engine(seed_index)
