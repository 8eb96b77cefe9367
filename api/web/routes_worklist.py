"""The worklist page: the store's own filtered, sorted, paginated query (LIMIT/OFFSET on
indexed columns), shown with badges for source, confidence, verification and due date; the
total credit and aging buckets of the filter (one aggregate query), search, assignment, row
selection for bulk steps (``routes_bulk``) and the CSV export of every matching case. Days count
to the practice's ledger as-of date (``service.as_of``)."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any, cast
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse
from starlette.datastructures import QueryParams

from api.bounds import MAX_PAGE
from api.deps import State, scoped_practice
from api.presenters import case_out
from api.state import ServiceState
from api.web.pages import WebUser, render_page, require
from cbclassify.contract.enums import CREDIT_SOURCES, VERIFICATIONS
from cbclassify.contract.money import MoneyFormatError, parse_money
from cbclassify.service.as_of import practice_as_of
from cbclassify.service.bulk import MAX_BULK
from cbclassify.service.exports import write_worklist_csv
from cbclassify.store.accounts import usernames
from cbclassify.store.assignments import assignable_users
from cbclassify.store.audit import append_audit
from cbclassify.store.case_queries import (
    AGE_BUCKETS,
    OPEN_STATES,
    CaseFilter,
    FilterChoices,
    SortKey,
    WorklistTotals,
    assignee_filter,
    export_rows,
    filter_choices,
    page_of_cases,
    resolve_search,
    worklist_totals,
)
from cbclassify.store.cases import ActingUser
from cbclassify.store.models_auth import Practice
from cbclassify.store.models_cases import CreditCase
from cbclassify.workflow import CaseState, Permission, has_permission

router = APIRouter(include_in_schema=False)

SORTS = {
    "due_date": "Due date",
    "amount": "Amount",
    "age": "Credit since",
    "payer": "Payer",
    "id": "Case number",
}
DUE_BUCKETS = {
    "overdue": "Overdue",
    "7": "Due within 7 days",
    "14": "Due within 14 days",
    "30": "Due within 30 days",
}
STATUS_CHOICES = {"active": "Needs work", **{s.value: s.value for s in CaseState}, "all": "All"}
PAGE_SIZES = (25, 50, 100)
AGE_LABELS = {key: f"{key} days" for key in AGE_BUCKETS}
#: The "Assigned to" filter's fixed choices (besides each biller or manager by id).
ASSIGNED_CHOICES = {"me": "My cases", "none": "Unassigned"}
MAX_SEARCH = 100


@dataclass(frozen=True)
class WorklistQuery:
    """The worklist's filters, sort and page as the form sends them (validated)."""

    q: str = ""
    age: str = ""
    assigned: str = ""
    source: str = ""
    payer: str = ""
    location: str = ""
    verification: str = ""
    due: str = ""
    min_amount: str = ""
    status: str = "active"
    sort: str = "due_date"
    dir: str = "asc"
    page: int = 1
    per_page: int = 50
    errors: list[str] = field(default_factory=list)

    def link(self, **changes: Any) -> str:
        """The query string of this view with some values changed (a new filter: page 1)."""
        values = {k: getattr(self, k) for k in _FIELDS}
        values.update(changes)
        return "?" + urlencode({k: v for k, v in values.items() if v not in ("", None)})

    def sort_link(self, key: str) -> str:
        """Sort by ``key``; the same key again flips the direction."""
        flip = "desc" if self.sort == key and self.dir == "asc" else "asc"
        return self.link(sort=key, dir=flip, page=1)

    def aria_sort(self, key: str) -> str:
        """``aria-sort`` of a column header."""
        if self.sort != key:
            return "none"
        return "ascending" if self.dir == "asc" else "descending"


_FIELDS = (
    "q",
    "age",
    "assigned",
    "source",
    "payer",
    "location",
    "verification",
    "due",
    "min_amount",
    "status",
    "sort",
    "dir",
    "page",
    "per_page",
)


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text else default
    except ValueError:
        return default


