"""Issue 13: the same money posted again in another form (claim vs line level, ERA vs manual vs
lockbox, with or without CARC/PR rows, another date), reversal not posted, partial recoupment,
a patient write-off then paid, a payer paid above the whole allowed, equal explanations; and
the look-alikes that must not confirm."""

from __future__ import annotations

import pandas as pd
from verify_ledgers import credits_of, one, standard

from cbclassify.verify import verify_credits


def _verify(b, **kw):
    ledger = b.build()
    return verify_credits(ledger, credits_of(ledger), **kw)


def _era_paid(b, trace="000123456", pr=None):
    """C1: charge 400, allowed 200 (fee 50 x4), BCBS paid 200 less the responsibility
    (default a $20 copay, paid by the patient) by 835 (trace with leading zeros)."""
    pr = pr if pr is not None else {"3": "20.00"}
    share = sum(int(v.replace(".", "")) for v in pr.values())
    b.line("C1", charge="400.00", units=4).fee("BCBS", "97110", "50.00")
    b.remit("E1", "BCBS", trace, "2026-01-20")
    b.era_payment("C1", "BCBS", 20000 - share, allowed="200.00", era="E1", co45="200.00", pr=pr)
    if share == 2000:
        b.patient_payment("C1", "20.00")
    return b


def _rules(row):
    return {(c["source"], c["rule"]): c["amount_cents"] for c in row["components"]}


def test_era_payment_keyed_again_by_hand_at_claim_level_same_trace_is_posted_twice():
    """No line number, no CARC or PR rows, another date, the trace without leading zeros."""
    b = _era_paid(standard())
    b.txn("C1", "payment", "payer", "180.00", payer="BCBS", line=None, trace="123456",
          method="manual", date="2026-02-03")  # fmt: skip
    row = one(_verify(b))
    assert (row["verification"], row["verified_source"]) == ("confirmed", "duplicate_payment")
    assert row["confirmed_rule"] == "posted_twice" and row["confirmed_action"] == "reverse_posting"
    assert row["explained_amount_cents"] == 18000
    assert "835 at line 1" in row["statement"] and "manual at claim level" in row["statement"]


def test_835_paid_and_paper_check_paid_again_is_money_received_twice():
    b = _era_paid(standard())
    b.txn("C1", "payment", "payer", "180.00", payer="BCBS", line=None, trace="0011365",
          method="lockbox", date="2026-03-01")  # fmt: skip
    row = one(_verify(b))
    assert (row["verification"], row["verified_source"]) == ("confirmed", "duplicate_payment")
    assert row["confirmed_rule"] == "paid_twice" and row["confirmed_action"] == "payer_return"


def test_manual_repeat_without_a_trace_cannot_tell_posting_from_payment():
    b = _era_paid(standard())
    b.txn("C1", "payment", "payer", "180.00", payer="BCBS", line=None, method="manual",
          date="2026-02-03")  # fmt: skip
    row = one(_verify(b))
    assert row["verification"] != "confirmed"
    assert ("duplicate_payment", "untraced_twice") in _rules(row)


def test_takeback_and_repay_in_another_form_is_not_a_duplicate():
    """Look-alike: the payer took its 835 payment back and re-paid it by check; the credit
    left is the patient's $10 paid above the copay."""
    b = _era_paid(standard())
    b.remit("E2", "BCBS", "TRN-E2", "2026-02-01")
    b.txn("C1", "payment", "payer", "-180.00", payer="BCBS", era="E2", date="2026-02-01")
    b.txn("C1", "payment", "payer", "180.00", payer="BCBS", line=None, trace="CHK-9",
          method="lockbox", date="2026-02-10")  # fmt: skip
    b.patient_payment("C1", "10.00", receipt="R2", date="2026-02-12")
    row = one(_verify(b))
    assert (row["verification"], row["verified_source"]) == ("confirmed", "patient_credit")
    assert row["explained_amount_cents"] == 1000


def test_duplicate_in_another_form_already_refunded_leaves_nothing():
    b = _era_paid(standard())
    b.txn("C1", "payment", "payer", "180.00", payer="BCBS", line=None, trace="CHK-1",
          method="lockbox", date="2026-02-10")  # fmt: skip
    b.txn("C1", "refund", "payer", "180.00", payer="BCBS", trace="RFD-1", method="check",
          date="2026-03-01")  # fmt: skip
    b.patient_payment("C1", "5.00", receipt="R2", date="2026-03-05")
    row = one(_verify(b))
    assert (row["verification"], row["verified_source"]) == ("confirmed", "patient_credit")
    assert row["explained_amount_cents"] == 500


