"""The contract's balance rule: the sign of a posting's effect on a claim's balance.

``balance = sum(charge) - sum(payment, adjustment, transfer) + sum(refund)``; responsibility
rows do not move the balance. ``balance_effect`` is the rule for one posting,
``balance_effects`` the same table applied to columns (the batch form).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from cbclassify.contract.enums import BALANCE_REDUCING_KINDS

#: Multiplier of the amount per transaction kind (kinds not listed move nothing).
_SIGN: dict[str, int] = {**dict.fromkeys(BALANCE_REDUCING_KINDS, -1), "refund": 1}


def balance_effect(kind: str | None, amount_cents: int) -> int:
    """The effect of one posting on its claim's balance, in cents: ``-amount`` for a payment,
    adjustment or transfer, ``+amount`` for a refund, 0 for anything else."""
    return _SIGN.get(kind, 0) * amount_cents if kind is not None else 0


def balance_effects(kinds: pd.Series, amounts_cents: pd.Series) -> npt.NDArray[np.int64]:
    """``balance_effect`` of each row (int64; a missing amount counts as 0)."""
    amount = amounts_cents.astype("Int64").to_numpy(dtype="int64", na_value=0)
    sign: npt.NDArray[np.int64] = np.zeros(len(amount), dtype="int64")
    for kind, multiplier in _SIGN.items():
        # Series.eq stays in pyarrow for string columns (np.isin would box every value).
        sign[kinds.eq(kind).fillna(False).to_numpy(dtype=bool)] = multiplier
    return np.multiply(sign, amount, dtype="int64")
