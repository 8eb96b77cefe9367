"""Proposals bound to their credit, in the store: before an ingest, the credit facts of every
case with a pending proposal; after it, each one whose facts changed goes back to review, with
its case event and audit row (the rule itself is ``workflow.credit_binding``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cbclassify.store.audit import AuditActor, append_audit
from cbclassify.store.base import utcnow
from cbclassify.store.cases import case_facts, snapshot
from cbclassify.store.models_cases import CaseEvent, CreditCase
from cbclassify.workflow.credit_binding import (
    BACK_TO_REVIEW,
    CREDIT_FACTS,
    back_to_review,
    changed_facts,
    has_pending_proposal,
)


def pending_proposals(session: Session, practice_id: int) -> dict[int, dict[str, Any]]:
    """The credit facts of the practice's cases with a pending proposal, before this ingest."""
    columns = [getattr(CreditCase, name) for name in CREDIT_FACTS]
    stmt = select(CreditCase.id, CreditCase.state, CreditCase.hold_return_state, *columns).where(
        CreditCase.practice_id == practice_id, CreditCase.proposed_action.is_not(None)
    )
    return {
        row.id: {name: getattr(row, name) for name in CREDIT_FACTS}
        for row in session.execute(stmt)
        if has_pending_proposal(row.state, row.hold_return_state)
    }


def review_outdated_proposals(
    session: Session, pending: dict[int, dict[str, Any]], batch_id: int, actor: AuditActor
) -> None:
    """Send back to review every pending proposal whose credit or verification this ingest
    changed (the case event and a ``case.ingest_review`` audit row say which facts changed)."""
    if not pending:
        return
    stmt = (
        select(CreditCase)
        .where(CreditCase.id.in_(list(pending)))
        .execution_options(populate_existing=True)
    )
    for case in session.scalars(stmt):
        now_facts = {name: getattr(case, name) for name in CREDIT_FACTS}
        step = back_to_review(case_facts(case), changed_facts(pending[case.id], now_facts))
        if step is None:
            continue
        before = snapshot(case)
        for name, value in step.changes.items():
            setattr(case, name, value)
        case.updated_at = utcnow()
        details = {
            "batch_id": batch_id,
            "changed": list(step.changed_facts),
            "credit_amount_cents": {
                "before": pending[case.id]["credit_amount_cents"],
                "after": case.credit_amount_cents,
            },
        }
        session.add(
            CaseEvent(
                case_id=case.id,
                actor_id=actor.user_id,
                command=BACK_TO_REVIEW,
                from_state=step.from_state.value,
                to_state=step.to_state.value,
                details=details,
            )
        )
        session.flush()
        append_audit(
            session,
            actor,
            f"case.{BACK_TO_REVIEW}",
            practice_id=case.practice_id,
            case_id=case.id,
            before=before,
            after=snapshot(case),
            details=details,
        )
