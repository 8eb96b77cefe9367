"""The case page (the API's own case read: scoped, audited) and its workflow forms."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from api.bounds import MAX_ID
from api.deps import State
from api.routes.cases import read_case
from api.schemas import CaseDetailOut
from api.state import ServiceState
from api.web.forms import PROPOSE_FROM, FormProblem, parse_step, run_step
from api.web.pages import WebError, WebUser, render_page, require, user_practices
from api.web.views import history_rows
from cbclassify.contract.enums import CREDIT_SOURCES
from cbclassify.service.as_of import practice_as_of
from cbclassify.service.documents import DOCUMENT_OF_ACTION
from cbclassify.store.cases import ActingUser, approval_policy
from cbclassify.store.errors import ConflictError
from cbclassify.workflow import (
    COMMAND_PERMISSION,
    CaseState,
    Command,
    HoldKind,
    InvalidRequest,
    InvalidTransition,
    NotPermitted,
    Permission,
    SelfApprovalError,
    has_permission,
    needs_approval,
)
from cbclassify.workflow.states import ACTIONS_BY_SOURCE, RESOLUTION_KIND_BY_ACTION

router = APIRouter(include_in_schema=False)

DOING = {
    Command.START_REVIEW: "Starting a review",
    Command.PROPOSE: "Proposing an action",
    Command.WITHDRAW: "Withdrawing a proposal",
    Command.APPROVE: "Approving a proposal",
    Command.REJECT: "Rejecting a proposal",
    Command.HOLD: "Putting a case on hold",
    Command.RELEASE: "Releasing a hold",
    Command.COMPLETE: "Marking a case done",
    Command.REOPEN: "Reopening a done case",
}
DONE_MESSAGES = {
    "start_review": "You started reviewing this case.",
    "propose": "Your proposal is recorded.",
    "withdraw": "The proposal was withdrawn; the case is back in review.",
    "approve": "Approved. The action can now be carried out and marked done.",
    "reject": "Rejected; the case is back in review with your reason.",
    "hold": "The case is on hold.",
    "release": "The hold is released.",
    "complete": "The case is done; its resolution is recorded.",
    "reopen": "The case is reopened.",
}


#: Where a form may send the user back to after a step (never a free URL).
async def form_data(request: Request) -> dict[str, str]:
    """The posted form's text fields (already parsed by the CSRF check; cached)."""
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


FormData = Annotated[dict[str, str], Depends(form_data)]


def action_panel(detail: CaseDetailOut, user: ActingUser) -> dict[str, Any]:
    """Which forms the case page shows the user, and what they need."""
    allowed = set(detail.allowed_commands)
    state = CaseState(detail.state)
    proposal = detail.proposal
    own = proposal is not None and proposal.proposed_by == user.username
    needs_approval = proposal is not None and proposal.approval_required
    default_source = detail.verified_source or detail.predicted_source or ""
    return {
        "review": "start_review" in allowed,
        "propose": has_permission(user.roles, Permission.CASE_WORK) and state in PROPOSE_FROM,
        "withdraw": "withdraw" in allowed,
        "decide": "approve" in allowed and needs_approval and not own,
        "own_proposal": own and needs_approval and state is CaseState.ACTION_PROPOSED,
        "waiting_approval": state is CaseState.ACTION_PROPOSED and needs_approval,
        "complete": "complete" in allowed
        and (
            state is CaseState.APPROVED
            or (state is CaseState.ACTION_PROPOSED and not needs_approval)
        ),
        "resolution_kind": RESOLUTION_KIND_BY_ACTION.get(proposal.action) if proposal else None,
        "hold": "hold" in allowed,
        "release": "release" in allowed,
        "reopen": "reopen" in allowed,
        "default_source": default_source,
        "actions_by_source": {s: ACTIONS_BY_SOURCE[s] for s in CREDIT_SOURCES},
        "hold_kinds": [k.value for k in HoldKind],
    }


