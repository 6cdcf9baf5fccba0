"""Settings: one object, one reader of the environment, every variable documented."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from search.cli import main
from search.engine import Engine
from search.errors import ConfigError
from search.settings import ENVIRONMENT, RankingSettings, Settings, from_env

REPO = Path(__file__).resolve().parents[1]


def test_every_environment_variable_is_in_the_readme_with_its_default():
    readme = (REPO / "README.md").read_text("utf-8")
    rows = {
        m.group(1): m.group(2)
        for m in re.finditer(r"^\| `(DARI_[A-Z_]+)` \| ([^|]+?) \|", readme, re.MULTILINE)
    }
    for setting in ENVIRONMENT:
        assert setting.env in rows, f"{setting.env} is not in the README's settings table"
        assert setting.default in rows[setting.env], (setting.env, rows[setting.env])
    assert set(rows) == {s.env for s in ENVIRONMENT}, "the README lists a variable Dari ignores"


def test_only_the_settings_module_reads_the_environment():
    readers = []
    for path in sorted([*REPO.glob("search/**/*.py"), *REPO.glob("web/**/*.py")]):
        text = path.read_text("utf-8")
        if re.search(r"os\.environ|os\.getenv|getenv\(", text) and path.name != "settings.py":
            readers.append(str(path.relative_to(REPO)))
    assert readers == []


def test_every_dari_variable_named_in_the_code_is_a_setting():
    known = {s.env for s in ENVIRONMENT}
    named = set()
    for path in [*REPO.glob("search/**/*.py"), *REPO.glob("web/**/*.py")]:
        named |= set(re.findall(r"\bDARI_[A-Z][A-Z_]+\b", path.read_text("utf-8")))
    assert named <= known, named - known


def test_unset_and_blank_variables_give_the_defaults():
    assert from_env({}) == Settings()
    assert from_env({"DARI_INDEX": "  ", "DARI_SEARCH_TIME_LIMIT": ""}) == Settings()


def test_variables_fill_their_settings():
    settings = from_env(
        {
            "DARI_INDEX": "/srv/dari/index",
            "DARI_DOCS": "/srv/dari/docs",
            "DARI_GLOSSARY": "mine.tsv",
            "DARI_SEARCH_TIME_LIMIT": "2.5",
            "DARI_ADMIN_TOKEN": "s3cret",
            "DARI_BUILD_PROCS": "3",
            "DARI_BENCH": "/data/bench",
        }
    )
    assert settings.index_dir == Path("/srv/dari/index")
    assert settings.docs_dir == Path("/srv/dari/docs")
    assert settings.glossary == Path("mine.tsv")
    assert settings.search_time_limit == 2.5
    assert settings.admin_token == "s3cret"
    assert settings.build_procs == 3
    assert settings.bench_dir == Path("/data/bench")


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DARI_SEARCH_TIME_LIMIT", "soon", "DARI_SEARCH_TIME_LIMIT (SEARCH_TIME_LIMIT) must be"),
        ("DARI_SEARCH_TIME_LIMIT", "0", "above 0 and at most 3600, not '0'"),
        ("DARI_SEARCH_TIME_LIMIT", "nan", "must be a number of seconds"),
        ("DARI_BUILD_PROCS", "two", "DARI_BUILD_PROCS must be a whole number from 1 to 256"),
        ("DARI_BUILD_PROCS", "0", "not '0'"),
        ("DARI_OPENSEARCH_URL", "localhost:9200", "must be an http:// or https:// URL"),
        ("DARI_OPENSEARCH_URL", "https://:9200", "must be an http:// or https:// URL"),
        ("DARI_OPENSEARCH_URL", "http://node:99999", "must be an http:// or https:// URL"),
        ("DARI_OPENSEARCH_URL", "https://admin:pw@node:9200", "set DARI_OPENSEARCH_USER and"),
        ("DARI_OPENSEARCH_URL", "https://node:9200/?pretty", "no query or fragment"),
        ("DARI_OPENSEARCH_URL", "https://a:9200,b:9200", "must be an http:// or https:// URL"),
        ("DARI_OPENSEARCH_INDEX_PREFIX", "Dari", "must be lower-case letters"),
        ("DARI_OPENSEARCH_INDEX_PREFIX", "_dari", "starting with a letter or digit"),
    ],
)
def test_an_unusable_value_is_a_config_error_naming_the_variable(name, value, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        from_env({name: value})


def test_an_unusable_variable_stops_the_cli_with_one_line(monkeypatch, capsys):
    monkeypatch.setenv("DARI_BUILD_PROCS", "many")
    assert main(["search", "quantum"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("dari: DARI_BUILD_PROCS must be") and err.count("\n") == 1


def test_dari_search_honours_dari_glossary(monkeypatch, capsys, seed_index, tmp_path):
    mine = tmp_path / "mine.tsv"
    mine.write_text("plaque\t명판\tterm\n", "utf-8")
    monkeypatch.setenv("DARI_GLOSSARY", str(mine))
    assert main(["search", "--index", str(seed_index), "--json", "명판"]) == 0
    assert json.loads(capsys.readouterr().out)["expansions"] == [{"from": "명판", "to": ["plaque"]}]


def test_ranking_settings_are_frozen_and_replace_merges_field_weights():
    ranking = RankingSettings()
    with pytest.raises(AttributeError):
        ranking.k1 = 2.0  # type: ignore[misc]
    changed = ranking.replace(k1=0.9, field_weights={"bigrams": 0.0})
    assert (changed.k1, changed.field_weights["bigrams"], changed.field_weights["text"]) == (
        0.9,
        0.0,
        1.0,
    )
    assert ranking.field_weights["bigrams"] == 0.5  # the original is unchanged


def test_two_engines_in_one_process_rank_with_their_own_settings(seed_index):
    plain = Engine(seed_index)
    no_titles = Engine(seed_index, ranking=RankingSettings(field_weights={"title": 0.0}))
    flat = Engine(seed_index, ranking=RankingSettings(b=0.0, k1=2.0))
    query = "quantum cooperation"
    scores = [
        [r.score for r in engine.search(query, per_page=5).results]
        for engine in (plain, no_titles, flat, plain)
    ]
    assert scores[0] == scores[3]  # the first engine is untouched by the others
    assert scores[1] != scores[0] and scores[2] != scores[0]


@pytest.mark.parametrize(("chosen", "expected"), [(None, "0"), ("50", "50")])
def test_kiwis_allocator_gives_freed_memory_back_at_once_unless_the_user_chose(chosen, expected):
    env = {k: v for k, v in os.environ.items() if k != "MIMALLOC_PURGE_DELAY"}
    if chosen is not None:
        env["MIMALLOC_PURGE_DELAY"] = chosen
    code = (
        "import os; from search.settings import keep_thread_memory_small; "
        "keep_thread_memory_small(); print(os.environ['MIMALLOC_PURGE_DELAY'])"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == expected


def test_a_cluster_is_set_by_its_url_user_password_ca_file_and_prefix():
    settings = from_env(
        {
            "DARI_OPENSEARCH_URL": " https://search.example.org:9200/ ",
            "DARI_OPENSEARCH_USER": "dari",
            "DARI_OPENSEARCH_PASSWORD": "s3cret",
            "DARI_OPENSEARCH_CA_FILE": "/etc/dari/ca.pem",
            "DARI_OPENSEARCH_INDEX_PREFIX": "press-2026",
        }
    )
    assert settings.opensearch_url == "https://search.example.org:9200"
    assert (settings.opensearch_user, settings.opensearch_password) == ("dari", "s3cret")
    assert settings.opensearch_ca_file == Path("/etc/dari/ca.pem")
    assert settings.opensearch_index_prefix == "press-2026"


def test_a_cluster_may_be_named_by_several_nodes():
    settings = from_env({"DARI_OPENSEARCH_URL": "https://a.example:9200/, https://b.example:9200"})
    assert settings.opensearch_url == "https://a.example:9200,https://b.example:9200"


def test_no_setting_shows_a_password_or_token():
    settings = from_env({"DARI_OPENSEARCH_PASSWORD": "s3cret-pw", "DARI_ADMIN_TOKEN": "t0ken-x"})
    assert "s3cret-pw" not in repr(settings) and "t0ken-x" not in repr(settings)
