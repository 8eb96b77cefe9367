"""Rules within one table: duplicate keys and the row rules of the contract.

- keys (``Table.key``) are unique; a duplicate names the line of the first occurrence;
- ``transactions.payer_id`` is required when ``source`` is ``payer``;
- ``fee_schedule.effective_to`` (when given) is on or after ``effective_from``, and two rows for
  the same payer, cpt and modifier do not cover the same date (the rate would be ambiguous).
Each rule reads a validated table (``TypedTable``) with numpy/pyarrow operations, for any
number of rows; each returns the mask of the rows it reported (for dependent rules).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cbclassify.contract.typed import TypedColumn, TypedTable
from cbclassify.contract.validate_codes import encode
from cbclassify.contract.validate_issues import IssueCollector, line_number, show


def _combine(codes: list[np.ndarray]) -> np.ndarray:
    """One int64 code per row from several non-negative code arrays; -1 if any part is -1."""
    combined = np.zeros(len(codes[0]), dtype=np.int64)
    missing = np.zeros(len(codes[0]), dtype=bool)
    for part in codes:
        missing |= part < 0
        combined = combined * (int(part.max(initial=0)) + 1) + np.maximum(part, 0)
    return np.where(missing, -1, combined)


def check_duplicate_keys(typed: TypedTable, file: str, issues: IssueCollector) -> np.ndarray:
    """Report every row whose key repeats an earlier row's key; returns the mask of such rows."""
    key = typed.table.key
    repeated: np.ndarray = np.zeros(typed.rows, dtype=bool)
    if not key or typed.rows == 0 or _strictly_increasing([typed[name] for name in key]):
        return repeated  # sorted without ties: no duplicates, and no hashing needed
    parts = [encode(typed[name]) for name in key]
    codes = parts[0].codes if len(parts) == 1 else _combine([part.codes for part in parts])
    valid = codes >= 0
    if len(parts) == 1 and int(parts[0].present.sum()) == int(valid.sum()):
        return repeated  # as many distinct keys as keys: the usual case, without sorting
    positions = np.flatnonzero(valid)
    distinct, first_index, inverse = np.unique(codes[valid], return_index=True, return_inverse=True)
    if len(distinct) == len(positions):
        return repeated
    first = np.full(len(codes), -1, dtype=np.int64)
    first[valid] = positions[first_index][inverse]
    repeated = valid & (first != np.arange(len(codes)))
    names = key[0] if len(key) == 1 else "(" + ", ".join(key) + ")"

    def describe(p: int) -> str:
        values = ", ".join(show(typed[name].value(p)) for name in key)
        return (
            f"duplicate {names} {values}: also on line {line_number(first[p])}; "
            f"expected each {names} once"
        )

    issues.add_mask(file, key[0], repeated, describe)
    return repeated


def _strictly_increasing(columns: list[TypedColumn]) -> bool:
    """Whether the key rows are in strictly increasing order (exports are often sorted by
    their key), checked by comparing neighbours; NA makes it False."""
    rows = len(columns[0])
    if rows < 2 or any(column.na.any() for column in columns):
        return False
    previous_equal = np.ones(rows - 1, dtype=bool)
    increasing = np.zeros(rows - 1, dtype=bool)
    for column in columns:
        values = column.values
        if column.is_text:
            before, after = values.slice(0, rows - 1), values.slice(1)
            less = pc.less(before, after).to_numpy(zero_copy_only=False)
            equal = pc.equal(before, after).to_numpy(zero_copy_only=False)
        else:
            less, equal = values[:-1] < values[1:], values[:-1] == values[1:]
        increasing |= previous_equal & less
        previous_equal &= equal
    return bool(increasing.all())


