"""Recommended actions for confirmed credits, per the contract and the practice's policy.

Only a confirmed credit gets an action; everything else goes to manual review with its reason.
* payer overpayment / payer paid twice: ``payer_offset`` where the payer allows offset (policy
  overrides ``payers.allows_offset``), else ``refund_payer``, to the payer that overpaid;
* one remittance or receipt posted twice: ``reverse_posting``;
* allowance error: ``correct_adjustment``;
* patient credit: ``apply_to_balance`` where the policy allows it and the same patient has
  another claim with a positive balance on the as-of date, else ``refund_patient``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cbclassify.balances import resolve_as_of, signed_balance_effect
from cbclassify.contract.ledger import Ledger
from cbclassify.resolve.deadlines import PAYER_ACTIONS, dormancy_dates, due_dates
from cbclassify.resolve.policy import Policy, default_policy
from cbclassify.verify.masks import select, where

RECOMMEND_COLUMNS = [
    "claim_id",
    "recommended_action",
    "due_date",
    "due_basis",
    "dormancy_date",
    "overpayment_payer_id",
    "approval_required",
    "apply_to_claim_id",
]


def recommend(
    ledger: Ledger,
    verified: pd.DataFrame,
    as_of: object,
    policy: Policy | None = None,
    investigations: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Action, due date and basis per verified credit (NA action unless confirmed).

    ``verified`` is ``verify_credits`` output; an optional ``identified_date`` column gives each
    credit's identification date (default: ``as_of``, the verification date). Deadlines run
    from it, and a patient's other open balances are looked up as of it.
    """
    policy = policy or default_policy()
    day = resolve_as_of(ledger, as_of)
    v = verified.reset_index(drop=True)
    confirmed = (v["verification"] == "confirmed").fillna(False).to_numpy(bool)
    identified = (
        pd.to_datetime(v["identified_date"])
        if "identified_date" in v
        else pd.Series(day, index=v.index)
    )
    identified = identified.fillna(day)
    patient_side = confirmed & (v["confirmed_action"] == "patient_return").fillna(False).to_numpy(
        bool
    )
    facts = _claim_facts(ledger, v["claim_id"], identified, patient_side)
    action = _actions(v, confirmed, facts, ledger, day, policy)
    payer_id = v["confirmed_payer_id"].where(action.isin(PAYER_ACTIONS), pd.NA).astype("string")
    payers = ledger.payers.set_index("payer_id")
    rows = pd.DataFrame(
        {
            "claim_id": v["claim_id"],
            "action": action,
            "identified": identified,
            "payer_id": payer_id,
            "payer_type": payer_id.map(payers["payer_type"]),
            "payer_name": payer_id.map(payers["payer_name"]),
            "refund_deadline_days": payer_id.map(payers["refund_deadline_days"]).astype("Int64"),
            "state": _claim_states(facts, policy),
        }
    )
    due = due_dates(rows, policy, investigations)
    refund_patient = action == "refund_patient"
    last = facts["last_patient_date"].fillna(identified)
    dormancy = dormancy_dates(last.where(refund_patient), facts["patient_state"], policy)
    amount = v["explained_cents"].astype("Int64").fillna(0)
    needs_ok = action.isin(["refund_payer", "refund_patient"]) & (
        amount >= policy.refunds.approval_threshold_cents
    )
    apply_to = facts["apply_to_claim_id"].where(action == "apply_to_balance", pd.NA)
    out = pd.DataFrame(
        {
            "claim_id": v["claim_id"],
            "recommended_action": action,
            "due_date": due["due_date"],
            "due_basis": due["due_basis"].where(
                action.notna(), "no action until verified: manual review"
            ),
            "dormancy_date": dormancy,
            "overpayment_payer_id": payer_id,
            "approval_required": needs_ok.fillna(False).astype(bool),
            "apply_to_claim_id": apply_to.astype("string"),
        }
    )
    return out[RECOMMEND_COLUMNS]


def offset_allowed(payer_ids: pd.Series, payers: pd.DataFrame, policy: Policy) -> pd.Series:
    """Whether each payer may recoup by offset: policy allow/deny lists override the ledger."""
    ledger_flag = (
        payer_ids.map(payers.set_index("payer_id")["allows_offset"]).astype("boolean").fillna(False)
    )
    allowed = ledger_flag | payer_ids.isin(policy.offsets.allow)
    return (allowed & ~payer_ids.isin(policy.offsets.deny)).fillna(False).astype(bool)


def _actions(
    v: pd.DataFrame,
    confirmed: np.ndarray,
    facts: pd.DataFrame,
    ledger: Ledger,
    day: pd.Timestamp,
    policy: Policy,
) -> pd.Series:
    kind = v["confirmed_action"].astype("string")
    payer_ids = v["confirmed_payer_id"].astype("string")
    offset = offset_allowed(payer_ids, ledger.payers, policy)
    can_apply = policy.patient_credits.apply_to_other_balances & facts["apply_to_claim_id"].notna()
    conditions = [
        kind == "reverse_posting",
        kind == "correct_adjustment",
        (kind == "payer_return") & offset,
        kind == "payer_return",
        (kind == "patient_return") & can_apply,
        kind == "patient_return",
    ]
    action = select(
        [
            pd.Series(c, index=v.index).astype("boolean").fillna(False).to_numpy(bool)
            for c in conditions
        ],
        [
            "reverse_posting",
            "correct_adjustment",
            "payer_offset",
            "refund_payer",
            "apply_to_balance",
            "refund_patient",
        ],
        default="",
    )
    action = where(confirmed, action, "")
    return pd.Series(action, index=v.index, dtype="string").replace("", pd.NA)


