"""Safe handling of uploads: a request-size limit, streamed saving, and zip extraction that
refuses path tricks, too many members and zip bombs (the sizes a zip declares checked before
anything is written, then counted while inflating, per file and in total)."""

from __future__ import annotations

import hashlib
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import TOO_LARGE_FLAG, ApiError, too_large_detail

CHUNK = 1024 * 1024


class BodyTooLarge(Exception):
    """Raised inside the ASGI receive wrapper when a body passes the limit."""


class BodySizeLimit:
    """ASGI middleware: answer 413 to any request body above its limit (declared by
    Content-Length or counted while streaming), before it is spooled to disk or parsed: file
    uploads (``multipart/form-data``) ``max_bytes``, any other body (JSON, forms)
    ``max_other_bytes``."""

    def __init__(self, app: ASGIApp, max_bytes: int, max_other_bytes: int | None = None) -> None:
        self.app, self.max_upload_bytes = app, max_bytes
        self.max_other_bytes = max_bytes if max_other_bytes is None else max_other_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        upload = headers.get(b"content-type", b"").lower().startswith(b"multipart/form-data")
        limit = self.max_upload_bytes if upload else self.max_other_bytes
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(send, limit)
            return
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    scope[TOO_LARGE_FLAG] = limit
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await _too_large(send, limit)


async def _too_large(send: Send, limit: int) -> None:
    body = b'{"detail":"' + too_large_detail(limit).encode() + b'","code":"too_large"}'
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json")]})  # fmt: skip
    await send({"type": "http.response.body", "body": body})


def save_stream(source: BinaryIO, target: Path, limit: int, what: str) -> str:
    """Copy an uploaded file to ``target`` (at most ``limit`` bytes); returns its SHA-256."""
    digest = hashlib.sha256()
    written = 0
    with target.open("wb") as out:
        while chunk := source.read(CHUNK):
            written += len(chunk)
            if written > limit:
                raise ApiError(413, "too_large", f"{what} is larger than {limit} bytes", field=what)
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def _member_name(info: zipfile.ZipInfo, upload: str) -> str | None:
    """The file name a member is extracted to (None for folders and OS clutter)."""
    path = PurePosixPath(info.filename.replace("\\", "/"))
    if info.is_dir() or "__MACOSX" in path.parts or path.name.startswith("."):
        return None
    if path.is_absolute() or ".." in path.parts:
        raise _bad_zip(f"{upload}: member {info.filename!r} has an unsafe path")
    if info.flag_bits & 0x1:
        raise _bad_zip(f"{upload}: member {path.name!r} is encrypted")
    return path.name


def _bad_zip(detail: str) -> ApiError:
    return ApiError(422, "bad_zip", detail, field="file")


@dataclass
class _Caps:
    """The byte caps of one zip (each file, all files) and the bytes inflated so far."""

    upload: str
    per_file: int
    total: int
    written: int = 0

    def refuse(self, what: str, limit: int) -> ApiError:
        detail = f"{self.upload}: {what} more than {limit} bytes"
        return ApiError(413, "too_large", detail, field="file")

    def check_declared(self, members: list[tuple[zipfile.ZipInfo, str]]) -> None:
        """The sizes the zip declares (zipfile never inflates a file past its declared size)."""
        for info, name in members:
            if info.file_size > self.per_file:
                raise self.refuse(f"{name} unzips to", self.per_file)
        if sum(info.file_size for info, _ in members) > self.total:
            raise self.refuse("all files unzip to", self.total)

    def count(self, name: str, file_bytes: int, chunk_bytes: int) -> None:
        """The running cap: ``file_bytes`` of ``name`` inflated, ``chunk_bytes`` of them new."""
        self.written += chunk_bytes
        if file_bytes > self.per_file:
            raise self.refuse(f"{name} unzips to", self.per_file)
        if self.written > self.total:
            raise self.refuse("all files unzip to", self.total)


def _members(
    zf: zipfile.ZipFile, upload: str, max_members: int
) -> list[tuple[zipfile.ZipInfo, str]]:
    """The members to extract: safe paths, distinct names, at most ``max_members``."""
    named = [(info, _member_name(info, upload)) for info in zf.infolist()]
    members = [(info, name) for info, name in named if name]
    if len(members) > max_members:
        raise ApiError(413, "too_large", f"{upload}: more than {max_members} files", field="file")
    seen: set[str] = set()
    for _, name in members:
        if name in seen:
            raise _bad_zip(f"{upload}: two files named {name!r}")
        seen.add(name)
    return members


def _inflate(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, target: Path, caps: _Caps
) -> None:
    file_bytes = 0
    with zf.open(info) as source, target.open("wb") as out:
        while chunk := source.read(CHUNK):
            file_bytes += len(chunk)
            caps.count(name, file_bytes, len(chunk))
            out.write(chunk)


def extract_zip(
    archive: Path,
    out_dir: Path,
    *,
    upload: str,
    max_members: int,
    max_total: int,
    max_member: int | None = None,
) -> list[Path]:
    """Extract a zip's files flat into ``out_dir`` (folders inside the zip are ignored).

    Refuses unsafe paths, encrypted members, duplicate names and more than ``max_members``
    files (422/413), and more than ``max_member`` bytes in one file (default ``max_total``) or
    ``max_total`` in all (413): first by the sizes the zip declares, before anything is written,
    then counting while inflating. Nothing is left in ``out_dir`` when it refuses."""
    per_file = max_total if max_member is None else min(max_member, max_total)
    caps = _Caps(upload, per_file, max_total)
    if not zipfile.is_zipfile(archive):
        raise _bad_zip(f"{upload}: not a zip archive")
    paths: list[Path] = []
    try:
        with zipfile.ZipFile(archive) as zf:
            members = _members(zf, upload, max_members)
            caps.check_declared(members)
            for info, name in members:
                paths.append(out_dir / name)
                _inflate(zf, info, name, paths[-1], caps)
    except ApiError:
        _remove(paths)
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,
        EOFError,
        zlib.error,
    ) as err:
        _remove(paths)
        raise _bad_zip(f"{upload}: unreadable zip ({err})") from err
    return paths


def _remove(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def decode_text(data: bytes) -> str:
    """Upload text: UTF-8 (with or without BOM), else Latin-1 (X12 is ASCII)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")
