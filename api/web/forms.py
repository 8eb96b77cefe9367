"""Workflow forms -> the API's own request bodies (same validation) -> workflow payloads, and
the workflow step itself through the store (one transaction, audit rows, version check)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import BaseModel, ValidationError

from api.schemas import CompleteIn, HoldIn, ProposeIn, ReasonIn, Versioned
from api.state import ServiceState
from cbclassify.store.cases import ActingUser, apply_command, get_case
from cbclassify.workflow import CaseState, Command, Completion, Note, Proposal, Transition

#: The request body each command's form is validated as (the API's schemas).
SCHEMAS: dict[Command, type[Versioned]] = {
    Command.START_REVIEW: Versioned,
    Command.PROPOSE: ProposeIn,
    Command.WITHDRAW: Versioned,
    Command.APPROVE: ReasonIn,
    Command.REJECT: ReasonIn,
    Command.HOLD: HoldIn,
    Command.RELEASE: Versioned,
    Command.COMPLETE: CompleteIn,
    Command.REOPEN: ReasonIn,
}
FIELD_LABELS = {
    "version": "Case version",
    "action": "Action",
    "source": "Source",
    "amount": "Amount",
    "reason": "Reason",
    "kind": "Kind of hold",
    "resolved_date": "Resolved on",
    "refund_date": "Refund date",
    "check_number": "Check number",
    "reference": "Reference",
    "offset_reference": "Offset remittance",
    "note": "Note",
}
#: States a biller may propose from on the case page (the review step is recorded first).
PROPOSE_FROM = (CaseState.OPEN, CaseState.REOPENED, CaseState.IN_REVIEW)


class FormProblem(ValueError):
    """A form value the request schema refused; ``field`` names the form field."""

    def __init__(self, message: str, field: str | None) -> None:
        super().__init__(message)
        self.message, self.field = message, field


@dataclass(frozen=True)
class Step:
    """A validated workflow step: the command, the case version it was decided on, its input."""

    command: Command
    version: int
    payload: object


def _payload(command: Command, body: BaseModel) -> object:
    """The workflow payload of a validated body (as the API's routes build it)."""
    if isinstance(body, ProposeIn):
        cents = None if body.amount is None else int(body.amount * 100)
        return Proposal(body.action, body.source, cents, body.reason)
    if isinstance(body, HoldIn):
        return Note(reason=body.reason, kind=body.kind)
    if isinstance(body, CompleteIn):
        return Completion(**body.model_dump(exclude={"version"}))
    if isinstance(body, ReasonIn):
        return Note(reason=body.reason)
    return None


def parse_step(command: Command, form: Mapping[str, str]) -> Step:
    """Validate a posted form with the API's schema for ``command`` (blank fields = absent)."""
    schema = SCHEMAS[command]
    values: dict[str, str] = {}
    for name in schema.model_fields:
        text = str(form.get(name, "")).strip()
        if name == "amount":  # "$1,234.50" as typed -> "1234.50"
            text = text.replace(",", "").lstrip("$")
        if text:
            values[name] = text
    try:
        body = schema.model_validate(values)
    except ValidationError as err:
        first = err.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else None
        where = FIELD_LABELS.get(field or "", field or "Form")
        raise FormProblem(f"{where}: {first['msg']}", field) from None
    return Step(command, body.version, _payload(command, body))


def run_step(state: ServiceState, user: ActingUser, case_id: int, step: Step) -> Transition:
    """Apply the step in one transaction through the store. A proposal on a case nobody has
    started reviewing records the review step first, in the same transaction."""
    applied: list[Command] = []
    with state.db.transaction() as session:
        version = step.version
        if step.command is Command.PROPOSE:
            case = get_case(session, case_id, user)
            if case.state in (CaseState.OPEN, CaseState.REOPENED) and case.version == version:
                reviewed, _ = apply_command(
                    session,
                    case_id,
                    user,
                    Command.START_REVIEW,
                    None,
                    expected_version=version,
                    default_threshold_cents=state.refund_threshold_cents,
                )
                version = reviewed.version
                applied.append(Command.START_REVIEW)
        _, transition = apply_command(
            session,
            case_id,
            user,
            step.command,
            step.payload,
            expected_version=version,
            default_threshold_cents=state.refund_threshold_cents,
        )
        applied.append(step.command)
    for command in applied:  # counted once committed
        state.metrics.workflow.labels(command.value).inc()
    return transition
