"""Pages for managers and auditors: the approval queue, the practice report and the audit
trail (with the API's CSV export)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from api.bounds import FIRST_DATE, LAST_DATE, MAX_ID, MAX_PAGE
from api.deps import State, scoped_practice
from api.endpoints import API_PREFIX
from api.web.formatting import label
from api.web.pages import WebError, WebUser, render_page, require, user_practices
from cbclassify.service.as_of import practice_as_of, practices_as_of
from cbclassify.settings import Settings
from cbclassify.store.accounts import practice_codes
from cbclassify.store.audit_queries import (
    AUDIT_KINDS,
    AuditQuery,
    audit_page,
    case_ids_of_claim,
    sees_global_events,
)
from cbclassify.store.case_queries import approval_queue, practice_summary
from cbclassify.workflow import Permission

router = APIRouter(include_in_schema=False)
PER_PAGE = 50
AUDIT_KIND_LABELS = {
    "workflow": "Workflow steps",
    "reads": "Case reads",
    "signins": "Sign-ins and sign-outs",
    "data": "Ingests and exports",
    "documents": "Refund letters and forms",
    "users": "User administration",
}
#: The report is a self-contained file from `cbclassify report`: served sandboxed.
REPORT_HEADERS = {
    "Content-Security-Policy": "sandbox allow-scripts allow-popups; frame-ancestors 'self'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


def _page_number(request: Request) -> int:
    try:
        return min(max(int(request.query_params.get("page", "1")), 1), MAX_PAGE)
    except ValueError:
        return 1


@router.get("/approvals")
def approvals(request: Request, state: State, user: WebUser) -> Response:
    """Proposals waiting for a manager, across the manager's practices."""
    require(user, Permission.CASE_APPROVE, "Approving proposals")
    page = _page_number(request)
    with state.db.read_session() as session:
        items, total = approval_queue(session, user.practice_ids, (page - 1) * PER_PAGE, PER_PAGE)
        as_of = practices_as_of(session, {it.case.practice_id for it in items})
    return render_page(
        request,
        state,
        user,
        "approvals.html",
        {
            "title": "Approvals",
            "items": items,
            "total": total,
            "page": page,
            "pages": max(math.ceil(total / PER_PAGE), 1),
            "as_of": as_of,
            "page_link": lambda n: f"?page={n}",
            "letters_code": _first_practice_code(request, state, user),
        },
    )


def _first_practice_code(request: Request, state: Any, user: Any) -> str | None:
    """The practice whose batches of refund letters the approvals page links to."""
    wanted = request.query_params.get("practice")
    codes = [p.code for p in user_practices(state, user)]
    return wanted if wanted in codes else (codes[0] if codes else None)


def report_file(settings: Settings, practice_code: str) -> Path:
    """Where a practice's manager report is published (``cbclassify report ... --out`` here)."""
    return settings.data_dir / "reports" / practice_code / "report.html"


@router.get("/practices/{code}/report")
def report(code: str, request: Request, state: State, user: WebUser) -> Response:
    """The practice at a glance (cases and amounts by state and source, overdue) and a link to
    the full manager's report when one has been published."""
    require(user, Permission.REPORTS_READ, "Reading the practice report")
    practice = scoped_practice(state, user, code)
    with state.db.read_session() as session:
        today = practice_as_of(session, practice.id)
        summary = practice_summary(session, practice.id, today)
    path = report_file(state.settings, practice.code)
    published = datetime.fromtimestamp(path.stat().st_mtime, UTC) if path.is_file() else None
    return render_page(
        request,
        state,
        user,
        "report.html",
        {
            "title": f"Report · {practice.name}",
            "practice": practice,
            "summary": summary,
            "published": published,
            "report_path": path,
            "today": today,
            "as_of": today,
        },
    )


@router.get("/practices/{code}/report.html")
def report_document(code: str, state: State, user: WebUser) -> Response:
    """The published manager's report itself (sandboxed: it cannot act as this site)."""
    require(user, Permission.REPORTS_READ, "Reading the practice report")
    practice = scoped_practice(state, user, code)
    path = report_file(state.settings, practice.code)
    if not path.is_file():
        raise WebError(
            404,
            "No report yet",
            f"No manager's report has been published for {practice.name}.",
            "See the report page for how to publish one.",
        )
    return FileResponse(path, media_type="text/html; charset=utf-8", headers=REPORT_HEADERS)


@dataclass(frozen=True)
class AuditLine:
    """One audit row as the page shows it."""

    seq: int
    when: str
    actor: str
    action: str
    practice: str
    case_id: int | None
    summary: str


