"""Cross-table references (``schema.Reference``): every referenced id must exist.

Each referenced column (e.g. ``claim_lines.claim_id``) defines a *domain*: the target column
is numbered once (``validate_codes.encode``) and every column that references it is looked up
in that numbering (-1: blank or not found). A composite reference such as
``transactions (claim_id, line_no) -> claim_lines`` combines the codes of its parts. Blank
values are not checked, and references into an optional table that the ledger does not
provide (e.g. ``era_id`` without ``remittances``) are skipped.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import numpy as np

from cbclassify.contract.schema import TABLES, Reference
from cbclassify.contract.typed import TypedTable
from cbclassify.contract.validate_codes import Encoded, encode, lookup
from cbclassify.contract.validate_issues import IssueCollector, show

Domain = tuple[str, str]  # (target table, target column)


class DomainCodes:
    """Integer codes per (table, column), shared within each referenced column's domain: the
    target column's codes (``encode``) and every referencing column looked up in them."""

    def __init__(self, tables: Mapping[str, TypedTable]) -> None:
        self._tables = tables
        self._targets: dict[Domain, Encoded] = {}
        self._codes: dict[tuple[str, str], np.ndarray] = {}

    def codes(self, table: str, column: str, domain: Domain) -> np.ndarray:
        """Codes of ``table.column`` in ``domain`` (-1 for NA or not in the target)."""
        if domain not in self._targets:
            self._targets[domain] = encode(self._tables[domain[0]][domain[1]])
        target = self._targets[domain]
        if (table, column) == domain:
            return target.codes
        if (table, column) not in self._codes:
            self._codes[table, column] = lookup(self._tables[table][column], target)
        return self._codes[table, column]


def _combined(parts: list[np.ndarray], radixes: list[int]) -> np.ndarray:
    out = np.zeros(len(parts[0]), dtype=np.int64)
    for part, radix in zip(parts, radixes):
        out = out * radix + part
    return out


def check_references(
    tables: Mapping[str, TypedTable],
    files: Mapping[str, str],
    issues: IssueCollector,
    bad_columns: Mapping[str, Collection[str]] | None = None,
) -> tuple[dict[str, np.ndarray], DomainCodes]:
    """Report orphan references among the provided ``tables``. A reference is not checked
    when its target columns have bad values (``bad_columns``; already reported), so that one
    bad key does not flood the report with orphans. Returns, per table, the mask of rows with
    an orphan reference, and the domain codes (reused by later checks)."""
    domains = DomainCodes(tables)
    orphans = {name: np.zeros(typed.rows, dtype=bool) for name, typed in tables.items()}
    broken = bad_columns or {}
    for name, typed in tables.items():
        for ref in TABLES[name].references:
            if ref.target not in tables:
                continue
            if set(ref.target_columns) & set(broken.get(ref.target, ())):
                continue
            mask = _orphans(typed, name, ref, domains, orphans[name])
            _report(typed, name, ref, mask, files, issues)
            orphans[name] |= mask
    return orphans, domains


def _orphans(
    typed: TypedTable, name: str, ref: Reference, domains: DomainCodes, earlier: np.ndarray
) -> np.ndarray:
    """Rows of ``name`` whose non-blank reference has no match in the target."""
    if len(ref.columns) == 1:
        (col,), (target_col,) = ref.columns, ref.target_columns
        return ~typed[col].na & (domains.codes(name, col, (ref.target, target_col)) < 0)
    given = np.logical_and.reduce([~typed[c].na for c in ref.columns])
    src_parts, tgt_parts = [], []
    for col, target_col in zip(ref.columns, ref.target_columns, strict=True):
        domain = (ref.target, target_col)
        src_parts.append(domains.codes(name, col, domain))
        tgt_parts.append(domains.codes(ref.target, target_col, domain))
    unknown_part = np.logical_or.reduce([p < 0 for p in src_parts])
    # composite: rows not already orphaned on a single column (e.g. an unknown claim_id)
    rows = given & ~earlier
    candidates = rows & ~unknown_part
    radixes = [
        int(max(s.max(initial=0), t.max(initial=0))) + 1 for s, t in zip(src_parts, tgt_parts)
    ]
    target_ok = np.logical_and.reduce([p >= 0 for p in tgt_parts])
    source = _combined([p[candidates] for p in src_parts], radixes)
    target = _combined([p[target_ok] for p in tgt_parts], radixes)
    missing: np.ndarray = rows & unknown_part
    missing[np.flatnonzero(candidates)] = ~np.isin(source, target)
    return missing


def _report(
    typed: TypedTable,
    name: str,
    ref: Reference,
    mask: np.ndarray,
    files: Mapping[str, str],
    issues: IssueCollector,
) -> None:
    target_file = files.get(ref.target, ref.target)
    file = files.get(name, name)
    if len(ref.columns) == 1:
        col, target_col = ref.columns[0], ref.target_columns[0]

        def describe(p: int) -> str:
            return (
                f"{col} {show(typed[col].value(p))} is not in {target_file}; "
                f"expected a {target_col} listed there"
            )

        issues.add_mask(file, col, mask, describe)
        return
    names = ", ".join(ref.columns)

    def describe_composite(p: int) -> str:
        values = ", ".join(f"{c} {show(typed[c].value(p))}" for c in ref.columns)
        return f"no row with {values} in {target_file}; expected a ({names}) listed there"

    issues.add_mask(file, ref.columns[-1], mask, describe_composite)
