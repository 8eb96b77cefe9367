"""Payment keys (one check or EFT per payer and payment run) -> trace numbers, era ids, the
``remittances`` table and 835 PLB ``provider_adjustments`` (interest, forward balances)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cbclassify.contract.ledger import coerce_frame
from cbclassify.synth import rows as R
from cbclassify.synth.ids import days_to_dates, format_ids
from cbclassify.synth.world import World

_DAY_BITS = 2 * 64  # key code = day * 128 + payer * 2 + era


@dataclass
class Keys:
    """Unique payment keys and, per row, its key index (-1 where the row has none)."""

    row_key: np.ndarray
    payer: np.ndarray
    day: np.ndarray
    era: np.ndarray
    trace: pd.Series  # per key
    era_id: pd.Series  # per key (NA for paper checks)


def payment_keys(world: World, rows: R.Rows) -> Keys:
    """Factorize (payer, key_day, key_era) of rows with a payer trace."""
    has = rows["trace_kind"] == R.TRACE_KEY
    code = rows["key_day"] * _DAY_BITS + rows["payer"].astype(np.int64) * 2 + rows["key_era"]
    uniq, inverse = np.unique(code[has], return_inverse=True)
    row_key = np.full(len(code), -1, dtype=np.int64)
    row_key[has] = inverse
    day, rest = np.divmod(uniq, _DAY_BITS)
    payer, era = np.divmod(rest, 2)
    number = np.arange(len(uniq))
    eft = world.payers.eft[payer] & (era == 1)
    eft_trace = format_ids("1", payer * 10**8 + number, 10)
    check = format_ids("", number + 1_000_000, 7)
    trace = eft_trace.where(pd.Series(eft), check).astype("string")
    era_id = format_ids("ERA", number + 1, 8, valid=era == 1)
    return Keys(row_key, payer, day, era.astype(bool), trace, era_id)


def remittance_tables(world: World, rows: R.Rows, keys: Keys) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One remittance per ERA key; total_paid = payer payments received on it - PLB amounts.

    Duplicate postings of an 835 (``in_remit`` False) are not part of what the payer sent, so a
    remittance posted twice no longer balances against its postings, as in a real ledger."""
    rng = world.rng
    era_keys = np.nonzero(keys.era)[0]
    received = (
        (rows["kind"] == R.KIND["payment"])
        & (rows["source"] == R.PAYER_SRC)
        & rows["has_era"]
        & rows["in_remit"]
    )
    paid = np.zeros(len(keys.era), dtype=np.int64)
    np.add.at(paid, keys.row_key[received], rows["amount"][received])
    paid = paid[era_keys]
    interest = rng.random(len(era_keys)) < 0.03
    plb_amount = np.where(interest, -rng.integers(100, 2500, size=len(era_keys)), 0)
    short = paid - plb_amount < 0
    forward = np.where(short, paid - plb_amount, 0)
    total = paid - plb_amount - forward
    unbalanced = rng.random(len(era_keys)) < 0.005
    off_by = rng.integers(1, 5000, size=len(era_keys)) * np.where(
        rng.random(len(era_keys)) < 0.5, -1, 1
    )
    off_by = np.where(total + off_by < 0, -off_by, off_by)  # a payer never sends a negative total
    total = total + np.where(unbalanced, off_by, 0)
    eft = world.payers.eft[keys.payer[era_keys]]
    method = np.where(total == 0, "NON", np.where(eft, "ACH", "CHK"))
    era_ids = keys.era_id.iloc[era_keys].reset_index(drop=True)
    remits = pd.DataFrame(
        {
            "era_id": era_ids,
            "payer_id": np.array([p.payer_id for p in world.payers.specs], dtype=object)[
                keys.payer[era_keys]
            ],
            "trace_number": keys.trace.iloc[era_keys].reset_index(drop=True),
            "payment_date": days_to_dates(keys.day[era_keys]),
            "total_paid_cents": total,
            "method": method,
            "balanced": ~unbalanced,
        }
    )
    plb = pd.concat(
        [
            pd.DataFrame(
                {
                    "era_id": era_ids[interest],
                    "reason_code": "L6",
                    "reference": None,
                    "amount_cents": plb_amount[interest],
                }
            ),
            pd.DataFrame(
                {
                    "era_id": era_ids[short],
                    "reason_code": "FB",
                    "reference": None,
                    "amount_cents": forward[short],
                }
            ),
        ],
        ignore_index=True,
    )
    return coerce_frame("remittances", remits), coerce_frame("provider_adjustments", plb)
