"""``verify_credits`` for a handful of credits, in plain Python (the single-claim path).

``verify_credits`` is vectorized for whole ledgers: a few hundred pandas operations whatever the
number of credits, which costs about a second of CPU on a ledger of one claim (classify-on-demand,
issue 6). This path runs the same rules claim by claim over plain rows (``single_*`` modules) and
returns the identical frame: same rows, values, statements and dtypes. The equivalence is tested
on every credit of synthetic practices and on random ledgers (tests/verify/test_single.py).
``resolve.pipeline.verify_and_recommend`` picks it for at most ``SMALL_CREDITS`` credits.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from cbclassify.balances import resolve_as_of
from cbclassify.balances.rows import Credits
from cbclassify.contract.ledger import Ledger
from cbclassify.verify.engine import RESULT_COLUMNS, _empty_result
from cbclassify.verify.single_accounts import (
    governing_allowed_row,
    patient_account_row,
    payer_accounts_rows,
)
from cbclassify.verify.single_dups import find_duplicates_rows, uncoded_sequestration_rows
from cbclassify.verify.single_findings import allocate_rows, pattern_rows
from cbclassify.verify.single_parties import claim_row, party_rows
from cbclassify.verify.single_rows import ClaimRows, Row, SmallWorkset, build_small_workset, plain
from cbclassify.verify.single_statements import StatementContext, statement
from cbclassify.verify.single_verdict import (
    assemble_row,
    decide_row,
    summarize_components_row,
    summarize_parties_row,
)

#: Up to this many credits the plain-Python path is used (its cost grows with the credits'
#: postings; the vectorized engine's is nearly flat).
SMALL_CREDITS = 32

_STRING_COLUMNS = ("verification", "verified_source", "evidence", "statement", "review_reason",
                   "predicted_source", "confirmed_rule", "confirmed_action", "confirmed_payer_id")  # fmt: skip


def predicted_by_claim(
    predicted: pd.Series | pd.DataFrame | Mapping[str, str] | None,
) -> dict[str, str | None]:
    """The predicted source per claim_id (``verdict._predicted`` as a dict)."""
    if predicted is None:
        return {}
    if isinstance(predicted, Mapping):  # already claim_id -> source (the small scoring path)
        return {str(k): plain(v) for k, v in predicted.items()}
    if isinstance(predicted, pd.DataFrame):
        predicted = predicted.set_index("claim_id")["predicted_source"]
    values = predicted.astype("string").tolist()
    return {str(k): plain(v) for k, v in zip(predicted.index.tolist(), values, strict=True)}


def verify_records(
    ledger: Ledger, credits: Credits, as_of: object = None, predicted: Any = None
) -> tuple[SmallWorkset, list[Row]]:
    """The verdict of every credit as plain dicts (RESULT_COLUMNS keys), with the workset."""
    ws = build_small_workset(ledger, credits, resolve_as_of(ledger, as_of))
    preds = predicted_by_claim(predicted)
    return ws, [_verify_claim(ws, claim, preds.get(claim.claim_id)) for claim in ws.claims]


def _verify_claim(ws: SmallWorkset, claim: ClaimRows, pred: str | None) -> Row:
    groups = find_duplicates_rows(claim.txns)
    uncoded_sequestration_rows(claim.txns, ws.sequestering)
    accounts = payer_accounts_rows(claim)
    allowed = governing_allowed_row(claim, ws.fee_schedule, ws.fee_schedule_empty)
    patient = patient_account_row(claim)
    c = claim_row(claim, accounts, patient, allowed)
    parties = party_rows(c, accounts)
    pats = pattern_rows(claim.claim_id, groups, claim.txns, parties)
    refunds: dict[str, int] = {}
    for a in accounts:
        refunds.setdefault(a["payer_id"], a["refund_cents"])
    comps, full = allocate_rows(pats, parties, refunds)
    ctx = StatementContext(c, accounts, ws.payer_names)
    for comp in comps:
        comp["statement"] = statement(comp, ctx)
    for comp in comps:
        comp["txn_ids"] = _evidence_ids(comp, ctx, patient)
    v = decide_row(claim.credit_cents, summarize_components_row(comps),
                   summarize_parties_row(parties, full), ws.plb_keys, claim.claim_id, pred)  # fmt: skip
    v["claim_id"] = claim.claim_id
    v.update(assemble_row(v, comps))
    return v


def _evidence_ids(comp: Row, ctx: StatementContext, patient: Row) -> str:
    """A party's remainder rests on that party's postings (``engine._evidence_ids``)."""
    own = comp["txn_ids"] or ""
    if own != "":
        return own
    if comp["party"] == "patient":
        return patient["patient_txn_ids"] or ""
    account = ctx.accounts.get(comp["payer_id"] or "")
    return (account or {}).get("txn_ids") or ""


def result_frame(rows: list[Row]) -> pd.DataFrame:
    """Verdict dicts -> the frame ``verify_credits`` returns (same columns and dtypes)."""
    claim_ids = pd.Series([r["claim_id"] for r in rows], dtype="string")
    lists = {r["claim_id"]: r["components"] for r in rows}
    columns: dict[str, Any] = {
        "claim_id": claim_ids,
        "credit_cents": np.array([r["credit_cents"] for r in rows], dtype="int64"),
        "explained_cents": pd.array([r["explained_cents"] for r in rows], dtype="Int64"),
        "components": claim_ids.map(lambda c: lists.get(c, [])),
        "disagreement": pd.array([r["disagreement"] for r in rows], dtype="bool[pyarrow]"),
    }
    for name in _STRING_COLUMNS:
        columns[name] = pd.array([r[name] for r in rows], dtype="string")
    return pd.DataFrame({name: columns[name] for name in RESULT_COLUMNS})


def verify_credits_small(
    ledger: Ledger, credits: pd.DataFrame, as_of: object = None, predicted: Any = None
) -> pd.DataFrame:
    """``verify_credits`` (same arguments, same frame) for a handful of credits."""
    if credits.empty:
        return _empty_result()
    _, rows = verify_records(ledger, credits, as_of, predicted)
    return result_frame(rows)
