"""Fixtures for the web tests: one index of the seeds, the app over it, a live `dari serve`."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# pytest puts tests/ on sys.path (for tests/conftest.py), where this folder would
# be found as a namespace package called "web" before the editable install's
# finder is asked; with the repository first, `import web` is the real package.
if sys.path[:1] != [str(REPO)]:
    sys.path.insert(0, str(REPO))

from bench import live_server as live_server_module  # noqa: E402
from bench.live_server import LiveServer  # noqa: E402
from search.indexing import build_index  # noqa: E402
from web import create_app  # noqa: E402

SEEDS = REPO / "seeds"
ARTIFACTS = REPO / "tests" / "artifacts"


@pytest.fixture(scope="session")
def web_index(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("web-index")
    build_index(SEEDS, root)
    return root


@pytest.fixture(scope="session")
def app(web_index):
    # never the admin endpoints here, whatever DARI_ADMIN_TOKEN says: they would write to seeds/
    return create_app(web_index, SEEDS, config={"ADMIN_TOKEN": None})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def web_engine(app):
    return app.extensions["dari"].engine


def start_server(
    index: Path,
    log_path: Path,
    docs: Path = SEEDS,
    extra_args: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
    workers: int | None = None,
    command: list[str] | None = None,
) -> LiveServer:
    """Start `dari serve` (4 threads per worker, the default number of workers unless
    ``workers`` is given, no admin token unless ``env`` gives one; ``command`` runs
    ``dari``) on a free port and wait until /healthz answers."""
    return live_server_module.start_server(
        index,
        docs,
        log_path,
        threads=4,
        workers=workers,
        extra_args=extra_args,
        env=env,
        unset_env=("DARI_ADMIN_TOKEN",),
        command=command,
    )


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """A real `dari serve` subprocess that builds its own index of the seeds first."""
    folder = tmp_path_factory.mktemp("live")
    with start_server(folder / "index", folder / "serve.log") as server:
        yield server


@pytest.fixture
def server_on(tmp_path):
    """Start more `dari serve` processes over a given index; all are stopped afterwards."""
    started: list[LiveServer] = []

    def start(index: Path, **options) -> LiveServer:
        started.append(start_server(index, tmp_path / f"serve-{len(started)}.log", **options))
        return started[-1]

    yield start
    for server in started:
        server.stop()


# --- checking responses against /api/openapi.json ------------------------------------


@pytest.fixture
def matches_openapi(client):
    """``check(path, response, method="get")``: assert that a response matches its schema.

    Also checks the response headers that the description promises.
    """
    spec = client.get("/api/openapi.json").get_json()

    def check(path: str, response, method: str = "get") -> None:
        described = spec["paths"][path][method]["responses"][str(response.status_code)]
        schema = described["content"]["application/json"]["schema"]
        _check(spec, schema, response.get_json())
        for header in described.get("headers", {}):
            assert header in response.headers, f"{method} {path}: no {header} header"

    return check


def _resolve(spec, schema):
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _check(spec, schema, value, where="$"):
    """A small validator for the subset of JSON Schema that the description uses."""
    schema = _resolve(spec, schema)
    if value is None:
        assert schema.get("nullable"), f"{where} is null"
        return
    kind = schema.get("type")
    types = {"object": dict, "array": list, "string": str, "boolean": bool, "number": (int, float)}
    if kind == "integer":
        assert isinstance(value, int) and not isinstance(value, bool), where
    elif kind:
        assert isinstance(value, types[kind]), f"{where}: {value!r} is not {kind}"
    if "enum" in schema:
        assert value in schema["enum"], where
    if "minimum" in schema:
        assert value >= schema["minimum"], where
    if "maximum" in schema:
        assert value <= schema["maximum"], where
    if kind == "object":
        assert set(schema.get("required", [])) <= set(value), where
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            if key in props:
                _check(spec, props[key], item, f"{where}.{key}")
            else:
                assert extra is not False, f"{where}.{key} is not described"
                if isinstance(extra, dict):
                    _check(spec, extra, item, f"{where}.{key}")
    if kind == "array":
        for i, item in enumerate(value):
            _check(spec, schema["items"], item, f"{where}[{i}]")
