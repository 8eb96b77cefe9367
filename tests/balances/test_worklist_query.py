"""filter_worklist and sort_worklist on a small worklist."""

from __future__ import annotations

import pandas as pd
import pytest

from cbclassify.balances import (
    SORTABLE_COLUMNS,
    build_worklist,
    filter_worklist,
    sort_worklist,
)

from .builders import line, make_ledger, txn


@pytest.fixture(scope="module")
def worklist() -> pd.DataFrame:
    """Four credits (as of 2024-03-31):
    A: Aetna, LOC1, PRV1, service 01-05, 12.00 credit since 03-01 (30 days)
    B: Medicare, LOC2, PRV2, service 01-20, 250.00 credit since 02-10 (50 days)
    C: self-pay, LOC1, PRV1+PRV2, service 02-01..02-08, 9.99 credit since 03-31 (0 days)
    D: Medicaid, LOC2, PRV3, service 03-01, 12.00 credit since 03-20 (11 days)"""
    ledger = make_ledger(
        [
            line("A", charge="100.00", service="2024-01-05", billed="2024-01-06"),
            line(
                "B",
                charge="250.00",
                payer="MCR",
                location="LOC2",
                provider="PRV2",
                service="2024-01-20",
                billed="2024-01-21",
            ),
            line("C", 1, "40.00", payer=None, service="2024-02-01", billed="2024-02-09"),
            line(
                "C",
                2,
                "40.00",
                payer=None,
                provider="PRV2",
                service="2024-02-08",
                billed="2024-02-09",
            ),
            line(
                "D",
                charge="60.00",
                payer="MCD",
                location="LOC2",
                provider="PRV3",
                service="2024-03-01",
                billed="2024-03-02",
            ),
        ],
        [
            txn("A", "payment", "112.00", "2024-03-01"),
            txn("B", "payment", "250.00", "2024-02-01", payer="MCR"),
            txn("B", "payment", "250.00", "2024-02-10", payer="MCR"),
            txn("C", "payment", "89.99", "2024-03-31", source="patient"),
            txn("D", "payment", "72.00", "2024-03-20", payer="MCD"),
        ],
    )
    return build_worklist(ledger, "2024-03-31")


def _ids(frame: pd.DataFrame) -> list[str]:
    return frame["claim_id"].tolist()


def test_fixture_ages(worklist: pd.DataFrame) -> None:
    ages = dict(zip(worklist["claim_id"], worklist["age_days"], strict=True))
    assert ages == {"A": 30, "B": 50, "C": 0, "D": 11}


def test_no_filters_keeps_everything(worklist: pd.DataFrame) -> None:
    assert _ids(filter_worklist(worklist)) == _ids(worklist)


@pytest.mark.parametrize(
    "payer, expected",
    [
        ("MCR", ["B"]),
        ("medicare part b", ["B"]),
        (["AET", "MCD"], ["A", "D"]),
        ("self-pay", ["C"]),
        ("Self-pay", ["C"]),
        ("nobody", []),
    ],
)
def test_payer_by_id_name_or_self_pay(worklist, payer, expected) -> None:
    assert sorted(_ids(filter_worklist(worklist, payer=payer))) == expected


def test_payer_type_location_provider(worklist: pd.DataFrame) -> None:
    assert _ids(filter_worklist(worklist, payer_type="medicaid")) == ["D"]
    assert _ids(filter_worklist(worklist, payer_type="self_pay")) == ["C"]
    assert sorted(_ids(filter_worklist(worklist, location="loc2"))) == ["B", "D"]
    assert _ids(filter_worklist(worklist, provider="multiple")) == ["C"]
    assert _ids(filter_worklist(worklist, provider="PRV1")) == ["A"]


def test_amount_and_age_thresholds_are_inclusive(worklist: pd.DataFrame) -> None:
    assert sorted(_ids(filter_worklist(worklist, min_credit_cents=1200))) == ["A", "B", "D"]
    assert sorted(_ids(filter_worklist(worklist, min_credit_cents=1201))) == ["B"]
    assert sorted(_ids(filter_worklist(worklist, min_age_days=30))) == ["A", "B"]
    assert sorted(_ids(filter_worklist(worklist, min_age_days=31))) == ["B"]


def test_service_date_range_holds_every_service_date(worklist: pd.DataFrame) -> None:
    assert sorted(_ids(filter_worklist(worklist, service_from="2024-01-20"))) == ["B", "C", "D"]
    assert sorted(_ids(filter_worklist(worklist, service_to="2024-02-07"))) == ["A", "B"]
    feb = filter_worklist(worklist, service_from="2024-02-01", service_to="2024-02-08")
    assert _ids(feb) == ["C"]


def test_filters_combine_with_and(worklist: pd.DataFrame) -> None:
    both = filter_worklist(worklist, location="LOC2", min_age_days=20)
    assert _ids(both) == ["B"]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"min_credit_cents": -1},
        {"min_age_days": -5},
        {"service_from": "2024-03-01", "service_to": "2024-02-01"},
    ],
)
def test_bad_filter_values_are_rejected(worklist, kwargs) -> None:
    with pytest.raises(ValueError):
        filter_worklist(worklist, **kwargs)


def test_sort_by_amount_descending_ties_by_claim_id(worklist: pd.DataFrame) -> None:
    ordered = sort_worklist(worklist, by="credit_amount_cents", descending=True)
    assert _ids(ordered) == ["B", "A", "D", "C"]
    assert _ids(sort_worklist(worklist, by="credit_amount_cents", descending=False)) == [
        "C",
        "A",
        "D",
        "B",
    ]


def test_sort_by_several_columns(worklist: pd.DataFrame) -> None:
    ordered = sort_worklist(worklist, by=["location_id", "age_days"], descending=[False, True])
    assert _ids(ordered) == ["A", "C", "B", "D"]


def test_sort_by_payer_name(worklist: pd.DataFrame) -> None:
    ordered = sort_worklist(worklist, by="payer_name", descending=False)
    assert ordered["payer_name"].tolist() == [
        "Aetna",
        "Medicare Part B",
        "Self-pay",
        "State Medicaid",
    ]


def test_unknown_sort_column_lists_the_allowed_ones(worklist: pd.DataFrame) -> None:
    with pytest.raises(ValueError) as error:
        sort_worklist(worklist, by=["age_days", "balance"])
    message = str(error.value)
    assert "'balance'" in message
    for column in SORTABLE_COLUMNS:
        assert column in message


def test_descending_flags_must_match_the_columns(worklist: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="2 sort column"):
        sort_worklist(worklist, by=["age_days", "credit_amount_cents"], descending=[True])
