"""Property tests (hypothesis): a confirmed credit's explained amount always equals the credit,
on arbitrary ledgers and on correctly adjudicated claims carrying one injected cause."""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from verify_ledgers import credits_of, standard

from cbclassify.verify import verify_credits

SETTINGS = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
KINDS = ("payment", "adjustment", "responsibility", "refund", "transfer")
money = st.integers(min_value=-5000, max_value=60000)


@st.composite
def random_ledgers(draw):
    """Several claims with arbitrary postings (any kind, source, sign, codes, remittance)."""
    b = standard(("AETNA", "commercial"), ("MCR", "medicare"))
    b.fee("BCBS", "97110", "50.00")
    for n in range(draw(st.integers(1, 4))):
        claim = f"C{n}"
        payer = draw(st.sampled_from(["BCBS", "MCR", None]))
        b.line(
            claim,
            charge=f"{draw(st.integers(50, 600))}.00",
            payer=payer,
            secondary=draw(st.sampled_from([None, "AETNA"])),
            units=draw(st.integers(1, 4)),
        )
        for _ in range(draw(st.integers(1, 7))):
            source = draw(st.sampled_from(["payer", "patient"]))
            kind = draw(st.sampled_from(KINDS))
            cents = draw(money)
            era = draw(st.sampled_from([None, "E1", "E2"]))
            if era and era not in {r["era_id"] for r in b.remits}:
                b.remit(era, "BCBS", f"TRN-{era}")
            b.txn(
                claim,
                kind,
                source,
                cents,
                payer=draw(st.sampled_from(["BCBS", "AETNA", "MCR"]))
                if source == "payer"
                else None,
                line=draw(st.sampled_from([1, None])),
                group=draw(st.sampled_from([None, "CO", "PR", "OA"])),
                reason=draw(st.sampled_from([None, "45", "2", "3", "23", "253"])),
                allowed=draw(st.sampled_from([None, "200.00", "0.00"])),
                era=era,
                trace=draw(st.sampled_from([None, "T1", "T2"])),
                date=draw(st.sampled_from(["2026-01-10", "2026-02-10", "2026-03-10"])),
            )
    return b.build()


@SETTINGS
@given(random_ledgers())
def test_confirmed_explains_exactly_the_credit_on_arbitrary_ledgers(ledger):
    credits = credits_of(ledger)
    out = verify_credits(ledger, credits)
    assert len(out) == len(credits)
    assert set(out["verification"]) <= {"confirmed", "partial", "refuted", "inconclusive"}
    confirmed = out[out["verification"] == "confirmed"]
    assert (confirmed["explained_amount_cents"] == confirmed["credit_amount_cents"]).all()
    assert confirmed["verified_source"].notna().all()
    assert (out["explained_amount_cents"] <= out["credit_amount_cents"]).all()
    assert (out["explained_amount_cents"] >= 0).all()
    ids = set(ledger.transactions["txn_id"])
    for evidence in out["evidence"]:
        assert set(filter(None, evidence.split(";"))) <= ids


CAUSES = (
    "overpaid",
    "write_off",
    "copay",
    "paid_twice",
    "posted_twice",
    "not_billed",
    "pr_written_off",
)
EXPECTED = {
    "overpaid": "payer_overpayment",
    "write_off": "allowance_error",
    "copay": "patient_credit",
    "paid_twice": "duplicate_payment",
    "posted_twice": "duplicate_payment",
    "not_billed": "payer_overpayment",
    "pr_written_off": "allowance_error",
}


