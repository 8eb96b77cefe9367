"""Scale-free signatures of a credit: what carries over from one practice to another.

Dollar amounts differ between practices (fee levels, payer mixes); the *shape* of a credit does
not. These features relate the credit to the claim's own postings: the credit equals one of
the payer's or the patient's own payments, a write-off, the sequestration or the patient's
share; a payment repeated at line or claim level, by another posting method (ERA, by hand,
lockbox), with or without its CARC and PR rows, under the same or another trace, so many days
later; a patient payment after a patient-side write-off; an adjustment posted twice; and each
component of the credit as a share of the credit or of the allowed amount. Every feature is a
flag, a count, a day count or a ratio: none is in dollars.

``signature_features(bundle, parts, record)`` reads the bundle's postings (integer cents), the
aggregates of ``postings`` and the dollar features ``derive`` already computed. Money is
compared in integer cents; an amount *matches* another when they differ by at most one cent.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from cbclassify.bundles import ClaimBundle, Posting
from cbclassify.bundles.events import repeated_payment_events
from cbclassify.features.postings import is_manual, is_patient_payment, is_payer_payment

NAN = math.nan
#: Payer payments received on paper (a check in the lockbox or keyed from a check).
_PAPER_METHODS = frozenset({"lockbox", "check"})


def _matches(cents: int, amounts: Iterable[int]) -> bool:
    return cents > 0 and any(abs(cents - a) <= 1 for a in amounts if a > 0)


def _flag(value: bool) -> float:
    return 1.0 if value else 0.0


def _share(cents: float, credit: int) -> float:
    return float(cents) / credit if credit > 0 else NAN


def _cents(usd: Any) -> int | None:
    if usd is None or (isinstance(usd, float) and math.isnan(usd)):
        return None
    return round(float(usd) * 100)


def _trace(p: Posting) -> str:
    return p.remit_trace or p.trace_number or ""


def _form(p: Posting) -> str:
    if p.method in _PAPER_METHODS:
        return "paper"
    return "manual" if is_manual(p) else "era"


def _coded_traces(postings: Sequence[Posting]) -> set[tuple[str, int | None]]:
    """(trace, line) pairs that carry CAS rows (adjustments or patient responsibility)."""
    return {
        (_trace(p), p.line_no)
        for p in postings
        if p.kind in ("adjustment", "responsibility") and p.source == "payer" and _trace(p)
    }


def _repeats(pay: Sequence[Posting]) -> list[tuple[Posting, Posting, int]]:
    """(earlier, later, repeated cents) where a later payer payment repeats an earlier one of
    the same payer: the same amount at the same line or either at claim level (a literal copy),
    or a later posting event that repeats an earlier one by the verifier's rule
    (``bundles.events.repeats``: the event's total or one of its rows, claim level against
    line level in either order, ERA against manual or lockbox)."""
    ordered = sorted(pay, key=lambda p: p.posted_date)
    pairs: list[tuple[Posting, Posting, int]] = []
    used: set[str] = set()
    for i, later in enumerate(ordered):
        for earlier in ordered[:i]:
            if earlier.txn_id in used or (earlier.payer_id or "") != (later.payer_id or ""):
                continue
            same_line = earlier.line_no == later.line_no
            either_claim = earlier.line_no is None or later.line_no is None
            if earlier.amount_cents == later.amount_cents and (same_line or either_claim):
                pairs.append((earlier, later, later.amount_cents))
                used.add(earlier.txn_id)
                break
    paired = {p.txn_id for pair in pairs for p in pair[:2]}
    for first, repeat in repeated_payment_events(pay):
        if not any(p.txn_id in paired for p in (*first, *repeat)):
            pairs.append((first[0], repeat[0], sum(p.amount_cents for p in repeat)))
    return pairs


def _unreversed(pay: Sequence[Posting], postings: Sequence[Posting]) -> list[Posting]:
    """Positive payer payments left after each reversal cancels one payment of its amount."""
    reversals: dict[tuple[str, int], int] = {}
    for p in postings:
        if is_payer_payment(p) and p.amount_cents < 0:
            key = (p.payer_id or "", -p.amount_cents)
            reversals[key] = reversals.get(key, 0) + 1
    kept = []
    for p in sorted(pay, key=lambda q: q.posted_date, reverse=True):
        key = (p.payer_id or "", p.amount_cents)
        if reversals.get(key, 0) > 0:
            reversals[key] -= 1
            continue
        kept.append(p)
    return kept


def _payer_signatures(
    postings: Sequence[Posting], credit: int, out: dict[str, float]
) -> list[Posting]:
    all_pay = [p for p in postings if is_payer_payment(p) and p.amount_cents > 0]
    pay = _unreversed(all_pay, postings)
    out["credit_matches_payer_payment"] = _flag(_matches(credit, (p.amount_cents for p in pay)))
    totals: dict[tuple[str, str, str], int] = {}  # per payer, trace and posting form
    for p in pay:
        if _trace(p):
            key = (p.payer_id or "", _trace(p), _form(p))
            totals[key] = totals.get(key, 0) + p.amount_cents
    out["credit_matches_remittance_total"] = _flag(_matches(credit, totals.values()))
    n = len(pay)
    out["paper_payer_payment_share"] = (
        sum(p.method in _PAPER_METHODS for p in pay) / n if n else NAN
    )
    out["manual_payer_payment_count"] = float(sum(is_manual(p) for p in pay))
    out["claim_level_payer_payment_count"] = float(sum(p.line_no is None for p in pay))
    coded = _coded_traces(postings)
    out["uncoded_payer_payment_count"] = float(
        sum(
            p.allowed_amount_cents is None
            and (_trace(p), p.line_no) not in coded
            and (_trace(p), None) not in coded
            for p in pay
        )
    )
    era_traces = {_trace(p) for p in postings if not is_manual(p) and _trace(p)}
    keyed = [p for p in pay if is_manual(p) and p.trace_number and p.trace_number in era_traces]
    out["manual_on_remittance_trace_count"] = float(len(keyed))
    out["manual_on_remittance_trace_share_of_credit"] = _share(
        sum(p.amount_cents for p in keyed), credit
    )
    return pay


def _repeat_signatures(pay: Sequence[Posting], credit: int, out: dict[str, float]) -> None:
    pairs = _repeats(pay)
    out["repeated_payer_payment_any_level_count"] = float(len(pairs))
    out["repeated_payer_payment_share_of_credit"] = _share(
        sum(cents for _, _, cents in pairs), credit
    )
    first = pairs[0] if pairs else None
    if first is None:
        out["repeat_same_trace"] = NAN
        out["repeat_posting_form_differs"] = NAN
        out["repeat_days_apart"] = NAN
    else:
        earlier, later, _ = first
        out["repeat_same_trace"] = _flag(bool(_trace(earlier)) and _trace(earlier) == _trace(later))
        out["repeat_posting_form_differs"] = _flag(_form(earlier) != _form(later))
        out["repeat_days_apart"] = float((later.posted_date - earlier.posted_date).days)
    by_line: dict[tuple[str, int], list[Posting]] = {}
    for p in pay:
        if p.line_no is not None:
            by_line.setdefault((p.payer_id or "", p.line_no), []).append(p)
    again = 0
    later_cents = 0
    for group in by_line.values():
        traces = {_trace(p) or p.txn_id for p in group}
        if len(traces) > 1:
            again += 1
            ordered = sorted(group, key=lambda p: p.posted_date)
            later_cents += sum(p.amount_cents for p in ordered[1:])
    out["line_paid_under_two_traces_count"] = float(again)
    out["line_paid_again_share_of_credit"] = _share(later_cents, credit)


def _adjustment_signatures(postings: Sequence[Posting], credit: int, out: dict[str, float]) -> None:
    adjustments = [p for p in postings if p.kind == "adjustment" and p.amount_cents > 0]
    out["credit_matches_adjustment"] = _flag(
        _matches(credit, (p.amount_cents for p in adjustments))
    )
    writeoffs = [p for p in adjustments if p.source == "patient"]
    writeoff_cents = sum(p.amount_cents for p in writeoffs)
    out["patient_writeoff_share_of_credit"] = _share(writeoff_cents, credit)
    out["credit_matches_patient_writeoff"] = _flag(
        _matches(credit, [writeoff_cents, *(p.amount_cents for p in writeoffs)])
    )
    first_writeoff = min((p.posted_date for p in writeoffs), default=None)
    after = (
        0
        if first_writeoff is None
        else sum(
            p.amount_cents
            for p in postings
            if is_patient_payment(p) and p.amount_cents > 0 and p.posted_date >= first_writeoff
        )
    )
    out["patient_paid_after_writeoff_share_of_credit"] = _share(after, credit)
    seen: dict[int, list[Posting]] = {}
    twice = 0
    twice_cents = 0
    for p in sorted(adjustments, key=lambda q: q.posted_date):
        for q in seen.get(p.amount_cents, ()):
            if q.line_no == p.line_no or q.line_no is None or p.line_no is None:
                twice += 1
                twice_cents += p.amount_cents
                break
        seen.setdefault(p.amount_cents, []).append(p)
    out["adjustment_repeated_any_code_count"] = float(twice)
    out["adjustment_repeated_share_of_credit"] = _share(twice_cents, credit)
    sequestration = sum(p.amount_cents for p in adjustments if p.reason_code == "253")
    out["credit_matches_sequestration"] = _flag(_matches(credit, [sequestration]))


def _component_shares(
    postings: Sequence[Posting],
    parts: Mapping[str, Any],
    record: Mapping[str, Any],
    credit: int,
    out: dict[str, float],
) -> None:
    allowed = _cents(record["allowed_usd"])
    charge = int(parts["charge_amount_cents"])
    out["credit_share_of_allowed"] = (
        credit / allowed if allowed is not None and allowed > 0 else NAN
    )
    excess = _cents(record["primary_paid_minus_expected_usd"])
    out["payer_excess_share_of_allowed"] = (
        excess / allowed if excess is not None and allowed is not None and allowed > 0 else NAN
    )
    paid = [p.amount_cents for p in postings if is_payer_payment(p) and p.amount_cents > 0]
    out["payer_excess_matches_payment"] = NAN if excess is None else _flag(_matches(excess, paid))
    patient = [p.amount_cents for p in postings if is_patient_payment(p) and p.amount_cents > 0]
    out["credit_matches_patient_payment"] = _flag(_matches(credit, patient))
    responsibility = [p.amount_cents for p in postings if p.kind == "responsibility"]
    out["credit_matches_responsibility"] = _flag(
        _matches(credit, [sum(responsibility), *responsibility])
    )
    primary = str(parts["payer_id"] or "")
    secondary = str(parts["secondary_payer_id"] or "")
    primary_writeoff = sum(
        p.amount_cents
        for p in postings
        if p.kind == "adjustment"
        and p.source == "payer"
        and (p.payer_id or "") == primary
        and p.reason_code != "253"
    )
    if allowed is None or not primary:
        out["primary_writeoff_excess_share_of_credit"] = NAN
    else:
        out["primary_writeoff_excess_share_of_credit"] = _share(
            max(primary_writeoff - (charge - allowed), 0), credit
        )
    covered = sum(
        p.amount_cents
        for p in postings
        if secondary
        and (p.payer_id or "") == secondary
        and p.kind in ("payment", "adjustment")
        and p.source == "payer"
    )
    owed = int(parts["responsibility_cents"])
    out["secondary_excess_share_of_credit"] = (
        _share(max(covered - owed, 0), credit) if secondary else NAN
    )
    patient_paid = int(parts["patient_paid_cents"])
    out["responsibility_covered_twice_share_of_credit"] = (
        _share(max(min(covered, owed) + patient_paid - owed, 0), credit) if secondary else NAN
    )
    out["unbilled_payer_share_of_credit"] = _share(int(parts["unbilled_payer_paid_cents"]), credit)
    out["sequestration_share_of_credit"] = _share(int(parts["sequestration_cents"]), credit)
    patient_side = _largest(
        record["patient_excess_share_of_credit"],
        out["responsibility_covered_twice_share_of_credit"],
    )
    payer_side = _largest(
        record["payer_excess_share_of_credit"],
        out["unbilled_payer_share_of_credit"],
        out["secondary_excess_share_of_credit"],
    )
    out["patient_minus_payer_excess_share"] = (
        (0.0 if math.isnan(patient_side) else patient_side)
        - (0.0 if math.isnan(payer_side) else payer_side)
        if credit > 0
        else NAN
    )
    out["refund_share_of_credit"] = _share(int(parts["refund_cents"]), credit)
    out["payer_reversal_share_of_credit"] = _share(int(parts["payer_reversal_cents"]), credit)


def signature_features(
    bundle: ClaimBundle, parts: Mapping[str, Any], record: Mapping[str, Any]
) -> dict[str, float]:
    """The scale-free signatures of one credit (``SIGNATURE_NAMES``): flags, counts, days and
    ratios; NaN where one does not apply (no credit, no allowed amount, no repeat)."""
    postings = bundle.postings
    credit = -(int(parts["charge_amount_cents"]) + int(parts["balance_effect_cents"]))
    out: dict[str, float] = {}
    pay = _payer_signatures(postings, credit, out)
    _repeat_signatures(pay, credit, out)
    _adjustment_signatures(postings, credit, out)
    _component_shares(postings, parts, record, credit, out)
    _evidence(record, out)
    return out


def _evidence(record: Mapping[str, Any], out: dict[str, float]) -> None:
    """The strongest duplicate evidence in any posting form, and which of two competing
    components (a repeated payment, a repeated or excess write-off) explains more."""
    duplicate = _largest(
        out["repeated_payer_payment_share_of_credit"],
        out["manual_on_remittance_trace_share_of_credit"],
        out["line_paid_again_share_of_credit"],
        record["duplicate_share_of_credit"],
    )
    writeoff = _largest(
        out["adjustment_repeated_share_of_credit"],
        out["primary_writeoff_excess_share_of_credit"],
    )
    out["payer_duplicate_evidence_share_of_credit"] = duplicate
    out["duplicate_minus_writeoff_share"] = (
        NAN if math.isnan(duplicate) else duplicate - (0.0 if math.isnan(writeoff) else writeoff)
    )


def _largest(*shares: Any) -> float:
    """The largest of the shares that apply, capped at 1 (NaN when none applies)."""
    known = [float(s) for s in shares if s is not None and not math.isnan(float(s))]
    return min(max(known), 1.0) if known else NAN
