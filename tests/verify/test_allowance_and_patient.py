"""Allowance error (write-off above charge minus allowed, PR written off as contractual, the
same adjustment twice) and patient credit (above the responsibility the payer assigned)."""

from __future__ import annotations

import pandas as pd
from verify_ledgers import credits_of, one, standard

from cbclassify.verify import verify_credits


def _verify(b, **kw):
    ledger = b.build()
    return verify_credits(ledger, credits_of(ledger), **kw)


def _adjudicated(b, co45="200.00", pr=None, claim="C1", paid="180.00"):
    b.line(claim, charge="400.00").fee("BCBS", "97110", "50.00")
    b.era_payment(
        claim,
        "BCBS",
        paid,
        allowed="200.00",
        era=f"E-{claim}",
        co45=co45,
        pr=pr if pr is not None else {"3": "20.00"},
    )
    return b


def test_write_off_above_charge_minus_allowed():
    b = _adjudicated(standard(), co45="250.00")
    b.patient_payment("C1", "20.00")
    row = one(_verify(b))
    assert (row["verification"], row["verified_source"]) == ("confirmed", "allowance_error")
    assert row["confirmed_action"] == "correct_adjustment"
    assert row["explained_amount_cents"] == 5000
    assert (
        "Write-offs total $250.00" in row["statement"]
        and "only $200.00 should be written off" in row["statement"]
    )


def test_patient_responsibility_written_off_as_contractual():
    b = _adjudicated(standard())
    b.txn(
        "C1", "adjustment", "payer", "20.00", payer="BCBS", group="CO", reason="3", method="manual"
    )
    b.patient_payment("C1", "20.00")
    row = one(_verify(b))
    assert (row["verification"], row["verified_source"]) == ("confirmed", "allowance_error")
    assert row["explained_amount_cents"] == 2000
    assert "written off as a contractual adjustment" in row["statement"]


def _pr_as_adjustment_only(patient_paid: str):
    """The 835 reported the $20.00 coinsurance only as a PR-2 adjustment (posted as a
    write-off, no responsibility row); the patient paid ``patient_paid``."""
    b = _adjudicated(standard(), pr={})
    b.txn("C1", "adjustment", "payer", "20.00", payer="BCBS", group="PR", reason="2", era="E-C1")
    b.patient_payment("C1", patient_paid, date="2026-02-10")
    return b


def test_responsibility_reported_only_as_a_pr_adjustment_then_paid_is_an_allowance_error():
    """The payer assigned the $20.00 (its PR adjustment says so) although no responsibility
    row was posted: the patient owed it and paid it; what is wrong is the write-off."""
    row = one(_verify(_pr_as_adjustment_only("20.00")))
    assert (row["verification"], row["verified_source"]) == ("confirmed", "allowance_error")
    assert row["confirmed_rule"] == "pr_written_off" and row["explained_amount_cents"] == 2000


def test_patient_paying_above_a_share_reported_only_as_a_pr_adjustment_is_partial():
    """Look-alike: the patient paid $25.00 of the $20.00 share that was written off: $20.00
    write-off to reverse and $5.00 the patient paid above the share (two sources)."""
    row = one(_verify(_pr_as_adjustment_only("25.00")))
    assert row["verification"] == "partial"
    sources = {c["source"]: c["amount_cents"] for c in row["components"]}
    assert sources == {"allowance_error": 2000, "patient_credit": 500}


def test_same_adjustment_posted_twice():
    b = _adjudicated(standard())
    b.txn(
        "C1",
        "adjustment",
        "payer",
        "200.00",
        payer="BCBS",
        group="CO",
        reason="45",
        method="manual",
        date="2026-02-02",
    )
    b.patient_payment("C1", "20.00")
    row = one(_verify(b))
    assert (row["verification"], row["verified_source"]) == ("confirmed", "allowance_error")
    assert row["explained_amount_cents"] == 20000
    assert "posted twice" in row["statement"]


def test_reversed_and_reposted_adjustment_is_not_posted_twice():
    b = _adjudicated(standard())
    b.txn(
        "C1",
        "adjustment",
        "payer",
        "-200.00",
        payer="BCBS",
        group="CO",
        reason="45",
        method="manual",
    )
    b.txn(
        "C1",
        "adjustment",
        "payer",
        "200.00",
        payer="BCBS",
        group="CO",
        reason="45",
        method="manual",
    )
    b.patient_payment("C1", "25.00")
    row = one(_verify(b))
    assert (row["verification"], row["verified_source"]) == ("confirmed", "patient_credit")


def test_copay_collected_above_the_responsibility_the_payer_assigned():
    b = _adjudicated(standard(), pr={"2": "12.00"}, paid="188.00")
    b.patient_payment("C1", "20.00")
    row = one(_verify(b))
    assert (row["verification"], row["verified_source"]) == ("confirmed", "patient_credit")
    assert row["explained_amount_cents"] == 800
    assert (
        "The patient paid $20.00" in row["statement"] and "$12.00 coinsurance" in row["statement"]
    )


