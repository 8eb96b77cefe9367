"""The contract's balance rule: how one posting moves its claim's balance (docs/ledger.md, 4).

``balance = sum(charge) - sum(payment, adjustment, transfer) + sum(refund)``; a responsibility
row does not move the balance. ``BALANCE_SIGNS`` is the rule; ``balance_effect`` applies it to
one posting and ``balance_effects`` to whole columns (every ledger-wide sum uses that one).
Exact integer cents throughout.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cbclassify.contract.enums import BALANCE_REDUCING_KINDS
from cbclassify.contract.validate_codes import arrow_text

#: The sign each kind gives its amount; a kind not listed (responsibility) gives 0.
BALANCE_SIGNS: dict[str, int] = {kind: -1 for kind in BALANCE_REDUCING_KINDS} | {"refund": 1}


def balance_effect(kind: str, amount_cents: int) -> int:
    """The change in the claim's balance, in cents, from one posting of ``kind``."""
    return BALANCE_SIGNS.get(kind, 0) * amount_cents


def balance_effects(
    kinds: pd.Series | pa.Array | pa.ChunkedArray, amounts_cents: pd.Series | np.ndarray
) -> np.ndarray:
    """``balance_effect`` of every posting: int64 cents, one per row.

    ``kinds`` is the ``kind`` column (NA gives 0); ``amounts_cents`` the ``amount_cents``
    column, without NA (a loaded ledger has none).
    """
    amounts = np.asarray(amounts_cents, dtype=np.int64)
    text = arrow_text(kinds)
    signs = np.zeros(len(amounts), dtype=np.int64)
    for sign in (-1, 1):
        chosen = pa.array([k for k, s in BALANCE_SIGNS.items() if s == sign], text.type)
        found = pc.fill_null(pc.is_in(text, value_set=chosen), False)
        signs[found.to_numpy(zero_copy_only=False)] = sign
    return signs * amounts
