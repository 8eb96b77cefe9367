"""Compliance due dates for confirmed credits, each with its basis in words.

* Medicare, Medicaid, Medicare Advantage overpayments: 60 days from identification (SSA
  1128J(d)). From 2025 (42 CFR 401.305(b)(2)) the deadline is suspended while a timely,
  documented good-faith investigation of related overpayments is open, for at most 180 days
  after identification. Our reading: the 60-day clock pauses from the later of identification
  and the investigation's opening until the earlier of its closing and identification + 180
  days, then runs on with the days it had left (at most 240 days in all). An investigation is
  timely when opened before the 60-day deadline; one still open is assumed to run its maximum.
* Other payers: the shortest of the payer's ``refund_deadline_days``, the policy's per-payer
  days and a configured state prompt-pay rule; else the policy's days for the payer type.
* Internal corrections (reverse_posting, correct_adjustment) and patient credits: policy days.
* Patient refunds also get the unclaimed-property dormancy date: the patient's last activity on
  the claim plus the dormancy years of the patient's state.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cbclassify.contract.enums import GOVERNMENT_PAYER_TYPES
from cbclassify.resolve.policy import Policy
from cbclassify.verify.masks import select, where

PAYER_TYPE_WORDS = {
    "medicare": "Medicare",
    "medicaid": "Medicaid",
    "medicare_advantage": "Medicare Advantage",
    "commercial": "commercial",
    "tricare": "TRICARE",
    "workers_comp": "workers' compensation",
    "other": "other",
}
PAYER_ACTIONS = ("refund_payer", "payer_offset")
INTERNAL_ACTIONS = ("reverse_posting", "correct_adjustment")
PATIENT_ACTIONS = ("refund_patient", "apply_to_balance")


def _iso(dates: pd.Series) -> pd.Series:
    return dates.dt.strftime("%Y-%m-%d").astype("string")


def _days(n: pd.Series | int) -> pd.Series | pd.Timedelta:
    return pd.to_timedelta(n, unit="D")


def due_dates(
    rows: pd.DataFrame, policy: Policy, investigations: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Due date and basis per row.

    ``rows`` columns: claim_id, action, identified (datetime), payer_type, payer_name,
    payer_id, refund_deadline_days (Int64), state (the claim's state for prompt-pay rules, or NA).
    Returns rows' index with due_date (datetime64, NaT when no action) and due_basis (string).
    """
    out = pd.DataFrame(
        {
            "due_date": pd.Series(pd.NaT, index=rows.index, dtype="datetime64[ns]"),
            "due_basis": pd.Series(pd.NA, index=rows.index, dtype="string"),
        }
    )
    ident = rows["identified"]
    ident_txt = " from identification " + _iso(ident)
    internal = rows["action"].isin(INTERNAL_ACTIONS)
    days = policy.deadlines.internal_correction_days
    out.loc[internal, "due_date"] = ident[internal] + _days(days)
    out.loc[internal, "due_basis"] = (
        f"internal correction: {days} days (policy)" + ident_txt[internal]
    )
    patient = rows["action"].isin(PATIENT_ACTIONS)
    days = policy.patient_credits.refund_days
    out.loc[patient, "due_date"] = ident[patient] + _days(days)
    out.loc[patient, "due_basis"] = f"patient credit: {days} days (policy)" + ident_txt[patient]
    payer = rows["action"].isin(PAYER_ACTIONS)
    gov = payer & rows["payer_type"].isin(GOVERNMENT_PAYER_TYPES)
    if gov.any():
        g = government_due(rows[gov], policy, investigations)
        out.loc[gov, ["due_date", "due_basis"]] = g[["due_date", "due_basis"]].to_numpy()
    other = payer & ~gov
    if other.any():
        c = commercial_due(rows[other], policy)
        out.loc[other, ["due_date", "due_basis"]] = c[["due_date", "due_basis"]].to_numpy()
    out["due_date"] = pd.to_datetime(out["due_date"])
    out["due_basis"] = out["due_basis"].astype("string")
    return out


def government_due(
    rows: pd.DataFrame, policy: Policy, investigations: pd.DataFrame | None
) -> pd.DataFrame:
    """The 60-day rule with the investigation suspension (see module docstring)."""
    statute = policy.deadlines.government_days
    contract_days = rows["refund_deadline_days"].astype("Int64")
    days = contract_days.where(contract_days < statute, statute).fillna(statute).astype("int64")
    ident = rows["identified"]
    base_due = ident + pd.to_timedelta(days, unit="D")
    words = rows["payer_type"].map(PAYER_TYPE_WORDS).fillna("government")
    basis = words + " " + days.astype("string") + "-day rule from identification " + _iso(ident)
    due, basis = base_due.copy(), basis.astype("string")
    susp = _suspensions(rows, base_due, policy, investigations)
    if not susp.empty:
        elapsed = (susp["start"] - susp["identified"]).dt.days
        remaining = (susp["days"] - elapsed).clip(lower=0)
        new_due = susp["end"] + pd.to_timedelta(remaining, unit="D")
        open_txt = where(
            susp["open"],
            " (investigation still open: at the latest; the deadline is the days left"
            " after it closes)",
            "",
        )
        extra = (
            ", suspended "
            + _iso(susp["start"])
            + " to "
            + _iso(susp["end"])
            + " for a good-faith investigation opened "
            + _iso(susp["opened_date"])
            + open_txt
        )
        due.loc[susp.index] = new_due
        basis.loc[susp.index] = basis.loc[susp.index] + extra
    return pd.DataFrame({"due_date": due, "due_basis": basis})


