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