def test_partially_recouped_duplicate_confirms_what_is_left():
    b = _era_paid(standard())
    b.era_payment("C1", "BCBS", "180.00", allowed="200.00", era="E2", date="2026-02-20")
    b.remit("E3", "BCBS", "TRN-E3", "2026-03-20")
    b.txn("C1", "payment", "payer", "-80.00", payer="BCBS", era="E3", date="2026-03-20")
    row = one(_verify(b))
    assert (row["verification"], row["verified_source"]) == ("confirmed", "duplicate_payment")
    assert row["confirmed_rule"] == "paid_twice" and row["explained_amount_cents"] == 10000


def _three_lines_paid_twice(takeback: str):
    """C2: three lines (allowed 60 + 50 + 40, PR-2 20% each, paid by the patient) paid on E1
    and again, line by line, on E2 (another trace); then a claim-level takeback of
    ``takeback`` on E3."""
    b = standard()
    for n, (charge, fee) in enumerate((("100.00", "60.00"), ("90.00", "50.00"),
                                       ("80.00", "40.00")), start=1):  # fmt: skip
        b.line("C2", n, cpt=f"9711{n}", units=1, charge=charge).fee("BCBS", f"9711{n}", fee)
    for era, day in (("E1", "2026-01-20"), ("E2", "2026-02-20")):
        for n, (paid, allowed, pr) in enumerate(
            (("48.00", "60.00", "12.00"), ("40.00", "50.00", "10.00"), ("32.00", "40.00", "8.00")),
            start=1,
        ):
            co45 = "40.00" if era == "E1" else None  # charge - allowed, on the first 835
            b.era_payment("C2", "BCBS", paid, allowed=allowed, era=era, line=n, date=day,
                          pr={"2": pr}, co45=co45)  # fmt: skip
    b.patient_payment("C2", "30.00", date="2026-01-25")
    b.remit("E3", "BCBS", "TRN-E3", "2026-03-20")
    b.txn("C2", "payment", "payer", f"-{takeback}", payer="BCBS", line=None, era="E3",
          date="2026-03-20")  # fmt: skip
    return b


def test_claim_level_partial_takeback_of_a_duplicate_is_spent_once_across_its_lines():
    """The payer paid three lines twice ($120.00) and took back $60.00 at claim level: $60.00
    is still a duplicate. The takeback covers line 1 ($48.00) and $12.00 of line 2, once."""
    row = one(_verify(_three_lines_paid_twice("60.00")), "C2")
    assert row["credit_amount_cents"] == 6000
    assert (row["verification"], row["verified_source"]) == ("confirmed", "duplicate_payment")
    assert row["confirmed_rule"] == "paid_twice" and row["explained_amount_cents"] == 6000


def test_claim_level_takeback_of_the_whole_duplicate_leaves_nothing():
    """Look-alike: the takeback equals the whole repeat: no credit is left."""
    ledger = _three_lines_paid_twice("120.00").build()
    assert "C2" not in set(credits_of(ledger)["claim_id"])


def _paper_eob(payer: str, payer_type: str, write_off: str, paid: str = "156.80"):
    """C3: 97110 x4, charge $400.00, contract $200.00; the payer's paper EOB keyed by hand at
    claim level (lockbox): ``paid`` (default 80% of $200.00 less 2% sequestration) and one
    uncoded write-off of ``write_off``; the patient paid the $40.00 coinsurance."""
    b = standard((payer, payer_type))
    b.line("C3", charge="400.00", payer=payer).fee(payer, "97110", "50.00")
    b.txn("C3", "payment", "payer", paid, payer=payer, line=None, trace="0044001",
          method="lockbox", date="2026-02-02")  # fmt: skip
    b.txn("C3", "adjustment", "payer", write_off, payer=payer, line=None, trace="0044001",
          method="lockbox", date="2026-02-02")  # fmt: skip
    b.patient_payment("C3", "40.00", date="2026-02-10")
    return b


