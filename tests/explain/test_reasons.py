"""Reasons in words: every feature has a phrase, phrases carry the real values, the strongest
contributions come first, and the top_reasons column lines up with the credits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cbclassify.explain import (
    REASON_SEPARATOR,
    REASON_TEMPLATES,
    Explanation,
    generic_phrase,
    reasons_in_words,
    register_template,
    top_reasons,
)
from cbclassify.explain.templates import phrase
from cbclassify.features import FEATURE_NAMES, FEATURE_SPECS, VOCABULARY

NAMES = list(FEATURE_NAMES)


def _row(**values: object) -> dict[str, object]:
    row: dict[str, object] = {n: 0.0 for n in NAMES}
    row.update(service_line="pt", payer_type="commercial", secondary_payer_type="none")
    row.update(values)
    return row


def _contributions(**values: float) -> np.ndarray:
    out = np.zeros(len(NAMES))
    for name, value in values.items():
        out[NAMES.index(name)] = value
    return out


def test_every_feature_has_its_own_template() -> None:
    phrase("credit_amount_usd", 1.0, {})  # registers the catalogue
    missing = [n for n in FEATURE_NAMES if n not in REASON_TEMPLATES]
    assert missing == []


@pytest.mark.parametrize("spec", FEATURE_SPECS, ids=lambda s: s.name)
def test_every_phrase_reads_as_words_with_its_value(spec) -> None:
    value: object = {"usd": 1234.5, "count": 3.0, "days": 45.0, "ratio": 0.415, "flag": 1.0}.get(
        spec.kind
    )
    if spec.kind == "category":
        value = VOCABULARY[spec.name][1]
    text = phrase(spec.name, value, _row())
    assert (text[0].isupper() or text[0] in "$0123456789") and ";" not in text and "_" not in text
    assert spec.name not in text
    if spec.kind == "usd":
        assert "$1,234.50" in text
    if spec.kind == "ratio":
        assert "42%" in text
    if spec.kind == "days":
        assert "45 days" in text
    if spec.kind == "count" and "identical" not in spec.name:
        assert "three" in text.lower() or "3" in text
    missing = phrase(spec.name, float("nan"), _row())
    assert missing and "nan" not in missing.lower()


def test_duplicate_payment_reason_uses_real_amounts() -> None:
    row = _row(identical_payer_payment_count=1.0, identical_payer_payment_usd=180.0)
    reasons = reasons_in_words(
        row,
        _contributions(identical_payer_payment_count=2.1),
        NAMES,
        top_k=1,
        source="duplicate_payment",
    )
    assert reasons == [
        "Two payer payments of $180.00 on this claim (+2.1 toward duplicate payment)"
    ]
    row = _row(identical_payer_payment_count=3.0, identical_payer_payment_usd=540.0)
    assert phrase("identical_payer_payment_count", 3.0, row) == (
        "Three repeated payer payments ($540.00 extra in all) on this claim"
    )


def test_strongest_first_and_signs_in_words() -> None:
    row = _row(payer_type="medicare", patient_paid_minus_responsibility_usd=42.5, refund_usd=10.0)
    contributions = _contributions(
        payer_type=-0.8, patient_paid_minus_responsibility_usd=3.25, refund_usd=0.04
    )
    reasons = reasons_in_words(row, contributions, NAMES, top_k=3, source="patient_credit")
    assert (
        reasons[0]
        == "Patient paid $42.50 more than their responsibility (+3.2 toward patient credit)"
    )
    assert reasons[1] == "Primary payer is Medicare (-0.8 against patient credit)"
    assert reasons[2] == "Refunds of $10.00 already posted (+0.04 toward patient credit)"


def test_category_codes_and_arrays_are_accepted() -> None:
    codes = _row()
    codes["payer_type"] = float(VOCABULARY["payer_type"].index("medicare_advantage"))
    values = [codes[n] for n in NAMES]  # an array aligned with the names, as in the model matrix
    reasons = reasons_in_words(
        values, _contributions(payer_type=1.5), NAMES, top_k=1, source="payer_overpayment"
    )
    assert reasons == ["Primary payer is Medicare Advantage (+1.5 toward payer overpayment)"]


def test_unknown_feature_gets_a_readable_generic_phrase() -> None:
    reasons = reasons_in_words(
        {"late_fee_usd": 12.0}, [0.7], ["late_fee_usd"], source="allowance_error"
    )
    assert reasons == ["Late fee = $12.00 (+0.7 toward allowance error)"]
    assert generic_phrase("visit_share", 0.25) == "Visit share = 25%"
    assert generic_phrase("wait_days", float("nan")) == "Wait days = not available"


def test_registry_is_extensible() -> None:
    register_template("custom_visits_count", "{n} visits this month", missing="no visits")
    reasons = reasons_in_words({"custom_visits_count": 4.0}, [1.0], ["custom_visits_count"])
    assert reasons == ["4 visits this month (+1.0 toward this source)"]
    assert phrase("custom_visits_count", None, {}) == "No visits"


def test_length_mismatch_is_an_error() -> None:
    with pytest.raises(ValueError):
        reasons_in_words(_row(), np.zeros(3), NAMES)


def test_top_reasons_column_lines_up_with_credits() -> None:
    features = pd.DataFrame(
        [
            _row(identical_payer_payment_count=1.0, identical_payer_payment_usd=75.0),
            _row(co45_adjustment_usd=300.0),
        ],
        index=[10, 11],
    )
    contributions = np.vstack(
        [
            _contributions(
                identical_payer_payment_count=2.0, co45_adjustment_usd=0.1, refund_usd=0.2
            ),
            _contributions(co45_adjustment_usd=1.7, charge_usd=-0.3, units_total=0.05),
        ]
    )
    explanation = Explanation(
        feature_names=tuple(NAMES),
        class_names=("payer_overpayment", "duplicate_payment", "allowance_error", "patient_credit"),
        predicted=np.array([1, 2]),
        contributions=contributions,
        base=np.zeros(2),
    )
    column = top_reasons(features, explanation)
    assert list(column.index) == [10, 11]
    first = column.loc[10].split(REASON_SEPARATOR)
    assert first[0] == "Two payer payments of $75.00 on this claim (+2.0 toward duplicate payment)"
    assert len(first) == 3
    second = column.loc[11].split(REASON_SEPARATOR)
    assert (
        second[0]
        == "CO-45 (charge above fee schedule) write-offs of $300.00 (+1.7 toward allowance error)"
    )
    assert second[1] == "Claim charge of $0.00 (-0.3 against allowance error)"
