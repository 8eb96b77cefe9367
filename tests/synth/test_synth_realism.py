"""The practice looks like a therapy practice's ledger (the brief's realism list)."""

from __future__ import annotations

import pandas as pd
from synth_checks import balances_on

from cbclassify.contract import enums
from cbclassify.synth import SynthPractice


def test_payers_of_every_type_and_self_pay(practice: SynthPractice) -> None:
    payers = practice.ledger.payers
    assert set(payers["payer_type"]) == set(enums.PAYER_TYPES)
    assert payers["allows_offset"].eq(True).any() and payers["allows_offset"].eq(False).any()
    assert (
        payers["refund_deadline_days"].notna().any() and payers["refund_deadline_days"].isna().any()
    )
    assert practice.ledger.claim_lines["payer_id"].isna().any()  # self-pay claims


def test_disciplines_codes_modifiers_units(practice: SynthPractice) -> None:
    lines = practice.ledger.claim_lines
    cpts = set(lines["cpt"])
    for code in (
        "97110",
        "97140",
        "97112",
        "97530",
        "97165",
        "97535",
        "92507",
        "92523",
        "92526",
        "97151",
        "97153",
        "97155",
        "97156",
        "90791",
        "90834",
        "90837",
        "90846",
    ):
        assert code in cpts, code
    assert {"GP", "GO", "GN", "HN", "HO"} <= set(lines["modifier"].dropna())
    assert lines.loc[lines["cpt"] == "97153", "units"].min() >= 8
    per_claim = lines.groupby("claim_id").size()
    assert per_claim.between(1, 4).all() and 2.0 <= per_claim.mean() <= 3.0
    assert lines["location_id"].nunique() >= 1 and lines["provider_id"].nunique() >= 5


def test_fee_schedule_changes_and_gaps(practice: SynthPractice) -> None:
    ledger = practice.ledger
    fees = ledger.fee_schedule
    assert fees["effective_to"].notna().any()  # a mid-period rate change
    assert set(ledger.payers["payer_id"]) - set(fees["payer_id"])  # payers without any rows
    lines = ledger.claim_lines[ledger.claim_lines["payer_id"].isin(fees["payer_id"])]
    keyed = lines.merge(fees, on=["payer_id", "cpt"], how="left", suffixes=("", "_fee"))
    in_period = (keyed["service_date"] >= keyed["effective_from"]) & (
        keyed["effective_to"].isna() | (keyed["service_date"] <= keyed["effective_to"])
    )
    covered = keyed[in_period].drop_duplicates(["claim_id", "line_no"])
    assert len(covered) < len(lines)  # some lines have no row: gaps


def test_postings_carry_codes_the_brief_lists(practice: SynthPractice) -> None:
    tx = practice.ledger.transactions
    codes = set(zip(tx["group_code"].fillna(""), tx["reason_code"].fillna(""), strict=True))
    for code in (
        ("CO", "45"),
        ("PR", "1"),
        ("PR", "2"),
        ("PR", "3"),
        ("CO", "16"),
        ("OA", "23"),
        ("CO", "253"),
    ):
        assert code in codes, code
    denials = tx[(tx["reason_code"] == "16") & (tx["kind"] == "payment")]
    assert (denials["amount_cents"] == 0).all() and len(denials) > 0
    patient = tx[(tx["source"] == "patient") & (tx["kind"] == "payment")]
    assert {"card", "cash", "check", "lockbox"} <= set(patient["method"])
    assert (tx["kind"] == "transfer").any() and (tx["kind"] == "refund").any()


def test_era_and_manual_postings(practice: SynthPractice) -> None:
    tx = practice.ledger.transactions
    payer = tx[tx["source"] == "payer"]
    assert payer["era_id"].notna().mean() > 0.8
    manual = payer[payer["era_id"].isna() & (payer["kind"] == "adjustment")]
    assert manual["reason_code"].notna().any() and manual["reason_code"].isna().any()
    assert (practice.ledger.provider_adjustments["reason_code"] == "L6").any()


def test_takebacks_are_followed_by_corrected_payments(practice: SynthPractice) -> None:
    tx = practice.ledger.transactions
    truth_claims = set(practice.truth["claim_id"])
    reversals = tx[
        (tx["kind"] == "payment") & (tx["amount_cents"] < 0) & ~tx["claim_id"].isin(truth_claims)
    ]
    assert len(reversals) > 0
    same_era = tx.merge(
        reversals[["claim_id", "line_no", "era_id"]], on=["claim_id", "line_no", "era_id"]
    )
    corrected = same_era[(same_era["kind"] == "payment") & (same_era["amount_cents"] >= 0)]
    assert (
        corrected[["claim_id", "line_no"]].drop_duplicates().shape[0]
        == reversals[["claim_id", "line_no"]].drop_duplicates().shape[0]
    )


def test_remittances_balance_except_duplicated_postings(practice: SynthPractice) -> None:
    ledger = practice.ledger
    tx = ledger.transactions
    paid = tx[(tx["kind"] == "payment") & (tx["source"] == "payer") & tx["era_id"].notna()]
    per_era = paid.groupby("era_id")["amount_cents"].sum()
    plb = ledger.provider_adjustments.groupby("era_id")["amount_cents"].sum()
    remits = ledger.remittances.set_index("era_id")
    expected = per_era.reindex(remits.index, fill_value=0) - plb.reindex(remits.index, fill_value=0)
    off = remits.index[(remits["total_paid_cents"] != expected)]
    open_dups = practice.truth[
        ~practice.truth["resolved"] & practice.truth["variant"].eq("era_posted_twice")
    ]
    dup_eras = set(tx[tx["claim_id"].isin(open_dups["claim_id"])]["era_id"].dropna())
    unbalanced = set(remits.index[~remits["balanced"]])
    assert set(off) <= dup_eras | unbalanced
    assert (remits["total_paid_cents"] >= 0).all()


def test_normal_claims_end_at_zero_or_positive(practice: SynthPractice) -> None:
    ledger = practice.ledger
    end = balances_on(ledger, ledger.default_as_of())
    normal = end[~end.index.isin(practice.truth["claim_id"])]
    assert (normal >= 0).all()
    assert (normal > 0).mean() > 0.05  # open balances exist (denials, unpaid statements, pending)
    assert (normal == 0).mean() > 0.5


def test_secondary_payments_restate_the_primary(practice: SynthPractice) -> None:
    ledger = practice.ledger
    tx = ledger.transactions
    oa23 = tx[(tx["group_code"] == "OA") & (tx["reason_code"] == "23")]
    lines = ledger.claim_lines.set_index(["claim_id", "line_no"])
    keys = pd.MultiIndex.from_frame(oa23[["claim_id", "line_no"]].astype({"line_no": "int64"}))
    assert (lines.loc[keys, "secondary_payer_id"].to_numpy() == oa23["payer_id"].to_numpy()).all()