def check_payer_id_for_payer_source(
    transactions: TypedTable, file: str, issues: IssueCollector
) -> np.ndarray:
    """transactions: payer_id must be given when source is payer."""
    source = transactions["source"].values
    by_payer = pc.fill_null(pc.equal(source, pa.scalar("payer", source.type)), False)
    missing: np.ndarray = by_payer.to_numpy(zero_copy_only=False) & transactions["payer_id"].na
    issues.add_mask(
        file,
        "payer_id",
        missing,
        lambda _: "payer_id is required when source is payer; found a blank value",
    )
    return missing


def check_fee_schedule_periods(
    fee_schedule: TypedTable, file: str, issues: IssueCollector
) -> np.ndarray:
    """fee_schedule: effective_to >= effective_from, and no overlapping periods per
    (payer_id, cpt, modifier); a blank modifier is its own group (it matches any modifier
    where no specific row applies)."""
    start, end = fee_schedule["effective_from"], fee_schedule["effective_to"]
    inverted = ~start.na & ~end.na & (end.values < start.values)

    def day(column: TypedColumn, p: int) -> str:
        return str(column.values[p].astype("datetime64[D]"))

    issues.add_mask(
        file,
        "effective_to",
        inverted,
        lambda p: (
            f"expected effective_to on or after effective_from ({day(start, p)}); "
            f"found {day(end, p)}"
        ),
    )
    overlap, partner = _overlapping_periods(fee_schedule, usable=~inverted & ~start.na)
    issues.add_mask(
        file,
        "effective_from",
        overlap,
        lambda p: (
            f"this period overlaps the row on line {line_number(partner[p])} for the same "
            "payer_id, cpt and modifier; expected one contracted rate per date"
        ),
    )
    problem: np.ndarray = inverted | overlap
    return problem


_OPEN_END = np.iinfo(np.int64).max  # an open period (blank effective_to) never ends


def _overlapping_periods(fees: TypedTable, usable: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows whose period starts on or before the end of an earlier-starting row of the same
    group; ``partner`` holds the position of that earlier row (of the earlier rows, the one
    ending last; of equal ends, the later row)."""
    overlap = np.zeros(fees.rows, dtype=bool)
    partner = np.full(fees.rows, -1, dtype=np.int64)
    modifier = encode(fees["modifier"])
    blank_modifier = len(modifier.dictionary)  # a code of its own: a group like any modifier
    parts = [encode(fees["payer_id"]).codes, encode(fees["cpt"]).codes]
    group = _combine([*parts, np.where(modifier.codes < 0, blank_modifier, modifier.codes)])
    position = np.flatnonzero(usable & (group >= 0))
    if len(position) < 2:
        return overlap, partner
    group = group[position]
    start = fees["effective_from"].values[position].astype(np.int64)
    to = fees["effective_to"]
    end = np.where(to.na[position], _OPEN_END, to.values[position].astype(np.int64))
    order = np.lexsort((position, start, group))  # by group, then start, then position
    group, start, end, position = group[order], start[order], end[order], position[order]
    by_end = np.lexsort((position, end))  # rows ranked by (end, position)
    rank = np.empty(len(by_end), dtype=np.int64)
    rank[by_end] = np.arange(len(by_end))
    first_of_group = _group_starts(group)
    latest = _cummax_by_group(rank, first_of_group)  # the latest-ending row so far in a group
    earlier = np.roll(latest, 1)  # ... among the rows before it (none for a group's first)
    hit = ~first_of_group & (start <= end[by_end][earlier])
    overlap[position[hit]] = True
    partner[position[hit]] = position[by_end][earlier[hit]]
    return overlap, partner


def _cummax_by_group(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Running maximum of ``values`` (each in ``0 .. len(values) - 1``) restarting where a
    group ``starts``: every group is lifted above the ones before it."""
    lift = (np.cumsum(starts) - 1) * len(values)
    running: np.ndarray = np.maximum.accumulate(lift + values) - lift
    return running


def _group_starts(group: np.ndarray) -> np.ndarray:
    """Where each run of equal ``group`` values begins."""
    starts = np.empty(len(group), dtype=bool)
    starts[:1] = True
    np.not_equal(group[1:], group[:-1], out=starts[1:])
    return starts
