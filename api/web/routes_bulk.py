"""Bulk steps from the worklist: assign, propose the recommended action on confirmed cases, and
(managers) approve or reject proposals after one confirmation page that shows how many and how
much. Every case goes through the single-case path (``forms.run_step`` ->
``store.cases.apply_command``; ``store.assignments.assign_cases``): the same roles, states,
amount bounds, version checks and audit rows as one case at a time. A case that path refuses is
reported as skipped with its reason; nothing else about the other cases changes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData, QueryParams

from api.bounds import MAX_ID
from api.deps import State, scoped_practice
from api.state import ServiceState
from api.web.forms import Step, run_step
from api.web.pages import WebError, WebUser, render_page, require
from api.web.routes_worklist import WorklistQuery, case_filter, parse_query
from cbclassify.service.as_of import practice_as_of
from cbclassify.service.bulk import MAX_BULK, Skip, amount_of, sort_selection
from cbclassify.store.accounts import usernames
from cbclassify.store.assignments import AssigneeNotAllowed, assign_cases, assignable_users
from cbclassify.store.case_queries import SortKey, cases_by_ids, matching_case_ids
from cbclassify.store.cases import ActingUser
from cbclassify.store.errors import ConflictError, NotFound
from cbclassify.store.models_auth import Practice
from cbclassify.store.models_cases import CreditCase
from cbclassify.workflow import COMMAND_PERMISSION, Command, Note, Permission, Proposal
from cbclassify.workflow.errors import WorkflowError

router = APIRouter(include_in_schema=False)

DECISIONS = {"approve": Command.APPROVE, "reject": Command.REJECT}
DONE_WORDS = {
    "assign": "Assigned",
    "propose": "Proposed the recommended action on",
    "approve": "Approved",
    "reject": "Rejected",
}
#: Claim numbers named in a result sentence (the page lists them all below it).
FIRST_FEW = 5


async def posted_form(request: Request) -> FormData:
    """The posted form with repeated fields (already parsed by the CSRF check; cached)."""
    return await request.form()


Posted = Annotated[FormData, Depends(posted_form)]


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _ids(values: Sequence[Any]) -> list[int]:
    """Case numbers from repeated fields (anything else ignored), first occurrence kept."""
    seen: dict[int, None] = {}
    for value in values:
        if isinstance(value, str) and value.isdigit() and 1 <= int(value) <= MAX_ID:
            seen.setdefault(int(value), None)
    return list(seen)


def _pinned(values: Sequence[Any]) -> dict[int, int]:
    """``case:version`` pairs of a confirmation form."""
    pairs: dict[int, int] = {}
    for value in values:
        if not isinstance(value, str):
            continue
        case_text, _, version_text = value.partition(":")
        if case_text.isdigit() and version_text.isdigit() and 1 <= int(case_text) <= MAX_ID:
            pairs.setdefault(int(case_text), int(version_text))
    return pairs


@dataclass
class Outcome:
    """What a bulk step did: cases changed, cases left alone (with why), a problem that
    stopped it before anything changed."""

    action: str
    done: list[CreditCase] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    unchanged: list[CreditCase] = field(default_factory=list)
    problem: str | None = None
    detail: str = ""


def claims_sentence(cases: Sequence[CreditCase]) -> str:
    """``claims A, B, C and 4 more`` (the first few claim numbers)."""
    names = [c.claim_id for c in cases[:FIRST_FEW]]
    more = len(cases) - len(names)
    text = ", ".join(names)
    return f"claim{'' if len(cases) == 1 else 's'} {text}" + (f" and {more} more" if more else "")


def _selection(
    state: ServiceState, user: ActingUser, practice: Practice, form: FormData, q: WorklistQuery
) -> list[int]:
    """The case numbers the form points at: ticked rows, the whole page, or every case
    matching the worklist's filter (at most MAX_BULK + 1, so "too many" can be said)."""
    scope = _text(form, "scope") or "selected"
    if scope == "page":
        return _ids(form.getlist("page_id"))
    if scope == "all":
        with state.db.read_session() as session:
            as_of = practice_as_of(session, practice.id)
            filters = case_filter(q, as_of, user.user_id)
            sort = cast(SortKey, q.sort)
            return matching_case_ids(
                session, practice.id, filters, sort, q.dir == "desc", MAX_BULK + 1
            )
    return _ids(form.getlist("case_id"))


