"""Refund paperwork from stored cases: a payer's refund request letter (one case or a batch of
one payer), a patient refund (check request) form. The content is built by the pure
``resolve.documents``; here the case is read (scoped to the user's practices), the practice's
details come from configuration, payer names from the practice's latest ledger snapshot, and
every generation is written to the audit trail (who, when, which case), one row per case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
from sqlalchemy.orm import Session

from cbclassify.resolve.documents import (
    PATIENT_REFUND_ACTIONS,
    PAYER_REFUND_ACTIONS,
    CaseDocumentFacts,
    DocumentRefused,
    PatientRefundForm,
    PracticeInfo,
    RefundLetter,
    patient_refund_form,
    refund_letter,
)
from cbclassify.service.snapshots import snapshot_dir
from cbclassify.settings import Settings
from cbclassify.store.accounts import practice_by_code, practice_by_id, usernames
from cbclassify.store.audit import append_audit
from cbclassify.store.batches import newest_batch_id
from cbclassify.store.case_queries import payer_refund_cases, payers_with_refunds
from cbclassify.store.cases import ActingUser, get_case
from cbclassify.store.db import Database
from cbclassify.store.errors import NotFound
from cbclassify.store.models_auth import Practice
from cbclassify.store.models_cases import CreditCase

__all__ = [
    "BATCH_STATES",
    "DocumentRefused",
    "LetterBatch",
    "case_letter",
    "case_patient_form",
    "payer_letter_batch",
    "payer_names",
    "practice_info",
    "refund_payers",
]
#: Which cases a batch of letters holds: approved payer refunds, or every confirmed one that
#: still needs work.
BATCH_STATES: dict[str, tuple[str, ...]] = {
    "approved": ("approved",),
    "open": ("open", "in_review", "action_proposed", "approved", "reopened"),
}


def practice_info(settings: Settings, practice: Practice) -> PracticeInfo:
    """The practice's letterhead from ``CBCLASSIFY_PRACTICE_DETAILS`` (its name otherwise)."""
    found = settings.practice_details.get(practice.code)
    if found is None:
        return PracticeInfo(practice.name)
    return PracticeInfo(
        name=found.name or practice.name,
        address_lines=tuple(line for line in found.address if line.strip()),
        npi=found.npi,
        tin=found.tin,
        contact_name=found.contact_name,
        phone=found.phone,
        email=found.email,
    )


def payer_names(settings: Settings, session: Session, practice_id: int) -> dict[str, str]:
    """Payer id -> name from the practice's latest ledger snapshot (empty when none is kept)."""
    newest = newest_batch_id(session, practice_id)
    if newest is None:
        return {}
    folder = snapshot_dir(settings, practice_id, newest)
    path = folder / "payers.parquet"
    if not path.is_file():
        return {}
    frame = pd.read_parquet(Path(path), columns=["payer_id", "payer_name"])
    return {
        str(i): str(n)
        for i, n in zip(frame["payer_id"], frame["payer_name"], strict=True)
        if pd.notna(i) and pd.notna(n)
    }


def _facts(session: Session, case: CreditCase) -> CaseDocumentFacts:
    action = case.proposed_action or case.recommended_action or ""
    amount = case.proposed_amount_cents if case.proposed_action else case.credit_amount_cents
    names = usernames(session, [i for i in (case.proposed_by_id, case.approved_by_id) if i])
    detail = case.verification_detail or {}
    return CaseDocumentFacts(
        case_id=case.id,
        claim_id=case.claim_id,
        patient_id=case.patient_id or "",
        payer_id=case.payer_id or "",
        action=action,
        amount_cents=int(amount or 0),
        verification=case.verification or "",
        verified_source=case.verified_source or "",
        statement=str(detail.get("statement") or ""),
        evidence=tuple(case.evidence or ()),
        ledger_history=case.ledger_history or {},
        state=case.state,
        proposed_by=names.get(case.proposed_by_id or 0, ""),
        approved_by=names.get(case.approved_by_id or 0, ""),
        reason=case.proposal_reason or "",
    )


