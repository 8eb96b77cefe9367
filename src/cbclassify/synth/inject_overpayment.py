"""payer_overpayment variants: a payer paid more than it owed."""

from __future__ import annotations

import numpy as np

from cbclassify.synth import flows as F
from cbclassify.synth import rows as R
from cbclassify.synth.amounts import STYLE_ERA, rate_for
from cbclassify.synth.plan import SEC_AS_PRIMARY
from cbclassify.synth.variants import Component, Ctx, avoid_tie, best_line, mark, per_claim_sum
from cbclassify.synth.world import snap_to_weekday


def _allowed(ctx: Ctx, j: np.ndarray) -> np.ndarray:
    ln = ctx.world.lines
    assert ln is not None
    return ln.allowed[ctx.plan.gline[j]]


def _excess(
    ctx: Ctx, base: np.ndarray, lo: float, hi: float, cap: np.ndarray, avoid: np.ndarray | None
) -> np.ndarray:
    raw = np.rint(base * ctx.rng.uniform(lo, hi, size=len(base))).astype(np.int64)
    amount = np.minimum(np.maximum(raw, 100), cap)
    return np.maximum(avoid_tie(amount, avoid, step=-1), 1)


def paid_above_contract(ctx: Ctx, pos: np.ndarray, avoid: np.ndarray | None) -> Component:
    """The payer allowed (and reported, AMT B6) more than the contracted fee schedule; the
    practice wrote off only charge minus the contracted amount."""
    plan, ln = ctx.plan, ctx.world.lines
    assert ln is not None
    gl = plan.gline
    room = ln.charge[gl] - ln.allowed[gl]
    score = np.where(ln.covered[gl] & (ln.allowed[gl] > 0) & (room >= 100), ln.allowed[gl], -1)
    t = best_line(plan, pos, score)
    excess = _excess(ctx, ln.allowed[gl[t]], 0.08, 0.35, room[t], avoid)
    plan.pay[t] += excess
    plan.b6[t] += excess
    mark(plan.ev_line, t, R.ROLE_PAY, R.ROLE_PR)
    return Component(excess, plan.payer[pos].astype(np.int64))


def paid_above_reported_allowed(ctx: Ctx, pos: np.ndarray, avoid: np.ndarray | None) -> Component:
    """The payment exceeds the payer's own allowed (AMT B6) less patient responsibility."""
    plan = ctx.plan
    allowed = _allowed(ctx, np.arange(len(plan.gline)))
    t = best_line(plan, pos, allowed)
    base = np.maximum(allowed[t], 1000)
    excess = _excess(ctx, base, 0.05, 0.5, np.full(len(pos), 10**9), avoid)
    plan.pay[t] += excess
    mark(plan.ev_line, t, R.ROLE_PAY, R.ROLE_PR)
    return Component(excess, plan.payer[pos].astype(np.int64))


def cob_secondary_as_primary(ctx: Ctx, pos: np.ndarray, avoid: np.ndarray | None) -> Component:
    """The secondary paid as if it were primary (80-100% of its own allowed, no OA-23) instead
    of the patient's share; eligible claims have that payment clear the share by $5 or more."""
    plan = ctx.plan
    j, own = plan.lines_of(pos)
    plan.sec_mode[pos] = SEC_AS_PRIMARY
    share = ctx.rng.uniform(0.8, 1.0, size=len(pos))[own]
    plan.sec_pay[j] = np.rint(plan.sec_b6[j] * share).astype(np.int64)
    pr = per_claim_sum(plan.ded[j] + plan.coins[j] + plan.copay[j], own, len(pos))
    amount = per_claim_sum(plan.sec_pay[j], own, len(pos)) - pr
    fixed = avoid_tie(amount, avoid, step=-1)
    t = best_line(plan, pos, plan.sec_b6)
    plan.sec_pay[t] += fixed - amount
    plan.stmt_amt[pos] = 0
    mark(plan.ev_line, j, R.ROLE_SEC, R.ROLE_PR, R.ROLE_PAY)
    return Component(fixed, plan.sec_payer[pos].astype(np.int64))


def paid_not_billed(ctx: Ctx, pos: np.ndarray, avoid: np.ndarray | None) -> Component:
    """A payer that is neither the claim's primary nor secondary (a former insurer) paid it."""
    plan, world = ctx.plan, ctx.world
    c, ln = world.claims, world.lines
    assert c is not None and ln is not None
    options = np.nonzero((world.payers.types == "commercial") & world.payers.eft)[0]
    pick = options[ctx.rng.integers(0, len(options), size=len(pos))]
    for _ in range(2):  # step past the claim's own payers
        clash = (pick == plan.payer[pos]) | (pick == c.secondary[plan.claims[pos]])
        pick = np.where(clash, options[(np.searchsorted(options, pick) + 1) % len(options)], pick)
    j, own = plan.lines_of(pos)
    gl = plan.gline[j]
    rate, _ = rate_for(world, pick[own], ln.slot[gl], c.service_day[ln.claim[gl]])
    allowed = np.minimum(rate * ln.units[gl], ln.charge[gl])
    pay = np.maximum(np.rint(allowed * 0.7).astype(np.int64), 1)
    total = per_claim_sum(pay, own, len(pos))
    first = np.r_[True, own[1:] != own[:-1]]
    fixed = avoid_tie(total, avoid)
    pay[first] += (fixed - total)[own[first]]
    key = snap_to_weekday(
        plan.post_day[pos] + 5 + ctx.rng.integers(0, 36, size=len(pos)), world.payers.run_wd[pick]
    )
    zero = np.zeros(len(j), dtype=np.int64)
    k = pos[own]
    F.post_adjudication(
        ctx.extra,
        claim=plan.claims[k],
        gline=gl,
        payer=pick[own],
        key_day=key[own],
        style=np.full(len(j), STYLE_ERA),
        pay=pay,
        b6=allowed,
        co45=zero,
        seq=zero,
        ded=zero,
        coins=zero,
        copay=zero,
        evid=plan.evid[k],
        ev_mask=np.full(len(j), 0x7FFF, dtype=np.int16),
    )
    return Component(fixed, pick.astype(np.int64))


def sequestration_not_applied(ctx: Ctx, pos: np.ndarray, avoid: np.ndarray | None) -> Component:
    """CO-253 reported (and posted) but the payment was not reduced by it."""
    plan = ctx.plan
    j, own = plan.lines_of(pos)
    keep = plan.seq[j] > 0
    j, own = j[keep], own[keep]
    plan.pay[j] += plan.seq[j]
    mark(plan.ev_line, j, R.ROLE_PAY, R.ROLE_SEQ, R.ROLE_PR)
    return Component(per_claim_sum(plan.seq[j], own, len(pos)), plan.payer[pos].astype(np.int64))
