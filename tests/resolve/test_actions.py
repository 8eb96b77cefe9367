"""Recommended actions only on confirmation, per contract and policy; verify_and_recommend."""

from __future__ import annotations

import pandas as pd
from verify_ledgers import credits_of, one, standard

from cbclassify.balances import resolve_as_of
from cbclassify.bundles import credit_bundles
from cbclassify.resolve import (
    SCORING_COLUMNS,
    Resolved,
    default_policy,
    parse_policy,
    recommend,
    resolution_frame,
    verify_and_recommend,
)
from cbclassify.resolve.pipeline import investigations_by_claim, resolve_credits
from cbclassify.verify import verify_bundle
from cbclassify.verify.engine import credits_on

D = pd.Timestamp


def _run(ledger, policy=None, investigations=None, as_of=None, identified=None):
    """Verify each credit, then recommend (identified on ``identified`` when given)."""
    credits = credits_on(credits_of(ledger, as_of), resolve_as_of(ledger, as_of))
    context, bundles = credit_bundles(ledger, credits)
    found = investigations_by_claim(investigations)
    resolved = []
    for bundle in bundles:
        verdict = verify_bundle(context, bundle)
        advice = recommend(
            context,
            bundle,
            verdict,
            policy or default_policy(),
            identified=None if identified is None else D(identified).date(),
            investigations=found.get(bundle.claim_id, ()),
        )
        resolved.append(Resolved(verdict, advice))
    return one(resolution_frame(resolved))


def _overpaid(payer="BCBS", payer_type="commercial", allows_offset=None, paid="230.00"):
    b = standard() if payer == "BCBS" else standard((payer, payer_type))
    if allows_offset is not None:
        for row in b.payers:
            if row["payer_id"] == payer:
                row["allows_offset"] = allows_offset
    b.line("C1", charge="400.00", payer=payer).fee(payer, "97110", "50.00")
    b.era_payment(
        "C1",
        payer,
        paid,
        allowed="200.00",
        era="E1",
        co45="200.00",
        pr={"3": "20.00"},
        date="2026-03-02",
    )
    b.patient_payment("C1", "20.00")
    return b.build()


def test_payer_overpayment_is_refunded_to_the_payer_that_overpaid():
    row = _run(_overpaid())
    assert row["recommended_action"] == "refund_payer"
    assert row["overpayment_payer_id"] == "BCBS"
    assert row["due_date"] == D("2026-05-01")
    assert bool(row["approval_required"]) is False


def test_offset_where_the_payer_allows_it_and_policy_overrides():
    assert _run(_overpaid(allows_offset=True))["recommended_action"] == "payer_offset"
    deny = parse_policy({"offsets": {"deny": ["BCBS"]}})
    assert _run(_overpaid(allows_offset=True), deny)["recommended_action"] == "refund_payer"
    allow = parse_policy({"offsets": {"allow": ["BCBS"]}})
    assert _run(_overpaid(), allow)["recommended_action"] == "payer_offset"


def test_refund_at_or_above_the_threshold_needs_approval():
    row = _run(_overpaid(paid="880.00"))  # $700 overpaid
    assert row["recommended_action"] == "refund_payer" and bool(row["approval_required"]) is True


def test_medicare_overpayment_deadline_with_an_open_investigation():
    ledger = _overpaid(payer="MCR", payer_type="medicare")
    inv = pd.DataFrame(
        {"claim_id": ["C1"], "opened_date": [D("2026-03-02")], "closed_date": [D("2026-04-01")]}
    )
    row = _run(ledger, investigations=inv)
    assert row["due_date"] == D("2026-05-31")
    assert row["due_basis"].startswith(
        "Medicare 60-day rule from identification 2026-03-02, suspended"
    )


def test_identification_date_given_per_credit_drives_the_deadline():
    row = _run(_overpaid(payer="MCR", payer_type="medicare"), identified="2026-03-10")
    assert row["due_date"] == D("2026-05-09")


