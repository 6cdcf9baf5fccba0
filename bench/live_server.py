"""A real ``dari serve`` on a free loopback port, for the benchmarks and the web tests.

    with start_server(index, docs, log_path, env={"DARI_ADMIN_TOKEN": token}) as server:
        status, body = server.request("GET", "/api/search?q=quantum")

:func:`start_server` starts ``dari serve`` as a subprocess (``python -m
search.cli serve`` by default, or the ``command`` given, such as
:func:`dari_command`) on ``127.0.0.1`` and a free port, its output in a log
file, and waits until ``/healthz`` (or another address) answers 200;
:meth:`LiveServer.stop` sends SIGTERM and kills the process if it has not
stopped in time (as does the end of a ``with`` block over the server).  Only
loopback addresses are used, and the standard library's ``http.client``
(no proxy settings apply).
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "HOST",
    "LiveServer",
    "dari_command",
    "free_port",
    "python_command",
    "start_server",
]

REPO = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"


def free_port(host: str = HOST) -> int:
    """A TCP port that nothing listens on now (the system's choice)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def python_command() -> list[str]:
    """``dari`` as this Python runs it: ``python -m search.cli``."""
    return [sys.executable, "-m", "search.cli"]


def dari_command() -> list[str]:
    """The ``dari`` script beside this Python (the virtualenv's), else :func:`python_command`."""
    exe = Path(sys.executable).with_name("dari")
    return [str(exe)] if exe.exists() else python_command()


@dataclass
class LiveServer:
    """A running ``dari serve`` subprocess; as a context manager, stopped at the end."""

    host: str
    port: int
    log_path: Path
    proc: subprocess.Popen[bytes]
    #: ``time.perf_counter()`` just before the process was started
    started: float
    #: how long :meth:`stop` waits after SIGTERM before it kills the process
    stop_timeout: float = 10.0

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``"""
        return f"http://{self.host}:{self.port}"

    def __enter__(self) -> LiveServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def log(self) -> str:
        """Everything the server has written (stdout and stderr) so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def request(
        self,
        method: str,
        path: str,
        headers: Mapping[str, str] | None = None,
        timeout: float = 60.0,
    ) -> tuple[int, bytes]:
        """(status, body) of one request on a connection of its own."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            conn.request(method, path, headers=dict(headers or {}))
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def upload(
        self, name: str, data: bytes, token: str, replace: bool = False, timeout: float = 60.0
    ) -> tuple[int, bytes]:
        """(status, body) of ``POST /api/docs`` with ``data`` as the file ``name``."""
        boundary = uuid.uuid4().hex
        body = (
            (
                f"--{boundary}\r\n"
                f'Content-Disposition: form-data; name="file"; filename="{name}"\r\n'
                "Content-Type: text/plain\r\n\r\n"
            ).encode()
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            conn.request(
                "POST",
                "/api/docs" + ("?replace=1" if replace else ""),
                body=body,
                headers={
                    "Content-Type": f"multipart/form-data; boundary={boundary}",
                    "Authorization": f"Bearer {token}",
                },
            )
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def wait_until_answers(
        self,
        path: str = "/healthz",
        timeout: float = 90.0,
        request_timeout: float = 2.0,
        interval: float = 0.2,
    ) -> float:
        """Ask ``GET path`` until it answers 200; the seconds since the process started.

        Raises :class:`RuntimeError` when the process exits first and
        :class:`TimeoutError` when ``timeout`` seconds after its start pass.
        """
        deadline = self.started + timeout
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                tail = self.log()[-2000:]
                raise RuntimeError(
                    f"dari serve exited early with code {self.proc.returncode}; "
                    f"the end of {self.log_path}:\n{tail}"
                )
            try:
                status, _ = self.request("GET", path, timeout=request_timeout)
                if status == 200:
                    return time.perf_counter() - self.started
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(interval)
        raise TimeoutError(f"dari serve did not answer {self.url}{path} within {timeout:g} s")

    def stop(self, timeout: float | None = None) -> None:
        """SIGTERM, then SIGKILL if it has not exited after ``timeout`` seconds
        (:attr:`stop_timeout` by default)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=self.stop_timeout if timeout is None else timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start_server(
    index: Path,
    docs: Path,
    log_path: Path,
    *,
    port: int | None = None,
    threads: int | None = None,
    workers: int | None = None,
    extra_args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    unset_env: Sequence[str] = (),
    command: Sequence[str] | None = None,
    wait_for: str | None = "/healthz",
    timeout: float = 90.0,
    stop_timeout: float = 10.0,
) -> LiveServer:
    """Start ``dari serve --index INDEX --docs DOCS`` on 127.0.0.1 and wait until it answers.

    ``port`` defaults to a free one, ``threads`` and ``workers`` to the server's own;
    ``extra_args`` are added to the command line.  The server's environment is
    this process's without ``unset_env``, with ``PYTHONUNBUFFERED=1`` and ``env``.
    ``command`` runs ``dari`` (:func:`python_command` by default).  With
    ``wait_for`` (an address), waits up to ``timeout`` seconds for it to answer
    200 (see :meth:`LiveServer.wait_until_answers`) and stops the server if it
    does not; with None, returns at once.  Use the server as a context manager,
    or call :meth:`LiveServer.stop` (which waits ``stop_timeout`` seconds).
    """
    port = port or free_port()
    environment = {**os.environ, "PYTHONUNBUFFERED": "1"}
    for name in unset_env:
        environment.pop(name, None)
    environment.update(env or {})
    args = [*(command or python_command()), "serve", "--host", HOST, "--port", str(port)]
    args += ["--index", str(index), "--docs", str(docs)]
    if threads is not None:
        args += ["--threads", str(threads)]
    if workers is not None:
        args += ["--workers", str(workers)]
    args += list(extra_args)
    with open(log_path, "wb") as log:
        started = time.perf_counter()
        proc = subprocess.Popen(
            args, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, env=environment
        )
    server = LiveServer(HOST, port, Path(log_path), proc, started, stop_timeout)
    if wait_for is not None:
        try:
            server.wait_until_answers(wait_for, timeout=timeout)
        except BaseException:
            server.stop()
            raise
    return server
