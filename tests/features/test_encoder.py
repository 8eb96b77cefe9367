"""The versioned vocabulary and the FeatureEncoder transformer."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import parametrize_with_checks

from cbclassify.features import FeatureEncoder, credit_features
from cbclassify.features.vocabulary import VOCABULARY, to_categorical


def small_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "credit_amount_usd": [10.0, np.nan, 3.5],
            "payer_type": pd.array(["medicare", None, "martian"], dtype="string"),
            "line_count": [1.0, 2.0, 1.0],
        }
    )


@parametrize_with_checks([FeatureEncoder()])
def test_scikit_learn_conventions(estimator, check):
    check(estimator)


def test_missing_is_none_and_unseen_is_unknown():
    out = to_categorical(pd.Series(["medicare", None, "martian"]), VOCABULARY["payer_type"])
    assert out.tolist() == ["medicare", "none", "unknown"]
    assert list(out.cat.categories) == list(VOCABULARY["payer_type"])


def test_codes_do_not_depend_on_which_values_appear():
    enc = FeatureEncoder().fit(small_frame())
    alone = enc.transform(small_frame().iloc[[2, 0]])
    together = enc.transform(small_frame()).iloc[[2, 0]]
    pd.testing.assert_frame_equal(alone, together)
    codes = enc.transform(small_frame())["payer_type"].tolist()
    cats = list(VOCABULARY["payer_type"])
    assert codes == [cats.index("medicare"), cats.index("none"), cats.index("unknown")]


def test_reordered_columns_give_the_same_matrix():
    frame = small_frame()
    enc = FeatureEncoder().fit(frame)
    shuffled = frame[["line_count", "payer_type", "credit_amount_usd"]]
    pd.testing.assert_frame_equal(enc.transform(frame), enc.transform(shuffled))
    assert list(enc.get_feature_names_out()) == list(frame.columns)
    assert enc.categorical_indices() == [1]


def test_missing_feature_at_transform_is_an_error():
    enc = FeatureEncoder().fit(small_frame())
    with pytest.raises(ValueError, match="line_count"):
        enc.transform(small_frame().drop(columns=["line_count"]))


def test_text_outside_the_vocabulary_is_refused_at_fit():
    with pytest.raises(ValueError, match="neither numeric"):
        FeatureEncoder().fit(pd.DataFrame({"mystery": ["a", "b"]}))


def test_params_only_in_init_and_state_round_trip():
    enc = FeatureEncoder(vocabulary_version="7")
    assert enc.get_params() == {"vocabulary": None, "vocabulary_version": "7"}
    with pytest.raises(NotFittedError):
        enc.transform(small_frame())
    fitted = clone(enc).fit(small_frame())
    restored = FeatureEncoder.from_state(fitted.state())
    assert restored.vocabulary_version_ == "7"
    pd.testing.assert_frame_equal(
        fitted.transform(small_frame()), restored.transform(small_frame())
    )


def test_encoding_real_features(four_sources):
    credits = pd.DataFrame({"claim_id": ["C1", "C2"], "as_of_date": pd.Timestamp("2025-03-01")})
    features = credit_features(four_sources, credits)
    matrix = FeatureEncoder().fit(features).transform(features)
    assert (matrix.dtypes == "float64").all()
    assert matrix.shape == features.shape


def test_every_feature_is_documented():
    from pathlib import Path

    from cbclassify.features import FEATURE_NAMES

    doc = (Path(__file__).resolve().parents[2] / "docs" / "model.md").read_text()
    missing = [name for name in FEATURE_NAMES if f"`{name}`" not in doc]
    assert not missing


def test_records_encode_exactly_as_the_frame():
    frame = pd.DataFrame(
        {
            "credit_amount_usd": [10.0, np.nan, 3.5, 0.1, 7.0],
            "payer_type": pd.array(
                ["medicare", None, "martian", "none", "unknown"], dtype="string"
            ),
            "line_count": [1.0, 2.0, 1.0, np.nan, 4.0],
        }
    )
    enc = FeatureEncoder().fit(frame)
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    records[1]["credit_amount_usd"] = float("nan")  # NaN and None both read as missing
    expected = enc.transform(frame).to_numpy()
    got = enc.transform_records(records)
    np.testing.assert_array_equal(got, expected)
    assert got[2, 1] == VOCABULARY["payer_type"].index("unknown")
    assert got[1, 1] == VOCABULARY["payer_type"].index("none")


def test_records_missing_a_feature_are_refused():
    enc = FeatureEncoder().fit(small_frame())
    with pytest.raises(ValueError, match="line_count"):
        enc.transform_records([{"credit_amount_usd": 1.0, "payer_type": "medicare"}])
