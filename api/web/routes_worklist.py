"""The worklist page: the store's own filtered, sorted, paginated query (LIMIT/OFFSET on
indexed columns), shown with badges for source, confidence, verification and due date."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any, cast
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import QueryParams

from api.bounds import MAX_PAGE
from api.deps import State, scoped_practice
from api.presenters import case_out
from api.state import ServiceState
from api.web.pages import WebUser, render_page, require
from cbclassify.contract.enums import CREDIT_SOURCES, VERIFICATIONS
from cbclassify.contract.money import MoneyFormatError, parse_money
from cbclassify.store.case_queries import (
    OPEN_STATES,
    CaseFilter,
    FilterChoices,
    SortKey,
    filter_choices,
    list_cases,
)
from cbclassify.store.models_cases import CreditCase
from cbclassify.workflow import CaseState, Permission

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


@dataclass(frozen=True)
class WorklistQuery:
    """The worklist's filters, sort and page as the form sends them (validated)."""

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
    return WorklistQuery(
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


def case_filter(q: WorklistQuery, today: date) -> CaseFilter:
    """The store's filter for the page's choices (due buckets count from today)."""
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
    return CaseFilter(
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
    """One page of cases (past the end: the last page), the number matching, the filters'
    choices."""

    query: WorklistQuery
    cases: list[CreditCase]
    total: int
    pages: int
    choices: FilterChoices


def _page(state: ServiceState, practice_id: int, q: WorklistQuery, today: date) -> WorklistPage:
    """The page ``q`` asks for, from the store's worklist query (LIMIT/OFFSET)."""
    filters, sort = case_filter(q, today), cast(SortKey, q.sort)
    with state.db.read_session() as session:
        rows, total = list_cases(
            session,
            practice_id,
            filters,
            sort,
            q.dir == "desc",
            (q.page - 1) * q.per_page,
            q.per_page,
        )
        pages = max(math.ceil(total / q.per_page), 1)
        if q.page > pages:  # past the end (e.g. after filtering): show the last page
            q = replace(q, page=pages)
            rows, _ = list_cases(
                session,
                practice_id,
                filters,
                sort,
                q.dir == "desc",
                (q.page - 1) * q.per_page,
                q.per_page,
            )
        choices = filter_choices(session, practice_id)
    return WorklistPage(q, rows, total, pages, choices)


@router.get("/practices/{code}/worklist")
def worklist(code: str, request: Request, state: State, user: WebUser) -> Response:
    """One page of the practice's credit cases."""
    require(user, Permission.CASE_LIST, "Seeing the worklist")
    practice = scoped_practice(state, user, code)
    today = date.today()
    found = _page(state, practice.id, parse_query(request.query_params), today)
    q, total, pages, choices = found.query, found.total, found.pages, found.choices
    items = [case_out(c, practice.code, today) for c in found.cases]
    filtered = any(
        (q.source, q.payer, q.location, q.verification, q.due, q.min_amount, q.status != "active")
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
            "pages": pages,
            "today": today,
            "choices": choices,
            "sorts": SORTS,
            "due_buckets": DUE_BUCKETS,
            "status_choices": STATUS_CHOICES,
            "page_sizes": PAGE_SIZES,
            "sources": CREDIT_SOURCES,
            "verifications": VERIFICATIONS,
            "filtered": filtered,
            "first": (q.page - 1) * q.per_page + 1 if total else 0,
            "last": min(q.page * q.per_page, total),
            "page_link": lambda n: q.link(page=n),
        },
    )
