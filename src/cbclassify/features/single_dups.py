"""Identical-amount postings of one credit over plain rows (single-claim path).

The same groups and counts as ``postings.duplicate_aggregates``: payer payments grouped by
(line, amount) and by trace or remittance too, patient payments by amount (and receipt),
adjustments by (line, amount, group, reason); a group of n postings counts n - 1 extras.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable
from typing import Any

from cbclassify.features.single_credits import Posting

Row = dict[str, Any]


def _extra(groups: Iterable[Hashable]) -> tuple[int, Counter]:
    """(extras over all groups, the group sizes)."""
    sizes = Counter(groups)
    return sum(n - 1 for n in sizes.values()), sizes


def _extra_cents(sizes: Counter, amount_at: int) -> int:
    return sum((n - 1) * key[amount_at] for key, n in sizes.items())


def _payer_duplicates(pay: list[Posting], out: Row) -> None:
    count, sizes = _extra((p.line, p.amount) for p in pay)
    out["identical_payer_payment_count"] = count
    out["identical_payer_payment_cents"] = _extra_cents(sizes, 1)
    same_trace, _ = _extra((p.line, p.amount, p.trace) for p in pay if p.trace != "")
    out["identical_same_trace_count"] = same_trace
    same_era, _ = _extra((p.line, p.amount, p.era) for p in pay if p.era != "")
    out["identical_same_era_count"] = same_era
    traced, _ = _extra((p.line, p.amount) for p in pay if p.trace != "")
    out["identical_distinct_trace_count"] = max(traced - same_trace, 0)
    manual: dict[tuple[int, int], set[bool]] = {}
    for p in pay:
        manual.setdefault((p.line, p.amount), set()).add(p.manual)
    out["identical_manual_and_era_count"] = sum(
        sizes[key] - 1 for key, kinds in manual.items() if len(kinds) > 1
    )


def _net_of_reversals(postings: list[Posting]) -> int:
    """Extra identical payer payments left after subtracting reversals of the same amount."""
    signs: dict[tuple[int, int], list[int]] = {}
    for p in postings:
        if p.payer_pay and p.amount != 0:
            counts = signs.setdefault((p.line, abs(p.amount)), [0, 0])
            counts[0 if p.amount > 0 else 1] += 1
    return sum(max(pos - neg - 1, 0) * key[1] for key, (pos, neg) in signs.items())


def duplicate_aggregates(postings: list[Posting]) -> Row:
    """Identical-amount payments and adjustments of one credit and whether they share a
    remittance or trace number (integer counts and cents)."""
    out: Row = {}
    _payer_duplicates([p for p in postings if p.payer_pay and p.amount > 0], out)
    out["identical_payment_net_of_reversals_cents"] = _net_of_reversals(postings)
    patient = [p for p in postings if p.patient_pay and p.amount > 0]
    count, sizes = _extra((p.amount,) for p in patient)
    out["identical_patient_payment_count"] = count
    out["identical_patient_payment_cents"] = _extra_cents(sizes, 0)
    out["identical_patient_same_receipt_count"] = _extra(
        (p.amount, p.trace) for p in patient if p.trace != ""
    )[0]
    adjustments = [p for p in postings if p.adjustment and p.amount > 0]
    count, sizes = _extra((p.line, p.amount, p.group, p.reason) for p in adjustments)
    out["identical_adjustment_count"] = count
    out["identical_adjustment_cents"] = _extra_cents(sizes, 1)
    return out