def parse_query(params: QueryParams) -> WorklistQuery:
    """Read the filters leniently: an unknown choice is ignored, a bad amount is reported."""
    get = lambda name: (params.get(name) or "").strip()
    errors: list[str] = []
    min_amount = get("min_amount")
    if min_amount:
        try:
            if parse_money(min_amount.replace(",", "").lstrip("$")) < 0:
                raise MoneyFormatError(min_amount)
        except MoneyFormatError:
            errors.append("Minimum amount: enter dollars and cents, like 250 or 250.00.")
            min_amount = ""
    per_page = _int(get("per_page"), 50)
    assigned = get("assigned")
    if not (assigned in ASSIGNED_CHOICES or (assigned.isdigit() and len(assigned) < 19)):
        assigned = ""
    return WorklistQuery(
        q=get("q")[:MAX_SEARCH],
        age=get("age") if get("age") in AGE_BUCKETS else "",
        assigned=assigned,
        source=get("source") if get("source") in CREDIT_SOURCES else "",
        payer=get("payer")[:100],
        location=get("location")[:100],
        verification=get("verification") if get("verification") in VERIFICATIONS else "",
        due=get("due") if get("due") in DUE_BUCKETS else "",
        min_amount=min_amount,
        status=get("status") if get("status") in STATUS_CHOICES else "active",
        sort=get("sort") if get("sort") in SORTS else "due_date",
        dir="desc" if get("dir") == "desc" else "asc",
        page=min(max(_int(get("page"), 1), 1), MAX_PAGE),
        per_page=per_page if per_page in PAGE_SIZES else 50,
        errors=errors,
    )


def case_filter(q: WorklistQuery, today: date, user_id: int) -> CaseFilter:
    """The store's filter for the page's choices (days count to ``today``: the practice's
    ledger as-of date); ``user_id`` is whose "My cases" are."""
    states: tuple[str, ...] = ()
    if q.status == "active":
        states = OPEN_STATES
    elif q.status != "all":
        states = (q.status,)
    due_after = due_before = overdue = None
    if q.due == "overdue":
        overdue = True
    elif q.due:
        due_after, due_before = today, today + timedelta(days=int(q.due))
    min_cents = parse_money(q.min_amount.replace(",", "").lstrip("$")) if q.min_amount else None
    min_age, max_age = AGE_BUCKETS.get(q.age, (None, None))
    assignee, unassigned = assignee_filter(q.assigned, user_id)
    return CaseFilter(
        search=q.q or None,
        min_age_days=min_age,
        max_age_days=max_age,
        assigned_to_id=assignee,
        unassigned=unassigned,
        states=states,
        source=q.source or None,
        verification=q.verification or None,
        payer_id=q.payer or None,
        location_id=q.location or None,
        due_after=due_after,
        due_before=due_before,
        overdue=overdue,
        min_amount_cents=min_cents,
        today=today,
    )


@dataclass(frozen=True)
class WorklistPage:
    """One page of cases (past the end: the last page), the number and credit matching with
    the aging buckets, the filters' choices, who can be assigned and the as-of date."""

    query: WorklistQuery
    cases: list[CreditCase]
    total: int
    pages: int
    choices: FilterChoices
    totals: WorklistTotals
    as_of: date
    workers: dict[int, str]
    assignees: dict[int, str]


def _page(state: ServiceState, practice_id: int, q: WorklistQuery, user_id: int) -> WorklistPage:
    """The page ``q`` asks for: the totals of the filter without its aging bucket (so every
    bucket keeps its figures), then one page of rows (LIMIT/OFFSET)."""
    sort = cast(SortKey, q.sort)
    with state.db.read_session() as session:
        as_of = practice_as_of(session, practice_id)
        filters = resolve_search(session, practice_id, case_filter(q, as_of, user_id))
        unbucketed = replace(filters, min_age_days=None, max_age_days=None)
        totals = worklist_totals(session, practice_id, unbucketed, as_of)
        total = totals.bucket(q.age).cases if q.age else totals.cases
        pages = max(math.ceil(total / q.per_page), 1)
        if q.page > pages:  # past the end (e.g. after filtering): show the last page
            q = replace(q, page=pages)
        rows = page_of_cases(
            session,
            practice_id,
            filters,
            sort,
            q.dir == "desc",
            (q.page - 1) * q.per_page,
            q.per_page,
        )
        choices = filter_choices(session, practice_id)
        workers = assignable_users(session, practice_id)
        assigned = {c.assigned_to_id for c in rows if c.assigned_to_id} - set(workers)
        assignees = {**workers, **usernames(session, assigned)}
    return WorklistPage(q, rows, total, pages, choices, totals, as_of, workers, assignees)


