"""Safe handling of uploads: a request-size limit, streamed saving, and zip extraction that
refuses path tricks, too many members and zip bombs (sizes counted while extracting)."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import TOO_LARGE_FLAG, ApiError, too_large_detail

CHUNK = 1024 * 1024


class BodyTooLarge(Exception):
    """Raised inside the ASGI receive wrapper when a body passes the limit."""


class BodySizeLimit:
    """ASGI middleware: answer 413 to any request body above ``max_bytes`` (declared by
    Content-Length or counted while streaming), before it is spooled to disk."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await _too_large(send, self.max_bytes)
            return
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    scope[TOO_LARGE_FLAG] = self.max_bytes
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
                await _too_large(send, self.max_bytes)


async def _too_large(send: Send, limit: int) -> None:
    body = b'{"detail":"' + too_large_detail(limit).encode() + b'","code":"too_large"}'
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json")],
        }
    )
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
        raise ApiError(
            422, "bad_zip", f"{upload}: member {info.filename!r} has an unsafe path", field="file"
        )
    return path.name


def extract_zip(
    archive: Path, out_dir: Path, *, upload: str, max_members: int, max_total: int
) -> list[Path]:
    """Extract a zip's files flat into ``out_dir`` (folders inside the zip are ignored);
    refuses duplicates by name, too many members and more than ``max_total`` bytes."""
    if not zipfile.is_zipfile(archive):
        raise ApiError(422, "bad_zip", f"{upload}: not a zip archive", field="file")
    written, paths = 0, []
    try:
        with zipfile.ZipFile(archive) as zf:
            members = [(i, _member_name(i, upload)) for i in zf.infolist()]
            members = [(i, n) for i, n in members if n]
            if len(members) > max_members:
                raise ApiError(
                    413, "too_large", f"{upload}: more than {max_members} files", field="file"
                )
            for info, name in members:
                target = out_dir / name
                if target.exists():
                    raise ApiError(
                        422, "bad_zip", f"{upload}: two files named {name!r}", field="file"
                    )
                with zf.open(info) as src, target.open("wb") as out:
                    while chunk := src.read(CHUNK):
                        written += len(chunk)
                        if written > max_total:
                            raise ApiError(
                                413,
                                "too_large",
                                f"{upload}: unzips to more than {max_total} bytes",
                                field="file",
                            )
                        out.write(chunk)
                paths.append(target)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as err:
        raise ApiError(422, "bad_zip", f"{upload}: unreadable zip ({err})", field="file") from err
    return paths


def decode_text(data: bytes) -> str:
    """Upload text: UTF-8 (with or without BOM), else Latin-1 (X12 is ASCII)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")