def _patient_credit(other_claim_open=True, other_billed="2026-01-06", owed=True):
    b = standard()
    b.line("C1", charge="400.00").fee("BCBS", "97110", "50.00")
    b.era_payment(
        "C1",
        "BCBS",
        "180.00",
        allowed="200.00",
        era="E1",
        co45="200.00",
        pr={"3": "20.00"},
        date="2026-03-02",
    )
    b.patient_payment("C1", "30.00", date="2026-01-05")
    b.line("C2", charge="150.00", service_date="2026-01-02", billed_date=other_billed)
    if not other_claim_open:
        b.txn("C2", "payment", "payer", "150.00", payer="BCBS", trace="CHK2", method="check")
    elif owed:  # BCBS paid C2 and left the patient $40.00: a balance the patient owes
        b.era_payment("C2", "BCBS", "110.00", allowed="150.00", era="E2", pr={"3": "40.00"},
                      date=other_billed)  # fmt: skip
    return b.build()


def test_patient_credit_applied_to_the_patients_open_balance():
    row = _run(_patient_credit())
    assert row["recommended_action"] == "apply_to_balance"
    assert row["apply_to_claim_id"] == "C2"
    assert row["due_date"] == D("2026-04-01")
    assert pd.isna(row["dormancy_date"])


def test_patient_credit_refunded_when_policy_forbids_applying_or_nothing_is_open():
    off = parse_policy({"patient_credits": {"apply_to_other_balances": False}})
    row = _run(_patient_credit(), off)
    assert row["recommended_action"] == "refund_patient"
    assert row["dormancy_date"] == D("2029-01-05")  # last patient payment + 3 years (PA)
    assert _run(_patient_credit(other_claim_open=False))["recommended_action"] == "refund_patient"


def test_patient_credit_is_held_while_the_other_balance_awaits_its_payer():
    """Look-alike: the patient's other claim is open only because BCBS has not paid it yet;
    the credit is held (no action) until the payer decides what the patient owes there."""
    ledger = _patient_credit(owed=False)
    row = one(verify_and_recommend(ledger, credits_of(ledger)))
    assert row["verification"] == "inconclusive" and pd.isna(row["recommended_action"])
    assert "claim C2 is not settled (it awaits its payer" in row["review_reason"]
    verdict = resolve_credits(ledger, credits_of(ledger))[0].verdict
    assert (verdict.ledger_source, verdict.ledger_amount_cents) == ("patient_credit", 1000)
    owed = _patient_credit()
    assert one(verify_and_recommend(owed, credits_of(owed)))["recommended_action"] == (
        "apply_to_balance"
    )


def _self_pay_other_claim(posted: str | None):
    """C1: a confirmed $10.00 patient credit (copay $20.00, paid $30.00). C2: the patient's
    self-pay charge of $150.00 with ``posted`` on it: None (a bare charge), "discount" (the
    practice's self-pay discount) or "payment" (the patient paid part of it)."""
    b = standard()
    b.line("C1", charge="400.00").fee("BCBS", "97110", "50.00")
    b.era_payment("C1", "BCBS", "180.00", allowed="200.00", era="E1", co45="200.00",
                  pr={"3": "20.00"}, date="2026-03-02")  # fmt: skip
    b.patient_payment("C1", "30.00", date="2026-01-05")
    b.line("C2", charge="150.00", payer=None, service_date="2026-02-02", billed_date="2026-02-03")
    if posted == "discount":
        b.txn("C2", "adjustment", "patient", "45.00", date="2026-02-03")
    elif posted == "payment":
        b.patient_payment("C2", "50.00", receipt="R9", date="2026-02-03")
    return b.build()


def test_patient_credit_is_held_while_the_other_self_pay_charge_has_nothing_posted():
    """A bare self-pay charge is not a settled balance yet: the practice may still apply its
    self-pay discount, or coverage may be found for it (retroactive Medicaid): the credit is
    held, not applied."""
    ledger = _self_pay_other_claim(None)
    row = one(verify_and_recommend(ledger, credits_of(ledger)))
    assert row["verification"] == "inconclusive" and pd.isna(row["recommended_action"])
    assert "claim C2 is not settled" in row["review_reason"]


def test_patient_credit_applied_to_a_self_pay_balance_once_priced_or_paid_on():
    """Look-alikes: the self-pay discount is posted, or the patient paid part of it: the rest
    is a balance the patient owes."""
    for posted in ("discount", "payment"):
        ledger = _self_pay_other_claim(posted)
        row = one(verify_and_recommend(ledger, credits_of(ledger)))
        assert row["verification"] == "confirmed", posted
        assert (row["recommended_action"], row["apply_to_claim_id"]) == ("apply_to_balance", "C2")


