"""One remittance's postings as contract ``transactions`` rows (memory names, integer cents).

- one ``payment`` row per usable SVC line (SVC03, AMT*B6 as allowed), plus a claim-level
  ``payment`` row for CLP04 minus the sum of SVC03 when they differ (claim-level CAS lowered the
  claim payment); a claim without usable SVC lines gets one claim-level row with CLP04;
- one row per CAS triplet: group PR -> ``responsibility``, any other group -> ``adjustment``;
- except OA-23 on a claim paid as secondary/tertiary (CLP02 = 2, 3): no row; the code is carried
  on the payment row (group_code/reason_code) and moves no balance;
- a 0.00 payment row with no OA-23 carries its line's (else claim's) largest non-PR CAS code as
  its principal code (e.g. CO-16 on a denial).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from cbclassify.x12.codes import RESPONSIBILITY_GROUP, SECONDARY_STATUSES
from cbclassify.x12.model import Adjustment, ClaimPayment, Remittance

Row = dict[str, object]
Code = tuple[str, str] | None


@dataclass(frozen=True)
class PostingContext:
    """What every row of one remittance shares."""

    era_id: str
    payer_id: str
    trace_number: str
    posted_date: dt.date
    posted_by: str


def _restates_prior_payer(claim: ClaimPayment, adjustment: Adjustment) -> bool:
    return (
        claim.status in SECONDARY_STATUSES
        and adjustment.group == "OA"
        and adjustment.reason == "23"
    )


def _principal_code(
    claim: ClaimPayment, adjustments: Sequence[Adjustment], paid_cents: int
) -> Code:
    """The code a payment row carries: OA-23 on secondaries, else a 0.00 row's main CAS."""
    if any(_restates_prior_payer(claim, a) for a in adjustments):
        return ("OA", "23")
    if paid_cents != 0:
        return None
    candidates = [a for a in adjustments if a.group != RESPONSIBILITY_GROUP]
    if not candidates:
        return None
    main = max(candidates, key=lambda a: abs(a.amount_cents))  # first wins on ties
    return (main.group, main.reason)


class _Rows:
    def __init__(self, ctx: PostingContext, claim_ids: Mapping[int, str]) -> None:
        self.ctx = ctx
        self.claim_ids = claim_ids
        self.rows: list[Row] = []

    def add(
        self,
        claim: ClaimPayment,
        line_no: int | None,
        kind: str,
        amount_cents: int,
        code: Code = None,
        allowed_cents: int | None = None,
    ) -> Row:
        row: Row = {
            "txn_id": f"{self.ctx.era_id}:{len(self.rows) + 1:04d}",
            "claim_id": self.claim_ids.get(claim.segment, claim.claim_id),
            "line_no": line_no if line_no is not None else pd.NA,
            "kind": kind,
            "source": "payer",
            "payer_id": self.ctx.payer_id,
            "amount_cents": amount_cents,
            "group_code": code[0] if code else pd.NA,
            "reason_code": code[1] if code else pd.NA,
            "allowed_amount_cents": allowed_cents if allowed_cents is not None else pd.NA,
            "trace_number": self.ctx.trace_number,
            "era_id": self.ctx.era_id,
            "method": "era",
            "posted_date": pd.Timestamp(self.ctx.posted_date),
            "posted_by": self.ctx.posted_by,
        }
        self.rows.append(row)
        return row

    def adjustments(
        self, claim: ClaimPayment, adjustments: Sequence[Adjustment], line_no: int | None
    ) -> None:
        for adj in adjustments:
            if _restates_prior_payer(claim, adj):
                continue
            kind = "responsibility" if adj.group == RESPONSIBILITY_GROUP else "adjustment"
            self.add(claim, line_no, kind, adj.amount_cents, (adj.group, adj.reason))


def _claim_level_allowed(claim: ClaimPayment) -> int | None:
    allowed = [s.allowed_cents for s in claim.services]
    if not allowed or any(a is None for a in allowed):
        return None
    return sum(a for a in allowed if a is not None)


def _post_claim(rows: _Rows, claim: ClaimPayment, line_numbers: Sequence[int | None]) -> None:
    services = claim.usable_services
    if not services:
        adjustments = claim.adjustments + [a for s in claim.services for a in s.adjustments]
        code = _principal_code(claim, adjustments, claim.paid_cents)
        rows.add(claim, None, "payment", claim.paid_cents, code, _claim_level_allowed(claim))
        rows.adjustments(claim, adjustments, None)
        return
    first_payment: Row | None = None
    for svc, line_no in zip(services, line_numbers, strict=True):
        code = _principal_code(claim, svc.adjustments or claim.adjustments, svc.paid_cents)
        row = rows.add(claim, line_no, "payment", svc.paid_cents, code, svc.allowed_cents)
        first_payment = first_payment or row
        rows.adjustments(claim, svc.adjustments, line_no)
    remainder = claim.paid_cents - sum(s.paid_cents for s in services)
    if remainder:
        rows.add(claim, None, "payment", remainder)
    if first_payment is not None and any(
        _restates_prior_payer(claim, a) for a in claim.adjustments
    ):
        first_payment["group_code"], first_payment["reason_code"] = "OA", "23"
    rows.adjustments(claim, claim.adjustments, None)


def remittance_transactions(
    remittance: Remittance,
    ctx: PostingContext,
    claim_ids: Mapping[int, str],
    line_numbers: dict[int, list[int | None]],
    skip: frozenset[int] = frozenset(),
) -> list[Row]:
    """All transaction rows of one remittance.

    ``claim_ids`` maps a claim's CLP segment position to its ledger claim id (default: CLP01);
    ``line_numbers`` maps a claim's CLP segment position to the ledger line_no of each of its
    usable SVC lines (None: no matching line, posted at claim level). Claims whose CLP position
    is in ``skip`` (reported by the caller: no claim line could be made) are not posted.
    """
    rows = _Rows(ctx, claim_ids)
    for claim in remittance.claims:
        if claim.segment in skip:
            continue
        _post_claim(rows, claim, line_numbers.get(claim.segment, []))
    return rows.rows
