"""``verify_and_recommend`` for a handful of credits, in plain Python (the single-claim path).

The same recommendations, due dates and bases as ``resolve.actions.recommend`` and
``resolve.deadlines`` (read those for the rules), claim by claim over plain values, on top of
``verify.single``; the result frame is identical to the vectorized one (same columns and dtypes),
as tests/verify/test_single.py checks on synthetic practices and random ledgers. Without an
investigations table only: suspensions of the 60-day clock go through the vectorized path.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from cbclassify.balances.rows import Credits
from cbclassify.contract.enums import GOVERNMENT_PAYER_TYPES
from cbclassify.contract.ledger import Ledger
from cbclassify.resolve.deadlines import (
    INTERNAL_ACTIONS,
    PATIENT_ACTIONS,
    PAYER_ACTIONS,
    PAYER_TYPE_WORDS,
)
from cbclassify.resolve.policy import Policy
from cbclassify.verify.single import verify_records
from cbclassify.verify.single_rows import LedgerView, Row, SmallWorkset, effect_of

_ACTION_OF_KIND = {"reverse_posting": "reverse_posting", "correct_adjustment": "correct_adjustment"}
_NO_ACTION_BASIS = "no action until verified: manual review"
_STRING_COLUMNS = ("verification", "verified_source", "evidence", "recommended_action",
                   "due_basis", "overpayment_payer_id", "apply_to_claim_id", "statement",
                   "review_reason")  # fmt: skip


def verify_and_recommend_small(
    ledger: Ledger, credits: pd.DataFrame, predicted: Any, as_of: object, policy: Policy
) -> pd.DataFrame:
    """The frame of ``resolve.pipeline.verify_and_recommend`` (without investigations)."""
    from cbclassify.resolve.pipeline import SCORING_COLUMNS

    out = verify_and_recommend_records(ledger, credits, predicted, as_of, policy)
    columns: dict[str, Any] = {
        "claim_id": pd.array([r["claim_id"] for r in out], dtype="string"),
        "credit_cents": np.array([r["credit_cents"] for r in out], dtype="int64"),
        "explained_amount": pd.array([r["explained_cents"] for r in out], dtype="Int64"),
        "approval_required": np.array([r["approval_required"] for r in out], dtype=bool),
        "disagreement": pd.array([r["disagreement"] for r in out], dtype="bool[pyarrow]"),
    }
    for name in _STRING_COLUMNS:
        columns[name] = pd.array([r[name] for r in out], dtype="string")
    for name in ("due_date", "dormancy_date"):
        columns[name] = pd.array([r[name] for r in out], dtype="datetime64[ns]")
    return pd.DataFrame({name: columns[name] for name in SCORING_COLUMNS})


def verify_and_recommend_records(
    ledger: Ledger, credits: Credits, predicted: Any, as_of: object, policy: Policy
) -> list[Row]:
    """The rows of ``verify_and_recommend_small`` as plain dicts (verdict + recommendation keys;
    ``explained_cents`` for the explained amount), without building the frame."""
    ws, rows = verify_records(ledger, credits, as_of, predicted)
    facts = _LedgerFacts(ws)
    return [{**v, **recommend_row(v, facts, ws.as_of, policy)} for v in rows]


class _LedgerFacts:
    """What the recommendation reads besides the verdict: each credit claim's first line,
    patient state and last patient activity; the payers; the ledger's rows (``LedgerView``)."""

    def __init__(self, ws: SmallWorkset) -> None:
        self.view = ws.view
        self.first_line = {c.claim_id: c.first_line for c in ws.claims}
        patients = {c.first_line["patient_id"] for c in ws.claims}
        self.state = {
            p["patient_id"]: p["state"] for p in self.view.rows("patients", "patient_id", patients)
        }
        self.payers = {p["payer_id"]: p for p in self.view.rows("payers")}
        self.last_patient: dict[str, pd.Timestamp] = {}
        for c in ws.claims:  # every posting of the claim up to the as-of date, extras included
            days = [t["posted_date"] for t in c.txns if t["source"] == "patient"]
            if days:
                self.last_patient[c.claim_id] = max(days)


def open_claim_row(
    view: LedgerView, claim_id: str, patient: str | None, day: pd.Timestamp
) -> str | None:
    """The patient's oldest other claim (service date, then id) with a positive balance on
    ``day`` (``actions.open_claim_of``)."""
    owed: dict[str, int] = {}
    first_seen: dict[str, pd.Timestamp] = {}
    for r in view.rows("claim_lines", "patient_id", {patient}):
        if r["claim_id"] == claim_id or not r["billed_date"] <= day:
            continue
        owed[r["claim_id"]] = owed.get(r["claim_id"], 0) + int(r["charge_amount_cents"])
        seen = first_seen.get(r["claim_id"])
        first_seen[r["claim_id"]] = (
            r["service_date"] if seen is None else min(seen, r["service_date"])
        )
    if not owed:
        return None
    for r in view.rows("transactions", "claim_id", set(owed)):
        if r["posted_date"] <= day:
            owed[r["claim_id"]] += effect_of(r["kind"], int(r["amount_cents"]))
    open_claims = [c for c, balance in owed.items() if balance > 0]
    if not open_claims:
        return None
    return min(open_claims, key=lambda c: (first_seen[c], c))


