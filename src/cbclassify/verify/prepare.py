"""The working set of a verification run: the credit claims' charges and postings as of a date.

Everything downstream reads only these frames, restricted to the claims that carry a credit, so
that the rules stay cheap on a large ledger. Pure: frames in, frames out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cbclassify.balances import resolve_as_of, signed_balance_effect
from cbclassify.contract.ledger import Ledger
from cbclassify.verify.textops import join_by

#: CARC of Medicare sequestration (a payer-side reduction of the payment, group CO).
SEQUESTRATION_CARC = "253"
#: CARC that a secondary payer puts on its payment to restate the prior payer's adjudication.
PRIOR_PAYER_CARC = "23"


@dataclass(frozen=True)
class Workset:
    """Frames a verification run works on (all restricted to the credit claims, as of a date)."""

    as_of: pd.Timestamp
    credits: pd.DataFrame  # claim_id, credit_cents
    txns: pd.DataFrame  # postings with line_key, payer_key, remit_trace, effect_cents
    lines: pd.DataFrame  # claim lines (memory names)
    claims: pd.DataFrame  # one row per credit claim: charge, payers, patient, services text
    payers: pd.DataFrame  # payer_id, payer_name, payer_type, allows_offset, refund_deadline_days
    fee_schedule: pd.DataFrame
    plb_recoveries: pd.DataFrame  # claim_id, payer_id, plb_cents, plb_era_ids
    sequestering_payers: frozenset[str] = frozenset()  # payers that apply CO-253


def build_workset(ledger: Ledger, credits: pd.DataFrame, as_of: object = None) -> Workset:
    """Collect the postings and charges of the credit claims as they stood on ``as_of``."""
    cutoff = resolve_as_of(ledger, as_of)
    credit = credits[["claim_id", "credit_cents"]].copy()
    credit["claim_id"] = credit["claim_id"].astype("string")
    credit["credit_cents"] = credit["credit_cents"].astype("int64")
    ids = credit["claim_id"]
    txns = _postings(ledger, ids, cutoff)
    lines = ledger.claim_lines
    lines = lines[lines["claim_id"].isin(ids) & (lines["billed_date"] <= cutoff)].copy()
    return Workset(
        as_of=cutoff,
        credits=credit.reset_index(drop=True),
        txns=txns,
        lines=lines.reset_index(drop=True),
        claims=_claim_facts(lines),
        payers=ledger.payers,
        fee_schedule=ledger.fee_schedule,
        plb_recoveries=_plb_recoveries(ledger, ids),
        sequestering_payers=sequestering_payers(ledger),
    )


def sequestering_payers(ledger: Ledger) -> frozenset[str]:
    """Payers that apply Medicare sequestration: Medicare and Medicare Advantage payers, and any
    payer that posted a CO-253 anywhere in the ledger."""
    payers = ledger.payers
    by_type = payers.loc[payers["payer_type"].isin(["medicare", "medicare_advantage"]), "payer_id"]
    t = ledger.transactions
    coded = (
        t.loc[(t["reason_code"] == SEQUESTRATION_CARC).fillna(False), "payer_id"].dropna().unique()
    )
    return frozenset(by_type.dropna().tolist()) | frozenset(
        pd.Series(coded, dtype="string").tolist()
    )


def _postings(ledger: Ledger, claim_ids: pd.Series, cutoff: pd.Timestamp) -> pd.DataFrame:
    """Credit-claim postings up to ``cutoff`` with helper keys for grouping."""
    t = ledger.transactions
    t = t[t["claim_id"].isin(claim_ids) & (t["posted_date"] <= cutoff)].copy()
    t["line_key"] = t["line_no"].fillna(0).astype("int64")
    t["payer_key"] = t["payer_id"].fillna("").astype("string")
    t["effect_cents"] = signed_balance_effect(t)
    t["amount_cents"] = t["amount_cents"].astype("int64")
    remits = ledger.remittances[["era_id", "trace_number"]].rename(
        columns={"trace_number": "remit_trace"}
    )
    t = t.merge(remits, on="era_id", how="left")
    # The remittance's trace (TRN02) identifies a payment; a receipt number does for patients.
    t["remit_trace"] = t["trace_number"].fillna(t["remit_trace"]).astype("string")
    t["group_code"] = t["group_code"].astype("string")
    t["reason_code"] = t["reason_code"].astype("string").str.strip()
    t = t.sort_values(["claim_id", "posted_date", "txn_id"], kind="stable")
    return t.reset_index(drop=True)


def _claim_facts(lines: pd.DataFrame) -> pd.DataFrame:
    """Per claim: charge, primary and secondary payer (of its first line), patient, services."""
    ordered = lines.sort_values(["claim_id", "line_no"], kind="stable")
    units = ordered["units"].astype("Int64").astype("string")
    service = (
        ordered["cpt"].astype("string")
        + (("-" + ordered["modifier"].astype("string")).fillna(""))
        + " x"
        + units
    )
    grouped = ordered.assign(service=service).groupby("claim_id", sort=False, observed=True)
    facts = grouped.agg(
        charge_cents=("charge_amount_cents", "sum"),
        patient_id=("patient_id", "first"),
        primary_payer_id=("payer_id", "first"),
        secondary_payer_id=("secondary_payer_id", "first"),
        location_id=("location_id", "first"),
        first_service_date=("service_date", "min"),
        n_lines=("line_no", "size"),
    )
    facts["services"] = join_by(ordered["claim_id"], service, ", ").reindex(facts.index)
    # A payer named on any line is billed; ``first`` skips NA, so self-pay claims stay NA.
    first_line = ordered.drop_duplicates("claim_id").set_index("claim_id")
    facts["primary_payer_id"] = first_line["payer_id"].reindex(facts.index)
    facts["secondary_payer_id"] = first_line["secondary_payer_id"].reindex(facts.index)
    facts["charge_cents"] = facts["charge_cents"].astype("int64")
    return facts.reset_index()


def billed_payer_pairs(lines: pd.DataFrame) -> pd.DataFrame:
    """(claim_id, payer_id) pairs of every payer a claim was billed to (primary or secondary)."""
    primary = lines[["claim_id", "payer_id"]]
    secondary = lines[["claim_id", "secondary_payer_id"]].rename(
        columns={"secondary_payer_id": "payer_id"}
    )
    pairs = pd.concat([primary, secondary], ignore_index=True).dropna()
    return pairs.drop_duplicates().reset_index(drop=True)


def _plb_recoveries(ledger: Ledger, claim_ids: pd.Series) -> pd.DataFrame:
    """Overpayment recoveries a payer took at remittance level (PLB WO, positive amount) that
    reference a credit claim: money the payer already has back, though the claim still shows it."""
    plb = ledger.provider_adjustments
    empty = pd.DataFrame(
        {
            "claim_id": pd.Series([], dtype="string"),
            "payer_id": pd.Series([], dtype="string"),
            "plb_cents": pd.Series([], dtype="int64"),
            "plb_era_ids": pd.Series([], dtype="string"),
        }
    )
    if plb.empty:
        return empty
    wo = plb[(plb["reason_code"].str.strip().str.upper() == "WO") & (plb["amount_cents"] > 0)]
    if wo.empty:
        return empty
    reference = wo["reference"].astype("string").str.strip()
    first_token = reference.str.split(r"[\s:;|]+", n=1, regex=True).str[0]
    claim = reference.where(reference.isin(claim_ids), first_token)
    wo = wo.assign(claim_id=claim)
    wo = wo[wo["claim_id"].isin(claim_ids)]
    if wo.empty:
        return empty
    remits = ledger.remittances[["era_id", "payer_id"]]
    wo = wo.merge(remits, on="era_id", how="left")
    wo["payer_id"] = wo["payer_id"].fillna("").astype("string")
    out = wo.groupby(["claim_id", "payer_id"], sort=False).agg(plb_cents=("amount_cents", "sum"))
    out["plb_era_ids"] = join_by(wo[["claim_id", "payer_id"]], wo["era_id"]).reindex(out.index)
    out = out.reset_index()
    out["plb_cents"] = out["plb_cents"].astype("int64")
    return out


def dollars(cents: pd.Series) -> pd.Series:
    """Integer cents -> ``$1,234.50`` text (vectorized; NA -> ``?``)."""
    values = cents.astype("Int64")
    missing = values.isna()
    filled = values.fillna(0).astype("int64").to_numpy()
    whole = pd.Series(np.abs(filled) // 100, index=values.index).astype("string")
    # thousands separators: group the reversed digits by three, then reverse back
    grouped = whole.str[::-1].str.replace(r"(\d{3})", r"\1,", regex=True).str.rstrip(",").str[::-1]
    frac = pd.Series(np.abs(filled) % 100, index=values.index).astype("string").str.zfill(2)
    sign = pd.Series(np.where(filled < 0, "-", ""), index=values.index, dtype="string")
    out = sign + "$" + grouped + "." + frac
    return out.where(~missing, "?")


def day_text(dates: pd.Series) -> pd.Series:
    """Dates -> ISO text (NA -> ``?``)."""
    return dates.dt.strftime("%Y-%m-%d").astype("string").fillna("?")
