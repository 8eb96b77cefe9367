"""The bounds of every number and date the API accepts, defined once (issue 14, failure 5).

A value outside is answered ``422`` naming the request field (``query.offset``), never a ``500``
from the database (an id past int64) or the calendar (a date past 9999-12-31):

- ids (cases, users, tokens) and case versions: 1 .. 2**63 - 1, the databases' BIGINT;
- offsets: at most ``MAX_OFFSET``; amounts in cents: 0 .. the ledger's largest amount;
- ages in days: at most the span of the ledger's dates;
- dates: the ledger contract's dates, 1678-01-01 .. 2261-12-31.

Path and query parameters use the aliases below; bodies use ``BoundedDate`` and ``Cents``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Path, Query
from pydantic import AfterValidator, Field

from cbclassify.x12.values import LEDGER_FIRST_DATE, LEDGER_LAST_DATE, LEDGER_MAX_CENTS

#: The largest id a database row can have (BIGINT, SQLite INTEGER).
MAX_ID = 2**63 - 1
#: The largest worklist offset (far past any practice's cases).
MAX_OFFSET = 10**9
#: The largest page number of a paged web page (50 to 500 rows a page: within MAX_OFFSET).
MAX_PAGE = 10**6
#: The largest amount in cents: the ledger's money, 15 digits before the point.
MAX_CENTS = LEDGER_MAX_CENTS
#: The largest age of a credit in days: the span of the ledger's dates.
MAX_AGE_DAYS = (LEDGER_LAST_DATE - LEDGER_FIRST_DATE).days
FIRST_DATE, LAST_DATE = LEDGER_FIRST_DATE, LEDGER_LAST_DATE


def _in_ledger_range(value: date) -> date:
    if not FIRST_DATE <= value <= LAST_DATE:
        raise ValueError(f"a date from {FIRST_DATE} to {LAST_DATE}")
    return value


#: A date in the ledger's range (bodies, queries: the message names the range).
BoundedDate = Annotated[date, AfterValidator(_in_ledger_range)]
#: An amount in integer cents, 0 .. MAX_CENTS (bodies).
Cents = Annotated[int, Field(ge=0, le=MAX_CENTS)]

CaseId = Annotated[int, Path(ge=1, le=MAX_ID, description="the case id")]
UserId = Annotated[int, Path(ge=1, le=MAX_ID, description="the user id")]
TokenId = Annotated[int, Path(ge=1, le=MAX_ID, description="the token id")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
QueryCents = Annotated[int | None, Query(ge=0, le=MAX_CENTS, description="integer cents")]
AgeDays = Annotated[int | None, Query(ge=0, le=MAX_AGE_DAYS, description="days")]
QueryId = Annotated[int | None, Query(ge=1, le=MAX_ID)]
#: A user id in a body (1 .. MAX_ID).
BodyUserId = Annotated[int, Field(ge=1, le=MAX_ID)]
#: The longest search text (a claim number or patient id, or the start of one).
MAX_SEARCH = 100


def _assignee(value: str) -> str:
    if value not in ("me", "none") and not 1 <= int(value) <= MAX_ID:
        raise ValueError(f"a user id from 1 to {MAX_ID}, me or none")
    return value


#: Whose cases: a user id (1 .. MAX_ID), ``me`` (the caller) or ``none`` (unassigned).
QueryAssignee = Annotated[
    str | None,
    Query(
        pattern=r"^(me|none|[0-9]{1,19})$",
        max_length=19,
        description="a user id (1 .. 2**63-1), `me` (the caller's cases) or `none` (unassigned)",
    ),
    AfterValidator(lambda v: v if v is None else _assignee(v)),
]
