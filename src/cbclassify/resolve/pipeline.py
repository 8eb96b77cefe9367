"""``verify_and_recommend``: the verification and resolution columns of the scoring output."""

from __future__ import annotations

import pandas as pd

from cbclassify.balances import resolve_as_of
from cbclassify.contract.ledger import Ledger
from cbclassify.resolve.actions import recommend
from cbclassify.resolve.policy import Policy, default_policy
from cbclassify.resolve.single import verify_and_recommend_small
from cbclassify.verify import verify_credits
from cbclassify.verify.single import SMALL_CREDITS

SCORING_COLUMNS = [
    "claim_id",
    "credit_cents",
    "verification",
    "verified_source",
    "explained_amount",
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
]


def verify_and_recommend(
    ledger: Ledger,
    credits: pd.DataFrame,
    predicted: pd.Series | pd.DataFrame | None = None,
    as_of: object = None,
    policy: Policy | None = None,
    investigations: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Verify every credit and recommend an action with its due date.

    Returns one row per credit with the contract's scoring columns (``explained_amount`` is in
    integer cents, Int64) plus due_basis, dormancy_date, overpayment_payer_id,
    approval_required, apply_to_claim_id, disagreement, statement and review_reason.
    Up to ``SMALL_CREDITS`` credits (and no investigations) run the plain-Python single-claim
    path (``resolve.single``), which gives the identical frame without the vectorized engine's
    fixed cost; more run ``verify_and_recommend_vectorized``.
    """
    if investigations is None and 0 < len(credits) <= SMALL_CREDITS:
        return verify_and_recommend_small(
            ledger, credits, predicted, as_of, policy or default_policy()
        )
    return verify_and_recommend_vectorized(
        ledger, credits, predicted, as_of, policy, investigations
    )


def verify_and_recommend_vectorized(
    ledger: Ledger,
    credits: pd.DataFrame,
    predicted: pd.Series | pd.DataFrame | None = None,
    as_of: object = None,
    policy: Policy | None = None,
    investigations: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """``verify_and_recommend`` by the vectorized engine, whatever the number of credits."""
    day = resolve_as_of(ledger, as_of)
    verified = verify_credits(ledger, credits, day, predicted)
    actions = recommend(ledger, verified, day, policy, investigations)
    out = verified.merge(actions, on="claim_id", how="left")
    out = out.rename(columns={"explained_cents": "explained_amount"})
    return out[SCORING_COLUMNS]