def _deductible_other_claim(payer_paid: str):
    """C1: a confirmed $10.00 patient credit. C2: BCBS's 835 paid ``payer_paid`` and put the
    rest of the $150.00 allowed to the deductible (PR-1): a balance the patient owes."""
    b = standard()
    b.line("C1", charge="400.00").fee("BCBS", "97110", "50.00")
    b.era_payment("C1", "BCBS", "180.00", allowed="200.00", era="E1", co45="200.00",
                  pr={"3": "20.00"}, date="2026-03-02")  # fmt: skip
    b.patient_payment("C1", "30.00", date="2026-01-05")
    b.line("C2", charge="150.00", service_date="2026-01-02")
    deductible = f"{150 - float(payer_paid):.2f}"
    b.era_payment("C2", "BCBS", payer_paid, allowed="150.00", era="E2", pr={"1": deductible},
                  date="2026-01-20")  # fmt: skip
    return b.build()


def test_deductible_balance_takes_the_credit_unless_the_policy_waits_for_a_payer_payment():
    """Default: a balance all to the deductible is the patient's (the 835 says so). A practice
    that holds credits while deductibles may be re-adjudicated sets
    patient_credits.apply_to_deductible_balances: false: the credit is held."""
    ledger = _deductible_other_claim("0.00")
    row = one(verify_and_recommend(ledger, credits_of(ledger)))
    assert (row["recommended_action"], row["apply_to_claim_id"]) == ("apply_to_balance", "C2")
    hold = parse_policy({"patient_credits": {"apply_to_deductible_balances": False}})
    row = one(verify_and_recommend(ledger, credits_of(ledger), policy=hold))
    assert row["verification"] == "inconclusive" and pd.isna(row["recommended_action"])
    assert "its payer paid nothing yet" in row["review_reason"]


def test_balance_a_payer_paid_on_takes_the_credit_under_either_policy():
    """Look-alike: the payer paid $30.00 and left $120.00 to the deductible: settled."""
    ledger = _deductible_other_claim("30.00")
    hold = parse_policy({"patient_credits": {"apply_to_deductible_balances": False}})
    for policy in (None, hold):
        row = one(verify_and_recommend(ledger, credits_of(ledger), policy=policy))
        assert (row["recommended_action"], row["apply_to_claim_id"]) == ("apply_to_balance", "C2")


def test_open_balance_is_looked_up_as_of_identification():
    # C2 was billed after the credit was identified: nothing to apply it to yet.
    ledger = _patient_credit(other_billed="2026-03-05")
    assert _run(ledger, identified="2026-03-02")["recommended_action"] == "refund_patient"
    assert _run(ledger, identified="2026-03-06")["recommended_action"] == "apply_to_balance"


def test_reverse_posting_and_correct_adjustment_are_internal_corrections():
    b = standard()
    b.line("C1", charge="400.00").fee("BCBS", "97110", "50.00")
    b.era_payment(
        "C1",
        "BCBS",
        "180.00",
        allowed="200.00",
        era="E1",
        co45="200.00",
        pr={"3": "20.00"},
        date="2026-03-02",
    )
    b.txn(
        "C1",
        "payment",
        "payer",
        "180.00",
        payer="BCBS",
        allowed="200.00",
        era="E1",
        date="2026-03-02",
    )
    b.patient_payment("C1", "20.00")
    row = _run(b.build())
    assert row["recommended_action"] == "reverse_posting"
    assert row["due_basis"].startswith("internal correction: 30 days")
    assert pd.isna(row["overpayment_payer_id"])


def test_nothing_is_recommended_without_confirmation():
    b = standard()
    b.line("C1", charge="400.00").fee("BCBS", "97110", "50.00")
    b.era_payment(
        "C1",
        "BCBS",
        "210.00",
        allowed="200.00",
        era="E1",
        co45="220.00",
        pr={"3": "20.00"},
        date="2026-03-02",
    )
    b.patient_payment("C1", "20.00")
    row = _run(b.build())
    assert pd.isna(row["recommended_action"]) and pd.isna(row["due_date"])
    assert row["due_basis"] == "no action until verified: manual review"


