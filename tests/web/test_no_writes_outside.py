"""No request writes outside the index and documents folders (nor reads outside them).

The folders live in a scratch tree with a file and a folder beside them and a
symlink from the documents folder to the file outside.  The whole tree (names,
kinds, sizes, times, link targets and the bytes of every file) and the listing
of the folder above it are taken before and after a battery of hostile
requests -- traversal names in uploads and removals, ``/doc/..%2f..``,
``/api/docs/..%2Fetc``, raw ``../`` paths, very long paths -- sent with the
admin token, a wrong one and none, to the app in-process and to a real
``dari serve``.  Only the index folder may change (and it does not need to).
"""

from __future__ import annotations

import hashlib
import http.client
import io
import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from search.indexing import build_index
from web import create_app

REPO = Path(__file__).resolve().parents[2]
TOKEN = "hostile-battery-admin-token-42"
OUTSIDE_TEXT = b"root:x:0:0:outside the documents folder\n"
#: The CSRF token in each form of the upload page.
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')

TRAVERSAL_NAMES = [
    "../escape.txt",
    "../../escape.txt",
    "../../../../../../tmp/escape.txt",
    "/tmp/escape.txt",
    "..\\escape.txt",
    "..\\..\\escape.txt",
    "%2e%2e%2fescape.txt",
    "..%2fescape.txt",
    "docs/../../escape.txt",
    "a/../../escape.txt",
    "....//escape.txt",
    "./../escape.txt",
    "escape.txt/..",
    "..",
    ".",
    "",
    "\x00../escape.txt",
    "escape.txt\x00.png",
    "link.txt",  # a symlink in the folder to the file outside
    "../outside.txt",
    "outside/../../escape.txt",
    "…/escape.txt",
    "\u2025/escape.txt",  # TWO DOT LEADER
    "\uff0e\uff0e/escape.txt",  # fullwidth dots
    "..\u2215escape.txt",  # DIVISION SLASH
    "x" * 5000 + ".txt",
]
REMOVALS = [
    "..%2Foutside",
    "..%2F..%2Fescape",
    "%2e%2e%2foutside",
    "..",
    "%2e%2e",
    "..%5Coutside",
    "%2Ftmp%2Fescape",
    "..%252Foutside",
    "outside%00",
    "a" * 5000,
]
READS = [
    "/doc/..%2f..%2fetc%2fpasswd",
    "/doc/..%2F..%2Foutside",
    "/doc/../../outside",
    "/doc/%2e%2e/%2e%2e/outside",
    "/api/docs/..%2Fetc",
    "/api/docs/..%2F..%2Fetc%2Fpasswd",
    "/api/docs/../../outside",
    "/api/docs/%2e%2e%2foutside",
    "/static/..%2f..%2fweb%2fapp.py",
    "/static/../../web/app.py",
    "/static/%2e%2e/%2e%2e/etc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/../../../../etc/passwd",
    "//etc/passwd",
    "/doc/" + "../" * 3000 + "etc/passwd",
    "/api/docs/" + "..%2F" * 3000 + "etc",
    "/api/search?q=doc:../../outside",
    "/api/search?q=quantum&doc=..%2F..%2Foutside",
    "/search?q=quantum&doc=../../outside",
    "/upload?file=../../escape.txt",
]


def snapshot(folder: Path, skip: Path) -> dict[str, tuple]:
    """Every entry under ``folder`` except inside ``skip``, with what would show a change."""
    seen: dict[str, tuple] = {}
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        here = Path(dirpath)
        if here == skip or skip in here.parents:
            dirnames[:] = []
            continue
        for name in dirnames + filenames:
            path = here / name
            info = path.lstat()
            rel = str(path.relative_to(folder))
            if path.is_symlink():
                seen[rel] = ("link", os.readlink(path))
            elif path.is_dir():
                seen[rel] = ("dir", info.st_mode)
            else:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                seen[rel] = ("file", info.st_size, info.st_mtime_ns, info.st_mode, digest)
    return seen


def listing(folder: Path) -> dict[str, tuple]:
    """The folder's own entries (not recursive): names, sizes and times."""
    return {
        entry.name: (entry.stat(follow_symlinks=False).st_size, entry.stat().st_mtime_ns)
        for entry in os.scandir(folder)
    }


@pytest.fixture
def scene(tmp_path):
    """scratch/{docs,index,outside.txt,beside/} with docs/link.txt -> ../outside.txt."""
    root = tmp_path / "around" / "scratch"  # "around" holds nothing else: its listing is checked
    shutil.copytree(REPO / "seeds", root / "docs")
    for path in (root / "docs").iterdir():
        path.chmod(0o644)
    (root / "outside.txt").write_bytes(OUTSIDE_TEXT)
    (root / "beside").mkdir()
    (root / "beside" / "keep.txt").write_text("beside the folders", "utf-8")
    os.symlink(root / "outside.txt", root / "docs" / "link.txt")
    build_index(root / "docs", root / "index")
    return root


