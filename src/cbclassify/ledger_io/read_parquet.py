"""Read one contract Parquet file as text columns, so that it is validated exactly like CSV.

Columns may be stored as text (as ``write_ledger`` does) or natively typed; typed values are
turned into the contract's text and then validated by the same rules:

- integers -> their digits (money: whole amounts, ``412`` = 412.00);
- decimal (decimal128/256) -> exact text; zeros past the 2nd decimal are dropped
  (``412.500`` -> ``412.50``), any other 3rd decimal is reported as malformed money;
- float64/float32 -> the shortest text that reads back as the same float (``0.1`` -> ``0.1``,
  ``0.1 + 0.2`` -> ``0.30000000000000004``, rejected: more than 2 decimals). In int columns a
  whole float (``3.0``) is ``3``. Floats are accepted but not recommended for money;
- date32/date64 -> ``YYYY-MM-DD``; timestamps at midnight -> ``YYYY-MM-DD`` (other times are
  shown in full and reported as not a date);
- bool -> ``true``/``false``; dictionary-encoded columns by their values; all-null -> blank.
Other types (binary, lists, structs, times, durations) are a file-level issue for that column.
Row numbers follow the CSV convention: data row k (1-based) is reported as row k + 1.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from cbclassify.contract.errors import Issue
from cbclassify.contract.schema import Table
from cbclassify.contract.validate import HEADER_ATTR
from cbclassify.ledger_io.read_csv import RawText


def read_parquet_text(path: Path, label: str, table: Table) -> RawText:
    """Read ``path`` (``label`` in issues): the contract columns of ``table`` as text."""
    try:
        parquet = pq.ParquetFile(path)
        names = [name.strip() for name in parquet.schema_arrow.names]
        keep = [i for i, name in enumerate(names) if name in table.column_names]
        data = (
            parquet.read(use_threads=True)
            if len(set(names)) < len(names)
            else parquet.read(
                columns=[parquet.schema_arrow.names[i] for i in keep], use_threads=True
            )
        )
    except (pa.ArrowException, OSError) as exc:
        return RawText(None, [Issue(label, None, None, f"not a readable Parquet file: {exc}")])
    if len(set(names)) == len(names):
        columns = list(data.columns)
    else:
        columns = [data.column(i) for i in keep]
    issues: list[Issue] = []
    texts: dict[int, pd.Series] = {}
    for position, chunked in zip(keep, columns):
        column = table.column(names[position])
        text = _as_text(
            chunked.combine_chunks() if chunked.num_chunks else pa.array([], chunked.type),
            column.type,
        )
        if text is None:
            issues.append(
                Issue(
                    label,
                    None,
                    column.name,
                    f"stored as Parquet type "
                    f"{chunked.type}, which cannot hold a {column.type} value; "
                    "expected text or a matching type",
                )
            )
            continue
        texts[position] = pd.Series(pd.array(text, dtype=pd.StringDtype("pyarrow")))
    if issues:
        return RawText(None, issues)
    frame = (
        pd.DataFrame({i: texts[i] for i in keep})
        if keep
        else pd.DataFrame(index=pd.RangeIndex(data.num_rows))
    )
    frame.columns = [names[i] for i in keep]
    frame.attrs[HEADER_ATTR] = names
    return RawText(frame)


def _as_text(values: pa.Array, kind: str) -> pa.Array | None:
    """Contract text for one typed column; None when its type cannot be turned into text."""
    arrow_type = values.type
    if pa.types.is_dictionary(arrow_type):
        return _as_text(values.dictionary_decode(), kind)
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return values.cast(pa.large_string())
    if pa.types.is_string_view(arrow_type):
        return values.cast(pa.large_string())
    if pa.types.is_null(arrow_type):
        return pa.nulls(len(values), pa.large_string())
    if pa.types.is_boolean(arrow_type):
        return pc.if_else(values, "true", "false").cast(pa.large_string())
    if pa.types.is_integer(arrow_type):
        return values.cast(pa.large_string())
    if pa.types.is_decimal(arrow_type):
        text = values.cast(pa.large_string())
        return pc.replace_substring_regex(text, r"^(-?[0-9]+\.[0-9]{2})0+$", r"\1")
    if pa.types.is_floating(arrow_type):
        return _float_text(values, kind)
    if pa.types.is_date(arrow_type):
        return pc.strftime(values, format="%Y-%m-%d").cast(pa.large_string())
    if pa.types.is_timestamp(arrow_type):
        midnight = pc.equal(pc.floor_temporal(values, unit="day"), values)
        day = pc.strftime(values, format="%Y-%m-%d")
        full = pc.strftime(values, format="%Y-%m-%dT%H:%M:%S")
        return pc.if_else(midnight, day, full).cast(pa.large_string())
    return None


def _float_text(values: pa.Array, kind: str) -> pa.Array:
    """Shortest round-trip text of floats; NaN is blank; whole floats in int columns as ints."""
    values = values.cast(pa.float64())
    values = pc.if_else(pc.is_nan(values), pa.scalar(None, pa.float64()), values)
    text = values.cast(pa.large_string())
    if kind == "int":
        finite = pc.fill_null(pc.is_finite(values), False)
        small = pc.fill_null(pc.less(pc.abs(values), 1e18), False)
        whole = pc.and_(
            pc.and_(finite, small), pc.fill_null(pc.equal(pc.floor(values), values), False)
        )
        digits = pc.if_else(whole, values, 0.0).cast(pa.int64()).cast(pa.large_string())
        text = pc.if_else(whole, digits, text)
    return text
