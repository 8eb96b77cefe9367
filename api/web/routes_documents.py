"""Refund paperwork as printable pages: a payer's refund request letter (one case, or a batch of
one payer with a page break between letters) and a patient refund (check request) form. The
content comes from ``service.documents`` (pure builder in ``resolve.documents``); each
generation is audited there."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.bounds import MAX_ID
from api.deps import State, scoped_practice
from api.web.pages import WebError, WebUser, render_page, require
from cbclassify.service.documents import (
    BATCH_STATES,
    DocumentRefused,
    case_letter,
    case_patient_form,
    payer_letter_batch,
    refund_payers,
)
from cbclassify.workflow import Permission

T = TypeVar("T")

router = APIRouter(include_in_schema=False)
DOING = "Preparing refund paperwork"
SCOPE_LABELS = {
    "approved": "Approved payer refunds and offsets",
    "open": "Every confirmed payer refund or offset still open",
}


def _case_number(case_id: int) -> None:
    if not 1 <= case_id <= MAX_ID:
        raise WebError(404, "Not found", f"There is no case {case_id}.")


def _refused(err: DocumentRefused, case_id: int) -> WebError:
    message = str(err)
    return WebError(
        409,
        "No such document for this case",
        f"Case {case_id}: {message[0].upper()}{message[1:]}.",
        "Letters are made for confirmed payer refunds and offsets; check request forms for "
        "confirmed patient refunds.",
    )


def _case_document(make: Callable[..., T], case_id: int, state: State, user: WebUser) -> T:
    """One case's document (``case_letter`` or ``case_patient_form``) for a user who may work
    cases, dated today; a case with no such document answers 409."""
    _case_number(case_id)
    require(user, Permission.CASE_WORK, DOING)
    try:
        return make(state.db, state.settings, user, case_id, date.today())
    except DocumentRefused as err:
        raise _refused(err, case_id) from None


@router.get("/cases/{case_id}/refund-letter")
def refund_letter_page(case_id: int, request: Request, state: State, user: WebUser) -> Response:
    """The printable refund request letter of a confirmed payer refund or offset."""
    letter = _case_document(case_letter, case_id, state, user)
    return render_page(
        request,
        state,
        user,
        "refund_letters.html",
        {
            "title": f"Refund letter · claim {letter.claim_id}",
            "letters": [letter],
            "heading": f"Refund request letter, claim {letter.claim_id}",
            "back": (f"/cases/{case_id}", "Back to the case"),
        },
    )


@router.get("/cases/{case_id}/patient-refund-form")
def patient_form_page(case_id: int, request: Request, state: State, user: WebUser) -> Response:
    """The printable refund request (check request) of a confirmed patient refund."""
    form = _case_document(case_patient_form, case_id, state, user)
    return render_page(
        request,
        state,
        user,
        "patient_refund_form.html",
        {
            "title": f"Patient refund request · claim {form.claim_id}",
            "form": form,
            "back": (f"/cases/{case_id}", "Back to the case"),
        },
    )


@router.get("/practices/{code}/refund-letters")
def letter_batches(code: str, request: Request, state: State, user: WebUser) -> Response:
    """Without ``payer``: the payers with letters to send. With it: every letter of that payer
    on one printable page (one letter a sheet)."""
    require(user, Permission.CASE_WORK, DOING)
    practice = scoped_practice(state, user, code)
    scope = request.query_params.get("scope", "approved")
    if scope not in BATCH_STATES:
        scope = "approved"
    payer = request.query_params.get("payer", "").strip()[:100]
    if not payer:
        return render_page(
            request,
            state,
            user,
            "refund_letter_payers.html",
            {
                "title": f"Refund letters · {practice.name}",
                "practice": practice,
                "payers": refund_payers(state.db, state.settings, practice, scope),
                "scope": scope,
                "scopes": SCOPE_LABELS,
            },
        )
    batch = payer_letter_batch(
        state.db, state.settings, user, practice.code, payer, scope, date.today()
    )
    return render_page(
        request,
        state,
        user,
        "refund_letters.html",
        {
            "title": f"Refund letters · {batch.payer_name}",
            "practice": practice,
            "letters": list(batch.letters),
            "batch": batch,
            "heading": f"Refund request letters to {batch.payer_name} ({batch.payer_id})",
            "scope_label": SCOPE_LABELS[scope],
            "back": (f"/practices/{practice.code}/refund-letters?scope={scope}", "All payers"),
        },
    )