class Battery:
    """Sends the hostile requests through one transport and collects (what, status)."""

    def __init__(self):
        self.answers: list[tuple[str, int, bytes]] = []

    def record(self, what: str, status: int, body: bytes) -> None:
        self.answers.append((what, status, body))

    def run(self, get, post_file, post_form, delete) -> None:
        # the right token first: ten wrong ones block the address for a minute
        auth_variants = {
            "token": {"Authorization": f"Bearer {TOKEN}"},
            "none": {},
            "wrong": {"Authorization": "Bearer nope"},
        }
        # signed in on the upload page, so that the forms are refused for what they send only
        status, body = post_form("/upload/sign-in", {"token": TOKEN}, None)
        assert status in (200, 303), (status, body[:300])
        for name in TRAVERSAL_NAMES:
            status, body = post_form("/upload", {"replace": "1"}, name)
            self.record(f"form upload {name[:40]!r}", status, body)
        for doc_id in ["../outside", "..", "/tmp/escape", "..\\outside", "%2e%2e%2foutside"]:
            status, body = post_form("/upload/remove", {"doc_id": doc_id}, None)
            self.record(f"form remove {doc_id}", status, body)
        for target in READS:
            status, body = get(target)
            self.record(f"read {target[:60]}", status, body)
        status, body = post_file("/api/reindex", None, auth_variants["token"])
        self.record("reindex", status, body)
        for label, headers in auth_variants.items():
            for name in TRAVERSAL_NAMES:
                for replace in ("", "?replace=1"):
                    status, body = post_file("/api/docs" + replace, name, headers)
                    self.record(f"{label} upload {name[:40]!r}{replace}", status, body)
            for doc_id in REMOVALS:
                status, body = delete(f"/api/docs/{doc_id}", headers)
                self.record(f"{label} delete {doc_id[:40]}", status, body)

    def check(self) -> None:
        for what, status, body in self.answers:
            assert status < 500, (what, status, body[:300])
            if what.startswith("form"):  # signed in, with the form's CSRF token
                assert status != 401 and b"Form not accepted" not in body, (what, body[:300])
            assert OUTSIDE_TEXT not in body, what
            assert b"root:x:0:0" not in body, what
            assert b"def create_app" not in body, what  # no source file served
        by_status = {status for _, status, _ in self.answers}
        assert by_status <= {200, 400, 401, 403, 404, 405, 409, 413, 414, 429}, by_status


def test_hostile_requests_to_the_app_write_nothing_outside(scene):
    before, around = snapshot(scene, scene / "index"), listing(scene.parent)
    app = create_app(scene / "index", scene / "docs", config={"ADMIN_TOKEN": TOKEN})
    client = app.test_client()

    def get(target):
        response = client.get(target)
        return response.status_code, response.get_data()

    def post_file(url, name, headers):
        if name is None:
            response = client.post(url, headers=headers)
        else:
            data = {"file": (io.BytesIO(b"Escaped text that must stay out."), name)}
            response = client.post(url, data=data, headers=headers)
        return response.status_code, response.get_data()

    def post_form(url, fields, name):
        page = client.get("/upload").get_data(as_text=True)
        data = {**fields, "csrf_token": CSRF_FIELD.search(page).group(1)}
        if name is not None:
            data["file"] = (io.BytesIO(b"Escaped text that must stay out."), name)
        response = client.post(url, data=data)
        return response.status_code, response.get_data()

    def delete(url, headers):
        response = client.delete(url, headers=headers)
        return response.status_code, response.get_data()

    battery = Battery()
    battery.run(get, post_file, post_form, delete)
    battery.check()
    assert snapshot(scene, scene / "index") == before
    assert listing(scene.parent) == around
    # removing the symlinked document takes the link away, never the file it points to
    # (a fresh app: the battery's wrong tokens have blocked this address for a minute)
    fresh = create_app(scene / "index", scene / "docs", config={"ADMIN_TOKEN": TOKEN})
    removed = fresh.test_client().delete(
        "/api/docs/link", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert removed.status_code == 200
    assert not (scene / "docs" / "link.txt").exists()
    assert (scene / "outside.txt").read_bytes() == OUTSIDE_TEXT


def test_hostile_requests_through_waitress_write_nothing_outside(scene, server_on):
    before, around = snapshot(scene, scene / "index"), listing(scene.parent)
    seeds_before = snapshot(REPO / "seeds", REPO / "seeds" / "nothing")
    server = server_on(scene / "index", docs=scene / "docs", env={"DARI_ADMIN_TOKEN": TOKEN})
    parts = urlsplit(server.url)
    session = requests.Session()

    def get(target):
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        try:
            conn.putrequest("GET", target, skip_accept_encoding=True)  # sent as it is
            conn.endheaders()
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def post_file(url, name, headers):
        files = None if name is None else {"file": (name, b"Escaped text that must stay out.")}
        response = session.post(server.url + url, files=files, headers=headers, timeout=60)
        return response.status_code, response.content

    def post_form(url, fields, name):
        page = session.get(server.url + "/upload", timeout=60).text
        data = {**fields, "csrf_token": CSRF_FIELD.search(page).group(1)}
        files = None if name is None else {"file": (name, b"Escaped text that must stay out.")}
        response = session.post(server.url + url, data=data, files=files, timeout=60)
        return response.status_code, response.content

    def delete(url, headers):
        response = session.delete(server.url + url, headers=headers, timeout=60)
        return response.status_code, response.content

    battery = Battery()
    battery.run(get, post_file, post_form, delete)
    battery.check()
    assert snapshot(scene, scene / "index") == before
    assert listing(scene.parent) == around
    assert snapshot(REPO / "seeds", REPO / "seeds" / "nothing") == seeds_before
    assert TOKEN not in server.log()