def test_paper_eob_keyed_twice_with_sequestration_folded_into_the_write_off():
    """Medicare's $3.20 sequestration keyed inside the $203.20 write-off (no CO-253): not a
    write-off above the contract; the credit is the payment keyed again (same check)."""
    b = _paper_eob("MCR", "medicare", "203.20")
    b.txn("C3", "payment", "payer", "156.80", payer="MCR", line=None, trace="44001",
          method="manual", date="2026-02-12")  # fmt: skip
    row = one(_verify(b), "C3")
    assert (row["verification"], row["verified_source"]) == ("confirmed", "duplicate_payment")
    assert row["confirmed_rule"] == "posted_twice" and row["explained_amount_cents"] == 15680


def test_write_off_above_contract_and_folded_sequestration_is_the_allowance_error_left():
    """The write-off is $25.00 above contract plus sequestration: $25.00 allowance error."""
    row = one(_verify(_paper_eob("MCR", "medicare", "228.20")), "C3")
    assert (row["verification"], row["verified_source"]) == ("confirmed", "allowance_error")
    assert row["explained_amount_cents"] == 2500
    assert (
        "Write-offs total $228.20 ($3.20 of it the payer's 2% sequestration" in (row["statement"])
    )


def test_a_payer_that_does_not_sequester_wrote_off_too_much():
    """Look-alike: a commercial payer (no sequestration) paid its whole 80% ($160.00) and the
    write-off is $3.20 above charge minus allowed (what Medicare would have sequestered): a
    write-off above the contract."""
    row = one(_verify(_paper_eob("ACME", "commercial", "203.20", paid="160.00")), "C3")
    assert (row["verification"], row["verified_source"]) == ("confirmed", "allowance_error")
    assert row["explained_amount_cents"] == 320


def test_reversal_not_posted_is_a_posting_to_correct_not_money_received_twice():
    """The second 835 reversed the claim and paid it again (it paid $0 net); only the
    re-payment was posted: reverse_posting, not a refund."""
    b = _era_paid(standard())
    b.remit("E2", "BCBS", "TRN-E2", "2026-02-20", total="0.00")
    b.txn("C1", "payment", "payer", "180.00", payer="BCBS", allowed="200.00", era="E2",
          date="2026-02-20")  # fmt: skip
    row = one(_verify(b))
    assert (row["verification"], row["verified_source"]) == ("confirmed", "duplicate_payment")
    assert row["confirmed_rule"] == "reversal_not_posted"
    assert row["confirmed_action"] == "reverse_posting"


def test_second_remittance_that_really_paid_is_paid_twice():
    """Look-alike of the missing reversal: the second remittance's total includes the
    payment (it balances), so the money came twice."""
    b = _era_paid(standard())
    b.remit("E2", "BCBS", "TRN-E2", "2026-02-20")  # total = what is posted from it
    b.txn("C1", "payment", "payer", "180.00", payer="BCBS", allowed="200.00", era="E2",
          date="2026-02-20")  # fmt: skip
    row = one(_verify(b))
    assert row["confirmed_rule"] == "paid_twice"


def _paper_eob_at_claim_level():
    """C1 paid by a paper EOB keyed by hand at claim level (no line numbers): BCBS $180.00 by
    check, the $200.00 write-off and the $20.00 copay, paid by the patient."""
    b = standard()
    b.line("C1", charge="400.00", units=4).fee("BCBS", "97110", "50.00")
    b.txn("C1", "payment", "payer", "180.00", payer="BCBS", line=None, trace="CHK0042",
          method="check", date="2026-01-22")  # fmt: skip
    b.txn("C1", "adjustment", "payer", "200.00", payer="BCBS", line=None, group="CO",
          reason="45", method="check", date="2026-01-22")  # fmt: skip
    b.txn("C1", "responsibility", "payer", "20.00", payer="BCBS", line=None, group="PR",
          reason="3", method="check", date="2026-01-22")  # fmt: skip
    b.patient_payment("C1", "20.00")
    return b


def test_reversal_not_posted_after_a_claim_level_paper_posting_is_a_posting_to_correct():
    """The first payment was keyed by hand at claim level; a later 835 reversed it and paid
    line 1 again (it paid $0 net) and only the line-level re-payment was posted: the same
    claim and amount is the repeat the remittance over-posts, a posting to reverse."""
    b = _paper_eob_at_claim_level()
    b.remit("E2", "BCBS", "TRN-E2", "2026-02-20", total="0.00")
    b.txn("C1", "payment", "payer", "180.00", payer="BCBS", allowed="200.00", era="E2",
          date="2026-02-20")  # fmt: skip
    row = one(_verify(b))
    assert (row["verification"], row["verified_source"]) == ("confirmed", "duplicate_payment")
    assert (row["confirmed_rule"], row["confirmed_action"]) == (
        "reversal_not_posted",
        "reverse_posting",
    )


