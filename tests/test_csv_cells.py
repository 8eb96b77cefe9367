import pandas as pd
import pytest

from cbclassify.csv_cells import formula_safe, formula_safe_frame


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("CLM-001", "CLM-001"),
        ("-26.72", "-26.72"),
        ("+3", "+3"),
        ("-1e5", "-1e5"),
        ("", ""),
    ],
)
def test_formula_leads_are_quoted_and_numbers_kept(cell: str, written: str) -> None:
    assert formula_safe(cell) == written


def test_non_text_values_pass_through() -> None:
    assert formula_safe(-5) == -5
    assert formula_safe(None) is None


def test_frame_quotes_text_columns_only() -> None:
    frame = pd.DataFrame({"claim_id": ["=1+1", "C2"], "amount_cents": [-100, 200]})
    safe = formula_safe_frame(frame)
    assert safe["claim_id"].tolist() == ["'=1+1", "C2"]
    assert safe["amount_cents"].tolist() == [-100, 200]
    assert frame["claim_id"].tolist() == ["=1+1", "C2"]
