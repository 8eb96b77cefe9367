"""Aggregates of a credit's postings: money by kind, source and payer role, codes, timing.

All sums are integer cents (``*_cents``) and counts; ``derive`` turns them into dollar
features. A posting is *manual* when it has no remittance (``era_id`` blank); a *payer
payment* is a payment with source payer (negative: a reversal), a *patient payment* one with
source patient.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from itertools import pairwise

from cbclassify.bundles import Posting
from cbclassify.features.specs import CARC_CODES

#: Aggregates of one credit, by name.
Aggregates = dict[str, int | float | date | None]

_COUNTED_KEYS = (
    "payer_paid_cents",
    "payer_payment_count",
    "payer_reversal_count",
    "payer_reversal_cents",
    "primary_payer_paid_cents",
    "secondary_payer_paid_cents",
    "unbilled_payer_paid_cents",
    "payer_paid_manual_cents",
    "payer_paid_era_cents",
    "era_payer_payment_count",
    "patient_paid_cents",
    "patient_payment_count",
    "responsibility_cents",
    "responsibility_rows",
    "sequestration_cents",
    "adjustment_cents",
    "adjustment_count",
    "contractual_adjustment_cents",
    "patient_writeoff_cents",
    "co45_adjustment_cents",
    "pr_coded_adjustment_cents",
    "adjustment_reversal_count",
    "refund_cents",
    "transfer_in_cents",
    "transfer_out_cents",
    "posting_count",
    "balance_effect_cents",
    "manual_posting_count",
    "cr_group_count",
    "oa_group_count",
)
_CARC_KEYS = {code: f"carc_{code}_count" for code in CARC_CODES}


def is_payer_payment(p: Posting) -> bool:
    """A payment by a payer (negative: a reversal)."""
    return p.kind == "payment" and p.source == "payer"


def is_patient_payment(p: Posting) -> bool:
    """A payment by the patient (negative: a reversal)."""
    return p.kind == "payment" and p.source == "patient"


def is_manual(p: Posting) -> bool:
    """Posted by hand: no remittance (``era_id`` blank)."""
    return not p.era_id


def _payer_payment(p: Posting, out: dict[str, int], primary: str, secondary: str) -> None:
    a = p.amount_cents
    out["payer_paid_cents"] += a
    if a > 0:
        out["payer_payment_count"] += 1
    elif a < 0:
        out["payer_reversal_count"] += 1
        out["payer_reversal_cents"] -= a
    payer = p.payer_id or ""
    is_primary = payer == primary
    is_secondary = payer == secondary and secondary != ""
    if is_primary:
        out["primary_payer_paid_cents"] += a
    if is_secondary:
        out["secondary_payer_paid_cents"] += a
    if not is_primary and not is_secondary:
        out["unbilled_payer_paid_cents"] += a
    if is_manual(p):
        out["payer_paid_manual_cents"] += a
    else:
        out["payer_paid_era_cents"] += a
        out["era_payer_payment_count"] += 1


def _adjustment(p: Posting, out: dict[str, int]) -> None:
    a = p.amount_cents
    out["adjustment_cents"] += a
    out["adjustment_count"] += 1
    if p.reason_code == "253":
        out["sequestration_cents"] += a
    if p.source == "payer":
        out["contractual_adjustment_cents"] += a
    elif p.source == "patient":
        out["patient_writeoff_cents"] += a
    if p.group_code == "CO" and p.reason_code == "45":
        out["co45_adjustment_cents"] += a
    if p.group_code == "PR":
        out["pr_coded_adjustment_cents"] += a
    if a < 0:
        out["adjustment_reversal_count"] += 1


def _other_kinds(p: Posting, out: dict[str, int]) -> None:
    a = p.amount_cents
    if is_patient_payment(p):
        out["patient_paid_cents"] += a
        if a > 0:
            out["patient_payment_count"] += 1
    elif p.kind == "responsibility":
        out["responsibility_cents"] += a
        out["responsibility_rows"] += 1
    elif p.kind == "refund":
        out["refund_cents"] += a
    elif p.kind == "transfer":
        if a > 0:
            out["transfer_in_cents"] += a
        elif a < 0:
            out["transfer_out_cents"] -= a


def _repeated_responsibility(p: Posting, reported: set[tuple[object, ...]]) -> bool:
    """True when an identical responsibility row (payer, line, group, reason, amount and
    trace) was already counted; records the row otherwise (a row without a trace is never a
    repeat)."""
    if not p.remit_trace:
        return False
    key = (p.payer_id, p.line_no, p.group_code, p.reason_code, p.amount_cents, p.remit_trace)
    if key in reported:
        return True
    reported.add(key)
    return False


def money_aggregates(postings: Sequence[Posting], primary: str, secondary: str) -> Aggregates:
    """Sums and counts of a credit's postings; ``primary`` and ``secondary`` are the claim's
    payer ids ("" when none)."""
    out = dict.fromkeys(_COUNTED_KEYS, 0)
    out.update(dict.fromkeys(_CARC_KEYS.values(), 0))
    paying: set[str] = set()
    eras: set[str] = set()
    traces: set[str] = set()
    reported: set[tuple[object, ...]] = set()
    for p in postings:
        if is_payer_payment(p):
            _payer_payment(p, out, primary, secondary)
            if p.amount_cents > 0:
                paying.add(p.payer_id or "")
            if not is_manual(p):
                eras.add(p.era_id or "")
            if p.trace_number:
                traces.add(p.trace_number)
        elif p.kind == "adjustment":
            _adjustment(p, out)
        elif p.kind == "responsibility" and _repeated_responsibility(p, reported):
            pass  # the same remittance posted twice repeats its PR rows: counted once
        else:
            _other_kinds(p, out)
        out["posting_count"] += 1
        out["balance_effect_cents"] += p.effect_cents
        out["manual_posting_count"] += is_manual(p)
        out["cr_group_count"] += p.group_code == "CR"
        out["oa_group_count"] += p.group_code == "OA"
        carc = _CARC_KEYS.get(p.reason_code or "")
        if carc is not None:
            out[carc] += 1
    out["paying_payer_count"] = len(paying)
    out["distinct_era_count"] = len(eras)
    out["distinct_trace_count"] = len(traces)
    return dict(out)


def reported_allowed_cents(postings: Sequence[Posting], primary: str) -> int | None:
    """The allowed amounts the primary payer reported on its positive payments: the largest
    per line (a duplicate posting repeats it), summed; None when it reported none."""
    per_line: dict[int, int] = {}
    for p in postings:
        if not (is_payer_payment(p) and (p.payer_id or "") == primary and p.amount_cents > 0):
            continue
        if p.allowed_amount_cents is None:
            continue
        line = p.line_no or 0
        if line not in per_line or p.allowed_amount_cents > per_line[line]:
            per_line[line] = p.allowed_amount_cents
    return sum(per_line.values()) if per_line else None


def timing_aggregates(postings: Sequence[Posting]) -> Aggregates:
    """First and last payer payment, the shortest gap in days between two, and the patient
    payments made before any payer paid."""
    dates = sorted(p.posted_date for p in postings if is_payer_payment(p) and p.amount_cents > 0)
    first = dates[0] if dates else None
    gaps = [(later - earlier).days for earlier, later in pairwise(dates)]
    early = sum(
        1
        for p in postings
        if is_patient_payment(p) and p.amount_cents > 0 and (first is None or p.posted_date < first)
    )
    return {
        "first_payer_payment": first,
        "last_payer_payment": dates[-1] if dates else None,
        "min_days_between_payer_payments": float(min(gaps)) if gaps else float("nan"),
        "patient_paid_before_payer_count": early,
    }
