"""Fast membership tests on identifier columns.

pandas 3's ``Series.isin`` on a pyarrow-backed string column builds one pyarrow scalar per member,
which costs seconds when the member set holds tens of thousands of claim ids. ``member_mask``
hands the whole set to pyarrow's hash kernel (``pyarrow.compute.is_in``) instead.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def member_mask(values: pd.Series, members: Iterable[object] | pd.Index) -> np.ndarray:
    """Boolean array: True where ``values`` (string ids, NA never a member) is in ``members``."""
    haystack = pa.array(pd.Series(values).astype("string"))
    listed = members if isinstance(members, (pd.Index, pd.Series)) else list(members)
    wanted = pa.array(pd.Series(listed, dtype="string"))
    if len(wanted) == 0:
        return np.zeros(len(haystack), dtype=bool)
    mask = pc.is_in(haystack, value_set=wanted.cast(haystack.type), skip_nulls=True)
    return np.asarray(mask.fill_null(False), dtype=bool)
