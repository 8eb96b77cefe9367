"""The uploads page: a practice's ledger (a zip, or the CSV/Parquet table files themselves) or
835 files, ingested through the API's own upload handling (limits, safe unzip) and the
service's ingest functions; the result page lists every problem by file, row and column."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from api.bounds import FIRST_DATE, LAST_DATE
from api.deps import State, scoped_practice
from api.errors import ApiError
from api.routes.ingest import unzip_ledger, x12_upload_texts
from api.state import ServiceState
from api.uploads import save_stream
from api.web.pages import WebUser, render_page, require
from cbclassify.contract.errors import LedgerValidationError
from cbclassify.contract.schema import TABLES
from cbclassify.ledger_io.read import FORMATS
from cbclassify.service.ingest import (
    MergeBaseMissing,
    X12UploadError,
    ingest_835_texts,
    ingest_ledger_folder,
)
from cbclassify.store.audit import AuditActor
from cbclassify.store.cases import ActingUser
from cbclassify.store.ingest import BatchSummary
from cbclassify.store.models_auth import Practice
from cbclassify.workflow import Permission

router = APIRouter(include_in_schema=False)
DOING = "Uploading a ledger or 835 files"
#: The file names a ledger folder is read from (``payers.csv``, ``claim_lines.parquet``...).
TABLE_FILES = frozenset(f"{t}.{fmt}" for t in TABLES for fmt in FORMATS)


@dataclass(frozen=True)
class Problem:
    """One problem as the result page lists it: where (file, row, column) and what."""

    file: str
    row: int | str | None
    column: str | None
    message: str
    severity: str = "error"


@dataclass
class UploadResult:
    """What an upload did: the batch (None when nothing was ingested), every problem grouped
    by file (in file order), and notes (files not read, an 835 already ingested...)."""

    kind: str
    summary: BatchSummary | None = None
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    headline: str = ""
    row_label: str = "Row"
    column_label: str = "Column"

    @property
    def by_file(self) -> dict[str, list[Problem]]:
        """The problems per file, files in name order, each file's in row order."""
        groups: dict[str, list[Problem]] = {}
        for p in sorted(self.problems, key=lambda p: (p.file, _row_key(p.row), p.column or "")):
            groups.setdefault(p.file, []).append(p)
        return groups


def _row_key(row: int | str | None) -> tuple[int, str]:
    if isinstance(row, int):
        return (row, "")
    return (0, str(row or ""))


def _as_of(text: str) -> tuple[date | None, str | None]:
    """The optional as-of date of the form (a problem in words when it is not one)."""
    text = text.strip()
    if not text:
        return None, None
    try:
        value = date.fromisoformat(text)
    except ValueError:
        return None, "As-of date: use the date picker or YYYY-MM-DD."
    if not FIRST_DATE <= value <= LAST_DATE:
        return None, f"As-of date: from {FIRST_DATE} to {LAST_DATE}."
    return value, None


def _files(form: Any) -> list[UploadFile]:
    return [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]


def _actor(user: ActingUser) -> AuditActor:
    return AuditActor(user.user_id, user.username)


def _safe_name(upload: UploadFile) -> str:
    return Path(upload.filename or "upload").name[:200]


def _gather_ledger(
    state: ServiceState, uploads: list[UploadFile], tmp: Path, folder: Path
) -> list[str]:
    """Zips expanded and table files saved, all flat into ``folder`` (the API's limits and
    safe unzip); returns the names of files that are not ledger tables (listed on the result
    page as not read). Two files of one name are refused."""
    seen: set[str] = set()
    for index, upload in enumerate(uploads):
        name = _safe_name(upload)
        inner = tmp / f"part-{index}"
        inner.mkdir()
        if name.lower().endswith(".zip"):
            members = unzip_ledger(state, upload, tmp, inner, index)
        else:
            save_stream(upload.file, inner / name, state.config.max_upload_bytes, name)
            members = [inner / name]
        for member in members:
            if member.name in seen:
                detail = f"{member.name}: sent twice (two files of that name in the upload)"
                raise ApiError(422, "duplicate_file", detail, field="files")
            seen.add(member.name)
            member.rename(folder / member.name)
    return sorted(n for n in seen if n not in TABLE_FILES)


def _refused(err: ApiError, uploads: list[UploadFile]) -> Problem:
    """A refused upload (too large, bad zip, a name sent twice) as a problem of its file."""
    names = [_safe_name(u) for u in uploads]
    file = next((n for n in names if err.detail.startswith(f"{n}:")), None)
    if file is None:
        file = next((n for n in names if err.detail.startswith(n)), "upload")
    return Problem(file, None, None, err.detail)


