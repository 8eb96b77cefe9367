"""Workflow commands on stored cases: events, approvals, audit rows, scoping, concurrency."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import select

from cbclassify.store.accounts import practice_by_code
from cbclassify.store.audit import SYSTEM, verify_chain
from cbclassify.store.audit_queries import audit_events
from cbclassify.store.cases import ActingUser, apply_command
from cbclassify.store.db import Database
from cbclassify.store.errors import ConflictError, NotFound
from cbclassify.store.ingest import ingest_cases
from cbclassify.store.models_cases import Approval, CaseEvent, CreditCase
from cbclassify.workflow import Completion, NotPermitted, Proposal, SelfApprovalError

from .helpers import analysed, seed_practices_and_users

TODAY = date(2025, 3, 10)


@pytest.fixture
def users(db: Database) -> dict[str, ActingUser]:
    seeded = seed_practices_and_users(db)
    with db.transaction() as s:
        data = analysed(
            date(2025, 3, 1),
            {"C1": 80_000},
            recommended_action="refund_payer",
            verified_source="payer_overpayment",
            predicted_source="payer_overpayment",
        )
        ingest_cases(
            s, practice_by_code(s, "a"), data, kind="ledger", content_sha256="h", actor=SYSTEM
        )
    return seeded


def _case_id(db: Database) -> int:
    with db.read_session() as s:
        return s.scalars(select(CreditCase.id)).one()


def _do(
    db: Database, user: ActingUser, command: str, payload: object = None, version: int | None = None
) -> CreditCase:
    case_id = _case_id(db)
    with db.transaction() as s:
        if version is None:
            version = s.get_one(CreditCase, case_id).version
        case, _ = apply_command(
            s,
            case_id,
            user,
            command,
            payload,
            expected_version=version,
            default_threshold_cents=50_000,
            today=TODAY,
        )
        return case


def test_full_workflow_records_events_approval_and_audit(db: Database, users) -> None:
    _do(db, users["biller"], "start_review")
    _do(db, users["biller"], "propose", Proposal("refund_payer"))
    with pytest.raises(NotPermitted):
        _do(db, users["biller"], "approve")
    _do(db, users["manager"], "approve")
    done = _do(db, users["biller"], "complete", Completion(refund_date=TODAY, check_number="881"))
    assert done.state == "done" and done.resolution_kind == "refunded"
    assert done.version == 5
    with db.read_session() as s:
        events = s.scalars(select(CaseEvent.command).order_by(CaseEvent.id)).all()
        approval = s.scalars(select(Approval)).one()
        trail = [e.action for e in audit_events(s, None, case_id=done.id)]
        assert verify_chain(s).ok
    assert events == ["start_review", "propose", "approve", "complete"]
    assert approval.decision == "approved" and approval.approver_id == users["manager"].user_id
    assert approval.proposed_by_id == users["biller"].user_id
    assert trail == ["case.start_review", "case.propose", "case.approve", "case.complete"]


def test_manager_cannot_approve_own_proposal(db: Database, users) -> None:
    _do(db, users["manager"], "start_review")
    _do(db, users["manager"], "propose", Proposal("refund_payer"))
    with pytest.raises(SelfApprovalError):
        _do(db, users["manager"], "approve")
    assert _do(db, users["manager2"], "approve").approved_by_id == users["manager2"].user_id


def test_override_is_audited_with_its_reason(db: Database, users) -> None:
    _do(db, users["biller"], "start_review")
    _do(db, users["biller"], "propose", Proposal("payer_offset", reason="payer allows offset"))
    with db.read_session() as s:
        rows = [r for r in audit_events(s, None) if r.action == "case.override"]
    assert len(rows) == 1 and "payer allows offset" in rows[0].details
    assert '"refund_payer"' in rows[0].before and '"payer_offset"' in rows[0].after


def test_stale_version_is_a_conflict_and_changes_nothing(db: Database, users) -> None:
    _do(db, users["biller"], "start_review", version=1)
    with pytest.raises(ConflictError):
        _do(db, users["manager"], "hold", None, version=1)
    with db.read_session() as s:
        case = s.get_one(CreditCase, _case_id(db))
        assert (case.state, case.version) == ("in_review", 2)


def test_ingest_bumps_version_so_stale_proposals_conflict(db: Database, users) -> None:
    _do(db, users["biller"], "start_review")
    with db.transaction() as s:
        ingest_cases(
            s,
            practice_by_code(s, "a"),
            analysed(date(2025, 3, 5), {"C1": 70_000}),
            kind="ledger",
            content_sha256="h2",
            actor=SYSTEM,
        )
    with pytest.raises(ConflictError):
        _do(db, users["biller"], "propose", Proposal("refund_patient"), version=2)


def test_other_practice_cannot_see_or_change_the_case(db: Database, users) -> None:
    with pytest.raises(NotFound):
        _do(db, users["biller_b"], "start_review", version=1)


def test_concurrent_identical_commands_apply_once(db: Database, users) -> None:
    outcomes: list[str] = []

    def worker() -> None:
        try:
            _do(db, users["biller"], "start_review", version=1)
            outcomes.append("ok")
        except ConflictError:
            outcomes.append("conflict")

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict"] * 3 + ["ok"]
    with db.read_session() as s:
        assert s.scalars(select(CaseEvent.command)).all() == ["start_review"]
