"""Read one contract CSV file as text columns, fast (pyarrow), with clear file problems.

Every value is read as text (no type guessing; leading zeros kept; blank = ""), only the
header columns the contract knows are converted, and the file is checked for what makes it
unreadable: 0 bytes, binary content (a Parquet, ZIP/Excel or UTF-16 file saved as .csv), bytes
that are not UTF-8, rows with more or fewer fields than the header, an unterminated quote.
A UTF-8 byte-order mark is accepted. Blank lines are skipped. Line numbers in issues are file
lines; when values contain line breaks (or blank lines sit between rows) the start line of
each row is recovered with Python's csv module, which runs only in that case.
"""

from __future__ import annotations

import csv
import io
import mmap
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pv

from cbclassify.contract.errors import Issue
from cbclassify.contract.validate import HEADER_ATTR
from cbclassify.contract.validate_issues import MAX_ISSUES_PER_RULE

_SNIFF_BYTES = 65536
_CHUNK_BYTES = 1 << 24
_LF = 10  # the line-feed byte
_SIGNATURES = (
    (b"PAR1", "it looks like a Parquet file; name it .parquet instead of .csv"),
    (b"PK\x03\x04", "it looks like a ZIP or Excel (.xlsx) file; export it as CSV UTF-8"),
    (b"\xd0\xcf\x11\xe0", "it looks like an old Excel (.xls) file; export it as CSV UTF-8"),
    (b"\xff\xfe", "it is UTF-16 text; save it as CSV UTF-8"),
    (b"\xfe\xff", "it is UTF-16 text; save it as CSV UTF-8"),
)


@dataclass
class RawText:
    """A file read as text: ``frame`` (None when unreadable), file issues, and for CSV the
    start line of each row when rows do not sit one per line (else None: row i = line i+2)."""

    frame: pd.DataFrame | None
    issues: list[Issue] = field(default_factory=list)
    row_lines: np.ndarray | None = None


def read_csv_text(path: Path, label: str, known_columns: Collection[str]) -> RawText:
    """Read ``path`` (shown as ``label`` in issues); keep only ``known_columns``."""
    size = path.stat().st_size
    if size == 0:
        return _unreadable(label, None, "the file is empty (0 bytes); expected a header row")
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    ends = [i for i in (head.find(b"\n"), head.find(b"\r")) if i >= 0]
    header_end = min(ends) if ends else len(head)
    header_bytes = head[:header_end]
    rest_is_blank = size <= len(head) and not head[header_end:].strip()
    problem = _binary_problem(head)
    if problem:
        return _unreadable(label, problem[0], f"not a CSV text file: {problem[1]}")
    try:
        header = _parse_header(header_bytes)
    except UnicodeDecodeError as exc:
        return _unreadable(label, 1, _encoding_message(header_bytes, exc.start))
    except csv.Error as exc:
        return _unreadable(label, 1, f"the header row is not valid CSV: {exc}")
    if not any(header):
        return _unreadable(label, 1, "the header row is blank; expected column names")
    keep = [i for i, name in enumerate(header) if name in known_columns]
    if rest_is_blank:
        frame = pd.DataFrame({header[i]: pd.Series([], dtype="string") for i in keep})
    else:
        result = _read_body(path, label, header, keep)
        if result.frame is None:
            return result
        frame = result.frame
    frame.attrs[HEADER_ATTR] = header
    return RawText(frame) if rest_is_blank else RawText(frame, row_lines=result.row_lines)