def test_claim_level_paper_posting_then_an_835_that_really_paid_is_paid_twice():
    """Look-alike: the same paper posting, then a second 835 whose total includes its line
    payment (it balances): the money came twice."""
    b = _paper_eob_at_claim_level()
    b.remit("E2", "BCBS", "TRN-E2", "2026-02-20")
    b.txn("C1", "payment", "payer", "180.00", payer="BCBS", allowed="200.00", era="E2",
          date="2026-02-20")  # fmt: skip
    row = one(_verify(b))
    assert (row["verification"], row["confirmed_rule"]) == ("confirmed", "paid_twice")
    assert row["confirmed_action"] != "reverse_posting"


def test_installments_of_equal_amounts_are_not_a_duplicate():
    """Look-alike: the patient paid a $60 responsibility in $20 installments, and one more:
    $20 above what it owed, a patient credit (not a payment posted twice)."""
    b = _era_paid(standard(), pr={"1": "60.00"})
    for n, day in enumerate(["2026-02-01", "2026-03-01", "2026-04-01", "2026-05-01"], start=2):
        b.patient_payment("C1", "20.00", receipt=f"R{n}", date=day)
    row = one(_verify(b))
    assert (row["verification"], row["verified_source"]) == ("confirmed", "patient_credit")
    assert row["explained_amount_cents"] == 2000


def test_secondary_paying_the_patients_share_with_oa23_is_not_a_duplicate():
    """Look-alike: the secondary paid the $20 copay (OA-23), an amount equal to nothing the
    primary paid twice; the patient's $20 is then a patient credit."""
    b = standard(("AETNA", "commercial"))
    b.line("C1", charge="400.00", units=4, secondary="AETNA").fee("BCBS", "97110", "50.00")
    b.era_payment("C1", "BCBS", "180.00", allowed="200.00", era="E1", co45="200.00",
                  pr={"3": "20.00"})  # fmt: skip
    b.era_payment("C1", "AETNA", "20.00", allowed=None, era="E2", oa23=True, date="2026-02-01")
    b.patient_payment("C1", "20.00")
    row = one(_verify(b))
    assert (row["verification"], row["verified_source"]) == ("confirmed", "patient_credit")


def test_patient_writeoff_then_paid_is_an_allowance_error():
    b = _era_paid(standard(), pr={"3": "45.00"})
    b.patient_payment("C1", "20.00", receipt="R1", date="2026-01-25")
    b.txn("C1", "adjustment", "patient", "25.00", line=None, method="manual", date="2026-02-01")
    b.patient_payment("C1", "25.00", receipt="R2", date="2026-02-15")
    row = one(_verify(b))
    assert (row["verification"], row["verified_source"]) == ("confirmed", "allowance_error")
    assert row["confirmed_rule"] == "patient_writeoff_paid"
    assert row["confirmed_action"] == "correct_adjustment"
    assert "reverse it" in row["statement"]


def test_leftover_balance_written_off_the_day_the_patient_paid_it_is_an_allowance_error():
    """The payer settled the claim, the patient paid part of the share, then the desk wrote
    off the small balance left the same day the patient's check for it was posted (in either
    order): the write-off took away a balance the patient paid."""
    for write_off_first, pr, first_payment in (
        (True, {"3": "45.00"}, "36.60"),
        (False, {"3": "45.00"}, "36.60"),
        (True, {"1": "200.00"}, "191.60"),  # a $0.00 835: all of it to the deductible
    ):
        b = _era_paid(standard(), pr=pr)
        b.patient_payment("C1", first_payment, receipt="R1", date="2026-01-25")
        if write_off_first:
            b.txn(
                "C1", "adjustment", "patient", "8.40", line=None, method="manual", date="2026-02-10"
            )
        b.patient_payment("C1", "8.40", receipt="R2", date="2026-02-10")
        if not write_off_first:
            b.txn(
                "C1", "adjustment", "patient", "8.40", line=None, method="manual", date="2026-02-10"
            )
        row = one(_verify(b))
        assert (row["verification"], row["verified_source"]) == ("confirmed", "allowance_error")
        assert (row["confirmed_rule"], row["confirmed_action"]) == (
            "patient_writeoff_paid",
            "correct_adjustment",
        )
        assert row["explained_amount_cents"] == 840
        assert "the patient paid $8.40 the same day" in row["statement"]
        assert "reverse it" in row["statement"]


