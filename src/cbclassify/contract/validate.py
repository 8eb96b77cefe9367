"""Validate a raw ledger (text columns as read from files) into a typed ``Ledger``.

Pure functions, no file I/O: ``ledger_io`` reads the files and hands the text frames here.
A raw frame has one text column per header column, blanks as ``""`` (or NA); its row at
position ``i`` is line ``i + 2`` of the file (the header is line 1).

- ``check_table``: one table -> its typed columns, issues (header, values, keys, row rules) and
  the rows with a problem per column;
- ``validate_ledger_frames``: all tables -> ``LedgerCheck`` (typed ``Ledger`` + every issue of
  every file, including cross-table references and the ``resolutions`` credit rule);
- ``build_ledger``: the same, raising ``LedgerValidationError`` with every issue at the end.
Unknown extra columns are ignored. A row with a problem is never dropped: any issue fails.

A classify request's rows go through the same ``check_columns`` and ``check_tables``
(``contract.validate_rows``); only the way its cells reach the parsers differs.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

import numpy as np
import pandas as pd

from cbclassify.contract.errors import Issue, LedgerValidationError
from cbclassify.contract.ledger import Ledger, default_as_of, empty_frame
from cbclassify.contract.schema import TABLES, Column, Table
from cbclassify.contract.typed import TypedColumn, TypedTable
from cbclassify.contract.validate_columns import (
    ColumnCheck,
    Span,
    cells_of,
    check_run,
    parse_cells,
    parse_kind,
)
from cbclassify.contract.validate_credit import check_resolution_credits
from cbclassify.contract.validate_issues import MAX_ISSUES_PER_RULE, IssueCollector
from cbclassify.contract.validate_refs import check_references
from cbclassify.contract.validate_rules import (
    check_duplicate_keys,
    check_fee_schedule_periods,
    check_payer_id_for_payer_source,
)

AsOf = pd.Timestamp | date | str | None

#: ``raw.attrs`` key a reader may set to the file's whole header when ``raw`` holds only the
#: contract's columns (so that messages can show what the header really has).
HEADER_ATTR = "header"
#: Tables with at least this many rows have their columns parsed in parallel threads (the
#: same functions; threads pay off only when a column takes milliseconds).
_PARALLEL_ROWS = 50_000
#: Pseudo-column under which ``TableCheck.bad_rows`` marks rows repeating a key.
DUPLICATE_KEY = "(duplicate key)"
#: Columns the resolutions credit rule reads; it runs only when these have no problems.
_CREDIT_INPUTS = {
    "claim_lines": ("claim_id", "billed_date", "charge_amount", DUPLICATE_KEY),
    "transactions": ("claim_id", "kind", "amount", "posted_date", DUPLICATE_KEY),
    "resolutions": ("claim_id", "identified_date"),
}


@dataclass(frozen=True)
class TableCheck:
    """One validated table: typed columns, its issues, and the rows with a problem per column."""

    typed: TypedTable
    issues: list[Issue]
    bad_rows: dict[str, np.ndarray] = field(default_factory=dict)

    @cached_property
    def frame(self) -> pd.DataFrame:
        """The typed memory frame (usable only without issues)."""
        return self.typed.frame()

    def bad_in(self, columns: Collection[str]) -> np.ndarray:
        """Rows with a problem in any of ``columns``."""
        out = np.zeros(self.typed.rows, dtype=bool)
        for name in columns:
            if name in self.bad_rows:
                out |= self.bad_rows[name]
        return out


@dataclass(frozen=True)
class LedgerCheck:
    """A validated ledger: typed frames (usable only when ``ok``) and every issue found."""

    ledger: Ledger
    issues: list[Issue]

    @property
    def ok(self) -> bool:
        return not self.issues


def check_table(
    table: Table, raw: pd.DataFrame, file: str, cap: int = MAX_ISSUES_PER_RULE
) -> TableCheck:
    """Validate one raw table (see module docstring); the full result with problem rows."""
    issues = IssueCollector(cap)
    full_header = [str(name).strip() for name in raw.attrs.get(HEADER_ATTR, raw.columns)]
    present = _header_columns(table, raw, file, issues, full_header)
    rows = len(raw)

    def one(column: Column) -> ColumnCheck:
        parsed = parse_cells(parse_kind(column), cells_of(raw.iloc[:, present[column.name]]))
        return check_run(parsed, [Span(column, file, 0, rows)], cap)[0]

    columns = [c for c in table.columns if c.name in present]
    workers = min(len(columns), os.cpu_count() or 1) if rows >= _PARALLEL_ROWS else 1
    if workers > 1:  # the pyarrow kernels release the GIL
        with ThreadPoolExecutor(max_workers=workers) as pool:
            checked = dict(zip((c.name for c in columns), pool.map(one, columns)))
    else:
        checked = {c.name: one(c) for c in columns}
    return check_columns(table, checked, rows, file, issues)


def check_columns(
    table: Table,
    checked: Mapping[str, ColumnCheck],
    rows: int,
    file: str,
    issues: IssueCollector,
) -> TableCheck:
    """A table from its ``checked`` columns (``check_run``; a column absent from the file is
    not among them), then the table's own rules. ``issues`` may already hold header issues;
    the columns' issues follow in schema order."""
    columns: dict[str, TypedColumn] = {}
    bad_rows: dict[str, np.ndarray] = {}
    for column in table.columns:
        if column.name in checked:
            result = checked[column.name]
            typed = result.typed
            issues.issues.extend(result.issues)
            if result.problem is not None:
                bad_rows[column.name] = result.problem
        else:
            typed = TypedColumn.missing(column, rows)
            if column.required:  # missing column, reported with the header: rows unusable
                bad_rows[column.name] = np.ones(rows, dtype=bool)
        columns[column.name] = typed
    typed_table = TypedTable(table, columns, rows)
    _merge(bad_rows, DUPLICATE_KEY, check_duplicate_keys(typed_table, file, issues))
    if table.name == "transactions":
        _merge(bad_rows, "payer_id", check_payer_id_for_payer_source(typed_table, file, issues))
    if table.name == "fee_schedule":
        _merge(bad_rows, "effective_from", check_fee_schedule_periods(typed_table, file, issues))
    return TableCheck(typed_table, issues.issues, bad_rows)


