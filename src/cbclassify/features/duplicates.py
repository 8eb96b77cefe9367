"""Identical-amount postings of a credit, and whether they share a remittance or trace.

Payer payments are grouped by (line, amount), and by trace number or remittance too; patient
payments by amount (and receipt, their trace number); adjustments by (line, amount, group,
reason). A group of n postings counts n - 1 extras; money is the extras times the amount.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from cbclassify.bundles import Posting
from cbclassify.features.postings import is_manual, is_patient_payment, is_payer_payment

#: A grouping key: line, amount (cents) and the texts that must also match.
_Key = tuple[int | str | None, ...]


def _extra(groups: Iterable[_Key]) -> tuple[int, Counter[_Key]]:
    """(extras over all groups, the group sizes)."""
    sizes = Counter(groups)
    return sum(n - 1 for n in sizes.values()), sizes


def _extra_cents(sizes: Counter[_Key], amount_at: int) -> int:
    total = 0
    for key, n in sizes.items():
        cents = key[amount_at]
        assert isinstance(cents, int), "the amount of a grouping key is integer cents"
        total += (n - 1) * cents
    return total


def _payer_duplicates(pay: Sequence[Posting], out: dict[str, int]) -> None:
    count, sizes = _extra((p.line_no or 0, p.amount_cents) for p in pay)
    out["identical_payer_payment_count"] = count
    out["identical_payer_payment_cents"] = _extra_cents(sizes, 1)
    traced = [p for p in pay if p.trace_number]
    same_trace, _ = _extra((p.line_no or 0, p.amount_cents, p.trace_number) for p in traced)
    out["identical_same_trace_count"] = same_trace
    same_era, _ = _extra((p.line_no or 0, p.amount_cents, p.era_id) for p in pay if p.era_id)
    out["identical_same_era_count"] = same_era
    traced_extra, _ = _extra((p.line_no or 0, p.amount_cents) for p in traced)
    out["identical_distinct_trace_count"] = max(traced_extra - same_trace, 0)
    manual: dict[tuple[int, int], set[bool]] = {}
    for p in pay:
        manual.setdefault((p.line_no or 0, p.amount_cents), set()).add(is_manual(p))
    out["identical_manual_and_era_count"] = sum(
        sizes[key] - 1 for key, kinds in manual.items() if len(kinds) > 1
    )


def _net_of_reversals(postings: Sequence[Posting]) -> int:
    """Extra identical payer payments left after subtracting reversals of the same amount."""
    signs: dict[tuple[int, int], list[int]] = {}
    for p in postings:
        if is_payer_payment(p) and p.amount_cents != 0:
            counts = signs.setdefault((p.line_no or 0, abs(p.amount_cents)), [0, 0])
            counts[0 if p.amount_cents > 0 else 1] += 1
    return sum(max(pos - neg - 1, 0) * key[1] for key, (pos, neg) in signs.items())


def duplicate_aggregates(postings: Sequence[Posting]) -> dict[str, int]:
    """Identical-amount payments and adjustments of a credit (integer counts and cents)."""
    out: dict[str, int] = {}
    _payer_duplicates([p for p in postings if is_payer_payment(p) and p.amount_cents > 0], out)
    out["identical_payment_net_of_reversals_cents"] = _net_of_reversals(postings)
    patient = [p for p in postings if is_patient_payment(p) and p.amount_cents > 0]
    count, sizes = _extra((p.amount_cents,) for p in patient)
    out["identical_patient_payment_count"] = count
    out["identical_patient_payment_cents"] = _extra_cents(sizes, 0)
    out["identical_patient_same_receipt_count"] = _extra(
        (p.amount_cents, p.trace_number) for p in patient if p.trace_number
    )[0]
    adjustments = [p for p in postings if p.kind == "adjustment" and p.amount_cents > 0]
    count, sizes = _extra(
        (p.line_no or 0, p.amount_cents, p.group_code or "", p.reason_code or "")
        for p in adjustments
    )
    out["identical_adjustment_count"] = count
    out["identical_adjustment_cents"] = _extra_cents(sizes, 1)
    return out