def test_verify_and_recommend_gives_the_scoring_columns():
    ledger = _overpaid()
    out = verify_and_recommend(
        ledger, credits_of(ledger), predicted=pd.Series({"C1": "payer_overpayment"})
    )
    assert list(out.columns) == SCORING_COLUMNS
    row = one(out)
    assert row["verification"] == "confirmed" and row["verified_source"] == "payer_overpayment"
    assert row["explained_amount_cents"] == row["credit_amount_cents"] == 5000
    assert row["recommended_action"] == "refund_payer" and row["due_date"] == D("2026-05-01")
    assert row["evidence"] and row["statement"].startswith("Confirmed payer overpayment of $50.00.")


def test_verify_and_recommend_accepts_a_prediction_frame():
    ledger = _overpaid()
    predicted = pd.DataFrame({"claim_id": ["C1"], "predicted_source": ["allowance_error"]})
    row = one(verify_and_recommend(ledger, credits_of(ledger), predicted=predicted))
    assert row["verification"] == "refuted" and pd.isna(row["recommended_action"])
    on = parse_policy({"verification": {"confirm_ledger_source": True}})
    row = one(verify_and_recommend(ledger, credits_of(ledger), predicted=predicted, policy=on))
    assert row["verified_source"] == "payer_overpayment" and bool(row["disagreement"]) is True
    assert row["recommended_action"] == "refund_payer"


def test_practice_state_without_location_states_and_no_patient_postings():
    """Regressions of the vectorized path: a policy naming only the practice's state, and a
    credit claim without any patient posting (both used to raise inside pandas)."""
    policy = parse_policy(
        {"deadlines": {"practice_state": "PA", "prompt_pay": {"PA": {"refund_days": 40}}}}
    )
    b = standard()
    b.line("C1", charge="400.00").fee("BCBS", "97110", "50.00")
    b.era_payment(
        "C1", "BCBS", "230.00", allowed="200.00", era="E1", co45="200.00", pr={}, date="2026-03-02"
    )
    row = _run(b.build(), policy)
    assert row["recommended_action"] == "refund_payer"
    assert row["due_basis"].startswith("PA prompt-pay rule for commercial payers: 40 days")


def _posted_without_patient_share(posting: str):
    """C1: a confirmed $10.00 patient credit. C2: the patient's $150.00 claim on which BCBS
    has posted nothing the patient owes: ``write_off`` (its contractual write-off of $50.00
    keyed by hand with a $0.00 payment, no PR row: the payment itself has not come) or
    ``denial`` (an 835 paying $0.00 under CO-16, to correct and resubmit)."""
    b = standard()
    b.line("C1", charge="400.00").fee("BCBS", "97110", "50.00")
    b.era_payment("C1", "BCBS", "180.00", allowed="200.00", era="E1", co45="200.00",
                  pr={"3": "20.00"}, date="2026-03-02")  # fmt: skip
    b.patient_payment("C1", "30.00", date="2026-01-05")
    b.line("C2", charge="150.00", service_date="2026-01-02")
    if posting == "write_off":
        b.txn("C2", "payment", "payer", "0.00", payer="BCBS", line=None, method="manual")
        b.txn("C2", "adjustment", "payer", "50.00", payer="BCBS", group="CO", reason="45",
              method="manual")  # fmt: skip
    else:
        b.remit("E2", "BCBS", "TRN-E2", "2026-01-20")
        b.txn("C2", "payment", "payer", "0.00", payer="BCBS", line=None, group="CO",
              reason="16", era="E2")  # fmt: skip
    return b.build()


def test_patient_credit_is_held_while_the_other_claim_has_no_patient_share_posted():
    """A payer's write-off keyed alone, or a $0.00 denial, assigns the patient nothing: the
    claim's balance still waits for its payer, under either deductible policy; the credit is
    held, naming that claim."""
    hold = parse_policy({"patient_credits": {"apply_to_deductible_balances": False}})
    for posting in ("write_off", "denial"):
        ledger = _posted_without_patient_share(posting)
        for policy in (None, hold):
            row = one(verify_and_recommend(ledger, credits_of(ledger), policy=policy))
            assert row["verification"] == "inconclusive", posting
            assert pd.isna(row["recommended_action"]), posting
            assert "claim C2 is not settled (it awaits its payer" in row["review_reason"]
