"""patient_credit variants: the patient paid more than their responsibility."""

from __future__ import annotations

import numpy as np

from cbclassify.synth import flows as F
from cbclassify.synth import rows as R
from cbclassify.synth.plan import STMT_NONE, STMT_PAID
from cbclassify.synth.variants import Component, Ctx, mark, per_claim_sum
from cbclassify.synth.world import snap_to_weekday


def _pr_total(ctx: Ctx, pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    plan = ctx.plan
    j, own = plan.lines_of(pos)
    return per_claim_sum(plan.ded[j] + plan.coins[j] + plan.copay[j], own, len(pos)), j


def copay_over_pr(ctx: Ctx, pos: np.ndarray, avoid: np.ndarray | None) -> Component:
    """The desk collected a copay/estimate above what the payer says the patient owes."""
    plan = ctx.plan
    pr, j = _pr_total(ctx, pos)
    collected = (pr + 500 + 99) // 100 * 100 + 100 * ctx.rng.integers(0, 60, size=len(pos))
    excess = collected - pr
    if avoid is not None:
        collected = np.where(excess == avoid, collected + 100, collected)
    plan.tos_amt[pos] = collected
    plan.stmt_amt[pos] = 0
    plan.stmt_outcome[pos] = STMT_NONE
    mark(plan.ev_claim, pos, R.ROLE_TOS)
    mark(plan.ev_line, j, R.ROLE_PR)
    return Component((collected - pr).astype(np.int64), np.full(len(pos), -1))


def patient_paid_twice(ctx: Ctx, pos: np.ndarray, avoid: np.ndarray | None) -> Component:
    """The patient paid the same balance twice, on two receipts (mail and online)."""
    plan, c = ctx.plan, ctx.world.claims
    assert c is not None
    use_stmt = (plan.stmt_amt[pos] > 0) & (plan.stmt_outcome[pos] == STMT_PAID)
    amount = np.where(use_stmt, plan.stmt_amt[pos], plan.tos_amt[pos]).astype(np.int64)
    day = np.where(
        use_stmt,
        plan.stmt_day[pos] + 2 + ctx.rng.integers(0, 29, size=len(pos)),
        c.service_day[plan.claims[pos]] + 1 + ctx.rng.integers(0, 10, size=len(pos)),
    )
    # A statement paid late in the period: the second receipt still lands by the last day
    # (never before the first, which is on or before it).
    day = np.minimum(day, ctx.world.end_day)
    by_mail = plan.stmt_method[pos] == R.METHOD["lockbox"]
    method = np.where(use_stmt & ~by_mail, R.METHOD["lockbox"], R.METHOD["card"])
    user = np.where(method == R.METHOD["lockbox"], R.USER_LOCKBOX, R.USER_PORTAL)
    F.post_patient_payment(
        ctx.extra,
        claim=plan.claims[pos],
        amount=amount,
        day=day,
        method=method,
        user=user,
        slot=F.SLOT_SECOND,
        role=R.ROLE_OTHER,
        evid=plan.evid[pos],
    )
    mark(plan.ev_claim, pos[use_stmt], R.ROLE_STMT)
    mark(plan.ev_claim, pos[~use_stmt], R.ROLE_TOS)
    return Component(amount, np.full(len(pos), -1))


def prepaid_payer_paid_full(ctx: Ctx, pos: np.ndarray, avoid: np.ndarray | None) -> Component:
    """A deposit taken at the visit; the payer then paid in full (no patient responsibility)."""
    plan, ln = ctx.plan, ctx.world.lines
    assert ln is not None
    j, own = plan.lines_of(pos)
    charge = per_claim_sum(ln.charge[plan.gline[j]], own, len(pos))
    deposit = np.minimum(100 * ctx.rng.integers(20, 151, size=len(pos)), charge)
    if avoid is not None:
        deposit = np.where(deposit == avoid, deposit - 100, deposit)
    plan.tos_amt[pos] = deposit
    plan.stmt_amt[pos] = 0
    mark(plan.ev_claim, pos, R.ROLE_TOS)
    mark(plan.ev_line, j, R.ROLE_PAY)
    return Component(deposit.astype(np.int64), np.full(len(pos), -1))


def paid_before_secondary(ctx: Ctx, pos: np.ndarray, avoid: np.ndarray | None) -> Component:
    """The patient paid the statement; the secondary then paid the same share (OA-23)."""
    plan, world = ctx.plan, ctx.world
    pr, j = _pr_total(ctx, pos)
    plan.stmt_amt[pos] = pr
    plan.stmt_outcome[pos] = STMT_PAID
    plan.stmt_day[pos] = plan.post_day[pos] + 10 + ctx.rng.integers(0, 11, size=len(pos))
    sec = plan.sec_payer[pos]
    plan.sec_key_day[pos] = snap_to_weekday(
        plan.stmt_day[pos] + 5 + ctx.rng.integers(0, 26, size=len(pos)), world.payers.run_wd[sec]
    )
    _, own = plan.lines_of(pos)
    mark(plan.ev_claim, pos, R.ROLE_STMT)
    mark(plan.ev_line, j, R.ROLE_SEC, R.ROLE_PR)
    return Component(per_claim_sum(plan.sec_pay[j], own, len(pos)), np.full(len(pos), -1))
