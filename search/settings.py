"""Every setting of Dari, in one place: frozen dataclasses and one reader of the environment.

* :class:`RankingSettings` — how paragraphs are scored (BM25F and the
  ``match=any`` feedback pass); constructor arguments of an engine, like
  bm25s's, so two engines in one process can rank differently.
* :class:`AnalysisSettings` — what an index's terms are made of (the English
  stemmer); one per process, since an index's terms depend on it.
* :class:`Settings` — the rest: folders, the glossary, time limits, the admin
  token, build processes, the benchmark data.

:func:`from_env` is the only code that reads ``DARI_*`` environment variables
(and :func:`keep_thread_memory_small` the only one that sets the allocators' own);
:data:`ENVIRONMENT` lists them with their defaults (the README's settings table
is checked against it by a test).  A value that cannot be used raises
:class:`~search.errors.ConfigError` naming the variable.
"""

from __future__ import annotations

import ctypes
import dataclasses
import math
import os
import re
import sys
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from search.errors import ConfigError

__all__ = [
    "ENVIRONMENT",
    "AnalysisSettings",
    "EnvSetting",
    "RankingSettings",
    "Settings",
    "from_env",
    "keep_thread_memory_small",
    "parse_base_url",
    "parse_processes",
    "parse_time_limit",
]

#: How much a match in each field counts (a field's BM25 score is multiplied by
#: it before the fields are summed).  Tuned on the dev half of the benchmarks
#: (docs/quality.md): the title repeats in every paragraph of a document and is
#: often just its first sentence; the Hangul syllable pairs back up the morphemes,
#: and the pairs of Korean morphemes reward the query's words side by side.
DEFAULT_FIELD_WEIGHTS: Mapping[str, float] = MappingProxyType(
    {"title": 0.25, "text": 1.0, "bigrams": 0.5, "pairs": 1.0}
)

#: ``k1`` by field (:attr:`RankingSettings.field_k1`): a paragraph that holds a syllable
#: pair or a morpheme pair of the query once counts almost as much as one holding it
#: often (docs/quality.md).
DEFAULT_FIELD_K1: Mapping[str, float] = MappingProxyType({"bigrams": 0.3, "pairs": 0.3})

#: The values :attr:`RankingSettings.idf` and :attr:`RankingSettings.feedback_model` take.
IDF_KINDS = ("bm25", "whoosh")
FEEDBACK_MODELS = ("dari", "rm3")


@dataclass(frozen=True)
class RankingSettings:
    """How an engine scores paragraphs; the defaults are the product's (docs/quality.md)."""

    #: BM25's length normalisation (Whoosh's default; the dev grids found nothing better).
    b: float = 0.75
    #: BM25's term-frequency saturation (Whoosh's 1.2 before; 0.9 is better on both
    #: benchmarks' dev halves).
    k1: float = 0.9
    #: How much a word is worth by how many paragraphs hold it: "bm25"
    #: (``log(1 + (N - df + 0.5) / (df + 0.5))``, Robertson–Spärck Jones as Lucene has
    #: it) or "whoosh" (``log(N / (df + 1)) + 1``, Whoosh's BM25F, Dari's before: common
    #: words counted for more)
    idf: str = "bm25"
    #: ``b`` and ``k1`` of the fields listed here (the two above for the others)
    field_b: Mapping[str, float] = field(default_factory=dict)
    field_k1: Mapping[str, float] = field(default_factory=lambda: DEFAULT_FIELD_K1)
    #: A field's BM25 score is multiplied by its weight (1 for a field not listed).
    field_weights: Mapping[str, float] = field(default_factory=lambda: DEFAULT_FIELD_WEIGHTS)
    #: ``match=any`` feedback: paragraphs the feedback words come from …
    feedback_docs: int = 5
    #: … words added to the query at most …
    feedback_terms: int = 20
    #: … their weight together, relative to one query word …
    feedback_weight: float = 0.5
    #: … and how quickly a paragraph's say falls with its score below the best one's.
    feedback_temperature: float = 2.0
    #: How the feedback words are chosen: "dari" (a word's share: its frequency × its
    #: idf, a paragraph's say falling with its score below the best one's, as above) or
    #: "rm3" (Anserini's RM3: frequency × the paragraph's score, no idf, words held by
    #: more than a tenth of the paragraphs left out; measured worse, docs/quality.md)
    feedback_model: str = "dari"

    def __post_init__(self) -> None:
        # a private, read-only copy: a caller's dict changing later changes nothing here
        for name in ("field_weights", "field_b", "field_k1"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))
        if self.idf not in IDF_KINDS:
            raise ValueError(f"idf must be one of {', '.join(IDF_KINDS)}, not {self.idf!r}")
        if self.feedback_model not in FEEDBACK_MODELS:
            raise ValueError(
                f"feedback_model must be one of {', '.join(FEEDBACK_MODELS)},"
                f" not {self.feedback_model!r}"
            )

    def replace(self, **changes: Any) -> RankingSettings:
        """A copy with ``changes``; ``field_weights``, ``field_b`` and ``field_k1`` given
        here add to the current ones."""
        for name in ("field_weights", "field_b", "field_k1"):
            if name in changes:
                changes[name] = {**getattr(self, name), **changes[name]}
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class AnalysisSettings:
    """What an index's terms are made of; one per process (see :mod:`search.analysis.stemming`)."""

    #: PyStemmer's algorithm for English: Snowball's "english" (Porter2); "porter"
    #: measured no better on Cranfield (docs/quality.md).
    stemmer: str = "english"


