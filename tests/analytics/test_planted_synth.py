"""Root causes on a synthetic practice (cbclassify.synth) with a planted pattern: one user,
fd-03, posts the CO-45 write-offs behind the allowance errors by hand. The findings must name
that poster first, from verified sources with evidence and from biller labels alone."""

from __future__ import annotations

import pandas as pd
import pytest

from cbclassify.analytics import credits_from_resolutions, root_causes
from cbclassify.synth import SynthConfig, generate_practice


@pytest.fixture(scope="module")
def planted():  # type: ignore[no-untyped-def]
    practice = generate_practice(SynthConfig(claims=1200, seed=5))
    txns = practice.ledger.transactions.copy()
    truth = practice.truth
    errors = truth[truth["source"] == "allowance_error"]
    evidence = set(";".join(errors["evidence_txn_ids"].dropna()).split(";"))
    wrong = (
        (
            txns["txn_id"].isin(evidence)
            & txns["kind"].eq("adjustment")
            & txns["reason_code"].eq("45")
        )
        .fillna(False)
        .to_numpy(bool)
    )
    assert wrong.sum() >= 10, "the generator should give allowance errors with CO-45 write-offs"
    manual = txns["era_id"].isna() & txns["posted_by"].str.startswith("biller").fillna(False)
    busiest = txns.loc[manual.to_numpy(bool), "posted_by"].value_counts().index[0]
    txns.loc[txns["posted_by"].eq(busiest).fillna(False).to_numpy(bool), "posted_by"] = (
        "fd-03"  # normal work too
    )
    txns.loc[wrong, "posted_by"] = "fd-03"
    txns.loc[wrong, "era_id"] = pd.NA
    txns.loc[wrong, "method"] = "manual"
    planted_claims = set(txns.loc[wrong, "claim_id"])
    return practice.ledger.with_table("transactions", txns), truth, planted_claims


def test_verified_sources_name_the_planted_poster_first(planted) -> None:  # type: ignore[no-untyped-def]
    ledger, truth, planted_claims = planted
    credits = pd.DataFrame(
        {
            "claim_id": truth["claim_id"],
            "source": truth["source"],
            "basis": "verified",
            "credit_amount_cents": truth["credit_amount_cents"],
            "date": truth["arose_date"],
            "evidence": truth["evidence_txn_ids"],
        }
    )
    found = root_causes(ledger, credits)
    top = found.iloc[0]
    assert (top["source"], top["dimension"], top["value"]) == ("allowance_error", "poster", "fd-03")
    assert top["finding"].startswith("Manual postings by user fd-03 account for")
    evidence = set(top["evidence_claims"].split(";"))
    error_claims = set(truth.loc[truth["source"] == "allowance_error", "claim_id"])
    assert evidence <= error_claims and evidence >= (planted_claims & error_claims)
    assert top["lift"] > 10


def test_biller_labels_alone_find_the_planted_poster_first(planted) -> None:  # type: ignore[no-untyped-def]
    ledger, _, _ = planted
    found = root_causes(ledger, credits_from_resolutions(ledger))
    top = found.iloc[0]
    assert (top["source"], top["dimension"], top["value"]) == ("allowance_error", "poster", "fd-03")