def _claim_facts(
    ledger: Ledger, claim_ids: pd.Series, dates: pd.Series, need_open: np.ndarray
) -> pd.DataFrame:
    """Per credit claim: patient, location, patient's state, last patient activity by its date,
    and the patient's oldest other claim with a positive balance on that date."""
    lines = ledger.claim_lines.drop_duplicates("claim_id").set_index("claim_id")
    ids = claim_ids.astype("string")
    patient = ids.map(lines["patient_id"]).astype("string")
    state = patient.map(ledger.patients.set_index("patient_id")["state"])
    txns = ledger.transactions
    mine = txns[txns["claim_id"].isin(ids) & (txns["source"] == "patient")][
        ["claim_id", "posted_date"]
    ]
    mine = mine.merge(pd.DataFrame({"claim_id": ids, "cutoff": dates}), on="claim_id")
    last = mine[mine["posted_date"] <= mine["cutoff"]].groupby("claim_id")["posted_date"].max()
    apply_to = pd.Series(pd.NA, index=claim_ids.index, dtype="string")
    if need_open.any():
        apply_to[need_open] = open_claim_of(
            ledger, ids[need_open], patient[need_open], dates[need_open]
        )
    return pd.DataFrame(
        {
            "claim_id": ids,
            "patient_id": patient,
            "location_id": ids.map(lines["location_id"]),
            "patient_state": state.astype("string"),
            # reindex, not map: ``map`` of an empty datetime mapper casts it to float and fails
            "last_patient_date": pd.Series(
                last.reindex(ids.to_numpy()).to_numpy(), index=ids.index, dtype="datetime64[ns]"
            ),
            "apply_to_claim_id": apply_to,
        }
    )


def open_claim_of(
    ledger: Ledger, claim_ids: pd.Series, patients: pd.Series, dates: pd.Series
) -> pd.Series:
    """The patient's oldest other claim (by service date) with a positive balance on each
    row's date (NA if none). Vectorized over (credit, other claim of the same patient) pairs."""
    lines = ledger.claim_lines
    charges = lines[lines["patient_id"].isin(patients)]
    pairs = pd.DataFrame(
        {
            "row": range(len(claim_ids)),
            "credit_claim": claim_ids.to_numpy(),
            "patient_id": patients.to_numpy(),
            "day": pd.to_datetime(dates).to_numpy(),
        }
    )
    billed = charges.merge(pairs, on="patient_id")
    billed = billed[
        (billed["claim_id"] != billed["credit_claim"]) & (billed["billed_date"] <= billed["day"])
    ]
    if billed.empty:
        return pd.Series(pd.NA, index=claim_ids.index, dtype="string")
    owed = billed.groupby(["row", "claim_id"])["charge_amount_cents"].sum().astype("int64")
    first_seen = billed.groupby(["row", "claim_id"])["service_date"].min()
    txns = ledger.transactions
    txns = txns[txns["claim_id"].isin(billed["claim_id"].unique())]
    effect = txns[["claim_id", "posted_date"]].assign(effect=signed_balance_effect(txns))
    keyed = owed.reset_index()[["row", "claim_id"]].merge(pairs[["row", "day"]], on="row")
    posted = keyed.merge(effect, on="claim_id")
    posted = posted[posted["posted_date"] <= posted["day"]]
    moved = posted.groupby(["row", "claim_id"])["effect"].sum()
    balance = owed.add(moved.reindex(owed.index).fillna(0).astype("int64"), fill_value=0)
    open_rows = balance[balance > 0].reset_index()[["row", "claim_id"]]
    open_rows["service_date"] = first_seen.reindex(pd.MultiIndex.from_frame(open_rows)).to_numpy()
    oldest = open_rows.sort_values(["row", "service_date", "claim_id"]).drop_duplicates("row")
    out = pd.Series(pd.NA, index=range(len(claim_ids)), dtype="string")
    out.loc[oldest["row"].to_numpy()] = oldest["claim_id"].to_numpy()
    out.index = claim_ids.index
    return out


def _claim_states(facts: pd.DataFrame, policy: Policy) -> pd.Series:
    """The state whose prompt-pay rule applies to a claim: its location's configured state,
    else the practice's state; NA when neither is configured."""
    cfg = policy.deadlines
    # as string before fillna: ``map`` of an empty mapping gives float NaN, which cannot take text
    by_location = facts["location_id"].map(cfg.location_states).astype("string")
    return by_location.fillna(cfg.practice_state if cfg.practice_state else pd.NA).astype("string")