@dataclass(frozen=True)
class Settings:
    """Dari's settings; :func:`from_env` fills them from ``DARI_*`` variables."""

    #: the index folder (``--index`` overrides)
    index_dir: Path = Path("index")
    #: the documents folder (``--docs`` overrides)
    docs_dir: Path = Path("seeds")
    #: a glossary TSV whose entries add to the shipped ones; None: the shipped one only
    glossary: Path | None = None
    #: seconds a search (with its facets and "did you mean") may take
    search_time_limit: float = 5.0
    #: the bearer token of the admin endpoints; None turns them off (never shown in a repr)
    admin_token: str | None = field(default=None, repr=False)
    #: processes building an index; None: one per core for a folder worth it
    build_procs: int | None = None
    #: processes of ``dari serve``; None: one per core, at most four
    serve_workers: int | None = None
    #: where people reach ``dari serve`` (``https://search.example.org``), so that
    #: ``dari search`` prints full result links; None: it prints file paths instead
    base_url: str | None = None
    #: the benchmark data of ``dari eval``; None: ``../shared/bench`` beside the checkout
    bench_dir: Path | None = None
    ranking: RankingSettings = field(default_factory=RankingSettings)
    analysis: AnalysisSettings = field(default_factory=AnalysisSettings)
    #: the OpenSearch cluster to search instead of the local index; None: the local index
    opensearch_url: str | None = None
    #: the cluster's user and password (HTTP basic authentication); the password is never shown
    opensearch_user: str | None = None
    opensearch_password: str | None = field(default=None, repr=False)
    #: a CA bundle for the cluster's TLS certificate; None: the system's (always verified)
    opensearch_ca_file: Path | None = None
    #: the start of the names of Dari's indexes and alias on the cluster
    opensearch_index_prefix: str = "dari"
    #: primary shards and replicas of each shard of an index Dari creates on the cluster
    opensearch_shards: int = 1
    opensearch_replicas: int = 1

    def replace(self, **changes: Any) -> Settings:
        """A copy with ``changes`` (values of None are ignored: "not given")."""
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})


# --- reading values ---------------------------------------------------------------------