def _summary(before: str, after: str, details: str) -> str:
    """State change and the person's words (reason, action, hold kind, resolution) of a row."""
    parts: list[str] = []
    b, a, d = (json.loads(x) if x else None for x in (before, after, details))
    if isinstance(b, dict) and isinstance(a, dict) and b.get("state") != a.get("state"):
        parts.append(f"{label(b.get('state'))} → {label(a.get('state'))}")
    if isinstance(d, dict):
        for key in (
            "action",
            "source",
            "kind",
            "reason",
            "view",
            "refund_date",
            "check_number",
            "offset_reference",
            "rows",
            "method",
            "document",
            "batch",
            "assigned_to",
        ):
            if d.get(key) not in (None, ""):
                value = label(d[key]) if key in ("action", "source", "kind") else d[key]
                parts.append(f"{key.replace('_', ' ')}: {value}")
    if isinstance(a, dict) and a.get("proposed_action") and "state" not in a:  # an override
        parts.append(
            f"proposed {label(a['proposed_action'])} instead of "
            f"{label((b or {}).get('recommended_action'))}"
        )
    return "; ".join(parts)


def _parse_audit_query(request: Request) -> tuple[AuditQuery, list[str]]:
    params, errors = request.query_params, []
    case_text, start_text, end_text = (params.get(k, "").strip() for k in ("case_id", "from", "to"))
    case_id = start = end = None
    if case_text:
        if not case_text.isdigit():
            errors.append("Case number: enter digits only.")
        elif int(case_text) > MAX_ID:
            errors.append("Case number: there is no case with that number.")
        else:
            case_id = int(case_text)
    try:
        start = date.fromisoformat(start_text) if start_text else None
        end = date.fromisoformat(end_text) if end_text else None
    except ValueError:
        errors.append("Dates: use the date picker or YYYY-MM-DD.")
    if any(d and not FIRST_DATE <= d <= LAST_DATE for d in (start, end)):
        errors.append(f"Dates: from {FIRST_DATE} to {LAST_DATE}.")
        start = end = None
    if start and end and start > end:
        errors.append("The From date is after the To date.")
        start = end = None
    kind = params.get("kind") if params.get("kind") in AUDIT_KINDS else None
    return AuditQuery(case_id, start, end, kind), errors


def _claim_param(request: Request) -> tuple[str, list[str]]:
    """The claim number filter (as typed, trimmed) and its problem, if any."""
    claim = request.query_params.get("claim", "").strip()
    if len(claim) > 100:
        return "", ["Claim number: at most 100 characters."]
    return claim, []


@router.get("/audit")
def audit(request: Request, state: State, user: WebUser) -> Response:
    """The audit trail of the auditor's practices, newest first, with a CSV export."""
    require(user, Permission.AUDIT_READ, "Reading the audit trail")
    q, errors = _parse_audit_query(request)
    claim, claim_errors = _claim_param(request)
    errors += claim_errors
    page = _page_number(request)
    with state.db.read_session() as session:
        if claim:
            q = replace(q, case_ids=tuple(case_ids_of_claim(session, user.practice_ids, claim)))
        rows, total = audit_page(
            session,
            user.practice_ids,
            q,
            (page - 1) * PER_PAGE,
            PER_PAGE,
            include_system=sees_global_events(user.roles),
        )
        codes = practice_codes(session, {r.practice_id for r in rows if r.practice_id})
    lines = [
        AuditLine(
            r.seq,
            r.occurred_at,
            r.actor,
            r.action,
            codes.get(r.practice_id or 0, ""),
            r.case_id,
            _summary(r.before, r.after, r.details),
        )
        for r in rows
    ]
    export_case = q.case_id
    if export_case is None and q.case_ids is not None and len(q.case_ids) == 1:
        export_case = q.case_ids[0]
    export: dict[str, Any] = {"case_id": export_case, "from": q.start, "to": q.end}
    keep = {k: v for k, v in export.items() if v is not None}
    filters = {
        **{k: v for k, v in {"case_id": q.case_id, "from": q.start, "to": q.end}.items() if v},
        **({"claim": claim} if claim else {}),
        **({"kind": q.kind} if q.kind else {}),
    }
    codes_of_reader = [p.code for p in user_practices(state, user)]
    zone = state.settings.zone_name(codes_of_reader)
    return render_page(
        request,
        state,
        user,
        "audit.html",
        {
            "title": "Audit trail",
            "lines": lines,
            "total": total,
            "page": page,
            "q": q,
            "pages": max(math.ceil(total / PER_PAGE), 1),
            "errors": errors,
            "kinds": AUDIT_KIND_LABELS,
            "export_url": f"{API_PREFIX}/audit/export.csv?{urlencode(keep)}",
            "claim": claim,
            "claim_cases": q.case_ids,
            "zone": zone,
            "page_link": lambda n: "?" + urlencode({**filters, "page": n}),
        },
    )