def test_era_without_responsibility_rows_means_the_patient_owes_nothing():
    """No fee-schedule row: the 835's own allowed governs and it assigned no responsibility,
    so the copay taken at the desk is a patient credit."""
    b = standard()
    b.line("C1", charge="400.00")
    b.era_payment("C1", "BCBS", "200.00", allowed="200.00", era="E-C1", co45="200.00", pr={})
    b.patient_payment("C1", "20.00")  # a copay taken at the desk that the payer did not assign
    row = one(_verify(b))
    assert row["credit_amount_cents"] == 2000
    assert (row["verification"], row["verified_source"]) == ("confirmed", "patient_credit")
    assert "assigned $0.00 patient responsibility" in row["statement"]


def test_full_contract_paid_without_responsibility_rows_and_a_desk_copay_is_inconclusive():
    """With a contract, 100% of it paid and no responsibility row: no cost share (patient
    credit) or a copay the payer skipped (payer overpayment) explain the $20 equally."""
    b = _adjudicated(standard(), co45="200.00", pr={}, paid="200.00")
    b.patient_payment("C1", "20.00")
    row = one(_verify(b))
    assert row["verification"] == "inconclusive"
    assert row["candidates"] == "patient_credit|payer_overpayment"


def test_medicaid_paying_the_full_contract_without_responsibility_leaves_a_patient_credit():
    """Medicaid members owe no cost share beyond what the plan assigns (42 CFR 447.15): the
    money taken at the desk is the patient's, not a copay the payer skipped."""
    b = standard(("MCD", "medicaid"))
    b.line("C1", charge="400.00", payer="MCD").fee("MCD", "97110", "50.00")
    b.era_payment("C1", "MCD", "200.00", allowed="200.00", era="E1", co45="200.00", pr={})
    b.patient_payment("C1", "20.00")
    row = one(_verify(b))
    assert (row["verification"], row["verified_source"]) == ("confirmed", "patient_credit")
    assert row["explained_amount_cents"] == 2000 and pd.isna(row["candidates"])


def test_payer_allowing_the_codes_contract_rate_under_another_modifier_is_inconclusive():
    """No row governs the line (the schedule names the code with modifier HN only), but the
    payer allowed exactly the contracted rate of the code: it applied the contract, so a
    full payment without responsibility is again no cost share or a skipped copay."""
    b = standard()
    b.line("C1", charge="400.00", modifier=None).fee("BCBS", "97110", "50.00", modifier="HN")
    b.era_payment("C1", "BCBS", "200.00", allowed="200.00", era="E1", co45="200.00", pr={})
    b.patient_payment("C1", "20.00")
    row = one(_verify(b))
    assert row["verification"] == "inconclusive"
    assert row["candidates"] == "patient_credit|payer_overpayment"


def test_payer_allowing_another_amount_than_any_contract_rate_keeps_its_835_reading():
    """Look-alike: the schedule's rate for the code is $50.00 a unit under HN, the payer
    allowed $45.00 a unit on a line without modifier: no contract was applied, the 835 is the
    only adjudication and its 'no responsibility' stands."""
    b = standard()
    b.line("C1", charge="400.00", modifier=None).fee("BCBS", "97110", "50.00", modifier="HN")
    b.era_payment("C1", "BCBS", "180.00", allowed="180.00", era="E1", co45="220.00", pr={})
    b.patient_payment("C1", "20.00")
    row = one(_verify(b))
    assert (row["verification"], row["verified_source"]) == ("confirmed", "patient_credit")


def test_manual_posting_without_responsibility_leaves_the_patient_credit_inconclusive():
    b = standard()
    b.line("C1", charge="400.00").fee("BCBS", "97110", "50.00")
    b.txn("C1", "payment", "payer", "180.00", payer="BCBS", trace="CHK9", method="check")
    b.txn("C1", "adjustment", "payer", "200.00", payer="BCBS", trace="CHK9", method="check")
    b.patient_payment("C1", "30.00")
    row = one(_verify(b))
    assert row["verification"] == "inconclusive"
    assert "without patient responsibility" in row["review_reason"]


def test_self_pay_patient_paid_above_the_charge():
    b = standard()
    b.line("C1", charge="120.00", payer=None)
    b.patient_payment("C1", "120.00", receipt="R1")
    b.patient_payment("C1", "40.00", receipt="R2", date="2026-02-01")
    row = one(_verify(b))
    assert (row["verification"], row["verified_source"]) == ("confirmed", "patient_credit")
    assert "self-pay" in row["statement"]


def test_patient_credit_and_allowance_error_together_is_partial_with_both_components():
    b = _adjudicated(standard(), co45="230.00")
    b.patient_payment("C1", "30.00")  # $10 above the copay, write-off $30 too large
    row = one(_verify(b))
    assert row["verification"] == "partial"
    sources = {c["source"]: c["amount_cents"] for c in row["components"]}
    assert sources == {"allowance_error": 3000, "patient_credit": 1000}
    assert row["explained_amount_cents"] == 4000 == row["credit_amount_cents"]
    assert "several sources" in row["review_reason"]
