"""Compliance due dates: dated examples per payer type, the 2025 investigation suspension,
commercial contract / policy / state prompt-pay rules, internal and patient deadlines."""

from __future__ import annotations

import pandas as pd
import pytest

from cbclassify.bundles import Payer
from cbclassify.resolve import Investigation, Policy, due_bucket, due_date, parse_policy
from cbclassify.resolve.deadlines import dormancy_date

D = pd.Timestamp


def _rows(
    action="refund_payer",
    payer_type="medicare",
    identified="2026-03-02",
    refund_days=None,
    state=None,
    payer_id="P1",
    claim_id="C1",
):
    """The arguments of ``due_date`` for one credit (``claim_id`` picks its investigations)."""
    payer = (
        None if payer_type is None else Payer(payer_id, "Payer One", payer_type, refund_days, False)
    )
    return {
        "action": action,
        "identified": D(identified).date(),
        "payer_id": payer_id,
        "payer": payer,
        "state": state,
        "claim_id": claim_id,
    }


def _due(rows, policy=None, investigations=()):
    claim_id = rows["claim_id"]
    args = {k: v for k, v in rows.items() if k != "claim_id"}
    found = [i for claim, i in investigations if claim == claim_id]
    due, basis = due_date(**args, policy=policy or Policy(), investigations=found)
    return (pd.NaT if due is None else D(due)), basis


def _inv(opened, closed=None, claim_id="C1"):
    return [(claim_id, Investigation(D(opened).date(), D(closed).date() if closed else None))]


@pytest.mark.parametrize(
    "payer_type, words",
    [
        ("medicare", "Medicare"),
        ("medicaid", "Medicaid"),
        ("medicare_advantage", "Medicare Advantage"),
    ],
)
def test_government_overpayment_is_due_60_days_after_identification(payer_type, words):
    due, basis = _due(_rows(payer_type=payer_type, action="payer_offset"))
    assert due == D("2026-05-01")
    assert basis == f"{words} 60-day rule from identification 2026-03-02"


def test_government_contract_may_shorten_but_not_lengthen_the_60_days():
    assert _due(_rows(refund_days=30))[0] == D("2026-04-01")
    assert _due(_rows(refund_days=90))[0] == D("2026-05-01")


def test_investigation_opened_at_identification_suspends_until_it_closes():
    due, basis = _due(_rows(), investigations=_inv("2026-03-02", "2026-04-01"))
    assert due == D("2026-05-31")  # 30 days suspended, then the full 60
    assert "suspended 2026-03-02 to 2026-04-01" in basis


def test_investigation_opened_later_keeps_the_days_already_run():
    due, _ = _due(_rows(), investigations=_inv("2026-03-12", "2026-05-11"))
    assert due == D("2026-06-30")  # 10 days ran before, 50 left after 2026-05-11


def test_open_investigation_runs_at_most_180_days_from_identification():
    due, basis = _due(_rows(), investigations=_inv("2026-03-02"))
    assert due == D("2026-10-28")  # 2026-08-29 (180 days) + 60 days = 240 days in all
    assert "still open" in basis


def test_suspension_is_capped_at_180_days_even_if_the_investigation_runs_longer():
    assert _due(_rows(), investigations=_inv("2026-03-02", "2026-12-01"))[0] == D("2026-10-28")


def test_investigation_opened_after_the_deadline_suspends_nothing():
    due, basis = _due(_rows(), investigations=_inv("2026-05-05", "2026-06-01"))
    assert due == D("2026-05-01") and "suspended" not in basis


def test_investigation_closed_before_identification_suspends_nothing():
    assert _due(_rows(), investigations=_inv("2026-01-02", "2026-02-01"))[0] == D("2026-05-01")


def test_investigations_do_not_suspend_commercial_deadlines():
    assert _due(_rows(payer_type="commercial"), investigations=_inv("2026-03-02"))[0] == D(
        "2026-05-01"
    )


def test_commercial_default_contract_policy_and_state_rules():
    due, basis = _due(_rows(payer_type="commercial"))
    assert due == D("2026-05-01") and basis.startswith(
        "policy default for commercial payers: 60 days"
    )
    due, basis = _due(_rows(payer_type="commercial", refund_days=90))
    assert due == D("2026-05-31") and "refund deadline (payer contract)" in basis
    policy = parse_policy(
        {"deadlines": {"payer_days": {"P1": 30}, "prompt_pay": {"CA": {"refund_days": 45}}}}
    )
    due, basis = _due(_rows(payer_type="commercial", refund_days=90), policy)
    assert due == D("2026-04-01") and "(policy)" in basis
    policy = parse_policy({"deadlines": {"prompt_pay": {"CA": {"refund_days": 45}}}})
    due, basis = _due(_rows(payer_type="commercial", refund_days=90, state="CA"), policy)
    assert due == D("2026-04-16") and basis.startswith("CA prompt-pay rule for commercial payers")
    # the rule covers commercial payers only
    assert _due(_rows(payer_type="tricare", state="CA"), policy)[0] == D("2026-05-01")


def test_policy_days_per_payer_type():
    policy = parse_policy({"deadlines": {"payer_type_days": {"workers_comp": 45}}})
    assert _due(_rows(payer_type="workers_comp"), policy)[0] == D("2026-04-16")


@pytest.mark.parametrize("action", ["reverse_posting", "correct_adjustment"])
def test_internal_corrections_use_policy_days(action):
    due, basis = _due(_rows(action=action, payer_type=None))
    assert due == D("2026-04-01")
    assert basis == "internal correction: 30 days (policy) from identification 2026-03-02"


@pytest.mark.parametrize("action", ["refund_patient", "apply_to_balance"])
def test_patient_credits_use_policy_days(action):
    policy = parse_policy({"patient_credits": {"refund_days": 14}})
    assert _due(_rows(action=action, payer_type=None), policy)[0] == D("2026-03-16")


def test_no_action_has_no_due_date():
    due, basis = _due(_rows(action=None))
    assert pd.isna(due) and pd.isna(basis)


def test_unclaimed_property_dormancy_per_state():
    policy = parse_policy(
        {"unclaimed_property": {"default_dormancy_years": 3, "state_dormancy_years": {"NY": 5}}}
    )
    last = pd.Series([D("2026-01-05"), D("2026-01-05"), D("2024-02-29"), pd.NaT])
    states = pd.Series(["PA", "NY", "TX", "PA"])
    out = pd.Series(
        [None if pd.isna(d) else dormancy_date(d.date(), s, policy) for d, s in zip(last, states)],
        dtype="datetime64[ns]",
    )
    assert out.tolist()[:3] == [D("2029-01-05"), D("2031-01-05"), D("2027-02-28")]
    assert pd.isna(out.iloc[3])


def test_due_buckets_for_the_worklist():
    dates = pd.Series(
        [
            D("2026-03-01"),
            D("2026-03-02"),
            D("2026-03-09"),
            D("2026-03-10"),
            D("2026-03-16"),
            D("2026-03-17"),
            D("2026-04-01"),
            D("2026-04-02"),
            pd.NaT,
        ]
    )
    assert due_bucket(dates, "2026-03-02").tolist() == [
        "overdue",
        "due_7",
        "due_7",
        "due_14",
        "due_14",
        "due_30",
        "due_30",
        "later",
        "none",
    ]
