"""Each variant leaves the ledger facts its label promises (what a verifier would look for)."""

from __future__ import annotations

import pandas as pd
import pytest

from cbclassify.synth import SynthPractice


def _evidence(practice: SynthPractice, variant: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    truth = practice.truth
    rows = truth[(truth["variant"] == variant) & ~truth["mixed"] & ~truth["hard_case"]]
    assert len(rows) > 0, variant
    ids = rows.assign(txn=rows["evidence_txn_ids"].str.split(";")).explode("txn")
    txns = practice.ledger.transactions.set_index("txn_id").loc[ids["txn"]].reset_index()
    return rows, txns.assign(credit_claim=ids["claim_id"].to_numpy())


def _payments(txns: pd.DataFrame, source: str) -> pd.DataFrame:
    return txns[
        (txns["kind"] == "payment") & (txns["source"] == source) & (txns["amount_cents"] > 0)
    ]


def test_era_posted_twice_repeats_era_and_trace(practice: SynthPractice) -> None:
    rows, txns = _evidence(practice, "era_posted_twice")
    pays = _payments(txns, "payer")
    per_line = pays.groupby(["claim_id", "line_no"]).agg(
        copies=("txn_id", "size"), eras=("era_id", "nunique"), traces=("trace_number", "nunique")
    )
    assert (per_line["copies"] == 2).all() and (per_line["eras"] == 1).all()
    assert (per_line["traces"] == 1).all()
    extra = pays.groupby("claim_id")["amount_cents"].sum() / 2
    assert (
        extra.reindex(rows["claim_id"]).to_numpy() == rows["credit_amount_cents"].to_numpy()
    ).all()


def test_paid_twice_uses_two_remittances(practice: SynthPractice) -> None:
    rows, txns = _evidence(practice, "paid_twice_two_remits")
    pays = _payments(txns, "payer")
    per_claim = pays.groupby("claim_id").agg(
        eras=("era_id", "nunique"), traces=("trace_number", "nunique")
    )
    assert (per_claim["traces"] == 2).all()
    assert rows["refund_payer_id"].eq(rows["payer_id"]).all()


def test_manual_repost_shares_the_trace_without_era(practice: SynthPractice) -> None:
    _, txns = _evidence(practice, "manual_repost_of_era")
    pays = _payments(txns, "payer")
    manual = pays[pays["era_id"].isna()]
    from_era = pays[pays["era_id"].notna()]
    assert len(manual) > 0 and set(manual["method"]) == {"manual"}
    assert set(manual["trace_number"]) <= set(from_era["trace_number"])


def test_receipt_and_patient_double_payments(practice: SynthPractice) -> None:
    _, same = _evidence(practice, "receipt_posted_twice")
    receipts = (
        _payments(same, "patient").groupby("claim_id")["trace_number"].agg(["size", "nunique"])
    )
    assert (receipts["size"] == 2).all() and (receipts["nunique"] == 1).all()
    _, two = _evidence(practice, "patient_paid_twice")
    receipts = (
        _payments(two, "patient").groupby("claim_id")["trace_number"].agg(["size", "nunique"])
    )
    assert (receipts["nunique"] >= 2).all()


@pytest.mark.parametrize("variant", ["paid_above_contract", "paid_above_reported_allowed"])
def test_overpaid_lines_exceed_allowed_less_patient_share(
    practice: SynthPractice, variant: str
) -> None:
    rows, txns = _evidence(practice, variant)
    pays = _payments(txns, "payer")
    pr = (
        txns[txns["kind"] == "responsibility"]
        .groupby(["claim_id", "line_no"])["amount_cents"]
        .sum()
    )
    paid = pays.set_index(["claim_id", "line_no"])
    over = (
        paid["amount_cents"] + pr.reindex(paid.index, fill_value=0) - paid["allowed_amount_cents"]
    )
    if variant == "paid_above_reported_allowed":
        seq = (
            practice.ledger.transactions.query("reason_code == '253'")
            .groupby(["claim_id", "line_no"])["amount_cents"]
            .sum()
        )
        over = over + seq.reindex(paid.index, fill_value=0)
        totals = over.groupby(level="claim_id").sum()
        assert (
            totals.reindex(rows["claim_id"]).to_numpy() == rows["credit_amount_cents"].to_numpy()
        ).all()
    else:  # consistent with its own allowed (B6), above the contracted fee schedule
        assert (paid["allowed_amount_cents"] > 0).all()
        fees = practice.ledger.fee_schedule
        lines = practice.ledger.claim_lines.set_index(["claim_id", "line_no"]).loc[paid.index]
        keyed = lines.reset_index().merge(fees, on=["payer_id", "cpt"], suffixes=("", "_fee"))
        keyed = keyed[
            (keyed["modifier_fee"].isna() | (keyed["modifier_fee"] == keyed["modifier"]))
            & (keyed["service_date"] >= keyed["effective_from"])
            & (keyed["effective_to"].isna() | (keyed["service_date"] <= keyed["effective_to"]))
        ]
        contracted = (keyed["allowed_per_unit_cents"] * keyed["units"]).to_numpy()
        b6 = paid.loc[
            list(zip(keyed["claim_id"], keyed["line_no"], strict=True)), "allowed_amount_cents"
        ]
        assert (b6.to_numpy() - contracted > 0).sum() == rows.shape[0]


def test_cob_overpayment_has_no_oa23_and_refunds_the_secondary(practice: SynthPractice) -> None:
    rows, txns = _evidence(practice, "cob_secondary_as_primary")
    lines = practice.ledger.claim_lines.drop_duplicates("claim_id").set_index("claim_id")
    secondary = lines.loc[rows["claim_id"], "secondary_payer_id"].to_numpy()
    assert (rows["refund_payer_id"].to_numpy() == secondary).all()
    sec_pays = txns[txns["payer_id"].isin(set(secondary)) & (txns["kind"] == "payment")]
    assert sec_pays["reason_code"].isna().all()


def test_paid_before_secondary_keeps_oa23(practice: SynthPractice) -> None:
    _, txns = _evidence(practice, "paid_before_secondary")
    oa = txns[(txns["group_code"] == "OA") & (txns["reason_code"] == "23")]
    assert len(oa) > 0
    assert _payments(txns, "patient")["posted_date"].min() <= oa["posted_date"].min()


def test_allowance_errors_show_extra_write_offs(practice: SynthPractice) -> None:
    rows, txns = _evidence(practice, "adjustment_posted_twice")
    adj = txns[txns["kind"] == "adjustment"]
    copies = adj.groupby(["claim_id", "line_no", "amount_cents"]).size()
    assert (copies == 2).all()
    rows, txns = _evidence(practice, "co45_above_contract")
    lines = practice.ledger.claim_lines.set_index(["claim_id", "line_no"])
    co45 = txns[(txns["reason_code"] == "45")].set_index(["claim_id", "line_no"])
    allowed = txns[txns["kind"] == "payment"].set_index(["claim_id", "line_no"])[
        "allowed_amount_cents"
    ]
    excess = co45["amount_cents"] - (
        lines.loc[co45.index, "charge_amount_cents"] - allowed.reindex(co45.index)
    )
    assert (
        excess.groupby(level="claim_id").sum().reindex(rows["claim_id"]).to_numpy()
        == rows["credit_amount_cents"].to_numpy()
    ).all()


def test_sequestration_credit_equals_the_co253(practice: SynthPractice) -> None:
    rows, txns = _evidence(practice, "sequestration_not_applied")
    seq = txns[txns["reason_code"] == "253"].groupby("claim_id")["amount_cents"].sum()
    assert (
        seq.reindex(rows["claim_id"]).to_numpy() == rows["credit_amount_cents"].to_numpy()
    ).all()
    assert rows["payer_id"].isin(["MCR-JL", "MA-HRZ"]).all()


def test_hard_cases(practice: SynthPractice) -> None:
    truth, tx = practice.truth, practice.ledger.transactions
    no_carc = truth[truth["hard_kind"] == "manual_no_carc"]
    posted = tx[tx["claim_id"].isin(no_carc["claim_id"]) & (tx["source"] == "payer")]
    original = posted[
        posted["posted_date"] <= posted.groupby("claim_id")["posted_date"].transform("min")
    ]
    assert original["era_id"].isna().all() and original["group_code"].isna().all()
    no_fee = truth[truth["hard_kind"] == "no_fee_schedule"]
    assert not set(no_fee["payer_id"]) & set(practice.ledger.fee_schedule["payer_id"])