def validate_table(table: Table, raw: pd.DataFrame, file: str) -> tuple[pd.DataFrame, list[Issue]]:
    """Validate one raw table into its typed memory frame; returns ``(frame, issues)``."""
    checked = check_table(table, raw, file)
    return checked.frame, checked.issues


def validate_ledger_frames(
    raw_tables: Mapping[str, pd.DataFrame],
    files: Mapping[str, str] | None = None,
    *,
    unreadable: Collection[str] = (),
    as_of: AsOf = None,
    cap: int = MAX_ISSUES_PER_RULE,
) -> LedgerCheck:
    """Validate every table and the references between them; every issue, all files together.

    ``files`` maps table name -> file label used in issues (default: the table name);
    ``unreadable`` names tables whose file exists but could not be read (already reported),
    so they are neither reported missing nor used as reference targets. ``as_of`` is the
    ledger's as-of date for the resolutions rule (default: its latest posted_date).
    """
    refuse_unknown_tables(raw_tables)
    labels = table_labels(files)
    checks = {
        name: check_table(TABLES[name], raw_tables[name], labels[name], cap)
        for name in TABLES
        if name in raw_tables
    }
    issues = check_tables(checks, labels, unreadable=unreadable, as_of=as_of, cap=cap)
    ledger = Ledger(
        **{name: checks[name].frame if name in checks else empty_frame(name) for name in TABLES}
    )
    return LedgerCheck(ledger, issues)


def build_ledger(
    raw_tables: Mapping[str, pd.DataFrame],
    files: Mapping[str, str] | None = None,
    *,
    unreadable: Collection[str] = (),
    as_of: AsOf = None,
) -> Ledger:
    """``validate_ledger_frames``, raising ``LedgerValidationError`` (all issues) if any."""
    checked = validate_ledger_frames(raw_tables, files, unreadable=unreadable, as_of=as_of)
    if checked.issues:
        raise LedgerValidationError(checked.issues)
    return checked.ledger