def _cases(state: ServiceState, practice: Practice, ids: Sequence[int]) -> list[CreditCase]:
    """The practice's cases among ``ids``, in the order given (ids of other practices drop)."""
    with state.db.read_session() as session:
        found = {c.id: c for c in cases_by_ids(session, practice.id, ids)}
    return [found[i] for i in ids if i in found]


def _render_outcome(
    request: Request,
    state: ServiceState,
    user: ActingUser,
    practice: Practice,
    q: WorklistQuery,
    outcome: Outcome,
) -> Response:
    money = sum(amount_of(c) for c in outcome.done)
    with state.db.read_session() as session:
        as_of = practice_as_of(session, practice.id)
    return render_page(
        request,
        state,
        user,
        "bulk_result.html",
        {
            "title": "Bulk action",
            "practice": practice,
            "outcome": outcome,
            "verb": DONE_WORDS[outcome.action],
            "done_cents": money,
            "as_of": as_of,
            "claims_sentence": claims_sentence,
            "back": f"/practices/{practice.code}/worklist{q.link()}",
        },
        422 if outcome.problem else 200,
    )


def _assign(
    state: ServiceState, user: ActingUser, practice: Practice, form: FormData, ids: list[int]
) -> Outcome:
    outcome = Outcome("assign")
    target = _text(form, "assignee")
    if target != "none" and not (target.isdigit() and 1 <= int(target) <= MAX_ID):
        outcome.problem = "Choose whom to assign the cases to."
        return outcome
    assignee = None if target == "none" else int(target)
    try:
        with state.db.transaction() as session:
            changed, unchanged = assign_cases(session, practice.id, ids, assignee, user)
            name = (
                "nobody" if assignee is None else assignable_users(session, practice.id)[assignee]
            )
    except AssigneeNotAllowed:
        outcome.problem = "That person does not work cases of this practice."
        return outcome
    order = {case_id: i for i, case_id in enumerate(ids)}
    outcome.done = sorted(changed, key=lambda c: order[c.id])
    outcome.unchanged = sorted(unchanged, key=lambda c: order[c.id])
    outcome.detail = f"to {name}"
    return outcome


def _apply(
    state: ServiceState,
    user: ActingUser,
    command: Command,
    cases: Sequence[CreditCase],
    reason: str | None = None,
    pinned: dict[int, int] | None = None,
) -> tuple[list[CreditCase], list[Skip]]:
    """Each case through the single-case path, one transaction each; refusals become skips."""
    done, skipped = [], []
    for case in cases:
        version = case.version if pinned is None else pinned[case.id]
        if version != case.version:
            skipped.append(Skip(case, "it changed since you confirmed: check it and try again"))
            continue
        if command is Command.PROPOSE:
            payload: object = Proposal(case.recommended_action or "")
        else:
            payload = Note(reason=reason or None)
        try:
            run_step(state, user, case.id, Step(command, version, payload))
        except ConflictError:
            skipped.append(Skip(case, "someone changed it meanwhile: check it and try again"))
        except NotFound:
            skipped.append(Skip(case, "it is no longer among your cases"))
        except WorkflowError as err:
            skipped.append(Skip(case, f"{err.message}"))
        else:
            done.append(case)
    return done, skipped


