"""Connecting to the cluster named by the settings (``DARI_OPENSEARCH_URL`` and the rest)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from search.errors import ConfigError, Unavailable
from search.settings import Settings

__all__ = ["ClusterUnavailable", "cluster_errors", "connect", "index_names", "live_index"]


class ClusterUnavailable(Unavailable):
    """The cluster did not answer (down, unreachable, or refusing Dari's requests)."""


def connect(settings: Settings, timeout: float = 10.0) -> Any:
    """An ``opensearchpy.OpenSearch`` client for ``settings.opensearch_url``.

    Several URLs (separated by commas) are nodes of one cluster: requests take
    turns, and one that a node does not answer goes to another.  TLS
    certificates are always verified (against ``opensearch_ca_file`` if set);
    the password goes only to the client, never into a message.  Raises
    :class:`ConfigError` when no cluster is set or ``opensearch-py`` is missing.
    """
    if not settings.opensearch_url:
        raise ConfigError("No cluster is set: DARI_OPENSEARCH_URL is empty.")
    try:
        from opensearchpy import OpenSearch
    except ImportError:
        raise ConfigError(
            "DARI_OPENSEARCH_URL is set but the OpenSearch client is not installed: "
            "pip install 'dari[opensearch]'."
        ) from None
    options: dict[str, Any] = {
        "hosts": settings.opensearch_url.split(","),  # several: the nodes take turns
        "verify_certs": True,
        "ssl_show_warn": True,
        "timeout": timeout,
        "max_retries": 2,
        "retry_on_timeout": True,
    }
    if settings.opensearch_ca_file is not None:
        options["ca_certs"] = str(settings.opensearch_ca_file)
    if settings.opensearch_user is not None:
        options["http_auth"] = (settings.opensearch_user, settings.opensearch_password or "")
    return OpenSearch(**options)


def index_names(settings: Settings) -> tuple[str, str]:
    """The alias searches go through, and the start of the name of each index behind it
    (a full rebuild writes a new index and moves the alias to it)."""
    prefix = settings.opensearch_index_prefix
    return f"{prefix}-paragraphs", f"{prefix}-paragraphs-"


def live_index(client: Any, alias: str) -> str:
    """The index behind ``alias``: a build moves it in one step, so there is one; should
    someone have put more behind it, the newest build (names end with their time)."""
    return sorted(client.indices.get_alias(name=alias))[-1]


@contextmanager
def cluster_errors(url: str | None) -> Iterator[None]:
    """Turn the client's errors into :class:`ClusterUnavailable` with a message for people:
    the cluster at ``url`` does not answer, refuses Dari's credentials, has no index yet,
    or answers with an error.  Other errors pass through."""
    try:
        yield
    except Exception as exc:
        from opensearchpy import exceptions as client_errors

        where = f"The search cluster at {url}"
        if isinstance(exc, (client_errors.ConnectionError, client_errors.ConnectionTimeout)):
            raise ClusterUnavailable(f"{where} does not answer; try again later.") from exc
        if isinstance(
            exc, (client_errors.AuthenticationException, client_errors.AuthorizationException)
        ):
            raise ClusterUnavailable(
                f"{where} refused Dari's credentials (DARI_OPENSEARCH_USER, "
                "DARI_OPENSEARCH_PASSWORD)."
            ) from exc
        if isinstance(exc, client_errors.NotFoundError):
            raise ClusterUnavailable(
                f"{where} holds no Dari index yet: build one with `dari index`."
            ) from exc
        if isinstance(exc, client_errors.TransportError):
            raise ClusterUnavailable(
                f"{where} answered with an error ({exc.status_code} {exc.error})."
            ) from exc
        raise