def test_prompt_pay_discount_the_day_of_the_patients_only_payment_is_not_a_writeoff_then_paid():
    """Look-alike: the payer settled the claim, and the patient's first and only payment came
    with a prompt-pay discount posted the same day; the patient paid the whole share anyway:
    no earlier payment left a balance over, the discount is not a write-off then paid."""
    b = _era_paid(standard(), pr={"3": "45.00"})
    b.txn("C1", "adjustment", "patient", "5.00", line=None, method="manual", date="2026-02-10")
    b.patient_payment("C1", "45.00", receipt="R1", date="2026-02-10")
    row = one(_verify(b))
    assert row["confirmed_rule"] != "patient_writeoff_paid"
    assert "patient_writeoff_paid" not in {c["rule"] for c in row["components"]}
    assert (row["verification"], row["verified_source"]) == ("confirmed", "patient_credit")


def test_self_pay_discount_at_the_visit_is_not_a_writeoff_then_paid():
    """Look-alike: a self-pay discount posted the day the patient prepaid; the patient paid
    more than the discounted charge: a patient credit."""
    b = standard()
    b.line("C1", charge="100.00", payer=None)
    b.txn("C1", "adjustment", "patient", "20.00", line=None, method="manual", date="2026-01-10")
    b.patient_payment("C1", "90.00", date="2026-01-10")
    row = one(_verify(b))
    assert (row["verification"], row["verified_source"]) == ("confirmed", "patient_credit")


def test_manual_payment_above_the_whole_allowed_with_nothing_from_the_patient():
    """A paper EOB keyed without responsibility rows: the payer kept more than the whole
    allowed amount and the patient paid nothing, so at least the excess is the payer's."""
    b = standard()
    b.line("C1", charge="400.00", units=4).fee("BCBS", "97110", "50.00")
    b.txn("C1", "payment", "payer", "230.00", payer="BCBS", line=None, trace="CHK-5",
          method="lockbox")  # fmt: skip
    b.txn("C1", "adjustment", "payer", "200.00", payer="BCBS", line=None, method="manual")
    row = one(_verify(b))
    assert (row["verification"], row["verified_source"]) == ("confirmed", "payer_overpayment")
    assert row["confirmed_rule"] == "above_full_allowed" and row["explained_amount_cents"] == 3000
    # look-alike: once the patient paid something, its share matters again: not confirmed
    b.patient_payment("C1", "20.00", date="2026-02-01")
    assert one(_verify(b))["verification"] != "confirmed"


def test_excess_equal_to_a_prior_payment_is_inconclusive_naming_both_sources():
    """A partial payment on one 835 and the full contracted payment on a second: the excess
    equals the first payment (a duplicate?) and is also above the contract."""
    b = standard()
    b.line("C1", charge="400.00", units=4).fee("BCBS", "97110", "50.00")
    b.era_payment("C1", "BCBS", "60.00", allowed="200.00", era="E1")
    b.era_payment("C1", "BCBS", "200.00", allowed="200.00", era="E2", co45="200.00",
                  date="2026-02-20")  # fmt: skip
    row = one(_verify(b, predicted={"C1": "payer_overpayment"}))
    assert row["verification"] == "inconclusive" and row["verified_source"] is pd.NA
    assert row["candidates"] == "payer_overpayment|duplicate_payment"
    assert "equally as payer overpayment and duplicate payment" in row["review_reason"]


