"""The refund paperwork's content, built from a case's facts: exact to the cent, every trace
named, refused for cases it is not made for."""

from __future__ import annotations

from datetime import date

import pytest

from cbclassify.resolve.documents import (
    CaseDocumentFacts,
    DocumentRefused,
    PracticeInfo,
    patient_refund_form,
    refund_letter,
)

PRACTICE = PracticeInfo(
    "Sunrise Therapy",
    ("12 Main St", "Springfield, IL 62701"),
    npi="1234567893",
    tin="12-3456789",
    contact_name="Pat Biller",
    phone="555-0100",
)
TODAY = date(2026, 7, 1)


def _line(no: str, dos: str, cpt: str, charge: str, payer: str = "ACME") -> dict[str, str]:
    return {
        "line_no": no,
        "payer_id": payer,
        "service_date": dos,
        "cpt": cpt,
        "modifier": "GP",
        "units": "2",
        "charge_amount": charge,
    }


def _pay(txn: str, line: str, amount: str, allowed: str, trace: str, day: str) -> dict[str, str]:
    return {
        "txn_id": txn,
        "line_no": line,
        "kind": "payment",
        "source": "payer",
        "payer_id": "ACME",
        "amount": amount,
        "allowed_amount": allowed,
        "trace_number": trace,
        "era_id": f"ERA-{trace}",
        "method": "era",
        "posted_date": day,
    }


HISTORY = {
    "claim_lines": [
        _line("1", "2026-03-02", "97110", "114.00"),
        _line("2", "2026-03-09", "97140", "104.00"),
    ],
    "transactions": [
        _pay("T1", "1", "80.10", "80.10", "EFT-111", "2026-04-01"),
        _pay("T2", "2", "70.05", "70.05", "EFT-111", "2026-04-01"),
        _pay("T3", "2", "70.05", "70.05", "EFT-222", "2026-04-20"),  # paid twice
        {
            "txn_id": "T4",
            "line_no": "2",
            "kind": "adjustment",
            "source": "payer",
            "payer_id": "ACME",
            "amount": "33.95",
            "trace_number": "EFT-111",
            "method": "era",
            "posted_date": "2026-04-01",
        },
        {
            "txn_id": "T5",
            "line_no": "",
            "kind": "payment",
            "source": "patient",
            "payer_id": "",
            "amount": "25.00",
            "trace_number": "R-9",
            "method": "card",
            "posted_date": "2026-03-02",
        },
    ],
}
STATEMENT = "Confirmed duplicate payment of $70.05. Payer Acme Health paid $70.05 for line 2 twice."


def _facts(**changes: object) -> CaseDocumentFacts:
    values: dict[str, object] = {
        "case_id": 7,
        "claim_id": "CLM-42",
        "patient_id": "PAT-9",
        "payer_id": "ACME",
        "action": "refund_payer",
        "amount_cents": 7005,
        "verification": "confirmed",
        "verified_source": "duplicate_payment",
        "statement": STATEMENT,
        "evidence": ("T3",),
        "ledger_history": HISTORY,
        "state": "approved",
        "proposed_by": "bill",
        "approved_by": "max",
    }
    values.update(changes)
    return CaseDocumentFacts(**values)  # type: ignore[arg-type]


def test_letter_is_exact_to_the_cent_and_names_every_trace() -> None:
    letter = refund_letter(_facts(), PRACTICE, "Acme Health", TODAY)
    assert letter.payer_name == "Acme Health" and letter.payer_id == "ACME"
    assert (letter.claim_id, letter.patient_account) == ("CLM-42", "PAT-9")
    assert (letter.service_from, letter.service_to) == ("2026-03-02", "2026-03-09")
    assert letter.cpts == ("97110-GP", "97140-GP")
    assert letter.paid_cents == 8010 + 7005 + 7005
    # the allowed amount the payer reported, once per line (not once per payment)
    assert letter.allowed_amount_cents == 8010 + 7005
    assert [(ln.line_no, ln.paid_cents, ln.allowed_amount_cents) for ln in letter.lines] == [
        ("1", 8010, 8010),
        ("2", 14010, 7005),
    ]
    assert letter.amount_cents == 7005
    assert letter.reason == STATEMENT
    # evidence traces first; a trace's payments summed
    assert letter.trace_numbers == ("EFT-222", "EFT-111")
    assert [t.amount_cents for t in letter.traces] == [7005, 8010 + 7005]
    assert letter.subject == "Refund of overpayment, claim CLM-42, patient account PAT-9"
    assert letter.practice.missing == []


def test_offset_letter_and_missing_practice_details() -> None:
    letter = refund_letter(_facts(action="payer_offset"), PracticeInfo("Bare Practice"), "", TODAY)
    assert letter.subject.startswith("Offset of overpayment")
    assert letter.payer_name == "ACME"  # no name known: the id
    assert letter.practice.missing == ["address", "NPI", "TIN", "contact"]


def test_reason_falls_back_to_the_verified_source() -> None:
    letter = refund_letter(_facts(statement=""), PRACTICE, "Acme", TODAY)
    assert letter.reason == "Verified duplicate payment on this claim."


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"verification": "partial"}, "needs a credit the ledger confirms; this one is partial"),
        ({"action": "refund_patient"}, "this case's action is refund patient"),
        ({"payer_id": ""}, "names no payer"),
        ({"amount_cents": 0}, "no amount to refund"),
    ],
)
def test_letter_refused_for_other_cases(changes: dict[str, object], words: str) -> None:
    with pytest.raises(DocumentRefused, match=words):
        refund_letter(_facts(**changes), PRACTICE, "Acme", TODAY)


def test_patient_refund_form() -> None:
    form = patient_refund_form(
        _facts(action="refund_patient", amount_cents=2500, verified_source="patient_credit"),
        PRACTICE,
        TODAY,
    )
    assert (form.claim_id, form.patient_account, form.amount_cents) == ("CLM-42", "PAT-9", 2500)
    assert (form.service_from, form.service_to) == ("2026-03-02", "2026-03-09")
    assert form.patient_paid_cents == 2500
    assert [(p.trace_number, p.method, p.amount_cents) for p in form.payments] == [
        ("R-9", "card", 2500)
    ]
    assert (form.proposed_by, form.approved_by) == ("bill", "max")
    with pytest.raises(DocumentRefused, match="is for a patient refund"):
        patient_refund_form(_facts(), PRACTICE, TODAY)
