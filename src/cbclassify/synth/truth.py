"""The truth table (one row per injected credit) and the ``resolutions`` labels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cbclassify.contract.enums import ACTIONS, CREDIT_SOURCES
from cbclassify.contract.ledger import coerce_frame
from cbclassify.synth import registry as G
from cbclassify.synth import rows as R
from cbclassify.synth.credits import Credits
from cbclassify.synth.ids import claim_ids, days_to_dates, decode, patient_ids, txn_ids
from cbclassify.synth.resolution import Outcome, component_sources
from cbclassify.synth.world import World

#: Truth columns: the interface (first twelve), then extra detail.
TRUTH_COLUMNS: tuple[str, ...] = (
    "claim_id",
    "source",
    "variant",
    "action",
    "credit_amount_cents",
    "identified_date",
    "resolved",
    "label_source",
    "hard_case",
    "mixed",
    "secondary_source",
    "evidence_txn_ids",
    "patient_id",
    "payer_id",
    "refund_payer_id",
    "arose_date",
    "resolved_date",
    "hard_kind",
    "secondary_variant",
    "secondary_action",
    "principal_cents",
    "secondary_cents",
)


def _pick(matrix: np.ndarray, col: np.ndarray) -> np.ndarray:
    return matrix[np.arange(len(col)), col]


def evidence_strings(rows: R.Rows, n: int) -> pd.Series:
    """Per credit, the ';'-joined txn ids (ascending) of the rows marked as its evidence; ``rows``
    are in posting order (row i has txn id number i + 1)."""
    sel = np.nonzero(rows["evid"] >= 0)[0]
    credit = rows["evid"][sel]
    order = np.lexsort((sel, credit))
    sel, credit = sel[order], credit[order]
    counts = np.bincount(credit, minlength=n)
    offsets = np.r_[0, np.cumsum(counts)].astype(np.int32)
    values = pa.array(txn_ids(sel).array).cast(pa.string())
    joined = pc.binary_join(pa.ListArray.from_arrays(pa.array(offsets), values), ";")
    return pd.Series(pd.arrays.ArrowStringArray(joined)).where(pd.Series(counts > 0))


def truth_frame(world: World, credits: Credits, out: Outcome, evidence: pd.Series) -> pd.DataFrame:
    c = world.claims
    assert c is not None
    principal = credits.principal
    secondary = 1 - principal
    mixed = credits.variant[:, 1] >= 0
    sources = component_sources(credits)
    payer_ids = [p.payer_id for p in world.payers.specs]
    sec_source = np.where(mixed, _pick(sources, secondary), -1)
    frame = pd.DataFrame(
        {
            "claim_id": claim_ids(credits.claim),
            "source": decode(_pick(sources, principal), CREDIT_SOURCES),
            "variant": decode(_pick(credits.variant, principal), G.VARIANT_NAMES),
            "action": decode(_pick(out.action, principal), ACTIONS),
            "credit_amount_cents": credits.total.astype(np.int64),
            "identified_date": days_to_dates(out.identified),
            "resolved": out.resolved,
            "label_source": decode(
                np.where(out.resolved, out.label, _pick(sources, principal)), CREDIT_SOURCES
            ),
            "hard_case": credits.hard != G.HARD_NONE,
            "mixed": mixed,
            "secondary_source": decode(sec_source, CREDIT_SOURCES),
            "evidence_txn_ids": evidence.reset_index(drop=True),
            "patient_id": patient_ids(c.patient[credits.claim]),
            "payer_id": decode(c.payer[credits.claim], payer_ids),
            "refund_payer_id": decode(_pick(credits.refund_payer, principal), payer_ids),
            "arose_date": days_to_dates(out.arose),
            "resolved_date": days_to_dates(out.resolved_day, valid=out.resolved),
            "hard_kind": decode(credits.hard.astype(np.int64), G.HARD_KINDS),
            "secondary_variant": decode(
                np.where(mixed, _pick(credits.variant, secondary), -1), G.VARIANT_NAMES
            ),
            "secondary_action": decode(np.where(mixed, _pick(out.action, secondary), -1), ACTIONS),
            "principal_cents": _pick(credits.amount, principal).astype(np.int64),
            "secondary_cents": np.where(mixed, _pick(credits.amount, secondary), 0).astype(
                np.int64
            ),
        }
    )
    frame["resolved"] = frame["resolved"].astype("boolean")
    frame["hard_case"] = frame["hard_case"].astype("boolean")
    frame["mixed"] = frame["mixed"].astype("boolean")
    frame["credit_amount_cents"] = frame["credit_amount_cents"].astype("Int64")
    frame["principal_cents"] = frame["principal_cents"].astype("Int64")
    frame["secondary_cents"] = frame["secondary_cents"].astype("Int64")
    return frame.sort_values("claim_id", kind="stable").reset_index(drop=True)[list(TRUTH_COLUMNS)]


def resolutions_frame(world: World, credits: Credits, out: Outcome) -> pd.DataFrame:
    """One label row per resolved credit: the biller's source (noisy), the action taken."""
    k = np.nonzero(out.resolved)[0]
    principal = credits.principal[k]
    frame = pd.DataFrame(
        {
            "claim_id": claim_ids(credits.claim[k]),
            "source": decode(out.label[k], CREDIT_SOURCES),
            "action": decode(out.action[k, principal], ACTIONS),
            "amount_cents": credits.total[k].astype(np.int64),
            "resolved_date": days_to_dates(out.resolved_day[k]),
            "resolved_by": decode(out.resolver[k], R.USERS),
            "identified_date": days_to_dates(out.identified[k]),
        }
    )
    return coerce_frame(
        "resolutions", frame.sort_values("claim_id", kind="stable").reset_index(drop=True)
    )
