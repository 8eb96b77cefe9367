"""Turn the generator's arrays into the contract's typed frames (memory dtypes)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cbclassify.contract.enums import GROUP_CODES, TXN_KINDS, TXN_METHODS, TXN_SOURCES
from cbclassify.contract.ledger import coerce_frame
from cbclassify.synth import rows as R
from cbclassify.synth.ids import claim_ids, days_to_dates, decode, format_ids, patient_ids, txn_ids
from cbclassify.synth.remits import Keys
from cbclassify.synth.world import World


def payer_codes(world: World) -> list[str]:
    return [p.payer_id for p in world.payers.specs]


def payers_frame(world: World) -> pd.DataFrame:
    specs = world.payers.specs
    return coerce_frame(
        "payers",
        pd.DataFrame(
            {
                "payer_id": [p.payer_id for p in specs],
                "payer_name": [p.name for p in specs],
                "payer_type": [p.payer_type for p in specs],
                "refund_deadline_days": pd.array(
                    [p.refund_deadline_days for p in specs], dtype="Int64"
                ),
                "allows_offset": pd.array([p.allows_offset for p in specs], dtype="boolean"),
            }
        ),
    )


def patients_frame(world: World) -> pd.DataFrame:
    pats = world.patients
    assert pats is not None
    return coerce_frame(
        "patients",
        pd.DataFrame(
            {
                "patient_id": patient_ids(np.arange(pats.n)),
                "state": pats.state.astype(str),
            }
        ),
    )


def claim_lines_frame(world: World) -> pd.DataFrame:
    c, ln, fees = world.claims, world.lines, world.fees
    assert c is not None and ln is not None and fees is not None
    claim = ln.claim
    payer_names = payer_codes(world)
    return coerce_frame(
        "claim_lines",
        pd.DataFrame(
            {
                "claim_id": claim_ids(claim),
                "line_no": ln.line_no,
                "patient_id": patient_ids(c.patient[claim]),
                "payer_id": decode(c.payer[claim], payer_names),
                "secondary_payer_id": decode(c.secondary[claim], payer_names),
                "location_id": decode(c.location[claim], world.location_ids),
                "provider_id": decode(c.provider[claim], [str(p) for p in world.provider_ids]),
                "service_date": days_to_dates(c.service_day[claim]),
                "cpt": decode(ln.slot, [str(x) for x in fees.slot_cpt]),
                "modifier": decode(ln.slot, [str(x) for x in fees.slot_modifier]),
                "units": ln.units,
                "charge_amount_cents": ln.charge,
                "billed_date": days_to_dates(c.billed_day[claim]),
            }
        ),
    )


def posting_order(rows: R.Rows) -> np.ndarray:
    """Rows in the order they were posted (txn ids increase with it)."""
    return np.lexsort(
        (
            rows["role"],
            rows["kind"],
            rows["gline"],
            rows["claim"],
            rows["phase"],
            rows["posted_day"],
        )
    )


def transactions_frame(world: World, rows: R.Rows, keys: Keys) -> pd.DataFrame:
    """The transactions table of ``rows`` (already in posting order; txn ids follow it)."""
    c = world.claims
    assert c is not None
    n = len(rows["claim"])
    claim = rows["claim"]
    gline = rows["gline"]
    line_ok = gline >= 0
    key = keys.row_key
    has_key = key >= 0
    key_trace = (
        keys.trace.iloc[np.maximum(key, 0)].reset_index(drop=True)
        if len(keys.trace)
        else pd.Series([pd.NA] * n, dtype="string")
    )
    receipt = format_ids("R", rows["trace_num"], 9)
    refund = format_ids("RF", rows["trace_num"], 8)
    tk = rows["trace_kind"]
    trace = key_trace.where(
        pd.Series(has_key),
        receipt.where(
            pd.Series(tk == R.TRACE_RECEIPT), refund.where(pd.Series(tk == R.TRACE_REFUND))
        ),
    )
    era_ok = has_key & rows["has_era"]
    era_id = (
        keys.era_id.iloc[np.maximum(key, 0)].reset_index(drop=True)
        if len(keys.era_id)
        else pd.Series([pd.NA] * n, dtype="string")
    )
    allowed = pd.array(np.where(rows["allowed"] == R.NO_AMOUNT, 0, rows["allowed"]), dtype="Int64")
    allowed[rows["allowed"] == R.NO_AMOUNT] = pd.NA
    frame = pd.DataFrame(
        {
            "txn_id": txn_ids(np.arange(n)),
            "claim_id": claim_ids(claim),
            "line_no": pd.array(
                np.where(line_ok, gline - c.first_line[claim] + 1, 0), dtype="Int64"
            ),
            "kind": decode(rows["kind"], TXN_KINDS),
            "source": decode(rows["source"], TXN_SOURCES),
            "payer_id": decode(rows["payer"], payer_codes(world)),
            "amount_cents": rows["amount"],
            "group_code": decode(rows["group"], GROUP_CODES),
            "reason_code": decode(rows["reason"], R.REASONS),
            "allowed_amount_cents": allowed,
            "trace_number": trace.astype("string"),
            "era_id": era_id.where(pd.Series(era_ok)).astype("string"),
            "method": decode(rows["method"], TXN_METHODS),
            "posted_date": days_to_dates(rows["posted_day"]),
            "posted_by": decode(rows["posted_by"], R.USERS),
        }
    )
    frame.loc[~line_ok, "line_no"] = pd.NA
    return coerce_frame("transactions", frame)