def _confirmation(
    request: Request,
    state: ServiceState,
    user: ActingUser,
    practice: Practice,
    q: WorklistQuery,
    action: str,
    cases: Sequence[CreditCase],
    *,
    reason: str = "",
    problem: str | None = None,
) -> Response:
    """The one confirmation step of a bulk approval or rejection: how many, how much, which."""
    command = DECISIONS[action]
    sorted_ = sort_selection(cases, command, user.user_id)
    with state.db.read_session() as session:
        names = usernames(session, {c.proposed_by_id for c in sorted_.eligible if c.proposed_by_id})
        as_of = practice_as_of(session, practice.id)
    return render_page(
        request,
        state,
        user,
        "bulk_confirm.html",
        {
            "title": f"Confirm: {action}",
            "practice": practice,
            "action": action,
            "eligible": sorted_.eligible,
            "skipped": sorted_.skipped,
            "total_cents": sorted_.eligible_cents,
            "proposers": names,
            "amount_of": amount_of,
            "reason": reason,
            "problem": problem,
            "as_of": as_of,
            "filter_query": q.link()[1:],
            "back": f"/practices/{practice.code}/worklist{q.link()}",
        },
        422 if problem else 200,
    )


@router.post("/practices/{code}/worklist/bulk")
def bulk(code: str, request: Request, state: State, user: WebUser, form: Posted) -> Response:
    """A bulk step on the selected cases. Approvals and rejections first show the
    confirmation page; assignment and proposals are applied at once."""
    action = _text(form, "bulk_action")
    if action == "assign" or action == "propose":
        require(user, Permission.CASE_WORK, "Working cases in bulk")
    elif action in DECISIONS:
        require(user, COMMAND_PERMISSION[DECISIONS[action]], "Approving or rejecting proposals")
    else:
        raise WebError(422, "Choose a bulk action", "The form named no bulk action we know.")
    practice = scoped_practice(state, user, code)
    q = parse_query(QueryParams(_text(form, "filter")))
    ids = _selection(state, user, practice, form, q)
    cases = _cases(state, practice, ids[: MAX_BULK + 1])
    outcome = Outcome(action)
    if not cases:
        outcome.problem = (
            "No case was selected. Tick rows, or choose all rows on the page or all matching "
            "the filter."
        )
    elif len(cases) > MAX_BULK:
        outcome.problem = (
            f"The filter matches more than {MAX_BULK:,} cases; a bulk action takes at most "
            f"{MAX_BULK:,} at a time. Narrow the filter and try again."
        )
    if outcome.problem:
        return _render_outcome(request, state, user, practice, q, outcome)
    if action == "assign":
        outcome = _assign(state, user, practice, form, [c.id for c in cases])
        return _render_outcome(request, state, user, practice, q, outcome)
    if action in DECISIONS:
        return _confirmation(
            request, state, user, practice, q, action, cases, reason=_text(form, "reason")
        )
    sorted_ = sort_selection(cases, Command.PROPOSE, user.user_id)
    outcome.done, refused = _apply(state, user, Command.PROPOSE, sorted_.eligible)
    outcome.skipped = sorted_.skipped + refused
    return _render_outcome(request, state, user, practice, q, outcome)


@router.post("/practices/{code}/worklist/bulk/confirm")
def bulk_confirm(
    code: str, request: Request, state: State, user: WebUser, form: Posted
) -> Response:
    """Apply a confirmed bulk approval or rejection to exactly the cases (and versions) the
    confirmation page showed."""
    action = _text(form, "bulk_action")
    if action not in DECISIONS:
        raise WebError(422, "Choose a bulk action", "Only approvals and rejections are confirmed.")
    command = DECISIONS[action]
    require(user, COMMAND_PERMISSION[command], "Approving or rejecting proposals")
    practice = scoped_practice(state, user, code)
    q = parse_query(QueryParams(_text(form, "filter")))
    pinned = _pinned(form.getlist("case"))
    reason = _text(form, "reason")[:2000]
    cases = _cases(state, practice, list(pinned))
    if command is Command.REJECT and not reason:
        return _confirmation(
            request,
            state,
            user,
            practice,
            q,
            action,
            cases,
            problem="A rejection needs a reason: say what the biller should change.",
        )
    sorted_ = sort_selection(cases, command, user.user_id)
    outcome = Outcome(action, skipped=list(sorted_.skipped))
    if not pinned:
        outcome.problem = "Nothing was confirmed."
    else:
        outcome.done, refused = _apply(state, user, command, sorted_.eligible, reason, pinned)
        outcome.skipped += refused
    return _render_outcome(request, state, user, practice, q, outcome)