def _read_body(path: Path, label: str, header: list[str], keep: list[int]) -> RawText:
    names = [f"c{i}" for i in range(len(header))]
    read = keep or [0]  # read one column even when none is known, to count the rows
    try:
        table = pv.read_csv(
            path,
            read_options=pv.ReadOptions(column_names=names, skip_rows=1, block_size=_CHUNK_BYTES),
            parse_options=pv.ParseOptions(newlines_in_values=True),
            convert_options=pv.ConvertOptions(
                column_types={names[i]: pa.large_string() for i in read},
                include_columns=[names[i] for i in read],
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowException as exc:
        return _explain_failure(path, label, len(header), exc)
    frame = table.select([names[i] for i in keep]).to_pandas(types_mapper=_text_dtype)
    frame.columns = [header[i] for i in keep]
    if _one_row_per_line(path, table.num_rows):
        return RawText(frame)
    scan = _scan_rows(path, len(header))
    if scan.issues:
        return RawText(None, [Issue(label, i.row, i.column, i.message) for i in scan.issues])
    exact = len(scan.row_lines) == len(frame)
    return RawText(frame, row_lines=scan.row_lines if exact else None)


def _explain_failure(path: Path, label: str, width: int, exc: Exception) -> RawText:
    """Turn a pyarrow read error into issues with lines: bad UTF-8, or rows with the wrong
    number of fields (found again by a Python csv pass, which knows line numbers)."""
    if "UTF8" in str(exc) or "UTF-8" in str(exc):
        line, message = _first_invalid_utf8(path)
        return _unreadable(label, line, message)
    scan = _scan_rows(path, width)
    if scan.issues:
        return RawText(None, [Issue(label, i.row, i.column, i.message) for i in scan.issues])
    return _unreadable(label, None, f"the file could not be read as CSV: {exc}")


def _text_dtype(arrow_type: pa.DataType) -> object:
    text = pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type)
    return pd.StringDtype("pyarrow") if text else None


def _unreadable(label: str, line: int | None, message: str) -> RawText:
    return RawText(None, [Issue(label, line, None, message)])


def _binary_problem(head: bytes) -> tuple[int, str] | None:
    """(line, reason) when the first bytes show a binary or non-UTF-8 text format."""
    for signature, reason in _SIGNATURES:
        if head.startswith(signature):
            return 1, reason
    nul = head.find(b"\x00")
    if nul >= 0:
        return head.count(b"\n", 0, nul) + 1, "it contains binary data (NUL bytes)"
    return None


def _parse_header(header_bytes: bytes) -> list[str]:
    text = header_bytes.decode("utf-8-sig")
    row = next(csv.reader(io.StringIO(text)), [])
    return [name.strip() for name in row]


def _encoding_message(data: bytes, position: int) -> str:
    return (
        f"the file is not UTF-8 text: byte 0x{data[position]:02X} cannot be decoded; save "
        "the file as CSV UTF-8 (in Excel: 'CSV UTF-8 (Comma delimited)')"
    )


def _first_invalid_utf8(path: Path) -> tuple[int | None, str]:
    """The line of the first byte that is not UTF-8, reading line-aligned chunks."""
    lines_before = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK_BYTES) + handle.readline():
            try:
                chunk.decode("utf-8")
            except UnicodeDecodeError as exc:
                line = lines_before + chunk.count(b"\n", 0, exc.start) + 1
                return line, _encoding_message(chunk, exc.start)
            lines_before += chunk.count(b"\n")
    return None, "the file is not UTF-8 text; save the file as CSV UTF-8"


def _one_row_per_line(path: Path, rows: int) -> bool:
    """True when the file has exactly header + ``rows`` lines (ignoring trailing blank lines),
    so that row i is line i + 2. Counts line feeds with numpy over a memory map."""
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as view:
        data = np.frombuffer(view, dtype=np.uint8)
        newlines = sum(
            int(np.count_nonzero(data[start : start + _CHUNK_BYTES] == _LF))
            for start in range(0, len(data), _CHUNK_BYTES)
        )
        tail = bytes(data[-_SNIFF_BYTES:])
        del data  # release the buffer before the map closes
    trailing_newlines = tail[len(tail.rstrip()) :].count(b"\n")
    return newlines - trailing_newlines == rows


@dataclass
class _Scan:
    row_lines: np.ndarray
    issues: list[Issue]


def _scan_rows(path: Path, width: int) -> _Scan:
    """Python csv pass: start line of every data row, rows with the wrong number of fields,
    and CSV syntax errors (e.g. an unterminated quote), each with its line."""
    starts: list[int] = []
    issues: list[Issue] = []
    wrong = 0
    with path.open(newline="", encoding="utf-8-sig", errors="replace") as handle:
        reader = csv.reader(handle, strict=True)
        previous_end = 0
        try:
            for number, record in enumerate(reader):
                start, previous_end = previous_end + 1, reader.line_num
                if number == 0 or not record:
                    continue
                starts.append(start)
                if len(record) != width:
                    wrong += 1
                    if wrong <= MAX_ISSUES_PER_RULE:
                        issues.append(
                            Issue(
                                "",
                                start,
                                None,
                                f"expected {width} fields as in the header; found {len(record)}",
                            )
                        )
        except csv.Error as exc:
            issues.append(
                Issue(
                    "",
                    previous_end + 1,
                    None,
                    f"the file is not valid CSV from this line on: {exc}",
                )
            )
    if wrong > MAX_ISSUES_PER_RULE:
        issues.append(
            Issue(
                "",
                None,
                None,
                f"... and {wrong - MAX_ISSUES_PER_RULE} more rows with the wrong number of fields",
            )
        )
    return _Scan(np.asarray(starts, dtype=np.int64), issues)
