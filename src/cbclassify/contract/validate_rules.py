"""Rules within one table: duplicate keys and the row rules of the contract.

- keys (``Table.key``) are unique; a duplicate names the line of the first occurrence;
- ``transactions.payer_id`` is required when ``source`` is ``payer``;
- ``fee_schedule.effective_to`` (when given) is on or after ``effective_from``, and two rows for
  the same payer, cpt and modifier do not cover the same date (the rate would be ambiguous).
All checks are vectorized; ``problem`` masks mark rows that failed (for dependent checks).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from cbclassify.contract.schema import Table
from cbclassify.contract.validate_codes import arrow_text, int_codes, text_codes
from cbclassify.contract.validate_issues import IssueCollector, line_number, show


def _combine(codes: list[np.ndarray]) -> np.ndarray:
    """One int64 code per row from several non-negative code arrays; -1 if any part is -1."""
    combined = np.zeros(len(codes[0]), dtype=np.int64)
    missing = np.zeros(len(codes[0]), dtype=bool)
    for part in codes:
        missing |= part < 0
        combined = combined * (int(part.max(initial=0)) + 1) + np.maximum(part, 0)
    return np.where(missing, -1, combined)


def key_codes(frame: pd.DataFrame, columns: tuple[str, ...]) -> np.ndarray:
    """Row codes of a (possibly composite) key; -1 where a key part is blank."""
    parts = [
        text_codes(frame[name])[0]
        if isinstance(frame[name].dtype, pd.StringDtype)
        else int_codes(frame[name])[0]
        for name in columns
    ]
    return parts[0] if len(parts) == 1 else _combine(parts)


def check_duplicate_keys(
    table: Table, frame: pd.DataFrame, file: str, issues: IssueCollector
) -> np.ndarray:
    """Report every row whose key repeats an earlier row's key; returns the mask of such rows."""
    repeated = np.zeros(len(frame), dtype=bool)
    if not table.key or frame.empty or _strictly_increasing(frame, table.key):
        return repeated  # sorted without ties: no duplicates, and no hashing needed
    if len(table.key) == 1 and isinstance(frame[table.key[0]].dtype, pd.StringDtype):
        codes, distinct_texts = text_codes(frame[table.key[0]])
        if len(distinct_texts) == int((codes >= 0).sum()):
            return repeated  # the usual case, without sorting
    else:
        codes = key_codes(frame, table.key)
    valid = codes >= 0
    positions = np.flatnonzero(valid)
    distinct, first_index, inverse = np.unique(codes[valid], return_index=True, return_inverse=True)
    if len(distinct) == len(positions):
        return repeated
    first = np.full(len(codes), -1, dtype=np.int64)
    first[valid] = positions[first_index][inverse]
    repeated = valid & (first != np.arange(len(codes)))
    names = table.key[0] if len(table.key) == 1 else "(" + ", ".join(table.key) + ")"

    def describe(p: int) -> str:
        values = ", ".join(show(frame[name].iloc[p]) for name in table.key)
        return (
            f"duplicate {names} {values}: also on line {line_number(first[p])}; "
            f"expected each {names} once"
        )

    issues.add_mask(file, table.key[0], repeated, describe)
    return repeated


def _strictly_increasing(frame: pd.DataFrame, key: tuple[str, ...]) -> bool:
    """Whether the key rows are in strictly increasing order (exports are often sorted by
    their key), checked by comparing neighbours; blanks make it False."""
    if len(frame) < 2 or any(frame[name].isna().any() for name in key):
        return False
    previous_equal = np.ones(len(frame) - 1, dtype=bool)
    increasing = np.zeros(len(frame) - 1, dtype=bool)
    for name in key:
        if isinstance(frame[name].dtype, pd.StringDtype):
            values = arrow_text(frame[name])
            before, after = values.slice(0, len(values) - 1), values.slice(1)
            less = pc.less(before, after).to_numpy(zero_copy_only=False)
            equal = pc.equal(before, after).to_numpy(zero_copy_only=False)
        else:
            numbers = frame[name].to_numpy(dtype=np.int64)
            less, equal = numbers[:-1] < numbers[1:], numbers[:-1] == numbers[1:]
        increasing |= previous_equal & less
        previous_equal &= equal
    return bool(increasing.all())


def check_payer_id_for_payer_source(
    frame: pd.DataFrame, file: str, issues: IssueCollector
) -> np.ndarray:
    """transactions: payer_id must be given when source is payer."""
    missing = ((frame["source"] == "payer") & frame["payer_id"].isna()).to_numpy(
        dtype=bool, na_value=False
    )
    issues.add_mask(
        file,
        "payer_id",
        missing,
        lambda _: "payer_id is required when source is payer; found a blank value",
    )
    return missing


def check_fee_schedule_periods(
    frame: pd.DataFrame, file: str, issues: IssueCollector
) -> np.ndarray:
    """fee_schedule: effective_to >= effective_from, and no overlapping periods per
    (payer_id, cpt, modifier); a blank modifier is its own group (it matches any modifier
    where no specific row applies)."""
    start, end = frame["effective_from"], frame["effective_to"]
    inverted = (end < start).to_numpy(dtype=bool, na_value=False)
    issues.add_mask(
        file,
        "effective_to",
        inverted,
        lambda p: (
            f"expected effective_to on or after effective_from "
            f"({start.iloc[p]:%Y-%m-%d}); found {end.iloc[p]:%Y-%m-%d}"
        ),
    )
    overlap, partner = _overlapping_periods(frame, usable=~inverted & start.notna().to_numpy())
    issues.add_mask(
        file,
        "effective_from",
        overlap,
        lambda p: (
            f"this period overlaps the row on line {line_number(partner[p])} for the same "
            "payer_id, cpt and modifier; expected one contracted rate per date"
        ),
    )
    return inverted | overlap


def _overlapping_periods(frame: pd.DataFrame, usable: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows whose period starts on or before the latest end of an earlier-starting row of the
    same group; ``partner`` holds that earlier row's position."""
    n = len(frame)
    overlap = np.zeros(n, dtype=bool)
    partner = np.full(n, -1, dtype=np.int64)
    if n < 2 or not usable.any():
        return overlap, partner
    modifier = frame["modifier"].fillna("")
    group = key_codes(
        pd.DataFrame({"p": frame["payer_id"], "c": frame["cpt"], "m": modifier}), ("p", "c", "m")
    )
    day = np.datetime64("1970-01-01", "D")
    offset = 200_000  # days; keeps pre-1970 dates positive
    start = (frame["effective_from"].to_numpy("datetime64[D]") - day).astype(np.int64) + offset
    open_end = frame["effective_to"].isna().to_numpy()
    end_days = frame["effective_to"].to_numpy("datetime64[D]")
    end = np.where(open_end, 10**6, (end_days - day).astype(np.int64) + offset)
    rows = pd.DataFrame({"g": group, "start": start, "pos": np.arange(n)})[usable & (group >= 0)]
    rows["key"] = end[rows["pos"]] * 2**32 + rows["pos"]  # end day and position in one int64
    rows = rows.sort_values(["g", "start", "pos"], kind="stable")
    latest = rows.groupby("g")["key"].cummax().groupby(rows["g"]).shift(1)
    hit = latest.notna() & (rows["start"] <= latest.fillna(-1).astype(np.int64) // 2**32)
    positions = rows["pos"].to_numpy()[hit.to_numpy()]
    overlap[positions] = True
    partner[positions] = latest[hit].astype(np.int64).to_numpy() % 2**32
    return overlap, partner
