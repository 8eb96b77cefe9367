"""allowance_error variants: a write-off larger than it should be."""

from __future__ import annotations

import numpy as np

from cbclassify.synth import flows as F
from cbclassify.synth import rows as R
from cbclassify.synth.variants import (
    Component,
    Ctx,
    avoid_tie,
    best_line,
    mark,
    no_codes,
    per_claim_sum,
)


def _codes(style: np.ndarray, group: str, reason: str) -> tuple[np.ndarray, np.ndarray]:
    bare = no_codes(style)
    return np.where(bare, -1, R.GROUP[group]), np.where(bare, -1, R.REASON[reason])


def co45_above_contract(ctx: Ctx, pos: np.ndarray, avoid: np.ndarray | None) -> Component:
    """The contractual adjustment exceeds charge minus allowed."""
    plan, ln = ctx.plan, ctx.world.lines
    assert ln is not None
    allowed = ln.allowed[plan.gline]
    t = best_line(plan, pos, allowed)
    base = allowed[t]
    raw = np.rint(base * ctx.rng.uniform(0.05, 0.6, size=len(pos))).astype(np.int64)
    excess = np.maximum(np.minimum(np.maximum(raw, 100), base), 1)
    excess = np.maximum(avoid_tie(excess, avoid, step=-1), 1)
    if avoid is not None:
        excess = np.where(excess == avoid, excess + 2, excess)
    plan.co45[t] += excess
    group, reason = _codes(plan.style[pos], "CO", "45")
    ctx.fix.add(
        len(pos),
        claim=plan.claims[pos],
        gline=plan.gline[t],
        kind=R.KIND["adjustment"],
        source=R.PAYER_SRC,
        payer=plan.payer[pos],
        amount=excess,
        group=group,
        reason=reason,
        method=R.METHOD["manual"],
        posted_day=plan.post_day[pos],
        posted_by=F.biller(plan.claims[pos]),
        evid=plan.evid[pos],
    )
    mark(plan.ev_line, t, R.ROLE_CO45, R.ROLE_PAY)
    return Component(excess, np.full(len(pos), -1))


def pr_written_off(ctx: Ctx, pos: np.ndarray, avoid: np.ndarray | None) -> Component:
    """Patient responsibility written off as contractual, and the patient paid it anyway.

    Copay plans: the 835 posting mapped PR-3 to CO-45 (the copay was collected at the desk).
    Deductible/coinsurance plans: a biller wrote the patient's share off; the statement, already
    sent, was paid afterwards."""
    plan = ctx.plan
    copay_flavour = plan.tos_amt[pos] > 0
    j, own = plan.lines_of(pos[copay_flavour])
    j, own = j[plan.copay[j] > 0], own[plan.copay[j] > 0]
    k = pos[copay_flavour][own]
    group, reason = _codes(plan.style[k], "CO", "45")
    post = plan.post_day[k]
    cols = {
        "claim": plan.claims[k],
        "gline": plan.gline[j],
        "kind": R.KIND["adjustment"],
        "source": R.PAYER_SRC,
        "payer": plan.payer[k],
        "amount": plan.copay[j],
        "group": group,
        "reason": reason,
        "trace_kind": R.TRACE_KEY,
        "key_day": plan.key_day[k],
        "key_era": plan.style[k] == 0,
        "has_era": plan.style[k] == 0,
        "method": F.payer_method(plan.payer[k], plan.key_day[k], plan.style[k]),
        "posted_day": post,
        "posted_by": F.payer_user(plan.payer[k], plan.key_day[k], plan.style[k]),
        "evid": plan.evid[k],
        "role": R.ROLE_CO45,
    }
    ctx.extra.add(len(j), **cols)
    ctx.fix.add(len(j), **cols)
    mark(plan.ev_claim, pos[copay_flavour], R.ROLE_TOS)
    rest = pos[~copay_flavour]
    wo_day = plan.post_day[rest] + 1 + ctx.rng.integers(0, 8, size=len(rest))
    plan.stmt_day[rest] = np.maximum(plan.stmt_day[rest], wo_day + 1)
    group, reason = _codes(plan.style[rest], "CO", "45")
    cols = {
        "claim": plan.claims[rest],
        "kind": R.KIND["adjustment"],
        "source": R.PAYER_SRC,
        "payer": plan.payer[rest],
        "amount": plan.stmt_amt[rest],
        "group": group,
        "reason": reason,
        "method": R.METHOD["manual"],
        "posted_day": wo_day,
        "posted_by": F.biller(plan.claims[rest]),
        "evid": plan.evid[rest],
    }
    ctx.extra.add(len(rest), **cols)
    ctx.fix.add(len(rest), **cols)
    mark(plan.ev_claim, rest, R.ROLE_STMT)
    lines_all, _ = plan.lines_of(pos)
    mark(plan.ev_line, lines_all, R.ROLE_PR)
    amount = np.where(copay_flavour, plan.tos_amt[pos], plan.stmt_amt[pos])
    return Component(amount.astype(np.int64), np.full(len(pos), -1))


def adjustment_posted_twice(ctx: Ctx, pos: np.ndarray, avoid: np.ndarray | None) -> Component:
    """The contractual adjustments keyed in again by hand."""
    plan = ctx.plan
    j, own = plan.lines_of(pos)
    keep = plan.co45[j] > 0
    j, own = j[keep], own[keep]
    k = pos[own]
    group, reason = _codes(plan.style[k], "CO", "45")
    delay = 1 + ctx.rng.integers(0, 20, size=len(pos))[own]
    cols = {
        "claim": plan.claims[k],
        "gline": plan.gline[j],
        "kind": R.KIND["adjustment"],
        "source": R.PAYER_SRC,
        "payer": plan.payer[k],
        "amount": plan.co45[j],
        "group": group,
        "reason": reason,
        "method": R.METHOD["manual"],
        "posted_day": plan.post_day[k] + delay,
        "posted_by": F.biller(plan.claims[k] + 1),
        "evid": plan.evid[k],
        "role": R.ROLE_CO45,
    }
    ctx.extra.add(len(j), **cols)
    ctx.fix.add(len(j), **cols)
    mark(plan.ev_line, j, R.ROLE_CO45)
    return Component(per_claim_sum(plan.co45[j], own, len(pos)), np.full(len(pos), -1))
