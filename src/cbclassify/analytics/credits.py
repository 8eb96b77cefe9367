"""The credits root-cause analytics reads: one row per credit with its source and evidence.

``CREDIT_EVENT_COLUMNS``: claim_id, source, basis (``verified``, ``predicted`` or ``resolved``),
credit_amount_cents (Int64), date (when the credit was identified/seen), evidence (';'-joined txn_ids
or NA). Build it from the scoring output (open credits), from the resolutions table (credits
billers already adjudicated), or both (``combine_credits``).
"""

from __future__ import annotations

import pandas as pd

from cbclassify.contract.enums import CREDIT_SOURCES
from cbclassify.contract.ledger import Ledger

CREDIT_EVENT_COLUMNS: tuple[str, ...] = (
    "claim_id",
    "source",
    "basis",
    "credit_amount_cents",
    "date",
    "evidence",
)
#: Preference when one claim appears more than once: a verified source beats a biller's label,
#: which beats a prediction.
BASIS_ORDER: tuple[str, ...] = ("verified", "resolved", "predicted")
#: The postings that can cause each source, used as evidence when a credit has none
#: (e.g. a resolution row): kind and who posted it.
SOURCE_POSTINGS: dict[str, tuple[str, str]] = {
    "payer_overpayment": ("payment", "payer"),
    "duplicate_payment": ("payment", ""),
    "allowance_error": ("adjustment", ""),
    "patient_credit": ("payment", "patient"),
}


def _blank_as_na(text: pd.Series) -> pd.Series:
    """Blank strings as NA."""
    return text.mask(text == "")


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            "claim_id": frame["claim_id"].astype("string"),
            "source": frame["source"].astype("string"),
            "basis": frame["basis"].astype("string"),
            "credit_amount_cents": frame["credit_amount_cents"].astype("Int64"),
            "date": pd.to_datetime(frame["date"]).astype("datetime64[ns]"),
            "evidence": _blank_as_na(frame["evidence"].astype("string")),
        }
    )
    bad = sorted(set(out["source"].dropna()) - set(CREDIT_SOURCES))
    if bad:
        raise ValueError(f"unknown credit sources: {bad}")
    return out[out["source"].notna()].reset_index(drop=True)


def empty_credits() -> pd.DataFrame:
    """A typed frame with no credits."""
    return _typed(pd.DataFrame({c: [] for c in CREDIT_EVENT_COLUMNS}))


def credits_from_scores(scores: pd.DataFrame, as_of: pd.Timestamp | str) -> pd.DataFrame:
    """Open credits from the scoring output: the verified source where verification confirmed
    it (evidence = its txn_ids), else the predicted source (evidence from the ledger)."""
    if scores.empty:
        return empty_credits()
    confirmed = scores["verification"].astype("string").eq("confirmed").fillna(False).to_numpy(bool)
    verified = scores["verified_source"].astype("string")
    frame = pd.DataFrame(
        {
            "claim_id": scores["claim_id"],
            "source": verified.where(confirmed, scores["predicted_source"].astype("string")),
            "basis": pd.Series(
                ["verified" if c else "predicted" for c in confirmed], index=scores.index
            ),
            "credit_amount_cents": scores["credit_amount_cents"],
            "date": pd.Timestamp(as_of),
            "evidence": scores["evidence"].astype("string").where(confirmed),
        }
    )
    return _typed(frame)


def credits_from_resolutions(ledger: Ledger) -> pd.DataFrame:
    """Adjudicated credits from the resolutions table (the biller's source label), dated by
    identified_date (else resolved_date); evidence is derived from the ledger."""
    res = ledger.resolutions
    if res.empty:
        return empty_credits()
    frame = pd.DataFrame(
        {
            "claim_id": res["claim_id"],
            "source": res["source"],
            "basis": "resolved",
            "credit_amount_cents": res["amount_cents"],
            "date": res["identified_date"].fillna(res["resolved_date"]),
            "evidence": pd.NA,
        }
    )
    return _typed(frame)


def combine_credits(*frames: pd.DataFrame) -> pd.DataFrame:
    """Union of credit frames, one row per (claim, date): the best basis wins (BASIS_ORDER)."""
    parts = [_typed(f) for f in frames if f is not None and len(f)]
    if not parts:
        return empty_credits()
    both = pd.concat(parts, ignore_index=True)
    rank = both["basis"].map({b: i for i, b in enumerate(BASIS_ORDER)}).fillna(len(BASIS_ORDER))
    both = both.assign(_rank=rank.to_numpy()).sort_values(
        ["claim_id", "date", "_rank"], kind="stable"
    )
    return both.drop_duplicates(["claim_id", "date"]).drop(columns="_rank").reset_index(drop=True)


def evidence_postings(ledger: Ledger, credits: pd.DataFrame) -> pd.DataFrame:
    """(credit, txn) pairs: each credit's evidence txn_ids; a credit without evidence gets the
    claim's postings that can cause its source (SOURCE_POSTINGS), up to its date.

    Returns columns credit (row position in ``credits``) and every transactions column."""
    txns = ledger.transactions
    positions = pd.Series(range(len(credits)), index=credits.index, name="credit")
    listed = credits["evidence"].dropna().str.split(";").explode().str.strip()
    listed = listed[listed.ne("").fillna(False).to_numpy(bool)]
    named = pd.DataFrame(
        {"credit": positions.loc[listed.index].to_numpy(), "txn_id": listed.to_numpy()}
    )
    named = named.merge(txns, on="txn_id", how="inner")
    missing = credits["evidence"].isna().to_numpy()
    pending = pd.DataFrame(
        {
            "credit": positions[missing].to_numpy(),
            "claim_id": credits.loc[missing, "claim_id"].to_numpy(),
            "credit_source": credits.loc[missing, "source"].to_numpy(),
            "credit_date": credits.loc[missing, "date"].to_numpy(),
        }
    )
    derived = pending.merge(txns, on="claim_id", how="inner")
    kind = derived["credit_source"].map({s: k for s, (k, _) in SOURCE_POSTINGS.items()})
    who = derived["credit_source"].map({s: w for s, (_, w) in SOURCE_POSTINGS.items()})
    keep = (
        (derived["kind"] == kind)
        & ((who == "") | (derived["source"] == who))
        & (derived["posted_date"] <= derived["credit_date"])
    )
    derived = derived[keep.fillna(False).to_numpy(bool)]
    columns = ["credit", *txns.columns]
    return pd.concat([named[columns], derived[columns]], ignore_index=True)
