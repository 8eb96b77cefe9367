"""Practice reports, labelled resolutions for retraining, de-identified outcomes, the audit trail."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from api.bounds import MAX_SEARCH, BoundedDate, Offset, QueryId
from api.deps import (
    AuditReader,
    FeatureReader,
    PracticeCode,
    ReportReader,
    ResolutionExporter,
    State,
    scoped_practice,
)
from api.errors import ApiError
from cbclassify.service.as_of import practice_as_of
from cbclassify.service.exports import write_audit_csv, write_resolutions_csv
from cbclassify.store.accounts import practice_codes
from cbclassify.store.audit import AuditActor, append_audit
from cbclassify.store.audit_queries import (
    AUDIT_KINDS,
    AuditQuery,
    audit_events,
    audit_page,
    case_ids_of_claim,
    sees_global_events,
)
from cbclassify.store.case_queries import practice_cases, practice_summary, resolutions_frame
from cbclassify.store.cases import get_case

router = APIRouter(tags=["reports"])
AuditKind = Literal[tuple(AUDIT_KINDS)]  # type: ignore[valid-type]  # the store's kinds
KindQuery = Annotated[
    AuditKind | None,  # type: ignore[valid-type]  # see AuditKind
    Query(description="a kind of action"),
]
#: The ``claim_id`` query parameter of the audit reads (the web audit page's claim filter).
ClaimQuery = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=MAX_SEARCH,
        description="the claim number (exact): the trail of its cases in your practices",
    ),
]


def _csv(text: str, filename: str) -> StreamingResponse:
    return StreamingResponse(
        iter([text]),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/practices/{code}/reports/summary", summary="Credit balances at a glance")
def summary(code: PracticeCode, state: State, user: ReportReader) -> dict[str, Any]:
    """Cases and amounts by state and by predicted source, and overdue open cases, as of the
    practice's latest ledger."""
    practice = scoped_practice(state, user, code)
    with state.db.read_session() as session:
        as_of = practice_as_of(session, practice.id)
        return {
            "practice": practice.code,
            "as_of": as_of.isoformat(),
            **practice_summary(session, practice.id, as_of),
        }


@router.get("/practices/{code}/resolutions.csv", summary="Done cases as labelled resolutions")
def resolutions(code: PracticeCode, state: State, user: ResolutionExporter) -> StreamingResponse:
    """The contract's ``resolutions`` table (with identified_date) for retraining."""
    practice = scoped_practice(state, user, code)
    out = io.StringIO()
    with state.db.transaction() as session:
        rows = write_resolutions_csv(resolutions_frame(session, practice.id), out)
        append_audit(
            session,
            AuditActor(user.user_id, user.username),
            "export.resolutions",
            practice_id=practice.id,
            details={"rows": rows},
        )
    return _csv(out.getvalue(), f"resolutions-{practice.code}.csv")


class DeidentifiedRow(BaseModel):
    case_key: str
    payer_type: str | None
    credit_cents: int  # the API's published name (the store's credit_amount_cents)
    age_days: int | None
    predicted_source: str | None
    confidence: float | None
    probabilities: dict[str, float] | None
    verification: str | None
    verified_source: str | None
    recommended_action: str | None
    state: str
    resolved_source: str | None
    resolved_action: str | None


def _case_key(secret: bytes, case_id: int) -> str:
    """A case's stable, keyed, non-reversible key (HMAC-SHA256 of its id, 16 hex digits)."""
    return hmac.new(secret, f"case:{case_id}".encode(), hashlib.sha256).hexdigest()[:16]


