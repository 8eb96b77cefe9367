"""Payer overpayment: above contracted allowed (date, modifier, units), above payer-reported
allowed, a secondary paying as primary, a payer paid a claim not billed to it; look-alikes."""

from __future__ import annotations

import pandas as pd
from verify_ledgers import credits_of, one, standard

from cbclassify.verify import verify_credits


def _verify(b, **kw):
    ledger = b.build()
    return verify_credits(ledger, credits_of(ledger), **kw)


def test_paid_above_contracted_allowed_less_copay():
    b = standard()
    b.line("C1", charge="500.00", units=4).fee("BCBS", "97110", "51.50")
    b.era_payment(
        "C1",
        "BCBS",
        "412.00",
        allowed="206.00",
        era="E1",
        co45="294.00",
        pr={"3": "20.00"},
        date="2026-03-02",
    )
    b.patient_payment("C1", "20.00")
    row = one(_verify(b))
    assert row["verification"] == "confirmed"
    assert row["verified_source"] == "payer_overpayment"
    assert row["explained_amount_cents"] == 22600 == row["credit_amount_cents"]
    assert row["confirmed_action"] == "payer_return" and row["confirmed_payer_id"] == "BCBS"
    assert "Payer Blue Cross paid $412.00" in row["statement"]
    assert "$206.00 less $20.00 copay" in row["statement"]
    assert set(row["evidence"].split(";")) >= {"T001", "T003"}


def test_contract_by_date_of_service_modifier_and_units_governs_over_reported_allowed():
    b = standard()
    b.line("C1", charge="400.00", units=4, modifier="GP", service_date="2026-01-05")
    b.fee("BCBS", "97110", "60.00", start="2025-01-01", end="2025-12-31")  # old rate
    b.fee("BCBS", "97110", "50.00", modifier="GP", start="2026-01-01")  # new rate, exact modifier
    b.fee("BCBS", "97110", "70.00", start="2026-01-01")  # blank modifier loses to exact
    # The payer still paid its old rate (allowed 240) while the practice wrote off by contract.
    b.era_payment(
        "C1", "BCBS", "220.00", allowed="240.00", era="E1", co45="200.00", pr={"3": "20.00"}
    )
    b.patient_payment("C1", "20.00")
    row = one(_verify(b))
    assert row["verification"] == "confirmed"
    assert row["verified_source"] == "payer_overpayment"
    assert row["credit_amount_cents"] == 4000 == row["explained_amount_cents"]
    assert "contracted allowed amount for 97110-GP x4 is $200.00" in row["statement"]


def test_reported_allowed_governs_without_fee_schedule():
    b = standard()
    b.line("C1", charge="400.00")
    b.era_payment(
        "C1", "BCBS", "380.00", allowed="200.00", era="E1", co45="200.00", pr={"2": "20.00"}
    )
    b.patient_payment("C1", "20.00")
    row = one(_verify(b))
    assert (row["verification"], row["verified_source"]) == ("confirmed", "payer_overpayment")
    assert row["explained_amount_cents"] == 20000
    assert "payer-reported allowed amount" in row["statement"]


def test_sequestration_is_part_of_what_the_payer_owed():
    b = standard(("MCR", "medicare"))
    b.line("C1", charge="400.00", payer="MCR").fee("MCR", "97110", "50.00")
    # allowed 200, coinsurance 40, sequestration 3.20: owed 156.80; paid 200.00.
    b.era_payment(
        "C1",
        "MCR",
        "200.00",
        allowed="200.00",
        era="E1",
        co45="200.00",
        seq="3.20",
        pr={"2": "40.00"},
    )
    b.patient_payment("C1", "40.00")
    row = one(_verify(b))
    assert (row["verification"], row["verified_source"]) == ("confirmed", "payer_overpayment")
    assert row["explained_amount_cents"] == 4320
    assert "$3.20 sequestration" in row["statement"]