def render_case(
    request: Request,
    state: ServiceState,
    user: ActingUser,
    case_id: int,
    *,
    problem: str | None = None,
    field: str | None = None,
    form: Mapping[str, str] | None = None,
    status: int = 200,
) -> Response:
    """The case page; each showing is a read of the case, written to the audit trail."""
    require(user, Permission.CASE_READ, "Opening a case")
    detail = read_case(case_id, state, user)
    done = request.query_params.get("done") if status == 200 else None
    practice = next(p for p in user_practices(state, user) if p.code == detail.practice)
    policy = approval_policy(practice, state.refund_threshold_cents)
    with state.db.read_session() as session:
        as_of = practice_as_of(session, practice.id)
    approval = (
        needs_approval(detail.recommended_action, detail.credit_cents, policy)
        if detail.recommended_action
        else None
    )
    return render_page(
        request,
        state,
        user,
        "case.html",
        {
            "title": f"Claim {detail.claim_id}",
            "case": detail,
            "rows": history_rows(detail.ledger_history, detail.evidence),
            "panel": action_panel(detail, user),
            "problem": problem,
            "problem_field": field,
            "form": form or {},
            "done": DONE_MESSAGES.get(done or ""),
            "today": as_of,
            "as_of": as_of,
            "practice": practice,
            "recommendation_needs_approval": approval,
            "refund_threshold_cents": policy.refund_threshold_cents,
            "document": case_document(detail, user),
        },
        status,
    )


def case_document(detail: CaseDetailOut, user: ActingUser) -> str | None:
    """The paperwork the case's action calls for (a confirmed credit, a user who works
    cases): ``refund_letter``, ``patient_refund_form`` or None."""
    if detail.verification != "confirmed" or not has_permission(user.roles, Permission.CASE_WORK):
        return None
    action = detail.proposal.action if detail.proposal else detail.recommended_action
    return DOCUMENT_OF_ACTION.get(action or "")


def _check_case_number(case_id: int) -> None:
    """A number no case can have (past the database's ids) is not found, like any other."""
    if not 1 <= case_id <= MAX_ID:
        raise WebError(404, "Not found", f"There is no case {case_id}.")


@router.get("/cases/{case_id}")
def case_page(case_id: int, request: Request, state: State, user: WebUser) -> Response:
    """A case in full: history, explanation, verification, recommendation and actions."""
    _check_case_number(case_id)
    return render_case(request, state, user, case_id)


@router.post("/cases/{case_id}/{command}")
def case_step(
    case_id: int, command: str, request: Request, state: State, user: WebUser, form: FormData
) -> Response:
    """One workflow step from a form; problems are shown on the case page, nothing changes."""
    _check_case_number(case_id)
    try:
        cmd = Command(command)
    except ValueError:
        raise WebError(404, "Not found", f"There is no step called {command!r}.") from None
    require(user, COMMAND_PERMISSION[cmd], DOING[cmd])
    try:
        run_step(state, user, case_id, parse_step(cmd, form))
    except FormProblem as err:
        return render_case(
            request,
            state,
            user,
            case_id,
            problem=err.message,
            field=err.field,
            form=form,
            status=422,
        )
    except InvalidRequest as err:
        return render_case(
            request,
            state,
            user,
            case_id,
            problem=err.message,
            field=err.field,
            form=form,
            status=422,
        )
    except InvalidTransition as err:
        return render_case(request, state, user, case_id, problem=f"{err.message}.", status=409)
    except ConflictError:
        return render_case(
            request,
            state,
            user,
            case_id,
            status=409,
            problem=(
                "Someone changed this case while you were looking at it, so your step was not "
                "applied. The page now shows the latest version: check it and try again."
            ),
        )
    except SelfApprovalError:
        raise WebError(
            403,
            "You cannot decide on your own proposal",
            "Nobody approves or rejects their own proposal.",
            "Another manager of this practice has to decide on it.",
        ) from None
    except NotPermitted as err:
        raise WebError(403, "You are not allowed to do this", f"{err.message}.") from None
    return RedirectResponse(f"/cases/{case_id}?done={cmd.value}#status", 303)