def parse_time_limit(value: Any, name: str = "DARI_SEARCH_TIME_LIMIT") -> float:
    """A search time limit in seconds (0 < limit ≤ 3600), or :class:`ConfigError` naming ``name``."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = math.nan
    if not 0 < seconds <= 3600:  # also refuses NaN
        raise ConfigError(
            f"{name} must be a number of seconds above 0 and at most 3600, not {str(value)[:40]!r}."
        )
    return seconds


def parse_processes(value: Any, name: str = "DARI_BUILD_PROCS") -> int:
    """A number of processes (1–256), or :class:`ConfigError` naming ``name``."""
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= 256:
        raise ConfigError(f"{name} must be a whole number from 1 to 256, not {text[:40]!r}.")
    return int(text)


def parse_cluster_url(value: Any, name: str = "DARI_OPENSEARCH_URL") -> str:
    """An ``http(s)://host[:port][/path]`` URL of a cluster, or several separated by commas
    (nodes of one cluster: a request goes to another when one does not answer), or
    :class:`ConfigError` naming ``name``.  Credentials in a URL are refused: they belong in
    their own settings, which are never shown (a URL is printed in messages)."""
    urls = [u.strip() for u in str(value).split(",")]
    return ",".join(_parse_one_url(u, name) for u in urls)


def _parse_one_url(text: str, name: str) -> str:
    return _http_url(
        text,
        name,
        "https://search.example.org:9200",
        "set DARI_OPENSEARCH_USER and DARI_OPENSEARCH_PASSWORD instead.",
    )


def parse_base_url(value: Any, name: str = "DARI_BASE_URL") -> str:
    """The address of a Dari server, ``http(s)://host[:port][/path]`` (a trailing ``/``
    dropped), or :class:`ConfigError` naming ``name`` (``--base-url`` for the option)."""
    return _http_url(
        str(value).strip(), name, "https://search.example.org", "it is printed in links."
    )


def _http_url(text: str, name: str, example: str, no_user: str) -> str:
    """``text`` as an http(s) URL with a host, a valid port, no user, password, query or
    fragment (a trailing ``/`` dropped); else :class:`ConfigError` naming ``name``."""
    parts = urlsplit(text)
    try:
        port = parts.port  # raises ValueError for a port that is not a number in range
    except ValueError:
        port = -1
    if parts.scheme not in ("http", "https") or not parts.hostname or port == -1:
        raise ConfigError(
            f"{name} must be an http:// or https:// URL such as {example}, not {text[:80]!r}."
        )
    if parts.username is not None or parts.password is not None:
        raise ConfigError(f"{name} must not hold a user or password: {no_user}")
    if parts.query or parts.fragment:
        raise ConfigError(f"{name} must have no query or fragment (?…, #…).")
    return text.rstrip("/")


#: What OpenSearch accepts at the start of an index name, and Dari adds to it.
_INDEX_PREFIX_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,99}")


def parse_index_prefix(value: Any, name: str = "DARI_OPENSEARCH_INDEX_PREFIX") -> str:
    """The start of Dari's index names on a cluster: lower-case letters, digits, ``_`` and
    ``-``, starting with a letter or digit, at most 100 characters."""
    text = str(value).strip()
    if not _INDEX_PREFIX_RE.fullmatch(text):
        raise ConfigError(
            f"{name} must be lower-case letters, digits, '_' or '-', starting with a letter or "
            f"digit, at most 100 characters; not {text[:40]!r}."
        )
    return text


def parse_count(value: Any, name: str) -> int:
    """A whole number from 0 to 256, or :class:`ConfigError` naming ``name``."""
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or not 0 <= int(text) <= 256:
        raise ConfigError(f"{name} must be a whole number from 0 to 256, not {text[:40]!r}.")
    return int(text)


def _path(value: str, name: str) -> Path:
    return Path(value.strip())


def _token(value: str, name: str) -> str:
    return value


@dataclass(frozen=True)
class EnvSetting:
    """One ``DARI_*`` variable: which setting it fills, its default as shown, what it does."""

    env: str
    field: str
    default: str
    help: str
    parse: Callable[[str, str], Any]
    #: the key of the web app's ``config`` that overrides it, if any
    config_key: str | None = None

    @property
    def label(self) -> str:
        """How a message names it: the variable, and the app's config key if it has one."""
        return f"{self.env} ({self.config_key})" if self.config_key else self.env