def _audit(
    session: Session, user: ActingUser, case: CreditCase, document: str, amount: int, **more: object
) -> None:
    append_audit(
        session,
        user.audit,
        f"document.{document}",
        practice_id=case.practice_id,
        case_id=case.id,
        details={"document": document, "amount_cents": amount, **more},
    )


def case_letter(
    db: Database, settings: Settings, user: ActingUser, case_id: int, today: date
) -> RefundLetter:
    """The refund request letter of one case (NotFound outside the user's practices;
    DocumentRefused when the case is not a confirmed payer refund or offset); audited."""
    with db.transaction() as session:
        case = get_case(session, case_id, user)
        practice = practice_by_id(session, case.practice_id)
        names = payer_names(settings, session, practice.id)
        letter = refund_letter(
            _facts(session, case),
            practice_info(settings, practice),
            names.get(case.payer_id or "", ""),
            today,
        )
        _audit(session, user, case, "refund_letter", letter.amount_cents)
        return letter


def case_patient_form(
    db: Database, settings: Settings, user: ActingUser, case_id: int, today: date
) -> PatientRefundForm:
    """The patient refund (check request) form of one case; audited."""
    with db.transaction() as session:
        case = get_case(session, case_id, user)
        practice = practice_by_id(session, case.practice_id)
        form = patient_refund_form(_facts(session, case), practice_info(settings, practice), today)
        _audit(session, user, case, "patient_refund_form", form.amount_cents)
        return form


@dataclass(frozen=True)
class LetterBatch:
    """A payer's letters: one per case, and the total to refund or offset."""

    practice: Practice
    payer_id: str
    payer_name: str
    scope: str
    letters: tuple[RefundLetter, ...]

    @property
    def total_cents(self) -> int:
        """The sum of the letters' amounts."""
        return sum(letter.amount_cents for letter in self.letters)


def payer_letter_batch(
    db: Database,
    settings: Settings,
    user: ActingUser,
    practice_code: str,
    payer_id: str,
    scope: str,
    today: date,
) -> LetterBatch:
    """Every letter of one payer of a practice the user is granted (``scope``: a key of
    ``BATCH_STATES``); each letter is audited on its case."""
    states = BATCH_STATES[scope]
    with db.transaction() as session:
        practice = practice_by_code(session, practice_code)
        if practice.id not in user.practice_ids:
            raise NotFound(f"no practice {practice_code!r}")
        names = payer_names(settings, session, practice.id)
        info = practice_info(settings, practice)
        cases = payer_refund_cases(session, practice.id, payer_id, PAYER_REFUND_ACTIONS, states)
        letters = []
        for case in cases:
            letter = refund_letter(_facts(session, case), info, names.get(payer_id, ""), today)
            _audit(session, user, case, "refund_letter", letter.amount_cents, batch=scope)
            letters.append(letter)
        return LetterBatch(practice, payer_id, names.get(payer_id, payer_id), scope, tuple(letters))


def refund_payers(
    db: Database, settings: Settings, practice: Practice, scope: str
) -> list[tuple[str, str, int]]:
    """(payer id, name, letters) of the payers with refund letters in ``scope``."""
    with db.read_session() as session:
        counts = payers_with_refunds(
            session, practice.id, PAYER_REFUND_ACTIONS, BATCH_STATES[scope]
        )
        names = payer_names(settings, session, practice.id)
    return [(p, names.get(p, p), n) for p, n in counts.items()]


#: For the pages: which document a case's action calls for.
DOCUMENT_OF_ACTION = {
    **{a: "refund_letter" for a in PAYER_REFUND_ACTIONS},
    **{a: "patient_refund_form" for a in PATIENT_REFUND_ACTIONS},
}
