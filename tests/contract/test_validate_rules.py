"""The fee-schedule period and duplicate-key rules agree with their plain definitions on random
tables (the rules are vectorized; the definitions below read one row at a time)."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from cbclassify.contract.schema import TABLES
from cbclassify.contract.validate import check_table
from cbclassify.contract.validate_issues import line_number

DAYS = [date(2024, 1, 1) + timedelta(days=d) for d in (0, 10, 20, 30, 40)]
FEE_ROWS = st.lists(
    st.fixed_dictionaries(
        {
            "payer_id": st.sampled_from(["A", "B", ""]),
            "cpt": st.sampled_from(["97110", "97112"]),
            "modifier": st.sampled_from(["", "GP"]),
            "allowed_per_unit": st.just("10.00"),
            "effective_from": st.sampled_from([*(d.isoformat() for d in DAYS), ""]),
            "effective_to": st.sampled_from(["", *(d.isoformat() for d in DAYS)]),
        }
    ),
    max_size=12,
)


def expected_overlaps(rows: list[dict[str, str]]) -> dict[int, int]:
    """Row -> partner row, by the definition: among the earlier-starting rows of the same
    (payer_id, cpt, modifier) (ties by position), the one ending last (ties: the later row);
    a row overlaps when it starts on or before that end. Rows without payer_id, cpt or
    effective_from, or ending before they start, take no part."""
    usable = [
        i
        for i, r in enumerate(rows)
        if r["payer_id"]
        and r["cpt"]
        and r["effective_from"]
        and not (r["effective_to"] and r["effective_to"] < r["effective_from"])
    ]
    end = {i: rows[i]["effective_to"] or "9999-12-31" for i in usable}
    ordered = sorted(
        usable,
        key=lambda i: (
            rows[i]["payer_id"],
            rows[i]["cpt"],
            rows[i]["modifier"],
            rows[i]["effective_from"],
            i,
        ),
    )
    found: dict[int, int] = {}
    for n, i in enumerate(ordered):
        group = (rows[i]["payer_id"], rows[i]["cpt"], rows[i]["modifier"])
        earlier = [
            j
            for j in ordered[:n]
            if (rows[j]["payer_id"], rows[j]["cpt"], rows[j]["modifier"]) == group
        ]
        if earlier:
            partner = max(earlier, key=lambda j: (end[j], j))
            if rows[i]["effective_from"] <= end[partner]:
                found[i] = partner
    return found


@settings(max_examples=300, deadline=None)
@given(FEE_ROWS)
def test_overlapping_periods_follow_their_definition(rows: list[dict[str, str]]) -> None:
    raw = pd.DataFrame(rows, columns=list(TABLES["fee_schedule"].column_names), dtype="string")
    issues = check_table(TABLES["fee_schedule"], raw, "fee_schedule.csv").issues
    overlaps = {i.row: i.message for i in issues if "overlaps the row" in i.message}
    expected = expected_overlaps(rows)
    assert set(overlaps) == {line_number(i) for i in expected}
    for row, partner in expected.items():
        assert f"overlaps the row on line {line_number(partner)} " in overlaps[line_number(row)]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["C1", "C2", "", "C3"]), st.sampled_from(["1", "2", ""])),
        max_size=10,
    )
)
def test_duplicate_keys_name_the_first_line_with_the_key(keys: list[tuple[str, str]]) -> None:
    table = TABLES["claim_lines"]
    rows = [
        {
            c: "1"
            if c in ("units",)
            else "9.00"
            if c == "charge_amount"
            else "2024-01-01"
            if c.endswith("date")
            else "x"
            for c in table.column_names
        }
        | {"claim_id": k, "line_no": n}
        for k, n in keys
    ]
    raw = pd.DataFrame(rows, columns=list(table.column_names), dtype="string")
    issues = check_table(table, raw, "claim_lines.csv").issues
    duplicates = {i.row: i.message for i in issues if i.message.startswith("duplicate")}
    first: dict[tuple[str, str], int] = {}
    expected = {}
    for position, key in enumerate(keys):
        if "" in key:
            continue
        if key in first:
            expected[line_number(position)] = line_number(first[key])
        else:
            first[key] = position
    assert set(duplicates) == set(expected)
    for row, line in expected.items():
        assert f"also on line {line};" in duplicates[row]
