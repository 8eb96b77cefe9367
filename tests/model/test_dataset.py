"""The labelled set: union of ledgers, duplicates, the time split, the fingerprint."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from feature_ledgers import four_source_builder

from cbclassify.contract.ledger import Ledger
from cbclassify.model.dataset import combine, fingerprint, ledger_labelled_set, time_split


def labelled_ledger(sources: dict[str, str], resolved: str = "2025-02-20") -> Ledger:
    b = four_source_builder()
    ledger = b.build()
    res = pd.DataFrame(
        {
            "claim_id": list(sources),
            "source": list(sources.values()),
            "action": "refund_payer",
            "amount_cents": 100,
            "resolved_date": pd.Timestamp(resolved),
            "resolved_by": "u1",
            "identified_date": pd.Timestamp("2025-02-10"),
        }
    )
    return Ledger.from_frames(
        **{n: ledger.table(n) for n in ledger.table_names() if n != "resolutions"}, resolutions=res
    )


def test_time_split_trains_on_older_and_tests_on_newer():
    dates = pd.Series(pd.date_range("2025-01-01", periods=100, freq="D")).sample(
        frac=1, random_state=0
    )
    split = time_split(dates.reset_index(drop=True), test_share=0.2, validation_share=0.25)
    d = dates.reset_index(drop=True)
    assert len(split.test) == 20 and len(split.validation) == 20 and len(split.train) == 60
    assert d.iloc[split.train].max() < d.iloc[split.validation].min()
    assert d.iloc[split.validation].max() < d.iloc[split.test].min()
    again = time_split(d, 0.2, 0.25)
    assert np.array_equal(split.test, again.test)


def test_too_few_rows_to_split():
    with pytest.raises(ValueError, match="too few"):
        time_split(pd.Series(pd.to_datetime(["2025-01-01", "2025-01-02"])), 0.5, 0.5)


def test_union_counts_a_credit_once_and_latest_label_wins():
    first = labelled_ledger({"C1": "duplicate_payment", "C2": "payer_overpayment"})
    corrected = labelled_ledger({"C1": "allowance_error"}, resolved="2025-03-15")
    frames = [
        ledger_labelled_set("a", first, "a/resolutions.csv"),
        ledger_labelled_set("b", first, "b/resolutions.csv"),  # the same export twice
        ledger_labelled_set("c", corrected, "c/resolutions.csv"),
    ]
    data = combine(frames)
    assert len(data) == 2
    assert data.duplicates_dropped == 2 and data.conflicts_resolved == 1
    assert dict(zip(data.frame["claim_id"], data.frame["label"])) == {
        "C1": "allowance_error",
        "C2": "payer_overpayment",
    }


def test_fingerprint_is_stable_and_content_sensitive():
    data = combine(
        [ledger_labelled_set("a", labelled_ledger({"C1": "duplicate_payment"}), "r.csv")]
    )
    frame = data.frame
    assert fingerprint(frame) == fingerprint(frame.copy())
    changed = frame.assign(label="patient_credit")
    assert fingerprint(changed) != fingerprint(frame)
