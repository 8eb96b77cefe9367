"""No train/serve skew and no leakage: a labelled credit's training features equal the
features scoring computes for the same claim on the same date from the ledger as it stood."""

from __future__ import annotations

import pandas as pd

from cbclassify.balances import ledger_as_of
from cbclassify.features import FEATURE_NAMES
from cbclassify.scoring import serving_features


def test_training_features_equal_serving_features_on_the_ledger_as_it_stood(
    small_practice, small_labelled
):
    frame = small_labelled.frame
    dates = frame["as_of_date"].value_counts().index[:3]  # the busiest identification dates
    checked = 0
    for date in dates:
        trained = frame[frame["as_of_date"] == date].set_index("claim_id")[list(FEATURE_NAMES)]
        past = ledger_as_of(small_practice.ledger, date)  # every later posting and charge removed
        credits, served = serving_features(past, pd.Timestamp(date))
        served = served.set_index(credits["claim_id"].to_numpy())
        assert set(trained.index) <= set(served.index)
        pd.testing.assert_frame_equal(
            trained.sort_index(),
            served.loc[trained.index].sort_index(),
            check_names=False,
            check_index_type=False,
        )
        checked += len(trained)
    assert checked >= 3


def test_resolving_postings_are_not_in_training_features(small_practice, small_labelled):
    """The refunds and reversals that resolved the labelled credits happen after identification;
    none of them may show up in the features."""
    truth = small_practice.truth
    resolved = truth[truth["resolved"].astype(bool)]
    assert len(resolved) > 0
    frame = small_labelled.frame.set_index("claim_id")
    # On its identified date every labelled credit is still open: the credit equals the truth.
    merged = frame.join(resolved.set_index("claim_id")["credit_amount_cents"], how="inner")
    assert len(merged) == len(frame)
    assert (
        (merged["credit_amount_usd"] * 100).round().astype("int64") == merged["credit_amount_cents"]
    ).all()
    assert (frame["refund_usd"] == 0).mean() > 0.9