def test_secondary_paid_as_primary_overpaid_the_secondary():
    b = standard(("AETNA", "commercial"))
    b.line("C1", charge="400.00", secondary="AETNA").fee("BCBS", "97110", "50.00")
    b.era_payment(
        "C1", "BCBS", "180.00", allowed="200.00", era="E1", co45="200.00", pr={"2": "20.00"}
    )
    b.era_payment(
        "C1", "AETNA", "180.00", allowed="200.00", era="E2", date="2026-02-10"
    )  # no OA-23
    row = one(_verify(b))
    assert (row["verification"], row["verified_source"]) == ("confirmed", "payer_overpayment")
    assert row["confirmed_payer_id"] == "AETNA"
    assert row["explained_amount_cents"] == 16000
    assert "no OA-23" in row["statement"]


def test_legitimate_secondary_payment_with_oa23_is_not_an_overpayment():
    """Look-alike: the secondary paid the patient's share with OA-23; the patient had also paid
    it at the desk. The credit is the patient's, not the secondary's."""
    b = standard(("AETNA", "commercial"))
    b.line("C1", charge="400.00", secondary="AETNA").fee("BCBS", "97110", "50.00")
    b.era_payment(
        "C1", "BCBS", "180.00", allowed="200.00", era="E1", co45="200.00", pr={"2": "20.00"}
    )
    b.era_payment("C1", "AETNA", "20.00", allowed="200.00", era="E2", oa23=True, date="2026-02-10")
    b.patient_payment("C1", "20.00")
    row = one(_verify(b))
    assert (row["verification"], row["verified_source"]) == ("confirmed", "patient_credit")
    assert row["explained_amount_cents"] == 2000
    assert row["confirmed_action"] == "patient_return"


def _secondary_check(paid: str):
    """BCBS's 835 left $20.00 coinsurance, the patient paid it at the desk; the secondary
    (Medigap) paid ``paid`` by paper check, keyed by hand without PR rows or OA-23."""
    b = standard(("MDG", "commercial"))
    b.line("C1", charge="400.00", secondary="MDG").fee("BCBS", "97110", "50.00")
    b.era_payment(
        "C1", "BCBS", "180.00", allowed="200.00", era="E1", co45="200.00", pr={"2": "20.00"}
    )
    b.patient_payment("C1", "20.00")
    b.txn("C1", "payment", "payer", paid, payer="MDG", line=None, trace="CHK-77",
          method="check", date="2026-02-10")  # fmt: skip
    return _verify(b)


def test_secondary_check_covering_the_whole_patient_share_leaves_the_patient_nothing():
    """Its responsibility rows are missing, but it paid exactly the share the primary left:
    it covered all of it, so the patient's $20.00 is a patient credit."""
    row = one(_secondary_check("20.00"))
    assert (row["verification"], row["verified_source"]) == ("confirmed", "patient_credit")
    assert "it paid the whole $20.00 share the primary left" in row["statement"]
    assert row["explained_amount_cents"] == 2000 and row["confirmed_action"] == "patient_return"


def test_secondary_check_covering_part_of_the_patient_share_stays_unknown():
    """Look-alike: it paid $15.00 of the $20.00: the patient may owe the rest (a
    responsibility the secondary did not post), so the patient's excess is unknown."""
    row = one(_secondary_check("15.00"))
    assert row["verification"] == "inconclusive"
    assert "without patient responsibility" in row["review_reason"]


def test_medicaid_secondary_write_off_of_the_patient_share_is_not_an_allowance_error():
    b = standard(("MCD", "medicaid"))
    b.line("C1", charge="400.00", secondary="MCD").fee("BCBS", "97110", "50.00")
    b.era_payment(
        "C1", "BCBS", "160.00", allowed="200.00", era="E1", co45="200.00", pr={"2": "40.00"}
    )
    b.era_payment(
        "C1", "MCD", "25.00", allowed="185.00", era="E2", oa23=True, co45="15.00", date="2026-02-10"
    )
    b.patient_payment("C1", "30.00")  # the patient paid although Medicaid covered the rest
    row = one(_verify(b))
    assert (row["verification"], row["verified_source"]) == ("confirmed", "patient_credit")
    assert row["explained_amount_cents"] == 3000


