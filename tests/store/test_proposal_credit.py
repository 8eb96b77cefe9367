"""Issue 14, failure 2: a manager's proposal of refund_payer $26.72; a re-ingest lowered the
credit to $6.72 (the version moved on); approve with the new version succeeded and complete
recorded $26.72 refunded. Now the re-ingest sends the proposal back to review (audited) and
approve/complete refuse any amount above the current credit."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, update

from cbclassify.store.accounts import practice_by_code
from cbclassify.store.audit import SYSTEM, verify_chain
from cbclassify.store.audit_queries import audit_events
from cbclassify.store.cases import ActingUser, apply_command
from cbclassify.store.db import Database
from cbclassify.store.ingest import ingest_cases
from cbclassify.store.models_cases import CaseEvent, CreditCase
from cbclassify.workflow import AmountAboveCredit, Completion, InvalidTransition, Note, Proposal

from .helpers import analysed, seed_practices_and_users

TODAY = date(2025, 3, 10)
PAYER = {
    "recommended_action": "refund_payer",
    "verified_source": "payer_overpayment",
    "predicted_source": "payer_overpayment",
}


def _ingest(db: Database, cents: int | None, digest: str, **overrides: object) -> None:
    credits = {} if cents is None else {"C1": cents}
    with db.transaction() as s:
        data = analysed(date(2025, 3, 1), credits, **{**PAYER, **overrides})
        ingest_cases(
            s, practice_by_code(s, "a"), data, kind="ledger", content_sha256=digest, actor=SYSTEM
        )


@pytest.fixture
def users(db: Database) -> dict[str, ActingUser]:
    seeded = seed_practices_and_users(db)
    _ingest(db, 2672, "h1")
    return seeded


def _case(db: Database) -> CreditCase:
    with db.read_session() as s:
        return s.scalars(select(CreditCase)).one()


def _do(db: Database, user: ActingUser, command: str, payload: object = None) -> CreditCase:
    case = _case(db)
    with db.transaction() as s:
        done, _ = apply_command(
            s,
            case.id,
            user,
            command,
            payload,
            expected_version=case.version,
            default_threshold_cents=50_000,
            today=TODAY,
        )
        return done


def _propose(db: Database, users: dict[str, ActingUser]) -> CreditCase:
    _do(db, users["manager"], "start_review")
    case = _do(db, users["manager"], "propose", Proposal("refund_payer"))
    assert case.proposed_amount_cents == 2672 and case.approval_required
    return case


def test_reingest_lowering_the_credit_sends_the_proposal_back_to_review(
    db: Database, users: dict[str, ActingUser]
) -> None:
    proposed = _propose(db, users)
    _ingest(db, 672, "h2")  # a refund row was added: the credit is now $6.72
    case = _case(db)
    assert case.state == "in_review" and case.credit_amount_cents == 672
    assert case.proposed_action is None and case.proposed_amount_cents is None
    assert case.version > proposed.version
    with pytest.raises(InvalidTransition):  # nothing left to approve with the new version
        _do(db, users["manager2"], "approve")
    with db.read_session() as s:
        event = s.scalars(select(CaseEvent).order_by(CaseEvent.id.desc())).first()
        assert event is not None and event.command == "ingest_review"
        assert (event.from_state, event.to_state) == ("action_proposed", "in_review")
        rows = [r for r in audit_events(s, [case.practice_id]) if r.action == "case.ingest_review"]
        assert len(rows) == 1 and '"changed":["credit_amount_cents"]' in rows[0].details
        assert '"proposed_amount_cents":2672' in rows[0].before
        assert verify_chain(s).ok
    # proposing again on the new facts works, for the new amount
    assert (
        _do(db, users["manager"], "propose", Proposal("refund_payer")).proposed_amount_cents == 672
    )


def test_an_approved_proposal_goes_back_too_and_cannot_complete(
    db: Database, users: dict[str, ActingUser]
) -> None:
    _propose(db, users)
    assert _do(db, users["manager2"], "approve").state == "approved"
    _ingest(db, 672, "h2")
    case = _case(db)
    assert case.state == "in_review" and case.approved_by_id is None
    with pytest.raises(InvalidTransition):
        _do(db, users["manager"], "complete", Completion(refund_date=TODAY, check_number="9"))


@pytest.mark.parametrize(
    ("cents", "overrides", "changed"),
    [
        (None, {}, "credit_present"),  # the credit is gone from the new ledger
        (2672, {"verification": "conflict"}, "verification"),
        (2672, {"verified_source": None}, "verified_source"),
    ],
)
def test_a_credit_gone_or_verification_changed_sends_it_back(
    db: Database, users: dict[str, ActingUser], cents, overrides, changed
) -> None:
    _propose(db, users)
    _ingest(db, cents, "h2", **overrides)
    case = _case(db)
    assert case.state == "in_review" and case.proposed_action is None
    with db.read_session() as s:
        rows = [r for r in audit_events(s, None) if r.action == "case.ingest_review"]
        assert len(rows) == 1 and changed in rows[0].details


def test_an_unchanged_reingest_keeps_the_proposal(
    db: Database, users: dict[str, ActingUser]
) -> None:
    _propose(db, users)
    _ingest(db, 2672, "h2")
    case = _case(db)
    assert case.state == "action_proposed" and case.proposed_amount_cents == 2672
    assert _do(db, users["manager2"], "approve").state == "approved"


def test_a_held_proposal_stays_held_and_returns_to_review(
    db: Database, users: dict[str, ActingUser]
) -> None:
    _propose(db, users)
    _do(db, users["manager"], "hold", Note("waiting on the payer", kind="payer_decision"))
    _ingest(db, 672, "h2")
    case = _case(db)
    assert case.state == "on_hold" and case.hold_return_state == "in_review"
    assert case.proposed_action is None
    assert _do(db, users["manager"], "release").state == "in_review"


def test_approve_and_complete_refuse_an_amount_above_the_current_credit(
    db: Database, users: dict[str, ActingUser]
) -> None:
    """Defence in depth: a row whose credit moved without the re-review (e.g. written by an
    older version) still cannot be approved or completed above its credit."""
    _propose(db, users)
    with db.engine.begin() as conn:
        conn.execute(
            update(CreditCase).values(credit_amount_cents=672, version=CreditCase.version + 1)
        )
    with pytest.raises(AmountAboveCredit, match="above the current credit"):
        _do(db, users["manager2"], "approve")
    with db.engine.begin() as conn:
        conn.execute(
            update(CreditCase).values(credit_amount_cents=2672, version=CreditCase.version + 1)
        )
    _do(db, users["manager2"], "approve")
    with db.engine.begin() as conn:
        conn.execute(
            update(CreditCase).values(credit_amount_cents=672, version=CreditCase.version + 1)
        )
    with pytest.raises(AmountAboveCredit):
        _do(db, users["manager"], "complete", Completion(refund_date=TODAY, check_number="9"))
    assert _case(db).state == "approved"