def upload_ledger(
    state: ServiceState,
    user: ActingUser,
    practice: Practice,
    uploads: list[UploadFile],
    as_of: date | None,
) -> UploadResult:
    """Ingest a ledger upload; problems (validation issues, refused files) in the result."""
    result = UploadResult("ledger")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "ledger"
        folder.mkdir()
        try:
            ignored = _gather_ledger(state, uploads, Path(tmp), folder)
        except ApiError as err:
            result.problems.append(_refused(err, uploads))
            result.headline = "The upload was refused; nothing was ingested."
            return result
        result.notes += [
            f"{name}: not read (not a ledger table file; expected names such as payers.csv "
            "or claim_lines.parquet)"
            for name in ignored
        ]
        try:
            result.summary = ingest_ledger_folder(
                state.db, state.settings, practice.code, folder, state.models.current,
                _actor(user), as_of=as_of,
            )  # fmt: skip
        except LedgerValidationError as err:
            result.problems += [Problem(i.file, i.row, i.column, i.message) for i in err.issues]
            result.headline = (
                f"{len(err.issues):,} problem(s) in the ledger; nothing was ingested. "
                "Correct them and upload the ledger again."
            )
            return result
    state.metrics.ingested.labels("ledger").inc()
    result.headline = "The ledger was ingested."
    return result


def upload_remittances(
    state: ServiceState,
    user: ActingUser,
    practice: Practice,
    uploads: list[UploadFile],
    as_of: date | None,
) -> UploadResult:
    """Ingest 835 files (or zips of them) into the practice's latest ledger."""
    result = UploadResult("x12_835", row_label="Segment", column_label="Finding")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            texts = x12_upload_texts(state, uploads, Path(tmp))
        outcome = ingest_835_texts(
            state.db, state.settings, practice.code, texts, state.models.current, _actor(user),
            as_of=as_of,
        )  # fmt: skip
    except ApiError as err:
        result.problems.append(_refused(err, uploads))
        result.headline = "The upload was refused; nothing was ingested."
        return result
    except X12UploadError as err:
        result.problems += [_finding(f) for f in err.findings]
        result.headline = "No 835 remittance could be converted; nothing was ingested."
        return result
    except MergeBaseMissing:
        result.headline = (
            f"{practice.name} has no complete ledger to merge 835 remittances into. Upload "
            "the practice's ledger first (above), then these 835 files again. Nothing was "
            "ingested."
        )
        result.notes.append("835 files add postings to the practice's latest ledger.")
        return result
    result.summary = outcome.summary
    result.problems += [_finding(f) for f in outcome.findings]
    if outcome.already_ingested:
        result.headline = "These 835 files were ingested before; nothing was posted again."
    else:
        state.metrics.ingested.labels("x12_835").inc()
        result.headline = "The 835 files were ingested."
    return result


def _finding(f: dict[str, Any]) -> Problem:
    where = f.get("segment")
    st = f.get("st_control")
    message = str(f.get("message") or "")
    if st:
        message = f"{message} (transaction set {st})"
    return Problem(
        str(f.get("file") or "upload"),
        where if where not in ("", None) else None,
        f.get("code"),
        message,
        str(f.get("severity") or "error"),
    )


def _page(
    request: Request,
    state: ServiceState,
    user: ActingUser,
    practice: Practice,
    result: UploadResult | None = None,
    problem: str | None = None,
    status: int = 200,
) -> Response:
    return render_page(
        request,
        state,
        user,
        "uploads.html",
        {
            "title": f"Uploads · {practice.name}",
            "practice": practice,
            "result": result,
            "problem": problem,
            "max_mb": state.config.max_upload_bytes // (1024 * 1024),
        },
        status,
    )


@router.get("/practices/{code}/uploads")
def uploads_page(code: str, request: Request, state: State, user: WebUser) -> Response:
    """The upload forms (a ledger; 835 files)."""
    require(user, Permission.INGEST, DOING)
    practice = scoped_practice(state, user, code)
    return _page(request, state, user, practice)


@router.post("/practices/{code}/uploads/{kind}")
async def upload(code: str, kind: str, request: Request, state: State, user: WebUser) -> Response:
    """Ingest the upload and show the result (every problem, by file, row and column)."""
    require(user, Permission.INGEST, DOING)
    practice = scoped_practice(state, user, code)
    if kind not in ("ledger", "remittances"):
        return _page(request, state, user, practice, problem="Unknown upload.", status=404)
    form = await request.form()
    uploads = _files(form)
    as_of, date_problem = _as_of(str(form.get("as_of") or ""))
    if date_problem:
        return _page(request, state, user, practice, problem=date_problem, status=422)
    if not uploads:
        what = "the ledger (a zip or its table files)" if kind == "ledger" else "835 files"
        return _page(
            request, state, user, practice, problem=f"Choose {what} to upload.", status=422
        )
    run = upload_ledger if kind == "ledger" else upload_remittances
    result = await _in_thread(run, state, user, practice, uploads, as_of)
    status = 200 if result.summary is not None else 422
    return _page(request, state, user, practice, result=result, status=status)


async def _in_thread(run: Any, *args: Any) -> UploadResult:
    """Ingest off the event loop (it reads files and scores the ledger)."""
    result: UploadResult = await run_in_threadpool(run, *args)
    return result
