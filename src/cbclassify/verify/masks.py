"""numpy ``select``/``where`` that accept pandas nullable booleans (NA counts as False).

pandas comparisons on ``string``/``Int64`` columns give nullable booleans; numpy rejects them
as conditions once an NA is present. Every condition goes through ``as_mask`` first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd


def as_mask(condition: Any) -> np.ndarray:
    """A plain numpy bool array; NA is False."""
    if isinstance(condition, np.ndarray) and condition.dtype == bool:
        return condition
    return (
        pd.Series(np.asarray(condition, dtype=object) if np.ndim(condition) == 0 else condition)
        .astype("boolean")
        .fillna(False)
        .to_numpy(bool)
    )


def select(conditions: Sequence[Any], choices: Sequence[Any], default: Any = 0) -> np.ndarray:
    """``np.select`` with NA-safe conditions."""
    return np.select([as_mask(c) for c in conditions], list(choices), default=default)


def where(condition: Any, yes: Any, no: Any) -> np.ndarray:
    """``np.where`` with an NA-safe condition."""
    return np.where(as_mask(condition), yes, no)
