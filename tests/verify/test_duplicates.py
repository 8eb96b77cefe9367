"""Duplicate payment: one remittance or receipt posted twice vs a payer or patient paying twice;
look-alikes: a takeback followed by a corrected payment, a duplicate already refunded."""

from __future__ import annotations

import pandas as pd
from verify_ledgers import credits_of, one, standard

from cbclassify.verify import verify_credits


def _verify(b, **kw):
    ledger = b.build()
    return verify_credits(ledger, credits_of(ledger), **kw)


def _paid_claim(b, claim="C1"):
    b.line(claim, charge="400.00").fee("BCBS", "97110", "50.00")
    b.era_payment(
        claim, "BCBS", "180.00", allowed="200.00", era="E1", co45="200.00", pr={"3": "20.00"}
    )
    b.patient_payment(claim, "20.00")
    return b


def test_payer_paid_twice_on_two_remittances():
    b = _paid_claim(standard())
    b.remit("E2", "BCBS", "EFT-2", "2026-02-20")
    b.txn(
        "C1",
        "payment",
        "payer",
        "180.00",
        payer="BCBS",
        allowed="200.00",
        era="E2",
        date="2026-02-20",
    )
    row = one(_verify(b))
    assert (row["verification"], row["verified_source"]) == ("confirmed", "duplicate_payment")
    assert row["confirmed_action"] == "payer_return"
    assert row["explained_amount_cents"] == 18000
    assert "different traces" in row["statement"] and "EFT-2" in row["statement"]
    assert {"T001", "T005"} <= set(row["evidence"].split(";"))


def _sources(row):
    return {(c["source"], c["rule"]): c["amount_cents"] for c in row["components"]}


def test_payer_paid_twice_with_its_write_off_repeated_has_two_sources():
    """The repeated payment is a duplicate, the repeated CO-45 an allowance error (an
    adjustment posted twice is always one): two sources, partial, no action."""
    b = _paid_claim(standard())
    b.era_payment(
        "C1",
        "BCBS",
        "180.00",
        allowed="200.00",
        era="E2",
        co45="200.00",
        pr={"3": "20.00"},
        date="2026-02-20",
    )
    row = one(_verify(b))
    assert row["verification"] == "partial" and row["verified_source"] is pd.NA
    assert _sources(row) == {
        ("duplicate_payment", "paid_twice"): 18000,
        ("allowance_error", "adjustment_twice"): 20000,
    }
    assert row["explained_amount_cents"] == 38000 == row["credit_amount_cents"]


def test_one_remittance_posted_twice_with_its_write_off_same_era():
    b = _paid_claim(standard())
    b.txn(
        "C1",
        "payment",
        "payer",
        "180.00",
        payer="BCBS",
        allowed="200.00",
        era="E1",
        date="2026-01-21",
    )
    b.txn(
        "C1",
        "adjustment",
        "payer",
        "200.00",
        payer="BCBS",
        group="CO",
        reason="45",
        era="E1",
        date="2026-01-21",
    )
    row = one(_verify(b))
    assert row["verification"] == "partial" and row["verified_source"] is pd.NA
    assert _sources(row) == {
        ("duplicate_payment", "posted_twice"): 18000,
        ("allowance_error", "adjustment_twice"): 20000,
    }
    assert "posted 2 times from one remittance" in row["statement"]


def test_same_trace_on_two_era_ids_is_one_remittance_posted_twice():
    b = _paid_claim(standard())
    b.remit("E1B", "BCBS", "TRN-E1", "2026-01-22")  # the same 835 imported a second time
    b.txn(
        "C1",
        "payment",
        "payer",
        "180.00",
        payer="BCBS",
        allowed="200.00",
        era="E1B",
        date="2026-01-22",
    )
    row = one(_verify(b))
    assert row["confirmed_action"] == "reverse_posting"
    assert row["verified_source"] == "duplicate_payment"


def test_patient_receipt_posted_twice_is_reversed_not_refunded():
    b = _paid_claim(standard())
    b.patient_payment("C1", "20.00", receipt="R1", date="2026-01-06")
    row = one(_verify(b))
    assert (row["verification"], row["verified_source"]) == ("confirmed", "duplicate_payment")
    assert row["confirmed_action"] == "reverse_posting"
    assert row["explained_amount_cents"] == 2000


def test_patient_paying_twice_on_two_receipts_is_a_patient_credit():
    b = _paid_claim(standard())
    b.patient_payment("C1", "20.00", receipt="R2", date="2026-02-01")
    row = one(_verify(b))
    assert (row["verification"], row["verified_source"]) == ("confirmed", "patient_credit")
    assert "twice, on distinct receipts" in row["statement"]


