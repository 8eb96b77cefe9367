"""How amounts read on the pages: ``contract.money.dollars`` with a true minus sign, and an
em dash for a blank."""

from __future__ import annotations

import pytest

from api.web.formatting import usd, usd_text


@pytest.mark.parametrize(
    ("cents", "text"),
    [(123456, "$1,234.56"), (0, "$0.00"), (-3000, "\u2212$30.00"), (None, "\u2014")],
)
def test_usd(cents: int | None, text: str) -> None:
    assert usd(cents) == text


def test_usd_text_reads_contract_money() -> None:
    assert usd_text("-30.00") == "\u2212$30.00"
    assert usd_text("1234.5") == "$1,234.50"
    assert usd_text("") == usd_text("12.345") == "\u2014"
