"""``verify_and_recommend``: the verification and resolution columns of the scoring output."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from cbclassify.balances import resolve_as_of
from cbclassify.bundles import ClaimBundle, LedgerContext, map_patient_groups
from cbclassify.contract.ledger import Ledger
from cbclassify.resolve.actions import Recommendation, held_patient_credit, recommend
from cbclassify.resolve.deadlines import Investigation
from cbclassify.resolve.policy import Policy, default_policy
from cbclassify.verify import Verdict, verify_bundle
from cbclassify.verify.engine import credits_on, predicted_by_claim

SCORING_COLUMNS = [
    "claim_id",
    "credit_amount_cents",
    "verification",
    "verified_source",
    "explained_amount_cents",
    "evidence",
    "recommended_action",
    "due_date",
    "due_basis",
    "dormancy_date",
    "overpayment_payer_id",
    "approval_required",
    "apply_to_claim_id",
    "disagreement",
    "statement",
    "review_reason",
    "ledger_source",
    "ledger_amount_cents",
    "candidates",
]
_TEXT_COLUMNS = ("verification", "verified_source", "evidence", "recommended_action",
                 "due_basis", "overpayment_payer_id", "apply_to_claim_id", "statement",
                 "review_reason", "ledger_source", "candidates")  # fmt: skip


@dataclass(frozen=True)
class Resolved:
    """One credit verified and its recommendation."""

    verdict: Verdict
    recommendation: Recommendation


def verify_and_recommend(
    ledger: Ledger,
    credits: pd.DataFrame,
    predicted: pd.Series | pd.DataFrame | Mapping[str, str] | None = None,
    as_of: pd.Timestamp | str | None = None,
    policy: Policy | None = None,
    investigations: pd.DataFrame | None = None,
    *,
    workers: int | None = None,
) -> pd.DataFrame:
    """Verify every credit and recommend an action with its due date.

    Returns one row per credit (``SCORING_COLUMNS``, in the credits' order): the contract's
    scoring columns (``explained_amount_cents`` in integer cents, Int64) plus due_basis,
    dormancy_date, overpayment_payer_id, approval_required, apply_to_claim_id, disagreement,
    statement, review_reason, and ledger_source / ledger_amount_cents (refuted: the source the
    ledger proves instead of the prediction, and its amount) and candidates (inconclusive:
    the sources that explain the credit equally, '|'-joined). ``investigations``: claim_id, opened_date, closed_date (NaT
    while open) of good-faith investigations (they suspend government deadlines).
    """
    return resolution_frame(
        resolve_credits(ledger, credits, predicted, as_of, policy, investigations, workers=workers)
    )


def resolve_credits(
    ledger: Ledger,
    credits: pd.DataFrame,
    predicted: pd.Series | pd.DataFrame | Mapping[str, str] | None = None,
    as_of: pd.Timestamp | str | None = None,
    policy: Policy | None = None,
    investigations: pd.DataFrame | None = None,
    *,
    workers: int | None = None,
) -> list[Resolved]:
    """``verify_and_recommend`` unframed: a ``Resolved`` per credit, in the credits' order."""
    if credits.empty:
        return []
    dated = credits_on(credits, resolve_as_of(ledger, as_of))
    fn = partial(
        resolve_predicted,
        predicted=predicted_by_claim(predicted),
        policy=policy or default_policy(),
        investigations=investigations_by_claim(investigations),
    )
    return map_patient_groups(fn, ledger, dated, workers=workers)


def resolve_predicted(
    context: LedgerContext,
    bundle: ClaimBundle,
    predicted: Mapping[str, str | None],
    policy: Policy,
    investigations: Mapping[str, Sequence[Investigation]],
) -> Resolved:
    """One credit verified against its prediction (looked up in ``predicted``) and its
    recommendation."""
    verdict = verify_bundle(
        context,
        bundle,
        predicted.get(bundle.claim_id),
        confirm_ledger_source=policy.verification.confirm_ledger_source,
    )
    verdict = held_patient_credit(bundle, verdict, policy)
    found = investigations.get(bundle.claim_id, ())
    return Resolved(verdict, recommend(context, bundle, verdict, policy, investigations=found))


def investigations_by_claim(
    investigations: pd.DataFrame | None,
) -> dict[str, list[Investigation]]:
    """A table of investigations (claim_id, opened_date, closed_date) by claim."""
    if investigations is None or investigations.empty:
        return {}
    out: dict[str, list[Investigation]] = {}
    opened = pd.to_datetime(investigations["opened_date"]).dt.date.tolist()
    closed = pd.to_datetime(investigations["closed_date"])
    ends = [None if pd.isna(c) else c.date() for c in closed]
    for claim, start, end in zip(investigations["claim_id"].tolist(), opened, ends, strict=True):
        out.setdefault(str(claim), []).append(Investigation(start, end))
    return out


def resolution_frame(resolved: Sequence[Resolved]) -> pd.DataFrame:
    """Resolved credits -> the frame of ``verify_and_recommend`` (``SCORING_COLUMNS``)."""
    values: dict[str, list[Any]] = {name: [] for name in SCORING_COLUMNS}
    for item in resolved:
        v, r = item.verdict, item.recommendation
        row = {**vars(v), **vars(r)}
        for name in SCORING_COLUMNS:
            values[name].append(row[name])
    columns: dict[str, Any] = {
        "claim_id": pd.array(values["claim_id"], dtype="string"),
        "credit_amount_cents": np.array(values["credit_amount_cents"], dtype="int64"),
        "explained_amount_cents": pd.array(values["explained_amount_cents"], dtype="Int64"),
        "ledger_amount_cents": pd.array(values["ledger_amount_cents"], dtype="Int64"),
        "approval_required": np.array(values["approval_required"], dtype=bool),
        "disagreement": pd.array(values["disagreement"], dtype="bool[pyarrow]"),
    }
    for name in _TEXT_COLUMNS:
        columns[name] = pd.array(values[name], dtype="string")
    for name in ("due_date", "dormancy_date"):
        columns[name] = pd.to_datetime(pd.Series(values[name], dtype=object)).astype(
            "datetime64[ns]"
        )
    return pd.DataFrame({name: columns[name] for name in SCORING_COLUMNS})
