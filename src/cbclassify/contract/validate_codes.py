"""Integer codes for id columns (equal text -> equal code, -1 for blank/NA), via pyarrow's
hash kernels: ``dictionary_encode`` for one column, ``index_in`` to look a column up in
another column's distinct values (cheaper than encoding both together)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_NA_INT = np.iinfo(np.int64).min


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


def text_codes(values: pd.Series | pa.Array) -> tuple[np.ndarray, pa.Array]:
    """int64 code per row (-1 where NA) and the distinct texts the codes index."""
    encoded = pc.dictionary_encode(arrow_text(values))
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    return codes, encoded.dictionary


def lookup_codes(values: pd.Series, distinct: pa.Array | np.ndarray) -> np.ndarray:
    """Position of each value in ``distinct`` (from ``text_codes``/``int_codes``); -1 where
    the value is NA or not among them."""
    if isinstance(distinct, np.ndarray):
        numbers = values.to_numpy(dtype=np.int64, na_value=_NA_INT)
        return pd.Index(distinct).get_indexer(numbers).astype(np.int64)
    found = pc.index_in(arrow_text(values), value_set=distinct)
    return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)


def int_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Like ``text_codes`` for a nullable integer column."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return codes.astype(np.int64), np.asarray(uniques, dtype=np.int64)
