"""The pure case state machine: given a case, a command, who asks, and its input, decide the
transition (new state and field changes) or refuse with a WorkflowError. No I/O here.

open/reopened -> in_review -> action_proposed -> approved -> done; on_hold from any open state
and back; done -> reopened. Actions that need no approval complete from action_proposed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from cbclassify.contract.enums import ACTIONS, CREDIT_SOURCES
from cbclassify.contract.money import dollars
from cbclassify.workflow.completion import Completion, completion_changes
from cbclassify.workflow.errors import (
    AmountAboveCredit,
    InvalidRequest,
    InvalidTransition,
    NotPermitted,
    SelfApprovalError,
)
from cbclassify.workflow.permissions import COMMAND_PERMISSION, has_permission
from cbclassify.workflow.states import (
    ACTIONS_BY_SOURCE,
    MAX_INVESTIGATION_SUSPENSION_DAYS,
    PAYER_RETURN_ACTIONS,
    REFUND_ACTIONS,
    CaseState,
    Command,
    HoldKind,
)

S = CaseState
_OPEN_STATES = frozenset({S.OPEN, S.IN_REVIEW, S.ACTION_PROPOSED, S.APPROVED, S.REOPENED})

#: The states each command applies in.
ALLOWED_FROM: dict[Command, frozenset[CaseState]] = {
    Command.START_REVIEW: frozenset({S.OPEN, S.REOPENED}),
    Command.PROPOSE: frozenset({S.IN_REVIEW}),
    Command.WITHDRAW: frozenset({S.ACTION_PROPOSED, S.APPROVED}),
    Command.APPROVE: frozenset({S.ACTION_PROPOSED}),
    Command.REJECT: frozenset({S.ACTION_PROPOSED}),
    Command.HOLD: _OPEN_STATES,
    Command.RELEASE: frozenset({S.ON_HOLD}),
    Command.COMPLETE: frozenset({S.ACTION_PROPOSED, S.APPROVED}),
    Command.REOPEN: frozenset({S.DONE}),
}

CLEARED_PROPOSAL: dict[str, Any] = {
    "proposed_action": None,
    "proposed_source": None,
    "proposed_amount_cents": None,
    "proposal_reason": None,
    "proposed_by_id": None,
    "approval_required": False,
    "approved_by_id": None,
}


@dataclass(frozen=True)
class Actor:
    """Who asks: user id and roles."""

    user_id: int
    roles: frozenset[str]


@dataclass(frozen=True)
class ApprovalPolicy:
    """Refunds of ``refund_threshold_cents`` or more need a manager's approval (the resolve
    policy's ``refunds.approval_threshold``: "this amount or more")."""

    refund_threshold_cents: int


@dataclass(frozen=True)
class CaseFacts:
    """What the machine needs to know about a case (field names match the store's columns)."""

    state: str
    credit_amount_cents: int
    recommended_action: str | None = None
    verified_source: str | None = None
    predicted_source: str | None = None
    proposed_action: str | None = None
    proposed_by_id: int | None = None
    approval_required: bool = False
    hold_return_state: str | None = None
    hold_kind: str | None = None
    hold_started_on: date | None = None
    suspended_days: int = 0
    due_date: date | None = None
    proposed_source: str | None = None
    proposed_amount_cents: int | None = None
    credit_present: bool = True


@dataclass(frozen=True)
class Proposal:
    """A proposed action; ``source`` and ``amount_cents`` default to the case's."""

    action: str
    source: str | None = None
    amount_cents: int | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Note:
    """A reason or note (reject and reopen need one; hold needs a kind and a reason)."""

    reason: str | None = None
    kind: str | None = None


@dataclass(frozen=True)
class Transition:
    """The decided step: state change and the case fields to set."""

    command: Command
    from_state: CaseState
    to_state: CaseState
    changes: Mapping[str, Any] = field(default_factory=dict)
    #: True when a biller proposed an action other than the recommended one.
    override: bool = False


def needs_approval(action: str, amount_cents: int, policy: ApprovalPolicy) -> bool:
    """Every return of money to a payer, and refunds at or above the threshold, need approval."""
    if action in PAYER_RETURN_ACTIONS:
        return True
    return action in REFUND_ACTIONS and amount_cents >= policy.refund_threshold_cents


def _reason(text: str | None, what: str) -> str:
    cleaned = (text or "").strip()
    if not cleaned:
        raise InvalidRequest(f"{what} needs a reason", field="reason")
    return cleaned


def _propose(case: CaseFacts, actor: Actor, p: Proposal, policy: ApprovalPolicy) -> dict[str, Any]:
    if p.action not in ACTIONS:
        raise InvalidRequest(f"unknown action {p.action!r}; expected one of {ACTIONS}", "action")
    source = p.source or case.verified_source or case.predicted_source
    if source not in CREDIT_SOURCES:
        raise InvalidRequest(
            "state the credit's source (no verified or predicted source)", "source"
        )
    if p.action not in ACTIONS_BY_SOURCE[source]:
        allowed = ", ".join(ACTIONS_BY_SOURCE[source])
        raise InvalidRequest(f"{p.action} does not resolve a {source}; use {allowed}", "action")
    amount = case.credit_amount_cents if p.amount_cents is None else p.amount_cents
    if not 0 < amount <= case.credit_amount_cents:
        raise InvalidRequest("amount must be positive and at most the credit amount", "amount")
    reason = p.reason.strip() if p.reason and p.reason.strip() else None
    if p.action != case.recommended_action and reason is None:
        what = (
            "an action other than the recommended one"
            if case.recommended_action
            else ("an action without a confirmed recommendation")
        )
        raise InvalidRequest(f"proposing {what} needs a reason", "reason")
    return {
        "proposed_action": p.action,
        "proposed_source": source,
        "proposed_amount_cents": amount,
        "proposal_reason": reason,
        "proposed_by_id": actor.user_id,
        "approval_required": needs_approval(p.action, amount, policy),
        "approved_by_id": None,
    }