def test_full_contract_paid_without_responsibility_and_a_copay_collected_is_inconclusive():
    """The 835 paid 100% of the contracted allowed with no responsibility row while the
    patient paid a copay at the visit: no cost share (patient credit) or a skipped copay
    (payer overpayment)."""
    b = standard()
    b.line("C1", charge="400.00", units=4).fee("BCBS", "97110", "50.00")
    b.era_payment("C1", "BCBS", "200.00", allowed="200.00", era="E1", co45="200.00", pr={})
    b.patient_payment("C1", "30.00")
    row = one(_verify(b))
    assert row["verification"] == "inconclusive"
    assert row["candidates"] == "patient_credit|payer_overpayment"
    # look-alike: the payer assigned responsibility (even a part): a patient credit
    c = standard()
    c.line("C1", charge="400.00", units=4).fee("BCBS", "97110", "50.00")
    c.era_payment("C1", "BCBS", "190.00", allowed="200.00", era="E1", co45="200.00",
                  pr={"3": "10.00"})  # fmt: skip
    c.patient_payment("C1", "30.00")
    assert one(_verify(c))["verified_source"] == "patient_credit"


def test_adjustment_posted_twice_is_always_an_allowance_error():
    b = _era_paid(standard())
    b.txn("C1", "adjustment", "payer", "200.00", payer="BCBS", group="CO", reason="45",
          line=None, method="manual", date="2026-02-05")  # fmt: skip
    row = one(_verify(b))
    assert (row["verification"], row["verified_source"]) == ("confirmed", "allowance_error")


def test_remittance_with_a_lost_reversal_and_a_real_second_payment_tells_them_apart():
    """E2 reversed and re-paid C1 and C3 (only the re-payments posted) and also paid C2 a
    second time for real: E2's over-posting ($210) is C1's $180 and C3's $30, so their
    repeats are lost reversals and C2's is money received twice."""
    b = _era_paid(standard())
    b.line("C2", charge="100.00", units=1)
    b.era_payment("C2", "BCBS", "50.00", allowed="50.00", era="E9", co45="50.00", pr={})
    b.line("C3", charge="100.00", units=1)
    b.era_payment("C3", "BCBS", "30.00", allowed="50.00", era="E8", co45="50.00",
                  pr={"3": "20.00"})  # fmt: skip
    b.patient_payment("C3", "20.00", receipt="R3")
    b.txn("C3", "payment", "payer", "30.00", payer="BCBS", allowed="50.00", era="E2",
          date="2026-02-20")  # fmt: skip
    b.remit("E2", "BCBS", "TRN-E2", "2026-02-20", total="50.00")  # paid C2 again, C1, C3 net 0
    b.txn("C1", "payment", "payer", "180.00", payer="BCBS", allowed="200.00", era="E2",
          date="2026-02-20")  # fmt: skip
    b.txn("C2", "payment", "payer", "50.00", payer="BCBS", allowed="50.00", era="E2",
          date="2026-02-20")  # fmt: skip
    out = _verify(b)
    assert one(out, "C1")["confirmed_rule"] == "reversal_not_posted"
    assert one(out, "C2")["confirmed_rule"] == "paid_twice"
    assert one(out, "C3")["confirmed_rule"] == "reversal_not_posted"


def _repaid_on_an_overposted_remittance(total: str | None, *, c3_copy: str | None = None,
                                        paper_first: bool = False):  # fmt: skip
    """C1 and C2 ($66.25 each, the contract, no responsibility) paid on E1 (C1 by a paper
    check at claim level when ``paper_first``); E2 pays both again and pays C5 $100.00 once,
    for ``total`` (None: what is posted from it, a balanced 835). ``c3_copy``: E2 also pays C3
    that amount and posts it twice (one payment posted twice from the same remittance)."""
    b = standard()
    b.line("C1", charge="100.00", units=1).fee("BCBS", "97110", "66.25")
    b.line("C2", charge="100.00", units=1)
    for claim in ("C1", "C2"):
        if claim == "C1" and paper_first:
            b.txn("C1", "payment", "payer", "66.25", payer="BCBS", line=None, trace="CHK0042",
                  method="check", date="2026-01-20")  # fmt: skip
            b.txn("C1", "adjustment", "payer", "33.75", payer="BCBS", line=None, group="CO",
                  reason="45", method="check", date="2026-01-20")  # fmt: skip
        else:
            b.era_payment(claim, "BCBS", "66.25", allowed="66.25", era="E1", co45="33.75", pr={})
    b.remit("E2", "BCBS", "TRN-E2", "2026-02-20", total=total)
    for claim in ("C1", "C2"):
        b.txn(claim, "payment", "payer", "66.25", payer="BCBS", allowed="66.25", era="E2",
              date="2026-02-20")  # fmt: skip
    b.line("C5", charge="100.00", units=1, cpt="97140")
    b.era_payment("C5", "BCBS", "100.00", allowed="100.00", era="E2", date="2026-02-20")
    if c3_copy is not None:
        b.line("C3", charge=c3_copy, units=1, cpt="97140")
        for _ in range(2):
            b.era_payment("C3", "BCBS", c3_copy, allowed=c3_copy, era="E2", date="2026-02-20")
    return b


