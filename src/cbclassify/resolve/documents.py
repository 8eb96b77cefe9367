"""What the paperwork of a resolution says: a refund request letter to a payer (for a confirmed
payer refund or offset) and a refund request (check request) form for a patient refund.

Pure: built from a case's stored facts (claim lines and postings in contract text form, the
verifier's statement, the evidence posting ids) and the practice's details; no I/O. Money is
integer cents throughout; the pages format it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from cbclassify.contract.money import cents_or_none as _cents

#: Actions whose paperwork is a refund request letter to the payer.
PAYER_REFUND_ACTIONS: tuple[str, ...] = ("refund_payer", "payer_offset")
#: Actions whose paperwork is a patient refund (check request) form.
PATIENT_REFUND_ACTIONS: tuple[str, ...] = ("refund_patient",)


class DocumentRefused(ValueError):
    """The case is not one this document is made for (the message says why, in words)."""


@dataclass(frozen=True)
class PracticeInfo:
    """The practice as letters name it (configuration; blanks are shown as not configured)."""

    name: str
    address_lines: tuple[str, ...] = ()
    npi: str = ""
    tin: str = ""
    contact_name: str = ""
    phone: str = ""
    email: str = ""

    @property
    def missing(self) -> list[str]:
        """Which details the configuration does not give (the letter says so)."""
        wanted = {
            "address": bool(self.address_lines),
            "NPI": bool(self.npi),
            "TIN": bool(self.tin),
            "contact": bool(self.contact_name or self.phone or self.email),
        }
        return [name for name, present in wanted.items() if not present]


@dataclass(frozen=True)
class CaseDocumentFacts:
    """What a document reads of a stored case."""

    case_id: int
    claim_id: str
    patient_id: str
    payer_id: str
    action: str
    amount_cents: int
    verification: str
    verified_source: str
    statement: str
    evidence: tuple[str, ...]
    ledger_history: Mapping[str, Any]
    state: str
    proposed_by: str = ""
    approved_by: str = ""
    reason: str = ""


@dataclass(frozen=True)
class ServiceLine:
    """One claim line of the payer's claim: its service, what was paid and allowed."""

    line_no: str
    service_date: str
    cpt: str
    modifier: str
    units: str
    charge_amount_cents: int
    paid_cents: int
    allowed_amount_cents: int | None


@dataclass(frozen=True)
class Trace:
    """A check or EFT trace the payer paid under (evidence postings first)."""

    trace_number: str
    method: str
    paid_on: str
    amount_cents: int
    era_id: str = ""


@dataclass(frozen=True)
class RefundLetter:
    """A refund request letter to a payer, every amount in cents."""

    case_id: int
    date: date
    practice: PracticeInfo
    payer_id: str
    payer_name: str
    claim_id: str
    patient_account: str
    action: str
    lines: tuple[ServiceLine, ...]
    service_from: str
    service_to: str
    cpts: tuple[str, ...]
    paid_cents: int
    allowed_amount_cents: int | None
    amount_cents: int
    reason: str
    traces: tuple[Trace, ...]
    subject: str = ""

    @property
    def trace_numbers(self) -> tuple[str, ...]:
        """The distinct trace numbers, in the letter's order."""
        return tuple(dict.fromkeys(t.trace_number for t in self.traces))


@dataclass(frozen=True)
class PatientRefundForm:
    """A refund request (check request) for accounts payable."""

    case_id: int
    date: date
    practice: PracticeInfo
    claim_id: str
    patient_account: str
    amount_cents: int
    reason: str
    service_from: str
    service_to: str
    patient_paid_cents: int
    payments: tuple[Trace, ...]
    proposed_by: str
    approved_by: str
    state: str


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _rows(history: Mapping[str, Any], table: str) -> list[Mapping[str, Any]]:
    rows = history.get(table) or []
    return [r for r in rows if isinstance(r, Mapping)]


def _payer_payments(history: Mapping[str, Any], payer_id: str) -> list[Mapping[str, Any]]:
    return [
        t
        for t in _rows(history, "transactions")
        if _text(t.get("kind")) == "payment"
        and _text(t.get("source")) == "payer"
        and _text(t.get("payer_id")) == payer_id
    ]


def _service_lines(history: Mapping[str, Any], payer_id: str) -> list[ServiceLine]:
    """The claim's lines billed to the payer (every line when none names it), with the
    payer's payments and the allowed amount it reported per line."""
    lines = _rows(history, "claim_lines")
    billed = [ln for ln in lines if _text(ln.get("payer_id")) == payer_id] or lines
    payments = _payer_payments(history, payer_id)
    out = []
    for ln in billed:
        no = _text(ln.get("line_no"))
        on_line = [p for p in payments if _text(p.get("line_no")) == no]
        allowed = [_cents(p.get("allowed_amount")) for p in on_line]
        reported = [a for a in allowed if a is not None]
        out.append(
            ServiceLine(
                line_no=no,
                service_date=_text(ln.get("service_date")),
                cpt=_text(ln.get("cpt")),
                modifier=_text(ln.get("modifier")),
                units=_text(ln.get("units")) or "1",
                charge_amount_cents=_cents(ln.get("charge_amount")) or 0,
                paid_cents=sum(_cents(p.get("amount")) or 0 for p in on_line),
                allowed_amount_cents=reported[-1] if reported else None,
            )
        )
    return out


