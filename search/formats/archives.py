"""Zip-based formats (DOCX, HWPX) opened with their unpacked size bounded.

A zip names the size of each member once unpacked; a zip bomb names huge sizes
(or lies).  :func:`open_zip` refuses a file whose members add up to more than
:data:`MAX_UNPACKED_BYTES`, are more than :data:`MAX_MEMBERS`, or pack more tightly
than :data:`MAX_RATIO` (text and XML pack 5-20 times; a bomb thousands of
times), before anything is unpacked.  :func:`read_member` also stops at the
stated size, so a member that lies about it cannot unpack further.
"""

from __future__ import annotations

import io
import zipfile

from search.errors import DocumentError
from search.messages import Message

__all__ = ["MAX_MEMBERS", "MAX_RATIO", "MAX_UNPACKED_BYTES", "open_zip", "read_member"]

#: What all members of one DOCX or HWPX file may unpack to, together.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
#: Members of one file at most.
MAX_MEMBERS = 10_000
#: How much more a member may unpack to than it takes packed (above 1 MB unpacked).
MAX_RATIO = 200


def open_zip(data: bytes, kind: str) -> zipfile.ZipFile:
    """The zip archive of a ``kind`` file (``"DOCX"``) after its sizes were checked."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise DocumentError(
            Message("not a readable %(kind)s file (damaged or not a zip archive)", kind=kind)
        ) from None
    if len(members) > MAX_MEMBERS:
        raise DocumentError(
            Message(
                "%(kind)s archive with %(parts)s parts: refused",
                kind=kind,
                parts=f"{len(members):,}",
            )
        )
    total = 0
    for member in members:
        if member.flag_bits & 0x1:
            raise DocumentError(
                Message("encrypted %(kind)s file (protected with a password)", kind=kind)
            )
        total += member.file_size
        if member.file_size > 1024 * 1024 and member.file_size > MAX_RATIO * max(
            member.compress_size, 1
        ):
            raise DocumentError(
                Message(
                    "%(kind)s archive part %(part)s unpacks %(unpacked)s bytes "
                    "from %(packed)s: refused as a zip bomb",
                    kind=kind,
                    part=repr(member.filename),
                    unpacked=f"{member.file_size:,}",
                    packed=f"{member.compress_size:,}",
                )
            )
    if total > MAX_UNPACKED_BYTES:
        mb = 1024 * 1024
        raise DocumentError(
            Message(
                "%(kind)s archive unpacks to %(size)s MB, over the limit of %(limit)s MB: refused",
                kind=kind,
                size=f"{total / mb:,.0f}",
                limit=MAX_UNPACKED_BYTES // mb,
            )
        )
    return archive


def read_member(archive: zipfile.ZipFile, name: str, kind: str) -> bytes:
    """One member's bytes, never more than its stated size (checked by :func:`open_zip`)."""
    try:
        info = archive.getinfo(name)
        with archive.open(info) as fh:
            data = fh.read(info.file_size + 1)
    except KeyError:
        raise DocumentError(
            Message("not a %(kind)s file (no %(name)s inside)", kind=kind, name=name)
        ) from None
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError) as exc:
        raise DocumentError(
            Message("damaged %(kind)s file (%(error)s)", kind=kind, error=str(exc))
        ) from None
    if len(data) > info.file_size:
        raise DocumentError(
            Message("damaged %(kind)s file (%(name)s is larger than it says)", kind=kind, name=name)
        )
    return data