def table_labels(files: Mapping[str, str] | None) -> dict[str, str]:
    """The label of each table in issues: its file name, else the table name."""
    return {name: (files or {}).get(name, name) for name in TABLES}


def check_tables(
    checks: Mapping[str, TableCheck],
    labels: Mapping[str, str],
    *,
    unreadable: Collection[str] = (),
    as_of: AsOf = None,
    cap: int = MAX_ISSUES_PER_RULE,
) -> list[Issue]:
    """Every issue of a ledger whose tables are ``checks`` (in ``TABLES`` order): the tables'
    own issues, required tables missing, references, and the resolutions credit rule."""
    collector = IssueCollector(cap)
    for name, table in TABLES.items():
        if table.required and name not in checks and name not in unreadable:
            collector.add_file_issue(
                labels[name],
                None,
                f"required table {name} is missing: expected {name}.csv or {name}.parquet "
                "in the ledger folder",
            )
    typed = {name: check.typed for name, check in checks.items()}
    bad_columns = {name: set(check.bad_rows) for name, check in checks.items()}
    orphans, domains = check_references(typed, labels, collector, bad_columns)
    if _credit_rule_applies(checks):
        resolutions = typed["resolutions"]
        usable = ~checks["resolutions"].bad_in(_CREDIT_INPUTS["resolutions"])
        usable &= ~orphans["resolutions"] & ~resolutions["claim_id"].na
        posted, billed = typed["transactions"]["posted_date"], typed["claim_lines"]["billed_date"]
        cutoff = (
            default_as_of(posted.values, billed.values)
            if as_of is None
            else pd.Timestamp(as_of).normalize()
        )
        check_resolution_credits(typed, domains, usable, cutoff, labels, collector)
    return [issue for check in checks.values() for issue in check.issues] + collector.issues


def refuse_unknown_tables(tables: Collection[str]) -> None:
    """Raise ValueError when ``tables`` names a table the contract does not have."""
    unknown = set(tables) - set(TABLES)
    if unknown:
        raise ValueError(f"unknown ledger tables: {sorted(unknown)}")


def _credit_rule_applies(checks: Mapping[str, TableCheck]) -> bool:
    """The rule needs resolutions, claim_lines and transactions, the latter two without
    problems in the columns it reads (else balances would be wrong and issues spurious)."""
    if not all(name in checks for name in _CREDIT_INPUTS):
        return False
    return not any(
        checks[name].bad_in(_CREDIT_INPUTS[name]).any() for name in ("claim_lines", "transactions")
    )


def _merge(bad_rows: dict[str, np.ndarray], column: str, mask: np.ndarray) -> None:
    if np.count_nonzero(mask):
        bad_rows[column] = bad_rows.get(column, np.zeros(len(mask), dtype=bool)) | mask


def _header_columns(
    table: Table, raw: pd.DataFrame, file: str, issues: IssueCollector, full_header: list[str]
) -> dict[str, int]:
    """Positions of the contract columns in ``raw``; reports missing required and repeated
    columns (naming ``full_header``, the file's whole header). Names are matched after
    trimming spaces."""
    names = [str(name).strip() for name in raw.columns]
    present: dict[str, int] = {}
    for position, name in enumerate(names):
        if name not in table.column_names:
            continue
        if name in present:
            issues.add_file_issue(
                file,
                name,
                f"column {name} appears more than once in the header; expected it once "
                "(the first one is read)",
            )
            continue
        present[name] = position
    for column in table.columns:
        if column.required and column.name not in present:
            issues.add_file_issue(file, column.name, _missing_message(column.name, full_header))
    return present


def _missing_message(column: str, header: list[str]) -> str:
    shown = ", ".join(header[:12]) + (", ..." if len(header) > 12 else "")
    message = f"required column {column} is missing; the header has: {shown or '(nothing)'}"
    if len(header) == 1 and any(sep in header[0] for sep in (";", "\t", "|")):
        message += " (the header looks separated by ';', tab or '|'; the contract uses commas)"
    return message