def _traces(payments: Sequence[Mapping[str, Any]], evidence: Iterable[str]) -> tuple[Trace, ...]:
    """One entry per trace number: evidence postings' traces first, then the others."""
    wanted = set(evidence)
    ordered = sorted(
        (p for p in payments if _text(p.get("trace_number"))),
        key=lambda p: (_text(p.get("txn_id")) not in wanted, _text(p.get("posted_date"))),
    )
    found: dict[str, Trace] = {}
    for p in ordered:
        number = _text(p.get("trace_number"))
        cents = _cents(p.get("amount")) or 0
        if number in found:
            t = found[number]
            found[number] = Trace(
                t.trace_number, t.method, t.paid_on, t.amount_cents + cents, t.era_id
            )
        else:
            found[number] = Trace(
                number,
                _text(p.get("method")),
                _text(p.get("posted_date")),
                cents,
                _text(p.get("era_id")),
            )
    return tuple(found.values())


def _reason(facts: CaseDocumentFacts) -> str:
    """The verifier's statement (the evidence in words); else the verified source."""
    if facts.statement:
        return facts.statement
    source = facts.verified_source.replace("_", " ") or "credit balance"
    return f"Verified {source} on this claim."


def _check_amount(amount_cents: int) -> None:
    if amount_cents <= 0:
        raise DocumentRefused("the case has no amount to refund")


def refund_letter(
    facts: CaseDocumentFacts, practice: PracticeInfo, payer_name: str, today: date
) -> RefundLetter:
    """The refund request letter of a confirmed payer refund or offset (DocumentRefused for
    any other case: not confirmed, another action, no payer, nothing to refund)."""
    if facts.action not in PAYER_REFUND_ACTIONS:
        raise DocumentRefused(
            "a refund letter is for a payer refund or offset; this case's action is "
            f"{facts.action.replace('_', ' ') or 'not set'}"
        )
    if facts.verification != "confirmed":
        raise DocumentRefused(
            "a refund letter needs a credit the ledger confirms; this one is "
            f"{facts.verification or 'not verified'}"
        )
    if not facts.payer_id:
        raise DocumentRefused("the claim names no payer")
    _check_amount(facts.amount_cents)
    lines = _service_lines(facts.ledger_history, facts.payer_id)
    payments = _payer_payments(facts.ledger_history, facts.payer_id)
    dates = sorted(ln.service_date for ln in lines if ln.service_date)
    allowed = [ln.allowed_amount_cents for ln in lines if ln.allowed_amount_cents is not None]
    cpts = tuple(dict.fromkeys(ln.cpt + (f"-{ln.modifier}" if ln.modifier else "") for ln in lines))
    name = payer_name or facts.payer_id
    offset = facts.action == "payer_offset"
    subject = (
        f"{'Offset' if offset else 'Refund'} of overpayment, claim {facts.claim_id}, "
        f"patient account {facts.patient_id}"
    )
    return RefundLetter(
        case_id=facts.case_id,
        date=today,
        practice=practice,
        payer_id=facts.payer_id,
        payer_name=name,
        claim_id=facts.claim_id,
        patient_account=facts.patient_id,
        action=facts.action,
        lines=tuple(lines),
        service_from=dates[0] if dates else "",
        service_to=dates[-1] if dates else "",
        cpts=cpts,
        paid_cents=sum(_cents(p.get("amount")) or 0 for p in payments),
        allowed_amount_cents=sum(allowed) if len(allowed) == len(lines) and lines else None,
        amount_cents=facts.amount_cents,
        reason=_reason(facts),
        traces=_traces(payments, facts.evidence),
        subject=subject,
    )


def patient_refund_form(
    facts: CaseDocumentFacts, practice: PracticeInfo, today: date
) -> PatientRefundForm:
    """The check request of a confirmed patient refund (DocumentRefused otherwise)."""
    if facts.action not in PATIENT_REFUND_ACTIONS:
        raise DocumentRefused(
            "a patient refund form is for a patient refund; this case's action is "
            f"{facts.action.replace('_', ' ') or 'not set'}"
        )
    if facts.verification != "confirmed":
        raise DocumentRefused(
            "a patient refund form needs a credit the ledger confirms; this one is "
            f"{facts.verification or 'not verified'}"
        )
    _check_amount(facts.amount_cents)
    history = facts.ledger_history
    dates = sorted(
        _text(ln.get("service_date"))
        for ln in _rows(history, "claim_lines")
        if _text(ln.get("service_date"))
    )
    paid = [
        t
        for t in _rows(history, "transactions")
        if _text(t.get("kind")) == "payment" and _text(t.get("source")) == "patient"
    ]
    payments = tuple(
        Trace(
            _text(p.get("trace_number")),
            _text(p.get("method")),
            _text(p.get("posted_date")),
            _cents(p.get("amount")) or 0,
        )
        for p in sorted(paid, key=lambda p: _text(p.get("posted_date")))
    )
    return PatientRefundForm(
        case_id=facts.case_id,
        date=today,
        practice=practice,
        claim_id=facts.claim_id,
        patient_account=facts.patient_id,
        amount_cents=facts.amount_cents,
        reason=_reason(facts),
        service_from=dates[0] if dates else "",
        service_to=dates[-1] if dates else "",
        patient_paid_cents=sum(p.amount_cents for p in payments),
        payments=payments,
        proposed_by=facts.proposed_by,
        approved_by=facts.approved_by,
        state=facts.state,
    )