def test_takeback_then_corrected_payment_of_the_same_amount_is_not_a_duplicate():
    """Look-alike: pay 180, reversal -180 (CLP02 22), corrected 180. The credit is the
    patient's $10 paid above the copay."""
    b = standard()
    b.line("C1", charge="400.00").fee("BCBS", "97110", "50.00")
    b.era_payment(
        "C1", "BCBS", "180.00", allowed="200.00", era="E1", co45="200.00", pr={"3": "20.00"}
    )
    b.era_payment(
        "C1",
        "BCBS",
        "-180.00",
        allowed=None,
        era="E2",
        co45="-200.00",
        pr={"3": "-20.00"},
        date="2026-02-20",
    )
    b.era_payment(
        "C1",
        "BCBS",
        "180.00",
        allowed="200.00",
        era="E2",
        co45="200.00",
        pr={"3": "20.00"},
        date="2026-02-20",
    )
    b.patient_payment("C1", "30.00")
    row = one(_verify(b))
    assert (row["verification"], row["verified_source"]) == ("confirmed", "patient_credit")
    assert row["explained_amount_cents"] == 1000


def test_takeback_then_corrected_payment_of_a_different_amount():
    b = standard()
    b.line("C1", charge="400.00").fee("BCBS", "97110", "50.00")
    b.era_payment(
        "C1", "BCBS", "200.00", allowed="220.00", era="E1", co45="180.00", pr={"3": "20.00"}
    )
    b.era_payment(
        "C1",
        "BCBS",
        "-200.00",
        allowed=None,
        era="E2",
        co45="-180.00",
        pr={"3": "-20.00"},
        date="2026-02-20",
    )
    b.era_payment(
        "C1",
        "BCBS",
        "180.00",
        allowed="200.00",
        era="E2",
        co45="200.00",
        pr={"3": "20.00"},
        date="2026-02-20",
    )
    b.patient_payment("C1", "30.00")
    row = one(_verify(b))
    assert (row["verification"], row["verified_source"]) == ("confirmed", "patient_credit")


def test_duplicate_already_refunded_to_the_payer_is_not_claimed_again():
    """Look-alike: the payer paid twice and the practice refunded it; the credit left is the
    patient's $10."""
    b = standard()
    b.line("C1", charge="400.00").fee("BCBS", "97110", "50.00")
    b.era_payment(
        "C1", "BCBS", "180.00", allowed="200.00", era="E1", co45="200.00", pr={"3": "20.00"}
    )
    b.era_payment("C1", "BCBS", "180.00", allowed="200.00", era="E2", date="2026-02-20")
    b.txn(
        "C1",
        "refund",
        "payer",
        "180.00",
        payer="BCBS",
        trace="RFD-1",
        method="check",
        date="2026-03-01",
    )
    b.patient_payment("C1", "30.00")
    row = one(_verify(b))
    assert (row["verification"], row["verified_source"]) == ("confirmed", "patient_credit")
    assert row["explained_amount_cents"] == 1000


def test_duplicate_without_trace_or_remittance_cannot_pick_an_action():
    b = standard()
    b.line("C1", charge="400.00").fee("BCBS", "97110", "50.00")
    for _ in range(2):
        b.txn("C1", "payment", "payer", "180.00", payer="BCBS", method="manual", date="2026-01-25")
    b.txn("C1", "responsibility", "payer", "20.00", payer="BCBS", group="PR", reason="3")
    b.txn("C1", "adjustment", "payer", "200.00", payer="BCBS", group="CO", reason="45")
    b.patient_payment("C1", "20.00")
    row = one(_verify(b))
    assert row["verification"] != "confirmed"
    assert "duplicate payment" in row["review_reason"]
    assert "no trace number" in row["statement"]


def test_two_lines_paid_the_same_amount_are_not_duplicates():
    b = standard()
    b.line("C1", 1, charge="200.00", units=2).line("C1", 2, charge="200.00", units=2, cpt="97140")
    b.fee("BCBS", "97110", "50.00").fee("BCBS", "97140", "50.00")
    for line in (1, 2):
        b.era_payment(
            "C1",
            "BCBS",
            "90.00",
            allowed="100.00",
            era="E1",
            co45="100.00",
            pr={"2": "10.00"},
            line=line,
        )
    b.patient_payment("C1", "50.00")
    row = one(_verify(b))
    assert (row["verification"], row["verified_source"]) == ("confirmed", "patient_credit")
    assert row["explained_amount_cents"] == 3000