def recommend_row(v: Row, facts: _LedgerFacts, day: pd.Timestamp, policy: Policy) -> Row:
    """Action, due date, basis, dormancy, approval of one verified credit (``recommend``)."""
    claim_id = v["claim_id"]
    confirmed = v["verification"] == "confirmed"
    first = facts.first_line.get(claim_id, {})
    patient = first.get("patient_id")
    apply_to = None
    if confirmed and v["confirmed_action"] == "patient_return":
        apply_to = open_claim_row(facts.view, claim_id, patient, day)
    action = _action(v, confirmed, apply_to, facts, policy) if confirmed else None
    payer_id = v["confirmed_payer_id"] if action in PAYER_ACTIONS else None
    payer = facts.payers.get(payer_id, {}) if payer_id is not None else {}
    state = policy.deadlines.location_states.get(first.get("location_id")) or (
        policy.deadlines.practice_state or None
    )
    due, basis = due_row(action, day, payer_id, payer, state, policy)
    dormancy = None
    patient_state = facts.state.get(patient) if patient is not None else None
    if action == "refund_patient":
        last = facts.last_patient.get(claim_id, day)
        up = policy.unclaimed_property
        years = up.state_dormancy_years.get(patient_state, up.default_dormancy_years)
        dormancy = last + pd.DateOffset(years=int(years))
    amount = v["explained_cents"] or 0
    return {
        "recommended_action": action,
        "due_date": due,
        "due_basis": basis if action is not None else _NO_ACTION_BASIS,
        "dormancy_date": dormancy,
        "overpayment_payer_id": payer_id,
        "approval_required": action in ("refund_payer", "refund_patient")
        and amount >= policy.refunds.approval_threshold_cents,
        "apply_to_claim_id": apply_to if action == "apply_to_balance" else None,
    }


def _action(
    v: Row, confirmed: bool, apply_to: str | None, facts: _LedgerFacts, policy: Policy
) -> str | None:
    kind = v["confirmed_action"]
    if kind in _ACTION_OF_KIND:
        return _ACTION_OF_KIND[kind]
    if kind == "payer_return":
        payer_id = v["confirmed_payer_id"]
        flag = facts.payers.get(payer_id, {}).get("allows_offset") if payer_id is not None else None
        allowed = bool(flag) or payer_id in policy.offsets.allow
        offset = payer_id is not None and allowed and payer_id not in policy.offsets.deny
        return "payer_offset" if offset else "refund_payer"
    if kind == "patient_return":
        can_apply = policy.patient_credits.apply_to_other_balances and apply_to is not None
        return "apply_to_balance" if can_apply else "refund_patient"
    return None


def due_row(action: str | None, ident: pd.Timestamp, payer_id: str | None, payer: Row,
            state: str | None, policy: Policy) -> tuple[pd.Timestamp | None, str | None]:  # fmt: skip
    """Due date and its basis in words (``deadlines.due_dates`` without investigations)."""
    iso = ident.strftime("%Y-%m-%d")
    if action in INTERNAL_ACTIONS:
        days = policy.deadlines.internal_correction_days
        return ident + pd.Timedelta(
            days=days
        ), f"internal correction: {days} days (policy) from identification {iso}"
    if action in PATIENT_ACTIONS:
        days = policy.patient_credits.refund_days
        return ident + pd.Timedelta(
            days=days
        ), f"patient credit: {days} days (policy) from identification {iso}"
    if action not in PAYER_ACTIONS:
        return None, None
    payer_type = payer.get("payer_type")
    contract = payer.get("refund_deadline_days")
    if payer_type in GOVERNMENT_PAYER_TYPES:
        statute = policy.deadlines.government_days
        days = contract if contract is not None and contract < statute else statute
        words = PAYER_TYPE_WORDS.get(payer_type, "government")
        return ident + pd.Timedelta(
            days=int(days)
        ), f"{words} {days}-day rule from identification {iso}"
    return _commercial_due(ident, iso, payer_id, payer, state, policy)


def _commercial_due(ident: pd.Timestamp, iso: str, payer_id: str | None, payer: Row,
                    state: str | None, policy: Policy) -> tuple[pd.Timestamp, str]:  # fmt: skip
    cfg = policy.deadlines
    payer_type = payer.get("payer_type")
    rule = cfg.prompt_pay.get(state) if state is not None else None
    covered = rule is not None and payer_type is not None and payer_type in rule.payer_types
    options = [("contract", payer.get("refund_deadline_days")),
               ("policy", cfg.payer_days.get(payer_id) if payer_id is not None else None),
               ("state", rule.refund_days if covered else None)]  # fmt: skip
    known = [(days, which) for which, days in options if days is not None]
    best = min(known, key=lambda o: o[0]) if known else None
    type_days = cfg.payer_type_days.get(payer_type, 60) if payer_type is not None else 60
    days = int(best[0]) if best else int(type_days)
    name = payer.get("payer_name") or payer_id
    type_words = PAYER_TYPE_WORDS.get(payer_type, "") if payer_type is not None else ""
    which = best[1] if best else ""
    label = {
        "contract": f"{name} refund deadline (payer contract)",
        "policy": f"{name} refund deadline (policy)",
        "state": f"{state} prompt-pay rule for {type_words} payers",
    }.get(which, f"policy default for {type_words or 'other'} payers")
    return ident + pd.Timedelta(days=days), f"{label}: {days} days from identification {iso}"
