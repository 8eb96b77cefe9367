"""Upload a practice's ledger (zip of its CSV/Parquet files) or an 835 batch; list batches."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Response, UploadFile
from pydantic import BaseModel
from starlette.datastructures import UploadFile as AnyUpload

from api.bounds import BoundedDate
from api.deps import CaseLister, Ingester, PracticeCode, State, scoped_practice
from api.errors import ApiError
from api.state import ServiceState
from api.uploads import decode_text, extract_zip, save_stream
from cbclassify.service.ingest import (
    MergeBaseMissing,
    X12UploadError,
    ingest_835_texts,
    ingest_ledger_folder,
)
from cbclassify.store.audit import AuditActor
from cbclassify.store.base import as_utc
from cbclassify.store.batches import list_batches
from cbclassify.store.ingest import BatchSummary

router = APIRouter(tags=["ingest"])


class BatchOut(BaseModel):
    batch_id: int
    as_of: date
    credits: int
    new_cases: int
    updated_cases: int
    cleared_cases: int
    duplicate_of: int | None
    already_ingested: bool = False
    findings: list[dict[str, Any]] = []


class BatchRow(BaseModel):
    id: int
    kind: str
    as_of: date
    created_at: datetime
    credits: int
    new_cases: int
    cleared_cases: int
    duplicate_of: int | None


def _out(summary: BatchSummary, **extra: Any) -> BatchOut:
    return BatchOut(
        batch_id=summary.batch_id,
        as_of=summary.as_of,
        credits=summary.n_credits,
        new_cases=summary.n_new,
        updated_cases=summary.n_updated,
        cleared_cases=summary.n_cleared,
        duplicate_of=summary.duplicate_of,
        **extra,
    )


def _upload_name(upload: AnyUpload) -> str:
    return Path(upload.filename or "upload").name[:200]


@router.post(
    "/practices/{code}/ledgers",
    response_model=BatchOut,
    status_code=201,
    summary="Ingest a ledger (zip of CSV or Parquet files)",
)
def ingest_ledger(
    code: PracticeCode,
    state: State,
    user: Ingester,
    file: Annotated[UploadFile, File(description="zip of payers, patients, claim_lines, ...")],
    as_of: Annotated[BoundedDate | None, Form()] = None,
) -> BatchOut:
    """Validate the ledger (problems answered 422, each naming file, row and column), find
    every credit balance, classify, verify, and store them as cases."""
    scoped_practice(state, user, code)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "ledger"
        folder.mkdir()
        unzip_ledger(state, file, Path(tmp), folder)
        summary = ingest_ledger_folder(
            state.db, state.settings, code, folder, state.models.current, _actor(user), as_of=as_of
        )
    state.metrics.ingested.labels("ledger").inc()
    return _out(summary)


def unzip_ledger(
    state: ServiceState, upload: AnyUpload, tmp: Path, folder: Path, index: int = 0
) -> list[Path]:
    """Save an uploaded ledger zip under ``tmp`` and extract its files flat into ``folder``
    (the upload limits; 413/422 ``ApiError`` naming the upload). Returns the files."""
    archive = tmp / f"upload-{index}.zip"
    save_stream(upload.file, archive, state.config.max_upload_bytes, "file")
    return extract_zip(
        archive,
        folder,
        upload=_upload_name(upload),
        max_members=state.config.max_zip_members,
        max_total=state.config.max_unzipped_bytes,
    )


def x12_upload_texts(
    state: ServiceState, uploads: Sequence[AnyUpload], tmp: Path
) -> list[tuple[str, str]]:
    """(name, text) of every 835 in the upload; zips are expanded. All the 835 text of one
    upload (plain files and zip members) is capped by ``max_x12_bytes`` (413 naming the file
    and the limit): zips by their declared sizes before inflating, then by the running count."""
    config = state.config
    budget = config.max_x12_bytes  # what the files not yet read may still hold
    files: list[tuple[str, str]] = []
    for index, upload in enumerate(uploads):
        name = _upload_name(upload)
        saved = tmp / f"{index}.bin"
        if name.lower().endswith(".zip"):
            save_stream(upload.file, saved, config.max_upload_bytes, "files")
            inner = tmp / f"{index}.d"
            inner.mkdir()
            try:
                members = extract_zip(
                    saved,
                    inner,
                    upload=name,
                    max_members=config.max_zip_members,
                    max_total=min(config.max_unzipped_bytes, budget),
                )
            except ApiError as err:
                err.field = "files"  # the form field of this upload
                raise
            budget -= sum(m.stat().st_size for m in members)
            files += [(f"{name}/{m.name}", decode_text(m.read_bytes())) for m in sorted(members)]
        else:
            try:
                save_stream(upload.file, saved, min(config.max_upload_bytes, budget), "files")
            except ApiError as err:
                if budget >= config.max_upload_bytes:
                    raise
                detail = f"{name}: 835 files of more than {config.max_x12_bytes} bytes in all"
                raise ApiError(413, "too_large", detail, field="files") from err
            budget -= saved.stat().st_size
            files.append((name, decode_text(saved.read_bytes())))
    return files


@router.post(
    "/practices/{code}/remittances",
    response_model=BatchOut,
    status_code=201,
    summary="Ingest an X12 835 batch",
)
def ingest_835(
    code: PracticeCode,
    state: State,
    user: Ingester,
    files: Annotated[list[UploadFile], File(description="835 files, or zips of them")],
    response: Response,
    as_of: Annotated[BoundedDate | None, Form()] = None,
) -> BatchOut:
    """Convert the 835s, merge them into the practice's latest ledger and store the credits.
    Findings (file, segment) come back with the batch; an upload with nothing convertible is
    answered 422; the same 835 content is never posted twice."""
    scoped_practice(state, user, code)
    if not files:
        raise ApiError(422, "invalid_request", "files: send at least one 835 file", field="files")
    with tempfile.TemporaryDirectory() as tmp:
        texts = x12_upload_texts(state, files, Path(tmp))
    try:
        outcome = ingest_835_texts(
            state.db, state.settings, code, texts, state.models.current, _actor(user), as_of=as_of
        )
    except X12UploadError as err:
        raise ApiError(422, "invalid_835", str(err), field="files", issues=err.findings) from err
    except MergeBaseMissing as err:
        raise ApiError(409, "merge_base_missing", str(err)) from err
    assert outcome.summary is not None
    if outcome.already_ingested:
        response.status_code = 200
    else:
        state.metrics.ingested.labels("x12_835").inc()
    return _out(
        outcome.summary, already_ingested=outcome.already_ingested, findings=outcome.findings
    )


@router.get("/practices/{code}/batches", response_model=list[BatchRow], summary="Ingests")
def batches(code: PracticeCode, state: State, user: CaseLister) -> list[BatchRow]:
    """The practice's most recent ingests, newest first."""
    practice = scoped_practice(state, user, code)
    with state.db.read_session() as session:
        found = list_batches(session, practice.id)
    return [
        BatchRow(
            id=b.id,
            kind=b.kind,
            as_of=b.as_of,
            created_at=as_utc(b.created_at),
            credits=b.n_credits,
            new_cases=b.n_new_cases,
            cleared_cases=b.n_cleared,
            duplicate_of=b.duplicate_of_id,
        )
        for b in found
    ]


def _actor(user: Any) -> AuditActor:
    return AuditActor(user.user_id, user.username)
