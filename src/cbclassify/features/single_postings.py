"""Aggregates of one credit's postings over plain rows (single-claim path).

The same sums, counts and dates as ``features.postings`` (money, timing) and
``allowed.reported_allowed``, for one credit's postings at a time; all money integer cents.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from cbclassify.features.single_credits import Posting
from cbclassify.features.single_table import DAY_NS
from cbclassify.features.specs import CARC_CODES

Row = dict[str, Any]

_COUNTED_KEYS = (
    "payer_paid_cents", "payer_payment_count", "payer_reversal_count", "payer_reversal_cents",
    "primary_payer_paid_cents", "secondary_payer_paid_cents", "unbilled_payer_paid_cents",
    "payer_paid_manual_cents", "payer_paid_era_cents", "era_payer_payment_count",
    "patient_paid_cents", "patient_payment_count", "responsibility_cents", "responsibility_rows",
    "sequestration_cents", "adjustment_cents", "adjustment_count", "contractual_adjustment_cents",
    "patient_writeoff_cents", "co45_adjustment_cents", "pr_coded_adjustment_cents",
    "adjustment_reversal_count", "refund_cents", "transfer_in_cents", "transfer_out_cents",
    "posting_count", "balance_effect_cents", "manual_posting_count", "cr_group_count",
    "oa_group_count",
)  # fmt: skip
_CARC_KEYS = {code: f"carc_{code}_count" for code in CARC_CODES}


def _payer_payment(p: Posting, out: Row, primary: str, secondary: str) -> None:
    a = p.amount
    out["payer_paid_cents"] += a
    if a > 0:
        out["payer_payment_count"] += 1
    elif a < 0:
        out["payer_reversal_count"] += 1
        out["payer_reversal_cents"] -= a
    is_primary = p.payer == primary
    is_secondary = p.payer == secondary and secondary != ""
    if is_primary:
        out["primary_payer_paid_cents"] += a
    if is_secondary:
        out["secondary_payer_paid_cents"] += a
    if not is_primary and not is_secondary:
        out["unbilled_payer_paid_cents"] += a
    if p.manual:
        out["payer_paid_manual_cents"] += a
    else:
        out["payer_paid_era_cents"] += a
        out["era_payer_payment_count"] += 1


def _adjustment(p: Posting, out: Row) -> None:
    a = p.amount
    out["adjustment_cents"] += a
    out["adjustment_count"] += 1
    if p.reason == "253":
        out["sequestration_cents"] += a
    if p.source == "payer":
        out["contractual_adjustment_cents"] += a
    elif p.source == "patient":
        out["patient_writeoff_cents"] += a
    if p.group == "CO" and p.reason == "45":
        out["co45_adjustment_cents"] += a
    if p.group == "PR":
        out["pr_coded_adjustment_cents"] += a
    if a < 0:
        out["adjustment_reversal_count"] += 1


def _other_kinds(p: Posting, out: Row) -> None:
    a = p.amount
    if p.patient_pay:
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


def money_aggregates(postings: list[Posting], primary: str, secondary: str) -> Row:
    """Sums and counts of one credit's postings (``postings.money_aggregates``); ``primary``
    and ``secondary`` are the claim's payer ids ("" when none)."""
    out: Row = dict.fromkeys(_COUNTED_KEYS, 0)
    out.update(dict.fromkeys(_CARC_KEYS.values(), 0))
    paying, eras, traces = set(), set(), set()
    for p in postings:
        if p.payer_pay:
            _payer_payment(p, out, primary, secondary)
            if p.amount > 0:
                paying.add(p.payer)
            if not p.manual:
                eras.add(p.era)
            if p.trace != "":
                traces.add(p.trace)
        elif p.adjustment:
            _adjustment(p, out)
        else:
            _other_kinds(p, out)
        out["posting_count"] += 1
        out["balance_effect_cents"] += p.effect
        out["manual_posting_count"] += p.manual
        out["cr_group_count"] += p.group == "CR"
        out["oa_group_count"] += p.group == "OA"
        carc = _CARC_KEYS.get(p.reason)
        if carc is not None:
            out[carc] += 1
    out["paying_payer_count"] = len(paying)
    out["distinct_era_count"] = len(eras)
    out["distinct_trace_count"] = len(traces)
    return out


def reported_allowed_cents(postings: list[Posting], primary: str) -> int | None:
    """The allowed amounts the primary payer reported on its positive payments: the largest
    per line, summed (``allowed.reported_allowed``); None when it reported none."""
    per_line: dict[int, int] = {}
    for p in postings:
        if not (p.payer_pay and p.payer == primary and p.amount > 0 and p.allowed is not None):
            continue
        if p.line not in per_line or p.allowed > per_line[p.line]:
            per_line[p.line] = p.allowed
    return sum(per_line.values()) if per_line else None


def timing_aggregates(postings: list[Posting]) -> Row:
    """First and last payer payment, the shortest gap between two, and patient payments made
    before any payer paid (``postings.timing_aggregates``)."""
    dates = sorted(p.date for p in postings if p.payer_pay and p.amount > 0)
    first = dates[0] if dates else None
    gaps = [(later - earlier) // DAY_NS for earlier, later in pairwise(dates)]
    early = sum(
        1 for p in postings if p.patient_pay and p.amount > 0 and (first is None or p.date < first)
    )
    return {
        "first_payer_payment": first,
        "last_payer_payment": dates[-1] if dates else None,
        "min_days_between_payer_payments": float(min(gaps)) if gaps else float("nan"),
        "patient_paid_before_payer_count": early,
    }
