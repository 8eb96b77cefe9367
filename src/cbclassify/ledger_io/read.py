"""Read a ledger folder (``NAME.csv`` or ``NAME.parquet`` per table) into a typed ``Ledger``.

The files are read as text (``read_csv`` / ``read_parquet``) and validated by
``contract.validate``; every problem of every file is reported together, each naming file,
row (file line; header = line 1) and column. Nothing is silently dropped: any problem fails
the load. Files larger than ``CBCLASSIFY_MAX_FILE_BYTES`` (default 4 GiB) are refused.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from cbclassify.contract.errors import Issue, LedgerValidationError
from cbclassify.contract.ledger import Ledger
from cbclassify.contract.schema import TABLES
from cbclassify.contract.validate import AsOf, LedgerCheck, validate_ledger_frames
from cbclassify.contract.validate_issues import FIRST_DATA_LINE
from cbclassify.ledger_io.read_csv import RawText, read_csv_text
from cbclassify.ledger_io.read_parquet import read_parquet_text
from cbclassify.settings import get_settings

FORMATS: tuple[str, ...] = ("csv", "parquet")


def read_ledger(path: Path | str, *, as_of: AsOf = None) -> Ledger:
    """Read and validate the ledger folder ``path``.

    ``as_of`` is the ledger's as-of date for the rule that a resolution's claim carried a
    credit (used where ``identified_date`` is blank; default: the latest posted_date). The
    ledger itself is returned whole (not cut at ``as_of``; see ``balances.ledger_as_of``).
    Raises ``LedgerValidationError`` carrying every issue when anything is wrong.
    """
    checked = check_ledger_dir(path, as_of=as_of)
    if checked.issues:
        raise LedgerValidationError(checked.issues)
    return checked.ledger


def validate_ledger_dir(path: Path | str, *, as_of: AsOf = None) -> list[Issue]:
    """Every problem in the ledger folder ``path`` (empty list: the ledger is valid)."""
    return check_ledger_dir(path, as_of=as_of).issues


def check_ledger_dir(path: Path | str, *, as_of: AsOf = None) -> LedgerCheck:
    """Read and validate ``path``; the typed ledger (usable only without issues) and issues."""
    folder = Path(path)
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        issue = Issue(
            str(folder),
            None,
            None,
            f"the ledger folder {what}; expected a folder "
            "with payers, patients, claim_lines and transactions files",
        )
        return LedgerCheck(Ledger.from_frames(), [issue])
    limit = get_settings().max_file_bytes
    raw: dict[str, pd.DataFrame] = {}
    labels: dict[str, str] = {}
    unreadable: set[str] = set()
    issues: list[Issue] = []
    row_lines: dict[str, np.ndarray] = {}
    for name in TABLES:
        found = [
            folder / f"{name}.{fmt}" for fmt in FORMATS if (folder / f"{name}.{fmt}").is_file()
        ]
        if not found:
            hint = _case_mismatch(folder, name)
            if hint is not None:
                issues.append(hint)
                unreadable.add(name)
            continue
        labels[name] = found[0].name
        if len(found) > 1:
            issues.append(
                Issue(
                    found[0].name,
                    None,
                    None,
                    f"both {found[0].name} and "
                    f"{found[1].name} are present; expected one form per table",
                )
            )
            unreadable.add(name)
            continue
        text = _read_file(found[0], name, limit)
        if text.frame is None:
            issues.extend(text.issues)
            unreadable.add(name)
            continue
        raw[name] = text.frame
        if text.row_lines is not None:
            row_lines[found[0].name] = text.row_lines
    checked = validate_ledger_frames(raw, labels, unreadable=unreadable, as_of=as_of)
    remapped = [_remap(issue, row_lines) for issue in checked.issues]
    return LedgerCheck(checked.ledger, issues + remapped)


def _read_file(path: Path, name: str, limit: int) -> RawText:
    """Read one table file as text, refusing files above ``limit`` bytes."""
    try:
        size = path.stat().st_size
        if size > limit:
            return RawText(
                None,
                [
                    Issue(
                        path.name,
                        None,
                        None,
                        f"the file is {size:,} bytes, "
                        f"above the limit of {limit:,} bytes; split the ledger "
                        "or raise CBCLASSIFY_MAX_FILE_BYTES",
                    )
                ],
            )
        table = TABLES[name]
        if path.suffix == ".csv":
            return read_csv_text(path, path.name, set(table.column_names))
        return read_parquet_text(path, path.name, table)
    except OSError as exc:
        return RawText(
            None, [Issue(path.name, None, None, f"the file cannot be read: {exc.strerror or exc}")]
        )


def _case_mismatch(folder: Path, name: str) -> Issue | None:
    """An issue when a table's file exists only with other letter case (``Payers.CSV``)."""
    wanted = {f"{name}.{fmt}" for fmt in FORMATS}
    for entry in sorted(folder.iterdir()):
        if entry.name.lower() in wanted and entry.name not in wanted:
            return Issue(
                entry.name,
                None,
                None,
                f"file names are case-sensitive; expected "
                f"{name}.csv or {name}.parquet (lower case)",
            )
    return None


def _remap(issue: Issue, row_lines: dict[str, np.ndarray]) -> Issue:
    """Row positions -> real start lines for files whose rows span several lines."""
    lines = row_lines.get(issue.file)
    if lines is None or issue.row is None:
        return issue
    position = issue.row - FIRST_DATA_LINE
    if 0 <= position < len(lines):
        return replace(issue, row=int(lines[position]))
    return issue