@st.composite
def one_cause_ledgers(draw):
    """Claims adjudicated correctly (random allowed, copay/coinsurance) plus one cause each."""
    b = standard(("UHC", "commercial"))
    causes = {}
    for n in range(draw(st.integers(1, 5))):
        claim, era = f"C{n}", f"E{n}"
        units = draw(st.integers(1, 4))
        per_unit = draw(st.integers(2000, 9000))
        allowed = per_unit * units
        charge = allowed + draw(st.integers(100, 20000))
        pr = draw(st.integers(0, allowed // 2))
        reason = draw(st.sampled_from(["1", "2", "3"]))
        cpt = f"97{110 + n}"  # one fee-schedule row per claim
        b.line(claim, charge=charge, units=units, patient=f"P{n}", cpt=cpt)
        b.patient(f"P{n}")
        b.fee("BCBS", cpt, per_unit)
        cause = draw(st.sampled_from(CAUSES))
        if cause == "copay" and pr == 0:
            pr = 100  # no responsibility row at all makes a desk copay ambiguous (issue 13)
        extra = draw(st.integers(1, 5000))
        paid = allowed - pr + (extra if cause == "overpaid" else 0)
        co45 = charge - allowed + (extra if cause == "write_off" else 0)
        b.era_payment(
            claim, "BCBS", paid, allowed=allowed, era=era, co45=co45, pr={reason: pr} if pr else {}
        )
        b.patient_payment(claim, pr + (extra if cause == "copay" else 0), receipt=f"R{n}")
        if cause == "paid_twice":
            b.remit(f"{era}B", "BCBS", f"OTHER-{n}", "2026-02-15")
            b.txn(
                claim,
                "payment",
                "payer",
                allowed - pr,
                payer="BCBS",
                era=f"{era}B",
                date="2026-02-15",
            )
        if cause == "posted_twice":
            b.txn(claim, "payment", "payer", allowed - pr, payer="BCBS", era=era, date="2026-01-22")
        if cause == "not_billed":
            b.era_payment(claim, "UHC", extra, allowed=None, era=f"U{n}", date="2026-02-20")
        if cause == "pr_written_off":
            b.txn(claim, "adjustment", "payer", extra, payer="BCBS", group="CO", reason=reason)
        causes[claim] = cause
    return b.build(), causes


@SETTINGS
@given(one_cause_ledgers())
def test_each_injected_cause_is_confirmed_with_its_source_to_the_cent(case):
    ledger, causes = case
    out = verify_credits(ledger, credits_of(ledger)).set_index("claim_id")
    assert set(out.index) == set(causes), "every injected cause makes a credit"
    for claim, cause in causes.items():
        row = out.loc[claim]
        assert row["verification"] == "confirmed", (cause, row["statement"])
        assert row["verified_source"] == EXPECTED[cause], (cause, row["statement"])
        assert row["explained_amount_cents"] == row["credit_amount_cents"]


PREDICTIONS = st.sampled_from(
    [None, "payer_overpayment", "duplicate_payment", "allowance_error", "patient_credit"]
)


@SETTINGS
@given(random_ledgers(), st.data(), st.booleans())
def test_confirmed_evidence_accounts_for_the_amount_and_disagreement_carries_no_action(
    ledger, data, confirm_ledger_source
):
    """Issue 13: a confirmed verdict's components (each resting on evidence txn_ids) account
    for its explained amount; a verdict that disagrees with the prediction never carries an
    action unless the policy switch confirms the ledger's source (then it is flagged)."""
    _check_evidence_and_disagreement(ledger, data, confirm_ledger_source)


@SETTINGS
@given(one_cause_ledgers(), st.data(), st.booleans())
def test_disagreement_carries_no_action_on_claims_the_ledger_proves(
    case, data, confirm_ledger_source
):
    _check_evidence_and_disagreement(case[0], data, confirm_ledger_source)


def _check_evidence_and_disagreement(ledger, data, confirm_ledger_source):
    from cbclassify.resolve import parse_policy, verify_and_recommend

    credits = credits_of(ledger)
    predicted = {c: data.draw(PREDICTIONS) for c in credits["claim_id"]}
    predicted = {c: p for c, p in predicted.items() if p is not None}
    policy = parse_policy({"verification": {"confirm_ledger_source": confirm_ledger_source}})
    out = verify_credits(
        ledger, credits, predicted=predicted, confirm_ledger_source=confirm_ledger_source
    )
    for _, row in out.iterrows():
        evidence = set(filter(None, row["evidence"].split(";")))
        if row["verification"] == "confirmed":
            comps = row["components"]
            assert comps and {c["source"] for c in comps} == {row["verified_source"]}
            assert sum(c["amount_cents"] for c in comps) >= row["explained_amount_cents"]
            assert row["explained_amount_cents"] == row["credit_amount_cents"]
            for c in comps:
                assert len(c["txn_ids"]) > 0 and set(c["txn_ids"]) <= evidence
        pred = predicted.get(row["claim_id"])
        if row["verification"] == "refuted" and row["ledger_source"] is not pd.NA:
            assert (
                row["ledger_source"] != pred
                and row["ledger_amount_cents"] == row["credit_amount_cents"]
            )
        if bool(row["disagreement"]):
            assert confirm_ledger_source and row["verified_source"] != pred
    scored = verify_and_recommend(ledger, credits, predicted=predicted, policy=policy)
    acted = scored[scored["recommended_action"].notna()]
    assert (acted["verification"] == "confirmed").all()
    for _, row in acted.iterrows():
        pred = predicted.get(row["claim_id"])
        if pred is not None and row["verified_source"] != pred:
            assert confirm_ledger_source and bool(row["disagreement"])
    assert scored.loc[scored["ledger_source"].notna(), "recommended_action"].isna().all()
