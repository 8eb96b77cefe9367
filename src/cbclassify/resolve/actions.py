"""Recommended actions for confirmed credits, per the contract and the practice's policy.

Only a confirmed credit gets an action; everything else goes to manual review with its reason.
* payer overpayment / payer paid twice: ``payer_offset`` where the payer allows offset (policy
  overrides ``payers.allows_offset``), else ``refund_payer``, to the payer that overpaid;
* one remittance or receipt posted twice: ``reverse_posting``;
* allowance error: ``correct_adjustment``;
* patient credit: ``apply_to_balance`` where the policy allows it and the same patient has
  another claim with a positive balance on the identification date, else ``refund_patient``.
Each action gets its due date (``deadlines``); a patient refund its dormancy date; a refund at
or above the policy's threshold needs approval.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from cbclassify.bundles import ClaimBundle, LedgerContext, Payer
from cbclassify.contract.money import dollars
from cbclassify.resolve.deadlines import (
    PAYER_ACTIONS,
    Investigation,
    dormancy_date,
    due_date,
)
from cbclassify.resolve.policy import Policy
from cbclassify.verify import Verdict

RECOMMEND_COLUMNS = [
    "claim_id",
    "recommended_action",
    "due_date",
    "due_basis",
    "dormancy_date",
    "overpayment_payer_id",
    "approval_required",
    "apply_to_claim_id",
]
NO_ACTION_BASIS = "no action until verified: manual review"
_ACTION_OF_KIND = {"reverse_posting": "reverse_posting", "correct_adjustment": "correct_adjustment"}


@dataclass(frozen=True)
class Recommendation:
    """What to do with one verified credit, and by when."""

    claim_id: str
    recommended_action: str | None  # None unless confirmed
    due_date: date | None
    due_basis: str
    dormancy_date: date | None  # patient refunds only
    overpayment_payer_id: str | None  # the payer to refund or offset
    approval_required: bool
    apply_to_claim_id: str | None  # the patient's open claim a credit is applied to


def recommend(
    context: LedgerContext,
    bundle: ClaimBundle,
    verdict: Verdict,
    policy: Policy,
    *,
    identified: date | None = None,
    investigations: Sequence[Investigation] = (),
) -> Recommendation:
    """Action, due date and basis, dormancy and approval of one verified credit.

    ``identified``: the credit's identification date (default: the bundle's date, the
    verification date); deadlines run from it, and the patient's other open balances and last
    activity are read as of it. ``investigations``: the claim's good-faith investigations.
    """
    day = identified if identified is not None else bundle.as_of
    first = bundle.first_line
    history = bundle.patients.get(first.patient_id) if first is not None else None
    confirmed = verdict.verification == "confirmed"
    apply_to = None
    if confirmed and verdict.confirmed_action == "patient_return" and history is not None:
        apply_to = history.open_claim(
            bundle.claim_id,
            day,
            deductible_settled=policy.patient_credits.apply_to_deductible_balances,
        )
    action = _action(verdict, apply_to, context, policy) if confirmed else None
    payer_id = verdict.confirmed_payer_id if action in PAYER_ACTIONS else None
    payer = context.payers.get(payer_id) if payer_id is not None else None
    location = first.location_id if first is not None else None
    state = policy.deadlines.location_states.get(location) if location is not None else None
    state = state or policy.deadlines.practice_state or None
    due, basis = due_date(action, day, payer_id, payer, state, policy, investigations)
    dormancy = None
    if action == "refund_patient":
        last = _last_patient_activity(bundle, day)
        patient_state = history.state if history is not None else None
        dormancy = dormancy_date(last or day, patient_state, policy)
    amount = verdict.explained_amount_cents or 0
    return Recommendation(
        claim_id=bundle.claim_id,
        recommended_action=action,
        due_date=due,
        due_basis=basis if action is not None and basis is not None else NO_ACTION_BASIS,
        dormancy_date=dormancy,
        overpayment_payer_id=payer_id,
        approval_required=action in ("refund_payer", "refund_patient")
        and amount >= policy.refunds.approval_threshold_cents,
        apply_to_claim_id=apply_to if action == "apply_to_balance" else None,
    )


def held_patient_credit(bundle: ClaimBundle, verdict: Verdict, policy: Policy) -> Verdict:
    """A confirmed patient credit is held, not refunded, while the patient owes nothing yet but
    has another claim whose balance awaits a payer (the payer's adjudication decides what the
    patient will owe there): the verdict becomes inconclusive, naming the claim it waits for,
    with the ledger's source kept (``ledger_source``), and no action. Applied to a balance
    the patient owes, or refunded when there is none, it stays confirmed."""
    if verdict.verification != "confirmed" or verdict.confirmed_action != "patient_return":
        return verdict
    if not policy.patient_credits.apply_to_other_balances:
        return verdict
    first = bundle.first_line
    history = bundle.patients.get(first.patient_id) if first is not None else None
    if history is None:
        return verdict
    owed, awaiting = history.open_claims(
        bundle.claim_id,
        bundle.as_of,
        deductible_settled=policy.patient_credits.apply_to_deductible_balances,
    )
    if owed is not None or awaiting is None:
        return verdict
    reason = (
        f"patient credit of {dollars(verdict.credit_amount_cents)} held: the patient owes no other "
        f"balance yet, and claim {awaiting} is not settled (it awaits its payer, or is a "
        "self-pay charge with nothing posted"
        + (
            ""
            if policy.patient_credits.apply_to_deductible_balances
            else ", or its payer paid nothing yet: all to the deductible"
        )
        + "); apply the credit there once it is, else refund"
    )
    head = f"Patient credit of {dollars(verdict.credit_amount_cents)} held. {reason}. "
    body = verdict.statement.split(". ", 1)[1] if ". " in verdict.statement else ""
    return replace(
        verdict,
        verification="inconclusive",
        verified_source=None,
        review_reason=reason,
        statement=(head + body).strip(),
        disagreement=False,
        confirmed_rule=None,
        confirmed_action=None,
        confirmed_payer_id=None,
        ledger_source=verdict.verified_source,
        ledger_amount_cents=verdict.credit_amount_cents,
    )


def offset_allowed(payer_id: str | None, payer: Payer | None, policy: Policy) -> bool:
    """Whether a payer may recoup by offset: policy allow/deny lists override the ledger."""
    if payer_id is None:
        return False
    allowed = (payer is not None and payer.allows_offset) or payer_id in policy.offsets.allow
    return allowed and payer_id not in policy.offsets.deny


def _action(
    verdict: Verdict, apply_to: str | None, context: LedgerContext, policy: Policy
) -> str | None:
    kind = verdict.confirmed_action
    if kind in _ACTION_OF_KIND:
        return _ACTION_OF_KIND[kind]
    if kind == "payer_return":
        payer_id = verdict.confirmed_payer_id
        payer = context.payers.get(payer_id) if payer_id is not None else None
        return "payer_offset" if offset_allowed(payer_id, payer, policy) else "refund_payer"
    if kind == "patient_return":
        can_apply = policy.patient_credits.apply_to_other_balances and apply_to is not None
        return "apply_to_balance" if can_apply else "refund_patient"
    return None


def _last_patient_activity(bundle: ClaimBundle, day: date) -> date | None:
    """The claim's last patient posting on or before ``day`` (every posting, extras too)."""
    days = [
        p.posted_date for p in bundle.all_postings if p.source == "patient" and p.posted_date <= day
    ]
    return max(days) if days else None
