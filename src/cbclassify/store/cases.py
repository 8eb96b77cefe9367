"""Apply workflow commands to stored cases: one transaction per command, with its event,
approval, audit rows and an optimistic version check (a stale update is a ConflictError)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from cbclassify.store.audit import AuditActor, append_audit
from cbclassify.store.base import utcnow
from cbclassify.store.errors import ConflictError, NotFound
from cbclassify.store.models_auth import Practice
from cbclassify.store.models_cases import Approval, CaseEvent, CreditCase
from cbclassify.workflow import Actor, ApprovalPolicy, CaseFacts, Command, Transition, decide

#: Case fields recorded before/after each step in the audit trail (no patient/claim ids).
AUDITED_FIELDS: tuple[str, ...] = (
    "state",
    "proposed_action",
    "proposed_source",
    "proposed_amount_cents",
    "proposal_reason",
    "proposed_by_id",
    "approval_required",
    "approved_by_id",
    "hold_kind",
    "hold_reason",
    "hold_return_state",
    "resolution_kind",
    "resolution_details",
    "resolved_date",
    "resolved_by_id",
    "due_date",
    "suspended_days",
    "version",
)


@dataclass(frozen=True)
class ActingUser:
    """The signed-in user as the store needs it: id, name, roles and granted practices."""

    user_id: int
    username: str
    roles: frozenset[str]
    practice_ids: frozenset[int]

    @property
    def actor(self) -> Actor:
        """The workflow's view of this user."""
        return Actor(self.user_id, self.roles)

    @property
    def audit(self) -> AuditActor:
        """The audit trail's view of this user."""
        return AuditActor(self.user_id, self.username)


def snapshot(case: CreditCase) -> dict[str, Any]:
    """The audited fields of a case, as plain values."""
    return {name: getattr(case, name) for name in AUDITED_FIELDS}


def case_facts(case: CreditCase) -> CaseFacts:
    """The workflow's view of a stored case."""
    names = CaseFacts.__dataclass_fields__
    return CaseFacts(**{name: getattr(case, name) for name in names})


def approval_policy(practice: Practice, default_threshold_cents: int) -> ApprovalPolicy:
    """The practice's refund approval threshold, or the policy default."""
    threshold = practice.refund_approval_threshold_cents
    return ApprovalPolicy(default_threshold_cents if threshold is None else threshold)


def get_case(session: Session, case_id: int, user: ActingUser, *, lock: bool = False) -> CreditCase:
    """A case of one of the user's practices; NotFound for any other id (no existence leak)."""
    stmt = select(CreditCase).where(
        CreditCase.id == case_id, CreditCase.practice_id.in_(user.practice_ids)
    )
    case = session.scalar(stmt.with_for_update() if lock else stmt)
    if case is None:
        raise NotFound(f"no case {case_id}")
    return case


def apply_command(
    session: Session,
    case_id: int,
    user: ActingUser,
    command: Command | str,
    payload: object,
    *,
    expected_version: int,
    default_threshold_cents: int,
    today: date | None = None,
) -> tuple[CreditCase, Transition]:
    """Decide and record one workflow step in the caller's transaction.

    Raises NotFound (not the user's case), ConflictError (the case changed since the caller
    read ``expected_version``) or a WorkflowError (not allowed / bad input).
    """
    case = get_case(session, case_id, user, lock=True)
    if case.version != expected_version:
        raise ConflictError(
            f"case {case_id} changed (version {case.version}, you sent {expected_version})"
        )
    practice = session.get_one(Practice, case.practice_id)
    policy = approval_policy(practice, default_threshold_cents)
    transition = decide(case_facts(case), command, user.actor, payload, policy, today)
    before = snapshot(case)
    for name, value in transition.changes.items():
        setattr(case, name, value)
    case.updated_at = utcnow()
    try:
        session.flush()
    except StaleDataError as err:
        raise ConflictError(f"case {case_id} changed while you were editing it") from err
    _record(session, case, user, transition, before, payload)
    return case, transition


def _record(
    session: Session,
    case: CreditCase,
    user: ActingUser,
    transition: Transition,
    before: dict[str, Any],
    payload: object,
) -> None:
    """The case event, the approval decision and the audit rows of one step."""
    details = _payload_details(payload)
    session.add(
        CaseEvent(
            case_id=case.id,
            actor_id=user.user_id,
            command=transition.command.value,
            from_state=transition.from_state.value,
            to_state=transition.to_state.value,
            details=details,
        )
    )
    if transition.command in (Command.APPROVE, Command.REJECT):
        session.add(
            Approval(
                case_id=case.id,
                approver_id=user.user_id,
                proposed_by_id=before["proposed_by_id"],
                action=before["proposed_action"],
                amount_cents=before["proposed_amount_cents"],
                decision="approved" if transition.command is Command.APPROVE else "rejected",
                reason=details.get("reason"),
            )
        )
    after = snapshot(case)
    append_audit(
        session,
        user.audit,
        f"case.{transition.command.value}",
        practice_id=case.practice_id,
        case_id=case.id,
        before=before,
        after=after,
        details=details,
    )
    if transition.override:
        append_audit(
            session,
            user.audit,
            "case.override",
            practice_id=case.practice_id,
            case_id=case.id,
            before={"recommended_action": case.recommended_action},
            after={"proposed_action": case.proposed_action},
            details={"reason": case.proposal_reason},
        )
    session.flush()


def _payload_details(payload: object) -> dict[str, Any]:
    """The user's input of a step, as JSON-friendly values."""
    if payload is None or not hasattr(payload, "__dataclass_fields__"):
        return {}
    values = {k: getattr(payload, k) for k in payload.__dataclass_fields__}
    return {
        k: v.isoformat() if isinstance(v, date) else v for k, v in values.items() if v is not None
    }


def record_case_read(session: Session, case: CreditCase, user: ActingUser, what: str) -> None:
    """Audit one read of a case's details (HIPAA access log)."""
    append_audit(
        session,
        user.audit,
        "case.read",
        practice_id=case.practice_id,
        case_id=case.id,
        details={"view": what},
    )