def test_payer_paid_a_claim_not_billed_to_it():
    b = standard(("UHC", "commercial"))
    b.payers[-1]["allows_offset"] = True
    b.line("C1", charge="400.00").fee("BCBS", "97110", "50.00")
    b.era_payment(
        "C1", "BCBS", "180.00", allowed="200.00", era="E1", co45="200.00", pr={"3": "20.00"}
    )
    b.patient_payment("C1", "20.00")
    b.era_payment("C1", "UHC", "150.00", allowed="200.00", era="E9", date="2026-02-01")
    row = one(_verify(b))
    assert (row["verification"], row["verified_source"]) == ("confirmed", "payer_overpayment")
    assert row["confirmed_payer_id"] == "UHC"
    assert "neither the primary nor the secondary" in row["statement"]


def test_self_pay_claim_paid_by_a_payer():
    b = standard()
    b.line("C1", charge="150.00", payer=None)
    b.patient_payment("C1", "150.00")
    b.era_payment("C1", "BCBS", "90.00", allowed="100.00", era="E1")
    row = one(_verify(b))
    assert (row["verification"], row["verified_source"]) == ("confirmed", "payer_overpayment")
    assert "the patient (self-pay)" in row["statement"]


def test_no_allowed_and_manual_posting_is_inconclusive():
    b = standard()
    b.line("C1", charge="400.00")
    b.txn("C1", "payment", "payer", "420.00", payer="BCBS", trace="CHK1", method="check")
    row = one(_verify(b))
    assert row["verification"] == "inconclusive"
    assert pd.isna(row["verified_source"])
    assert "manually without patient responsibility" in row["review_reason"]


def test_payer_already_recovered_by_plb_wo_is_not_refunded_again():
    b = standard()
    b.line("C1", charge="400.00").fee("BCBS", "97110", "50.00")
    b.era_payment(
        "C1", "BCBS", "380.00", allowed="200.00", era="E1", co45="200.00", pr={"3": "20.00"}
    )
    b.patient_payment("C1", "20.00")
    b.remit("E5", "BCBS", "TRN-E5", "2026-03-01").plb_row("E5", "WO", "C1", "200.00")
    row = one(_verify(b))
    assert row["verification"] != "confirmed"
    assert "PLB WO" in row["review_reason"]


def test_partial_takeback_leaves_the_rest_overpaid():
    b = standard()
    b.line("C1", charge="400.00").fee("BCBS", "97110", "50.00")
    b.era_payment(
        "C1", "BCBS", "230.00", allowed="200.00", era="E1", co45="200.00", pr={"3": "20.00"}
    )
    b.patient_payment("C1", "20.00")
    b.era_payment("C1", "BCBS", "-30.00", allowed=None, era="E2", date="2026-03-01")
    row = one(_verify(b))
    assert (row["verification"], row["verified_source"]) == ("confirmed", "payer_overpayment")
    assert row["explained_amount_cents"] == 2000


def test_overpayment_with_copay_not_yet_collected_is_confirmed_for_the_credit():
    """The payer overpaid $50 and the patient still owes a $20 copay: a $30 credit."""
    b = standard()
    b.line("C1", charge="400.00").fee("BCBS", "97110", "50.00")
    b.era_payment(
        "C1", "BCBS", "230.00", allowed="200.00", era="E1", co45="200.00", pr={"3": "20.00"}
    )
    row = one(_verify(b))
    assert row["credit_amount_cents"] == 3000
    assert (row["verification"], row["verified_source"]) == ("confirmed", "payer_overpayment")
    assert row["explained_amount_cents"] == 3000


def test_confirmed_statement_names_the_shortfall_that_absorbs_part_of_the_finding():
    b = standard()
    b.line("C1", charge="400.00").fee("BCBS", "97110", "50.00")
    b.era_payment(
        "C1", "BCBS", "230.00", allowed="200.00", era="E1", co45="200.00", pr={"3": "20.00"}
    )
    row = one(_verify(b))
    assert "$50.00 overpaid" in row["statement"]
    assert (
        "responsibility not yet paid) short by $20.00) leave a credit of $30.00" in row["statement"]
    )
