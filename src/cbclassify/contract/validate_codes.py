"""Integer codes for id columns (equal value -> equal code, -1 for NA), for keys and references.

``encode`` numbers a validated column: text by pyarrow's ``dictionary_encode`` (through the
column's ``TextEncoding``, so that the columns of a request, cut from one run of text cells,
share one encoding), integers by ``np.unique``. ``lookup`` numbers another column's values the
same way, -1 where a value is NA or absent from the encoded column.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cbclassify.contract.typed import TypedColumn


def arrow_text(values: pd.Series | pa.Array | pa.ChunkedArray) -> pa.Array:
    """A text column as one contiguous arrow ``large_string`` array (zero-copy when it is)."""
    array = (
        values
        if isinstance(values, (pa.Array, pa.ChunkedArray))
        else pa.array(values, from_pandas=True)
    )
    if array.type != pa.large_string():  # 64-bit offsets before joining chunks (> 2 GiB text)
        array = array.cast(pa.large_string())
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def text_codes(values: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """int64 code per row (-1 where null) and the distinct texts the codes index."""
    encoded = pc.dictionary_encode(arrow_text(values))
    return _codes(encoded.indices), encoded.dictionary


@dataclass(frozen=True)
class Encoded:
    """A column numbered: ``codes`` per row (-1 where NA) index ``dictionary``; ``present``
    marks the dictionary entries the column holds (a shared dictionary holds others too)."""

    codes: np.ndarray
    dictionary: pa.Array | np.ndarray
    present: np.ndarray
    run: TextEncoding | None = None  # the run of text cells whose dictionary this is


def encode(column: TypedColumn) -> Encoded:
    """The codes of a validated column (computed once per column)."""
    cached: Encoded | None = column.codes.get("encoded")
    if cached is not None:
        return cached
    if not column.is_text:
        codes = np.full(len(column), -1, dtype=np.int64)
        dictionary, codes[~column.na] = np.unique(column.values[~column.na], return_inverse=True)
    elif column.encoding is None:  # an all-NA column
        codes, dictionary = (
            np.full(len(column), -1, dtype=np.int64),
            pa.array([], pa.large_string()),
        )
    else:
        codes, dictionary = _run_codes(column)
    present = np.zeros(len(dictionary), dtype=bool)
    present[codes[codes >= 0]] = True
    encoded = column.codes["encoded"] = Encoded(codes, dictionary, present, column.encoding)
    return encoded


def _run_codes(column: TypedColumn) -> tuple[np.ndarray, pa.Array]:
    """A text column's codes in the numbering of its run, -1 where NA."""
    codes, dictionary = column.encoding.codes(column.start, len(column))
    return np.where(column.na, -1, codes), dictionary


def lookup(column: TypedColumn, target: Encoded) -> np.ndarray:
    """The codes of ``column``'s values in ``target``'s numbering; -1 where the value is NA or
    not among ``target``'s values."""
    if len(target.present) == 0:  # an empty target: nothing is found
        return np.full(len(column), -1, dtype=np.int64)
    if column.is_text:
        if column.encoding is not None and column.encoding is target.run:
            place = _run_codes(column)[0]  # one run of cells (a request): one numbering
        else:
            place = _codes(pc.index_in(column.values, value_set=target.dictionary))
    else:
        distinct = target.dictionary
        place = np.minimum(np.searchsorted(distinct, column.values), len(distinct) - 1)
        place = np.where(~column.na & (distinct[place] == column.values), place, -1)
    found = (place >= 0) & target.present[place]  # place -1 reads the last entry: masked
    return np.where(found, place, -1)


class TextEncoding:
    """The dictionary codes of a run of text cells (a file's column, or every text cell of a
    request), computed when a rule first needs them; the columns cut from the run share them."""

    def __init__(self, text: pa.Array) -> None:
        self._text = text
        self._encoded: tuple[np.ndarray, pa.Array] | None = None

    def _get(self) -> tuple[np.ndarray, pa.Array]:
        if self._encoded is None:
            self._encoded = text_codes(self._text)
        return self._encoded

    def dictionary(self) -> pa.Array:
        """The distinct texts of the whole run."""
        return self._get()[1]

    def codes(self, start: int, length: int) -> tuple[np.ndarray, pa.Array]:
        """Codes of the cells ``start .. start + length`` and the dictionary they index."""
        codes, dictionary = self._get()
        return codes[start : start + length], dictionary


def _codes(indices: pa.Array) -> np.ndarray:
    """Arrow integer indices as int64 codes, -1 where null (read from the array's buffers:
    one pass, and no kernel call for a request's few cells)."""
    validity, data = indices.buffers()
    start, stop = indices.offset, indices.offset + len(indices)
    codes = np.frombuffer(data, dtype=indices.type.to_pandas_dtype())[start:stop].astype(np.int64)
    if indices.null_count:
        bits = np.unpackbits(np.frombuffer(validity, dtype=np.uint8), bitorder="little")
        codes[~bits[start:stop].astype(bool)] = -1
    return codes
