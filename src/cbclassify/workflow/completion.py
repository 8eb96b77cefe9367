"""What "done" records: how the action was carried out (check number, offset remittance,
refund date), validated per kind of resolution."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from cbclassify.workflow.errors import InvalidRequest
from cbclassify.workflow.states import RESOLUTION_KIND_BY_ACTION


@dataclass(frozen=True)
class Completion:
    """How a proposed action was done. Required fields depend on the action:

    refunds need ``refund_date`` and a ``check_number`` or ``reference`` (card/EFT);
    an offset needs ``offset_reference`` (the remittance/trace that recouped it).
    """

    resolved_date: date | None = None
    check_number: str | None = None
    reference: str | None = None
    refund_date: date | None = None
    offset_reference: str | None = None
    note: str | None = None


def _clean(text: str | None) -> str | None:
    return text.strip() if text and text.strip() else None


def completion_changes(action: str, done: Completion, user_id: int, today: date) -> dict[str, Any]:
    """Case field changes for marking ``action`` done; raises InvalidRequest when a detail
    the action needs is missing or a date lies in the future."""
    kind = RESOLUTION_KIND_BY_ACTION.get(action)
    if kind is None:
        raise InvalidRequest("the case has no proposed action to complete", "action")
    resolved = done.resolved_date or today
    if resolved > today:
        raise InvalidRequest("resolved_date cannot be in the future", "resolved_date")
    details: dict[str, Any] = {"note": _clean(done.note)}
    if kind == "refunded":
        if done.refund_date is None:
            raise InvalidRequest("a refund needs its refund_date", "refund_date")
        if done.refund_date > today:
            raise InvalidRequest("refund_date cannot be in the future", "refund_date")
        check, ref = _clean(done.check_number), _clean(done.reference)
        if not (check or ref):
            raise InvalidRequest("a refund needs a check_number or a reference", "check_number")
        details.update(refund_date=done.refund_date.isoformat(), check_number=check, reference=ref)
    elif kind == "offset":
        offset = _clean(done.offset_reference)
        if not offset:
            raise InvalidRequest(
                "an offset needs the offset_reference of the remittance that recouped it",
                "offset_reference",
            )
        details["offset_reference"] = offset
    else:
        details["reference"] = _clean(done.reference)
    return {
        "resolution_kind": kind,
        "resolution_details": {k: v for k, v in details.items() if v is not None},
        "resolved_date": resolved,
        "resolved_by_id": user_id,
    }
