"""The credit-balance worklist: one row per claim carrying a credit on the as-of date.

Pure and vectorized (groupby/merge over the whole ledger, no per-claim loops). Column meanings
for billers are in docs/worklist.md; filters and sorting live in ``balances.worklist_query``.
"""

from __future__ import annotations

import pandas as pd

from cbclassify.balances.balance import (
    claim_balances,
    credits_from_claim_balances,
    ledger_as_of,
    resolve_as_of,
)
from cbclassify.balances.credit_age import credit_since
from cbclassify.balances.keys import member_mask
from cbclassify.contract.ledger import Ledger

#: Worklist columns, in order. Money is Int64 cents (``_cents``), dates datetime64[ns].
WORKLIST_COLUMNS: tuple[str, ...] = (
    "claim_id",
    "patient_id",
    "payer_id",
    "payer_name",
    "payer_type",
    "secondary_payer_id",
    "location_id",
    "provider_id",
    "first_service_date",
    "last_service_date",
    "charge_amount_cents",
    "credit_amount_cents",
    "credit_since",
    "age_days",
    "last_posted_date",
    "patient_open_balance_cents",
    "patient_open_claims",
    "patient_other_credits",
)
#: payer_name / payer_type shown for a self-pay claim (blank primary payer_id).
SELF_PAY_NAME = "Self-pay"
SELF_PAY_TYPE = "self_pay"
#: provider_id shown when a claim's lines have different rendering providers.
MULTIPLE_PROVIDERS = "multiple"

_STRING_COLUMNS = (
    "claim_id",
    "patient_id",
    "payer_id",
    "payer_name",
    "payer_type",
    "secondary_payer_id",
    "location_id",
    "provider_id",
)
_DATE_COLUMNS = ("first_service_date", "last_service_date", "credit_since", "last_posted_date")


def _first_lines(lines: pd.DataFrame) -> pd.DataFrame:
    """Each claim's lowest-numbered line (the claim's header facts), indexed by claim_id.

    Sorts on the integer line_no only (a stable sort keeps file order among equal numbers), so the
    first occurrence of each claim_id is its lowest line; no sort on the string ids is needed."""
    ordered = lines.sort_values("line_no", kind="stable")
    return ordered.drop_duplicates("claim_id").set_index("claim_id")


def _claim_facts(lines: pd.DataFrame) -> pd.DataFrame:
    """Header facts per claim: first line's patient/payers/location/provider, the service-date
    span, and "multiple" as provider where lines disagree."""
    first = _first_lines(lines)[
        ["patient_id", "payer_id", "secondary_payer_id", "location_id", "provider_id"]
    ]
    grouped = lines.groupby("claim_id", sort=False)
    span = grouped["service_date"].agg(first_service_date="min", last_service_date="max")
    providers = grouped["provider_id"].nunique(dropna=True)
    facts = first.join(span)
    multiple = providers.reindex(facts.index).fillna(0) > 1
    facts["provider_id"] = facts["provider_id"].astype("string").mask(multiple, MULTIPLE_PROVIDERS)
    return facts


def _payer_facts(facts: pd.DataFrame, payers: pd.DataFrame) -> pd.DataFrame:
    """payer_name and payer_type of each claim's primary payer (self-pay when blank)."""
    lookup = payers.drop_duplicates("payer_id").set_index("payer_id")[["payer_name", "payer_type"]]
    out = lookup.reindex(facts["payer_id"]).set_axis(facts.index)
    self_pay = facts["payer_id"].isna()
    out["payer_name"] = out["payer_name"].astype("string").mask(self_pay, SELF_PAY_NAME)
    out["payer_type"] = out["payer_type"].astype("string").mask(self_pay, SELF_PAY_TYPE)
    return out


def _patient_context(balances: pd.DataFrame, claim_patient: pd.Series) -> pd.DataFrame:
    """Per patient, as of the date: the summed positive balances of their claims (open_cents),
    how many claims that is (is_open), and their count of credit claims (is_credit)."""
    frame = balances.assign(patient_id=claim_patient.reindex(balances["claim_id"]).to_numpy())
    positive = frame["balance_cents"] >= 1
    per_patient = frame.assign(
        open_cents=frame["balance_cents"].where(positive, 0),
        is_open=positive.astype("int64"),
        is_credit=(frame["balance_cents"] <= -1).astype("int64"),
    ).groupby("patient_id", sort=False)[["open_cents", "is_open", "is_credit"]]
    return per_patient.sum()


def _empty_worklist() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series([], dtype="Int64") for c in WORKLIST_COLUMNS})
    return _typed(frame)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Cast worklist columns to their documented dtypes, in WORKLIST_COLUMNS order."""
    out = frame.loc[:, list(WORKLIST_COLUMNS)].copy()
    for col in WORKLIST_COLUMNS:
        if col in _STRING_COLUMNS:
            out[col] = out[col].astype("string")
        elif col in _DATE_COLUMNS:
            out[col] = out[col].astype("datetime64[ns]")
        else:
            out[col] = out[col].astype("Int64")
    return out.reset_index(drop=True)


def build_worklist(ledger: Ledger, as_of: pd.Timestamp | str | None = None) -> pd.DataFrame:
    """Every claim with a credit balance as of ``as_of`` (default: the ledger's latest
    posted_date), one row each, in WORKLIST_COLUMNS order, oldest credit first.

    Postings after the as-of date and claim lines billed after it are ignored. The date is kept
    in ``frame.attrs["as_of"]``.
    """
    cutoff = resolve_as_of(ledger, as_of)
    current = ledger_as_of(ledger, cutoff)
    balances = claim_balances(current, cutoff)
    credits = credits_from_claim_balances(balances).set_index("claim_id")
    if credits.empty:
        out = _empty_worklist()
        out.attrs["as_of"] = cutoff
        return out

    lines, txns = current.claim_lines, current.transactions
    credit_lines = lines[member_mask(lines["claim_id"], credits.index)]
    credit_txns = txns[member_mask(txns["claim_id"], credits.index)]
    facts = _claim_facts(credit_lines).reindex(credits.index)
    frame = credits[["charge_amount_cents", "credit_amount_cents"]].join(facts)
    frame = frame.join(_payer_facts(facts, current.payers))

    credit_only = current.with_table("claim_lines", credit_lines).with_table(
        "transactions", credit_txns
    )
    frame["credit_since"] = credit_since(credit_only, credits.index)
    frame["age_days"] = (cutoff - frame["credit_since"]).dt.days
    frame["last_posted_date"] = credit_txns.groupby("claim_id", sort=False)["posted_date"].max()

    claim_patient = _first_lines(lines[["claim_id", "line_no", "patient_id"]])["patient_id"]
    context = _patient_context(balances, claim_patient).reindex(frame["patient_id"])
    frame["patient_open_balance_cents"] = context["open_cents"].to_numpy()
    frame["patient_open_claims"] = context["is_open"].to_numpy()
    frame["patient_other_credits"] = context["is_credit"].to_numpy() - 1

    frame = frame.reset_index().sort_values(
        ["age_days", "credit_amount_cents", "claim_id"],
        ascending=[False, False, True],
        kind="stable",
    )
    out = _typed(frame)
    out.attrs["as_of"] = cutoff
    return out