def _filtered(q: WorklistQuery) -> bool:
    return any(
        (
            q.q,
            q.age,
            q.assigned,
            q.source,
            q.payer,
            q.location,
            q.verification,
            q.due,
            q.min_amount,
            q.status != "active",
        )
    )


@router.get("/practices/{code}/worklist")
def worklist(code: str, request: Request, state: State, user: WebUser) -> Response:
    """One page of the practice's credit cases."""
    require(user, Permission.CASE_LIST, "Seeing the worklist")
    practice = scoped_practice(state, user, code)
    found = _page(state, practice.id, parse_query(request.query_params), user.user_id)
    q, total, pages, choices = found.query, found.total, found.pages, found.choices
    as_of = found.as_of
    items = [case_out(c, practice.code, as_of) for c in found.cases]
    assigned_to = {c.id: found.assignees.get(c.assigned_to_id or 0) for c in found.cases}
    shown_cents = (
        found.totals.bucket(q.age).credit_amount_cents
        if q.age
        else found.totals.credit_amount_cents
    )
    return render_page(
        request,
        state,
        user,
        "worklist.html",
        {
            "title": f"Worklist · {practice.name}",
            "practice": practice,
            "q": q,
            "items": items,
            "total": total,
            "total_cents": shown_cents,
            "totals": found.totals,
            "age_labels": AGE_LABELS,
            "pages": pages,
            "today": as_of,
            "as_of": as_of,
            "choices": choices,
            "sorts": SORTS,
            "due_buckets": DUE_BUCKETS,
            "status_choices": STATUS_CHOICES,
            "page_sizes": PAGE_SIZES,
            "sources": CREDIT_SOURCES,
            "verifications": VERIFICATIONS,
            "filtered": _filtered(q),
            "first": (q.page - 1) * q.per_page + 1 if total else 0,
            "last": min(q.page * q.per_page, total),
            "page_link": lambda n: q.link(page=n),
            "workers": found.workers,
            "assigned_to": assigned_to,
            "assigned_choices": ASSIGNED_CHOICES,
            "can_work": has_permission(user.roles, Permission.CASE_WORK),
            "can_approve": has_permission(user.roles, Permission.CASE_APPROVE),
            "max_bulk": MAX_BULK,
            "filter_query": q.link()[1:],
        },
    )


def export_csv(
    state: ServiceState, user: ActingUser, practice: Practice, q: WorklistQuery
) -> tuple[str, int]:
    """Every case matching the worklist's filters (all pages) as formula-safe CSV, and the row
    count; the export is audited (``export.worklist``: row count, no identifiers)."""
    out = io.StringIO()
    with state.db.transaction() as session:
        as_of = practice_as_of(session, practice.id)
        filters = case_filter(q, as_of, user.user_id)
        rows = export_rows(session, practice.id, filters, cast(SortKey, q.sort), q.dir == "desc")
        count = write_worklist_csv(rows, out, as_of)
        append_audit(
            session,
            user.audit,
            "export.worklist",
            practice_id=practice.id,
            details={"rows": count, "as_of": as_of.isoformat(), "filtered": _filtered(q)},
        )
    return out.getvalue(), count


@router.get("/practices/{code}/worklist.csv")
def worklist_csv(code: str, request: Request, state: State, user: WebUser) -> Response:
    """The filtered worklist, every page, as CSV (the page's own filters and sort)."""
    require(user, Permission.CASE_LIST, "Exporting the worklist")
    practice = scoped_practice(state, user, code)
    text, _ = export_csv(state, user, practice, parse_query(request.query_params))
    name = f"worklist-{practice.code}.csv"
    return StreamingResponse(
        iter([text]),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