#: Every environment variable Dari reads, in the order of the README's table.
ENVIRONMENT: tuple[EnvSetting, ...] = (
    EnvSetting("DARI_INDEX", "index_dir", "index", "the index folder", _path),
    EnvSetting("DARI_DOCS", "docs_dir", "seeds", "the documents folder", _path),
    EnvSetting(
        "DARI_GLOSSARY",
        "glossary",
        "(none)",
        "your glossary TSV, added to the shipped one",
        _path,
        "GLOSSARY",
    ),
    EnvSetting(
        "DARI_SEARCH_TIME_LIMIT",
        "search_time_limit",
        "5",
        "seconds a search may run before it answers with what it found",
        parse_time_limit,
        "SEARCH_TIME_LIMIT",
    ),
    EnvSetting(
        "DARI_ADMIN_TOKEN",
        "admin_token",
        "(none: uploads off)",
        "bearer token that turns on adding and removing documents over HTTP",
        _token,
        "ADMIN_TOKEN",
    ),
    EnvSetting(
        "DARI_BUILD_PROCS",
        "build_procs",
        "(one per core)",
        "processes that build an index (folders under 256 KB: one)",
        parse_processes,
    ),
    EnvSetting(
        "DARI_WORKERS",
        "serve_workers",
        "(one per core, at most 4)",
        "processes of `dari serve` answering requests (`--workers`)",
        parse_processes,
    ),
    EnvSetting(
        "DARI_BASE_URL",
        "base_url",
        "(none: file paths)",
        "the address of `dari serve` as people reach it: `dari search` prints full result "
        "links (`--base-url`)",
        parse_base_url,
    ),
    EnvSetting(
        "DARI_OPENSEARCH_URL",
        "opensearch_url",
        "(none: the local index)",
        "an OpenSearch cluster to index and search instead of the local index "
        "(`pip install 'dari[opensearch]'`)",
        parse_cluster_url,
    ),
    EnvSetting(
        "DARI_OPENSEARCH_USER",
        "opensearch_user",
        "(none)",
        "the cluster's user (HTTP basic authentication)",
        _token,
    ),
    EnvSetting(
        "DARI_OPENSEARCH_PASSWORD",
        "opensearch_password",
        "(none)",
        "that user's password (never shown in messages or logs)",
        _token,
    ),
    EnvSetting(
        "DARI_OPENSEARCH_CA_FILE",
        "opensearch_ca_file",
        "(the system's)",
        "a CA bundle for the cluster's TLS certificate (certificates are always verified)",
        _path,
    ),
    EnvSetting(
        "DARI_OPENSEARCH_INDEX_PREFIX",
        "opensearch_index_prefix",
        "dari",
        "the start of the names of Dari's indexes and alias on the cluster",
        parse_index_prefix,
    ),
    EnvSetting(
        "DARI_OPENSEARCH_SHARDS",
        "opensearch_shards",
        "1",
        "primary shards of the index a build creates on the cluster",
        parse_processes,
    ),
    EnvSetting(
        "DARI_OPENSEARCH_REPLICAS",
        "opensearch_replicas",
        "1",
        "replicas of each shard (0 on a one-node cluster)",
        parse_count,
    ),
    EnvSetting(
        "DARI_BENCH",
        "bench_dir",
        "../shared/bench",
        "the benchmark data of `dari eval` and `python -m bench`",
        _path,
    ),
)


def from_env(environ: Mapping[str, str] | None = None) -> Settings:
    """The settings, with every ``DARI_*`` variable that is set (and not blank) applied.

    Raises :class:`~search.errors.ConfigError` for a value that cannot be used.
    """
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for setting in ENVIRONMENT:
        raw = environ.get(setting.env, "")
        if raw.strip():
            values[setting.field] = setting.parse(raw, setting.label)
    return Settings(**values)


#: glibc's ``mallopt`` parameter for the number of malloc arenas.
_M_ARENA_MAX = -8


def keep_thread_memory_small() -> None:
    """Keep what each request thread adds to a worker's memory small; call before
    Kiwi is imported and before any thread starts.

    Two allocators keep memory per thread: Kiwi's (mimalloc, built into it) keeps
    the pages a thread freed for a while before giving them back, and glibc's
    malloc (numpy's arrays, the interpreter) gives each thread an arena of its
    own.  With eight request threads per worker both grow with the threads
    (``python -m bench.kiwi_load`` shows Kiwi's part; the server's memory in
    docs/performance.md).  A setting the user made in the environment is kept.
    """
    os.environ.setdefault("MIMALLOC_PURGE_DELAY", "0")  # read when Kiwi is loaded
    if sys.platform.startswith("linux") and "MALLOC_ARENA_MAX" not in os.environ:
        with suppress(OSError, AttributeError):  # not glibc (musl has no mallopt)
            ctypes.CDLL(None).mallopt(_M_ARENA_MAX, 1)
