"""Compliance due dates for confirmed credits, each with its basis in words.

* Medicare, Medicaid, Medicare Advantage overpayments: 60 days from identification (SSA
  1128J(d)), or the payer's contract days when shorter. From 2025 (42 CFR 401.305(b)(2)) the
  deadline is suspended while a timely, documented good-faith investigation of related
  overpayments is open, for at most 180 days after identification. Our reading: the 60-day
  clock pauses from the later of identification and the investigation's opening until the
  earlier of its closing and identification + 180 days, then runs on with the days it had left
  (at most 240 days in all). An investigation is timely when opened before the 60-day deadline;
  one still open is assumed to run its maximum. The earliest timely investigation counts.
* Other payers: the shortest of the payer's ``refund_deadline_days``, the policy's per-payer
  days and a configured state prompt-pay rule covering the payer's type (the first of them on a
  tie); else the policy's days for the payer type (60 when it has none).
* Internal corrections (reverse_posting, correct_adjustment) and patient credits: policy days.
* Patient refunds also get the unclaimed-property dormancy date: the patient's last activity on
  the claim plus the dormancy years of the patient's state.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from cbclassify.bundles import Payer
from cbclassify.contract.enums import GOVERNMENT_PAYER_TYPES
from cbclassify.resolve.policy import Policy

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

Due = tuple[date | None, str | None]


@dataclass(frozen=True)
class Investigation:
    """A good-faith investigation of related overpayments on a claim."""

    opened: date
    closed: date | None  # None: still open


def due_date(
    action: str | None,
    identified: date,
    payer_id: str | None,
    payer: Payer | None,
    state: str | None,
    policy: Policy,
    investigations: Sequence[Investigation] = (),
) -> Due:
    """Due date and its basis in words of one credit's action (None, None without an action
    or for an unknown one); ``state``: the claim's state for prompt-pay rules."""
    since = f"from identification {identified.isoformat()}"
    if action in INTERNAL_ACTIONS:
        days = policy.deadlines.internal_correction_days
        return identified + timedelta(
            days=days
        ), f"internal correction: {days} days (policy) {since}"
    if action in PATIENT_ACTIONS:
        days = policy.patient_credits.refund_days
        return identified + timedelta(days=days), f"patient credit: {days} days (policy) {since}"
    if action not in PAYER_ACTIONS:
        return None, None
    if payer is not None and payer.payer_type in GOVERNMENT_PAYER_TYPES:
        return government_due(identified, payer, policy, investigations)
    return commercial_due(identified, payer_id, payer, state, policy)


def government_due(
    identified: date, payer: Payer, policy: Policy, investigations: Sequence[Investigation]
) -> tuple[date, str]:
    """The 60-day rule with the investigation suspension (see module docstring)."""
    statute = policy.deadlines.government_days
    contract = payer.refund_deadline_days
    days = contract if contract is not None and contract < statute else statute
    words = PAYER_TYPE_WORDS.get(payer.payer_type, "government")
    due = identified + timedelta(days=days)
    basis = f"{words} {days}-day rule from identification {identified.isoformat()}"
    cap = identified + timedelta(days=policy.deadlines.investigation_suspension_max_days)
    for inv in sorted(investigations, key=lambda i: i.opened):
        start = max(identified, inv.opened)
        end = cap if inv.closed is None or inv.closed >= cap else inv.closed
        if not (inv.opened < due and end > start):  # not timely, or suspends nothing
            continue
        remaining = max(days - (start - identified).days, 0)
        still_open = (
            " (investigation still open: at the latest; the deadline is the days left after it"
            " closes)"
            if inv.closed is None
            else ""
        )
        return end + timedelta(days=remaining), (
            f"{basis}, suspended {start.isoformat()} to {end.isoformat()} for a good-faith "
            f"investigation opened {inv.opened.isoformat()}{still_open}"
        )
    return due, basis


def commercial_due(
    identified: date, payer_id: str | None, payer: Payer | None, state: str | None, policy: Policy
) -> tuple[date, str]:
    """The shortest configured deadline among contract, policy per payer and state rule."""
    cfg = policy.deadlines
    payer_type = payer.payer_type if payer is not None else None
    rule = cfg.prompt_pay.get(state) if state is not None else None
    covered = rule is not None and payer_type is not None and payer_type in rule.payer_types
    options = [
        ("contract", payer.refund_deadline_days if payer is not None else None),
        ("policy", cfg.payer_days.get(payer_id) if payer_id is not None else None),
        ("state", rule.refund_days if rule is not None and covered else None),
    ]
    known = [(days, which) for which, days in options if days is not None]
    best = min(known, key=lambda option: option[0]) if known else None
    type_days = cfg.payer_type_days.get(payer_type, 60) if payer_type is not None else 60
    days = int(best[0]) if best else int(type_days)
    name = (payer.payer_name if payer is not None else None) or payer_id
    type_words = PAYER_TYPE_WORDS.get(payer_type, "") if payer_type is not None else ""
    label = {
        "contract": f"{name} refund deadline (payer contract)",
        "policy": f"{name} refund deadline (policy)",
        "state": f"{state} prompt-pay rule for {type_words} payers",
    }.get(best[1] if best else "", f"policy default for {type_words or 'other'} payers")
    return identified + timedelta(days=days), (
        f"{label}: {days} days from identification {identified.isoformat()}"
    )


def dormancy_date(last_activity: date, state: str | None, policy: Policy) -> date:
    """Unclaimed-property dormancy date: last activity + the state's dormancy years (Feb 29
    becomes Feb 28 in a year without one)."""
    up = policy.unclaimed_property
    years = up.default_dormancy_years
    if state is not None:
        years = up.state_dormancy_years.get(state, years)
    return add_years(last_activity, int(years))


def add_years(day: date, years: int) -> date:
    """``day`` + ``years`` calendar years (Feb 29 -> Feb 28 where the year has none)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # Feb 29
        return day.replace(year=day.year + years, day=28)


def due_bucket(due_dates: pd.Series, today: date | str) -> pd.Series:
    """Worklist bucket per due date: overdue, due_7, due_14, due_30, later, or none."""
    day = pd.Timestamp(today).normalize()
    dates = pd.to_datetime(due_dates)
    left = (dates - day).dt.days
    bucket = np.select(
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
