"""duplicate_payment variants: the same payment counted twice on a claim."""

from __future__ import annotations

import numpy as np

from cbclassify.synth import flows as F
from cbclassify.synth import rows as R
from cbclassify.synth.plan import STMT_PAID
from cbclassify.synth.variants import Component, Ctx, mark, per_claim_sum
from cbclassify.synth.world import snap_to_weekday


def _paid_lines(ctx: Ctx, pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    j, own = ctx.plan.lines_of(pos)
    keep = ctx.plan.pay[j] > 0
    return j[keep], own[keep]


def era_posted_twice(ctx: Ctx, pos: np.ndarray, avoid: np.ndarray | None) -> Component:
    """The 835's payment lines auto-posted a second time (same era_id and trace)."""
    plan = ctx.plan
    j, own = _paid_lines(ctx, pos)
    k = pos[own]
    delay = ctx.rng.integers(0, 11, size=len(pos))[own]
    cols = {
        "claim": plan.claims[k],
        "gline": plan.gline[j],
        "kind": R.KIND["payment"],
        "source": R.PAYER_SRC,
        "payer": plan.payer[k],
        "amount": plan.pay[j],
        "allowed": plan.b6[j],
        "trace_kind": R.TRACE_KEY,
        "key_day": plan.key_day[k],
        "key_era": True,
        "has_era": True,
        "in_remit": False,
        "method": R.METHOD["era"],
        "posted_day": plan.post_day[k] + delay,
        "posted_by": R.USER_ERA,
        "evid": plan.evid[k],
        "role": R.ROLE_PAY,
    }
    ctx.extra.add(len(j), **cols)
    ctx.fix.add(len(j), **cols)
    mark(plan.ev_line, j, R.ROLE_PAY)
    return Component(per_claim_sum(plan.pay[j], own, len(pos)), np.full(len(pos), -1))


def paid_twice_two_remits(ctx: Ctx, pos: np.ndarray, avoid: np.ndarray | None) -> Component:
    """The payer paid the claim again in a later remittance (new era_id and trace)."""
    plan, world = ctx.plan, ctx.world
    j, own = _paid_lines(ctx, pos)
    k = pos[own]
    payer = plan.payer[pos]
    later = snap_to_weekday(
        plan.key_day[pos] + 14 + ctx.rng.integers(0, 31, size=len(pos)), world.payers.run_wd[payer]
    )
    zero = np.zeros(len(j), dtype=np.int64)
    F.post_adjudication(
        ctx.extra,
        claim=plan.claims[k],
        gline=plan.gline[j],
        payer=plan.payer[k],
        key_day=later[own],
        style=plan.style[k],
        pay=plan.pay[j],
        b6=plan.b6[j],
        co45=zero,
        seq=zero,
        ded=plan.ded[j],
        coins=plan.coins[j],
        copay=plan.copay[j],
        evid=plan.evid[k],
        ev_mask=np.full(len(j), 0x7FFF, dtype=np.int16),
    )
    mark(plan.ev_line, j, R.ROLE_PAY)
    return Component(per_claim_sum(plan.pay[j], own, len(pos)), payer)


def manual_repost_of_era(ctx: Ctx, pos: np.ndarray, avoid: np.ndarray | None) -> Component:
    """A biller keyed in the paper copy of a check already posted from its 835 (same trace,
    no era_id)."""
    plan = ctx.plan
    j, own = _paid_lines(ctx, pos)
    k = pos[own]
    delay = 2 + ctx.rng.integers(0, 19, size=len(pos))[own]
    cols = {
        "claim": plan.claims[k],
        "gline": plan.gline[j],
        "kind": R.KIND["payment"],
        "source": R.PAYER_SRC,
        "payer": plan.payer[k],
        "amount": plan.pay[j],
        "trace_kind": R.TRACE_KEY,
        "key_day": plan.key_day[k],
        "key_era": True,
        "has_era": False,
        "in_remit": False,
        "method": R.METHOD["manual"],
        "posted_day": plan.post_day[k] + delay,
        "posted_by": F.biller(plan.claims[k]),
        "evid": plan.evid[k],
        "role": R.ROLE_PAY,
    }
    ctx.extra.add(len(j), **cols)
    ctx.fix.add(len(j), **cols)
    mark(plan.ev_line, j, R.ROLE_PAY)
    return Component(per_claim_sum(plan.pay[j], own, len(pos)), np.full(len(pos), -1))


def receipt_posted_twice(ctx: Ctx, pos: np.ndarray, avoid: np.ndarray | None) -> Component:
    """One patient receipt entered twice (same receipt number)."""
    plan, c = ctx.plan, ctx.world.claims
    assert c is not None
    use_stmt = (plan.stmt_amt[pos] > 0) & (plan.stmt_outcome[pos] == STMT_PAID)
    amount = np.where(use_stmt, plan.stmt_amt[pos], plan.tos_amt[pos])
    base_day = np.where(use_stmt, plan.stmt_day[pos], c.service_day[plan.claims[pos]])
    cols = {
        "claim": plan.claims[pos],
        "kind": R.KIND["payment"],
        "source": R.PATIENT_SRC,
        "amount": amount,
        "trace_kind": R.TRACE_RECEIPT,
        "trace_num": plan.claims[pos] * F.RECEIPT_SLOTS
        + np.where(use_stmt, F.SLOT_STMT, F.SLOT_TOS),
        "method": np.where(use_stmt, plan.stmt_method[pos], plan.tos_method[pos]),
        "posted_day": base_day + ctx.rng.integers(0, 4, size=len(pos)),
        "posted_by": np.where(use_stmt, plan.stmt_user[pos], plan.tos_user[pos]),
        "evid": plan.evid[pos],
        "role": np.where(use_stmt, R.ROLE_STMT, R.ROLE_TOS),
    }
    ctx.extra.add(len(pos), **cols)
    ctx.fix.add(len(pos), **cols)
    mark(plan.ev_claim, pos[use_stmt], R.ROLE_STMT)
    mark(plan.ev_claim, pos[~use_stmt], R.ROLE_TOS)
    return Component(amount.astype(np.int64), np.full(len(pos), -1))
