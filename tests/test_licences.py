"""The product is Apache-2.0 and everything it runs on is compatible with that: every runtime
dependency (direct or not) is listed with its licence in the README, and none is GPL or
AGPL only."""

from __future__ import annotations

import importlib.metadata as metadata
import re
from pathlib import Path

from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text("utf-8")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_dependencies(name: str = "dari", seen: set[str] | None = None) -> set[str]:
    """Every distribution installing ``name`` pulls in (extras aside), by canonical name."""
    seen = set() if seen is None else seen
    for text in metadata.requires(name) or []:
        requirement = Requirement(text)
        if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
            continue
        key = canonical(requirement.name)
        if key not in seen:
            seen.add(key)
            runtime_dependencies(requirement.name, seen)
    return seen


def readme_licences() -> dict[str, str]:
    """The README's table of runtime dependencies and their licences."""
    section = README.split("### Licences", 1)[1].split("\n#", 1)[0]
    rows = re.findall(r"^\| `([^`]+)` \| ([^|]+) \|", section, re.MULTILINE)
    return {canonical(name): licence.strip() for name, licence in rows}


def declared_licence(name: str) -> str:
    meta = metadata.metadata(name)
    expression = meta.get("License-Expression")
    if expression:
        return expression
    classifiers = [c for c in meta.get_all("Classifier") or [] if c.startswith("License ::")]
    return "; ".join(classifiers) or meta.get("License") or ""


def test_every_runtime_dependency_is_listed_with_its_licence_in_the_readme():
    assert set(readme_licences()) == runtime_dependencies()


def test_no_runtime_dependency_is_under_the_gpl_or_agpl_alone():
    for name in runtime_dependencies():
        licence = declared_licence(name)
        alternatives = re.split(r"\s+OR\s+", licence)
        assert any("GPL" not in a or "LGPL" in a for a in alternatives), (name, licence)


def test_the_readme_names_no_gpl_licence_without_a_permissive_choice():
    for name, licence in readme_licences().items():
        alternatives = re.split(r"\s+or\s+", licence, flags=re.IGNORECASE)
        assert any("GPL" not in a or "LGPL" in a for a in alternatives), (name, licence)


def test_the_product_is_under_the_apache_licence():
    assert (REPO / "LICENSE").read_text("utf-8").split()[:4] == [
        "Apache",
        "License",
        "Version",
        "2.0,",
    ]
    assert 'license = "Apache-2.0"' in (REPO / "pyproject.toml").read_text("utf-8")
