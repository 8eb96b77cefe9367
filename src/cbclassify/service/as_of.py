"""The one date a practice's views count from: the as-of date of the practice's latest ledger.

Days in credit, due-date buckets, "overdue" and the report's figures of a practice are counted
up to the day its ledger describes, not up to today's date: a ledger that ends on June 30 shows
its credits as they stood on June 30, whatever day it is read. A practice with no ledger yet
counts from today. Every page and API route of a practice asks here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy.orm import Session

from cbclassify.store.batches import latest_as_of


def practices_as_of(
    session: Session, practice_ids: Iterable[int], today: date | None = None
) -> dict[int, date]:
    """Per practice, the as-of date of its latest ledger (``today`` when it has none)."""
    ids = list(practice_ids)
    found = latest_as_of(session, ids)
    fallback = today or date.today()
    return {practice_id: found.get(practice_id, fallback) for practice_id in ids}


def practice_as_of(session: Session, practice_id: int, today: date | None = None) -> date:
    """The as-of date a practice's views count from (see the module)."""
    return practices_as_of(session, [practice_id], today)[practice_id]
