"""``contract.money.dollars``: the one cents -> ``$1,234.56`` text (web pages, worklist
sentences, the 835 summary, reasons in words and the manager's report all use it)."""

from __future__ import annotations

import pandas as pd
import pytest

from cbclassify.contract.money import dollars


@pytest.mark.parametrize(
    ("cents", "text"),
    [
        (123456, "$1,234.56"),
        (5, "$0.05"),
        (0, "$0.00"),
        (-500, "-$5.00"),
        (-123456789, "-$1,234,567.89"),
        (100000000, "$1,000,000.00"),
        (None, ""),
        (pd.NA, ""),
    ],
)
def test_dollars(cents: int | None, text: str) -> None:
    assert dollars(cents) == text


def test_cents_or_none_reads_stored_money_and_refuses_nothing_silently_wrong() -> None:
    from cbclassify.contract.money import cents_or_none

    assert cents_or_none("156.33") == 15633
    assert cents_or_none("-30") == -3000
    assert cents_or_none(" 0.05 ") == 5
    assert cents_or_none("") is None and cents_or_none(None) is None
    assert cents_or_none("12.345") is None  # not money: shown as unknown, never rounded