def _suspensions(
    rows: pd.DataFrame, base_due: pd.Series, policy: Policy, investigations: pd.DataFrame | None
) -> pd.DataFrame:
    """Per row with a timely investigation: start, end, open flag (earliest timely one)."""
    if investigations is None or investigations.empty:
        return pd.DataFrame()
    inv = investigations[["claim_id", "opened_date", "closed_date"]].copy()
    inv["claim_id"] = inv["claim_id"].astype("string")
    inv["opened_date"] = pd.to_datetime(inv["opened_date"])
    inv["closed_date"] = pd.to_datetime(inv["closed_date"])
    frame = pd.DataFrame(
        {
            "row": rows.index,
            "claim_id": rows["claim_id"].astype("string").to_numpy(),
            "identified": rows["identified"].to_numpy(),
            "base_due": base_due.to_numpy(),
            "days": (base_due - rows["identified"]).dt.days.to_numpy(),
        }
    ).merge(inv, on="claim_id", how="inner")
    cap = frame["identified"] + pd.to_timedelta(
        policy.deadlines.investigation_suspension_max_days, unit="D"
    )
    frame["start"] = frame[["identified", "opened_date"]].max(axis=1)
    frame["open"] = frame["closed_date"].isna()
    frame["end"] = (
        frame["closed_date"].fillna(cap).where(frame["closed_date"].fillna(cap) < cap, cap)
    )
    timely = frame["opened_date"] < frame["base_due"]
    frame = frame[timely & (frame["end"] > frame["start"])]
    frame = frame.sort_values(["row", "opened_date"]).drop_duplicates("row")
    return frame.set_index("row")


def commercial_due(rows: pd.DataFrame, policy: Policy) -> pd.DataFrame:
    """The shortest configured deadline among contract, policy per payer and state rule."""
    cfg = policy.deadlines
    ident = rows["identified"]
    contract = rows["refund_deadline_days"].astype("Float64")
    per_payer = rows["payer_id"].map(cfg.payer_days).astype("Float64")
    rule_days = (
        rows["state"].map({s: r.refund_days for s, r in cfg.prompt_pay.items()}).astype("Float64")
    )
    covered = pd.Series(
        [
            bool(s in cfg.prompt_pay and t in cfg.prompt_pay[s].payer_types)
            for s, t in zip(rows["state"].fillna(""), rows["payer_type"].fillna(""))
        ],
        index=rows.index,
    )
    rule_days = rule_days.where(covered, pd.NA)
    options = pd.DataFrame({"contract": contract, "policy": per_payer, "state": rule_days})
    values = options.astype("float64").fillna(np.inf).to_numpy()
    best = pd.Series(values.min(axis=1), index=rows.index).replace(np.inf, np.nan)
    which = pd.Series(np.asarray(options.columns)[values.argmin(axis=1)], index=rows.index)
    which = which.where(best.notna(), "")
    type_days = rows["payer_type"].map(cfg.payer_type_days).fillna(60)
    days = best.fillna(type_days).astype("int64")
    name = rows["payer_name"].fillna(rows["payer_id"]).astype("string")
    state = rows["state"].fillna("").astype("string")
    label = pd.Series(
        select(
            [which == "contract", which == "policy", which == "state"],
            [
                name + " refund deadline (payer contract)",
                name + " refund deadline (policy)",
                state
                + " prompt-pay rule for "
                + rows["payer_type"].map(PAYER_TYPE_WORDS).fillna("")
                + " payers",
            ],
            default="policy default for "
            + rows["payer_type"].map(PAYER_TYPE_WORDS).fillna("other")
            + " payers",
        ),
        index=rows.index,
        dtype="string",
    )
    basis = label + ": " + days.astype("string") + " days from identification " + _iso(ident)
    return pd.DataFrame({"due_date": ident + pd.to_timedelta(days, unit="D"), "due_basis": basis})


def dormancy_dates(last_activity: pd.Series, states: pd.Series, policy: Policy) -> pd.Series:
    """Unclaimed-property dormancy date: last activity + the state's dormancy years."""
    up = policy.unclaimed_property
    years = states.map(up.state_dormancy_years).fillna(up.default_dormancy_years).astype("int64")
    out = pd.Series(pd.NaT, index=last_activity.index, dtype="datetime64[ns]")
    for n in np.unique(years.to_numpy()):  # a handful of distinct year counts, not rows
        mask = (years == n) & last_activity.notna()
        out[mask] = last_activity[mask] + pd.DateOffset(years=int(n))
    return out


def due_bucket(due_dates: pd.Series, today: object) -> pd.Series:
    """Worklist bucket per due date: overdue, due_7, due_14, due_30, later, or none."""
    day = pd.Timestamp(today).normalize()
    dates = pd.to_datetime(due_dates)
    left = (dates - day).dt.days
    bucket = select(
        [
            dates.isna().to_numpy(),
            (left < 0).fillna(False).to_numpy(bool),
            (left <= 7).fillna(False).to_numpy(bool),
            (left <= 14).fillna(False).to_numpy(bool),
            (left <= 30).fillna(False).to_numpy(bool),
        ],
        ["none", "overdue", "due_7", "due_14", "due_30"],
        default="later",
    )
    return pd.Series(bucket, index=due_dates.index, dtype="string", name="due_bucket")