@router.get(
    "/practices/{code}/deidentified",
    response_model=list[DeidentifiedRow],
    summary="De-identified case outcomes for model work",
)
def deidentified(
    code: PracticeCode,
    state: State,
    user: FeatureReader,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> list[DeidentifiedRow]:
    """Predictions, verification and outcomes without claim, patient, payer or location ids;
    ``case_key`` is a keyed hash, stable per case, not reversible without the server key."""
    practice = scoped_practice(state, user, code)
    with state.db.read_session() as session:
        today = practice_as_of(session, practice.id)
        cases = practice_cases(session, practice.id, limit)
    return [
        DeidentifiedRow(
            case_key=_case_key(state.secret, c.id),
            payer_type=c.payer_type,
            credit_cents=c.credit_amount_cents,
            age_days=(today - c.credit_since).days if c.credit_since else None,
            predicted_source=c.predicted_source,
            confidence=c.confidence,
            probabilities=c.probabilities,
            verification=c.verification,
            verified_source=c.verified_source,
            recommended_action=c.recommended_action,
            state=c.state,
            resolved_source=c.proposed_source if c.state == "done" else None,
            resolved_action=c.proposed_action if c.state == "done" else None,
        )
        for c in cases
    ]


@router.get("/audit/export.csv", summary="The audit trail as CSV")
def audit_export(
    state: State,
    user: AuditReader,
    practice: Annotated[str | None, Query(max_length=64, description="practice code")] = None,
    case_id: QueryId = None,
    claim_id: ClaimQuery = None,
    date_from: Annotated[BoundedDate | None, Query(alias="from")] = None,
    date_to: Annotated[BoundedDate | None, Query(alias="to")] = None,
) -> StreamingResponse:
    """One case's trail, one claim's (its cases in the caller's practices, as the web audit
    page filters), or a date range (UTC days, inclusive), within the caller's practices.
    Global events (no practice: sign-ins, users, roles) are included in range exports only
    for user administrators. Text cells are formula-safe. The export itself is audited."""
    if date_from and date_to and date_from > date_to:
        raise ApiError(422, "invalid_request", "from must not be after to", field="from")
    practice_ids = set(user.practice_ids)
    if practice is not None:
        practice_ids &= {scoped_practice(state, user, practice).id}
    out = io.StringIO()
    with state.db.transaction() as session:
        if case_id is not None:
            case = get_case(session, case_id, user)
            practice_ids &= {case.practice_id}
        claim_cases = None
        if claim_id is not None:
            claim_cases = case_ids_of_claim(session, practice_ids, claim_id.strip())
        found = audit_events(
            session,
            practice_ids,
            case_id=case_id,
            start=date_from,
            end=date_to,
            include_system=sees_global_events(user.roles),
            case_ids=claim_cases,
        )
        rows = write_audit_csv(found, out)
        append_audit(
            session,
            AuditActor(user.user_id, user.username),
            "export.audit",
            case_id=case_id,
            details={
                "practice": practice,
                "from": date_from,
                "to": date_to,
                "rows": rows,
                **({"claim_cases": claim_cases} if claim_cases is not None else {}),
            },
        )
    name = f"audit-case-{case_id}.csv" if case_id else "audit.csv"
    return _csv(out.getvalue(), name)


class AuditEventOut(BaseModel):
    """One audit row (before, after and details as the JSON they were written as)."""

    seq: int
    occurred_at: datetime
    actor: str
    action: str
    practice: str | None
    case_id: int | None
    before: Any
    after: Any
    details: Any


class AuditPage(BaseModel):
    """One page of the audit trail, newest first."""

    total: int
    offset: int
    limit: int
    items: list[AuditEventOut]


@router.get("/audit", response_model=AuditPage, summary="The audit trail, a page at a time")
def audit_list(
    state: State,
    user: AuditReader,
    case_id: QueryId = None,
    claim_id: ClaimQuery = None,
    kind: KindQuery = None,
    date_from: Annotated[BoundedDate | None, Query(alias="from")] = None,
    date_to: Annotated[BoundedDate | None, Query(alias="to")] = None,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> AuditPage:
    """The rows of the caller's practices, newest first, as the web audit page shows them
    (``store.audit_queries.audit_page``): one case, one claim number's cases, one kind of
    action and/or a date range (UTC days, inclusive). Global events only for user
    administrators, and never for a case or claim. A case of another practice is 404."""
    if date_from and date_to and date_from > date_to:
        raise ApiError(422, "invalid_request", "from must not be after to", field="from")
    with state.db.read_session() as session:
        if case_id is not None:
            get_case(session, case_id, user)
        q = AuditQuery(case_id, date_from, date_to, kind)
        if claim_id is not None:
            ids = case_ids_of_claim(session, user.practice_ids, claim_id.strip())
            q = AuditQuery(case_id, date_from, date_to, kind, case_ids=tuple(ids))
        rows, total = audit_page(
            session,
            user.practice_ids,
            q,
            offset,
            limit,
            include_system=sees_global_events(user.roles),
        )
        codes = practice_codes(session, {r.practice_id for r in rows if r.practice_id})
    items = [
        AuditEventOut(
            seq=r.seq,
            occurred_at=datetime.fromisoformat(r.occurred_at),
            actor=r.actor,
            action=r.action,
            practice=codes.get(r.practice_id) if r.practice_id else None,
            case_id=r.case_id,
            before=json.loads(r.before),
            after=json.loads(r.after),
            details=json.loads(r.details),
        )
        for r in rows
    ]
    return AuditPage(total=total, offset=offset, limit=limit, items=items)