def test_overposting_larger_than_its_repeats_leaves_a_lost_reversal_or_money_paid_twice():
    """Seen on independent data: E2 over-posts $187.37 ($232.50 posted, $45.13 paid) with two
    repeats of $66.25 (C1, C2) and $54.87 no repeat explains. Either E2 reversed and re-paid
    C1 and the reversal was never posted, or the payer paid C1 twice: never confirmed, no
    refund, both readings stated; through a literal copy and through a repeated posting event
    (a paper check at claim level first)."""
    for paper_first in (False, True):
        b = _repaid_on_an_overposted_remittance("45.13", paper_first=paper_first)
        row = one(_verify(b, predicted={"C1": "duplicate_payment"}))
        assert row["credit_amount_cents"] == 6625
        assert row["verification"] == "partial" and row["verified_source"] is pd.NA
        assert row["confirmed_action"] is pd.NA
        assert _rules(row) == {("duplicate_payment", "reversal_or_paid_twice"): 6625}
        assert row["components"][0]["action"] is None
        assert "the reversal was never posted" in row["statement"]
        assert "or the payer paid twice" in row["statement"]
        assert "cannot tell" in row["statement"]
        assert one(_verify(b))["verification"] != "confirmed"  # rules only


def test_repeat_on_a_balanced_second_remittance_is_still_money_received_twice():
    """Look-alike: E2 balances (it paid all $232.50 posted from it), two traces: paid twice."""
    row = one(_verify(_repaid_on_an_overposted_remittance(None)))
    assert (row["verification"], row["verified_source"]) == ("confirmed", "duplicate_payment")
    assert (row["confirmed_rule"], row["confirmed_action"]) == ("paid_twice", "payer_return")


def test_overposting_made_by_the_remittances_own_copy_keeps_the_repeat_paid_twice():
    """Look-alike: E2 balances except that it posted C3's $120.00 twice (one payment posted
    twice from it, $120.00 over-posted, more than C1's $66.25 repeat) and, in the second
    ledger, $10.00 more that no repeat explains: less its own copy, what E2 over-posts is
    less than the repeat, which cannot be part of it: C1 was paid twice."""
    for extra in (0, 1000):
        total = f"{(26500 + 12000 - extra) / 100:.2f}"  # posted: 132.50 + 100 + 240 - copy
        b = _repaid_on_an_overposted_remittance(total, c3_copy="120.00")
        out = _verify(b)
        row = one(out)
        assert (row["verification"], row["verified_source"]) == ("confirmed", "duplicate_payment")
        assert (row["confirmed_rule"], row["confirmed_action"]) == ("paid_twice", "payer_return")
        assert one(out, "C3")["confirmed_rule"] == "posted_twice"


def test_overposting_made_exactly_of_the_repeats_is_still_a_lost_reversal():
    """E2 over-posts exactly $132.50, C1's and C2's repeats: both reversals were lost."""
    out = _verify(_repaid_on_an_overposted_remittance("100.00"))
    for claim in ("C1", "C2"):
        row = one(out, claim)
        assert (row["verification"], row["confirmed_rule"]) == ("confirmed", "reversal_not_posted")
        assert row["confirmed_action"] == "reverse_posting"


def test_overposting_of_one_of_two_equal_repeats_confirms_neither():
    """Seen on independent data: E2 re-pays C1 and C2 $66.25 each and is over-posted by $66.25
    only (after its provider adjustments): one of the two repeats is a lost reversal, the other
    money paid twice, and the ledger cannot tell which. Neither is confirmed; no refund."""
    out = _verify(_repaid_on_an_overposted_remittance("166.25"))
    for claim in ("C1", "C2"):
        row = one(out, claim)
        assert row["verification"] != "confirmed" and row["confirmed_action"] is pd.NA
        assert _rules(row) == {("duplicate_payment", "reversal_or_paid_twice"): 6625}