def _within_credit(case: CaseFacts) -> None:
    """A proposal is bound to the credit as it is now: approving or completing an amount above
    the current credit (a later ingest lowered or cleared it) is refused."""
    amount = case.proposed_amount_cents
    credit = case.credit_amount_cents if case.credit_present else 0
    if amount is not None and amount > credit:
        raise AmountAboveCredit(
            f"the proposed amount {dollars(amount)} is above the current credit of "
            f"{dollars(credit)} (a later ingest changed it): withdraw and propose again",
            field="amount",
        )


def _release(case: CaseFacts, today: date) -> dict[str, Any]:
    changes: dict[str, Any] = {
        "hold_return_state": None,
        "hold_kind": None,
        "hold_reason": None,
        "hold_started_on": None,
    }
    if case.hold_kind == HoldKind.INVESTIGATION and case.hold_started_on and case.due_date:
        held = max((today - case.hold_started_on).days, 0)
        granted = min(held, MAX_INVESTIGATION_SUSPENSION_DAYS - case.suspended_days)
        if granted > 0:
            changes["due_date"] = case.due_date + timedelta(days=granted)
            changes["suspended_days"] = case.suspended_days + granted
    return changes


def _changes(
    case: CaseFacts,
    command: Command,
    actor: Actor,
    payload: object,
    policy: ApprovalPolicy,
    today: date,
) -> tuple[CaseState, dict[str, Any]]:
    """Target state and field changes for a permitted command in an allowed state."""
    note = payload if isinstance(payload, Note) else Note()
    if command is Command.START_REVIEW:
        return S.IN_REVIEW, {}
    if command is Command.PROPOSE:
        if not isinstance(payload, Proposal):
            raise InvalidRequest("propose needs an action", "action")
        return S.ACTION_PROPOSED, _propose(case, actor, payload, policy)
    if command is Command.WITHDRAW:
        return S.IN_REVIEW, dict(CLEARED_PROPOSAL)
    if command in (Command.APPROVE, Command.REJECT):
        if not case.approval_required:
            raise InvalidTransition("this proposal needs no approval; complete it directly")
        if case.proposed_by_id == actor.user_id:
            raise SelfApprovalError("nobody may approve or reject their own proposal")
        if command is Command.APPROVE:
            _within_credit(case)
            return S.APPROVED, {"approved_by_id": actor.user_id}
        _reason(note.reason, "rejecting a proposal")
        return S.IN_REVIEW, dict(CLEARED_PROPOSAL)
    if command is Command.HOLD:
        if note.kind not in HoldKind._value2member_map_:
            kinds = ", ".join(k.value for k in HoldKind)
            raise InvalidRequest(f"hold kind must be one of: {kinds}", "kind")
        return S.ON_HOLD, {
            "hold_return_state": case.state,
            "hold_kind": note.kind,
            "hold_reason": _reason(note.reason, "a hold"),
            "hold_started_on": today,
        }
    if command is Command.RELEASE:
        return CaseState(case.hold_return_state or S.IN_REVIEW), _release(case, today)
    if command is Command.COMPLETE:
        if case.approval_required and case.state != S.APPROVED:
            raise InvalidTransition("this action needs a manager's approval before it is done")
        if not isinstance(payload, Completion):
            raise InvalidRequest("completing needs the resolution details", "details")
        _within_credit(case)
        return S.DONE, completion_changes(case.proposed_action or "", payload, actor.user_id, today)
    # Command.REOPEN
    _reason(note.reason, "reopening a case")
    cleared = dict(CLEARED_PROPOSAL)
    cleared.update(
        resolution_kind=None, resolution_details=None, resolved_date=None, resolved_by_id=None
    )
    return S.REOPENED, cleared


def decide(
    case: CaseFacts,
    command: Command | str,
    actor: Actor,
    payload: object = None,
    policy: ApprovalPolicy = ApprovalPolicy(refund_threshold_cents=0),
    today: date | None = None,
) -> Transition:
    """Decide what ``command`` does to ``case``; raise a WorkflowError when it may not."""
    cmd = Command(command)
    if not has_permission(actor.roles, COMMAND_PERMISSION[cmd]):
        raise NotPermitted(f"your role may not {cmd.value.replace('_', ' ')} a case")
    state = CaseState(case.state)
    if state not in ALLOWED_FROM[cmd]:
        raise InvalidTransition(
            f"cannot {cmd.value.replace('_', ' ')} a case that is {state.value}"
        )
    to_state, changes = _changes(case, cmd, actor, payload, policy, today or date.today())
    override = (
        cmd is Command.PROPOSE
        and case.recommended_action is not None
        and changes["proposed_action"] != case.recommended_action
    )
    return Transition(cmd, state, to_state, {"state": to_state.value, **changes}, override)


def apply_changes(case: CaseFacts, transition: Transition) -> CaseFacts:
    """The facts after a transition (for chaining decisions in tests and simulations)."""
    known = {k: v for k, v in transition.changes.items() if k in CaseFacts.__dataclass_fields__}
    return replace(case, **known)
