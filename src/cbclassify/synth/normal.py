"""Postings of claims without an injected credit: paid (with statements, secondaries and
transfers between a patient's claims), denied (open, written off, or paid after a rebill),
taken back and re-paid, and self-pay. None of them ever drops below a zero balance."""

from __future__ import annotations

import numpy as np

from cbclassify.synth import flows as F
from cbclassify.synth import rows as R
from cbclassify.synth.amounts import STYLE_ERA
from cbclassify.synth.claims import group_rank
from cbclassify.synth.paid import post_paid
from cbclassify.synth.plan import (
    STMT_NONE,
    STMT_OPEN,
    STMT_PAID,
    STMT_WRITEOFF,
    PaidPlan,
    build_plan,
    retime,
)
from cbclassify.synth.world import World, snap_to_weekday

DENIAL_REASONS = (("16", 0.6), ("197", 0.2), ("50", 0.1), ("27", 0.1))


def post_normal_claims(world: World, sink: R.RowSink, claims: np.ndarray) -> None:
    """Draw a scenario for each claim and append its postings."""
    c = world.claims
    assert c is not None
    self_pay = c.payer[claims] < 0
    _post_self_pay(world, sink, claims[self_pay])
    insured = claims[~self_pay]
    draw = world.rng.random(len(insured))
    denied = draw < 0.06
    takeback = ~denied & (draw < 0.085) & (world.claim_style[insured] == STYLE_ERA)
    _post_paid(world, sink, build_plan(world, insured[~denied & ~takeback]))
    _post_takeback(world, sink, build_plan(world, insured[takeback]))
    _post_denied(world, sink, build_plan(world, insured[denied]))


def _post_paid(world: World, sink: R.RowSink, plan: PaidPlan) -> None:
    draw = world.rng.random(len(plan.claims))
    small = plan.stmt_amt <= 1500
    plan.stmt_outcome = np.where(
        draw < 0.78, STMT_PAID, np.where((draw < 0.83) & small, STMT_WRITEOFF, STMT_OPEN)
    ).astype(np.int8)
    _combine_statements(world, sink, plan)
    post_paid(world, sink, plan)


def _combine_statements(world: World, sink: R.RowSink, plan: PaidPlan) -> None:
    """Some patients pay two statements with one payment: it is posted on one claim and the
    other claim's share is transferred to it (``-X`` on the first, ``+X`` on the second)."""
    c = world.claims
    assert c is not None
    paying = np.nonzero((plan.stmt_outcome == STMT_PAID) & (plan.stmt_amt > 0))[0]
    patient = c.patient[plan.claims[paying]]
    order = np.lexsort((plan.stmt_day[paying], patient))
    paying, patient = paying[order], patient[order]
    rank = group_rank(patient)
    first = np.nonzero((rank % 2 == 0) & (np.r_[patient[1:], -1] == patient))[0]
    first = first[world.rng.random(len(first)) < 0.2]
    a, b = paying[first], paying[first + 1]
    day = np.maximum(plan.stmt_day[a], plan.stmt_day[b])
    moved = plan.stmt_amt[b].copy()
    plan.stmt_amt[a] += moved
    plan.stmt_day[a] = day
    plan.stmt_outcome[b] = STMT_NONE
    user = F.biller(plan.claims[a])
    for claim, sign in ((plan.claims[a], -1), (plan.claims[b], 1)):
        sink.add(
            len(a),
            claim=claim,
            kind=R.KIND["transfer"],
            source=R.PATIENT_SRC,
            amount=sign * moved,
            method=R.METHOD["manual"],
            posted_day=day,
            posted_by=user,
        )


def _post_takeback(world: World, sink: R.RowSink, plan: PaidPlan) -> None:
    """First adjudication at a wrong allowed, reversed (CLP02 = 22) and re-paid in a later 835."""
    if not len(plan.claims):
        return
    ln = world.lines
    assert ln is not None
    factor = world.rng.uniform(0.85, 1.15, size=len(plan.gline))
    pr = plan.ded + plan.coins + plan.copay
    allowed = ln.allowed[plan.gline]
    wrong = np.clip(
        np.rint(allowed * factor).astype(np.int64), pr + plan.seq, ln.charge[plan.gline]
    )
    first = {
        "claim": plan.claims[plan.owner],
        "gline": plan.gline,
        "payer": plan.payer[plan.owner],
        "style": plan.style[plan.owner],
        "pay": wrong - pr - plan.seq,
        "b6": wrong,
        "co45": ln.charge[plan.gline] - wrong,
        "seq": plan.seq,
        "ded": plan.ded,
        "coins": plan.coins,
        "copay": plan.copay,
    }
    F.post_adjudication(sink, key_day=plan.key_day[plan.owner], **first)
    later = snap_to_weekday(
        plan.post_day + 20 + world.rng.integers(0, 60, size=len(plan.claims)),
        world.payers.run_wd[plan.payer],
    )
    F.post_adjudication(sink, key_day=later[plan.owner], sign=-1, **first)
    plan.key_day = later
    retime(world, plan)
    _post_paid(world, sink, plan)


def _post_denied(world: World, sink: R.RowSink, plan: PaidPlan) -> None:
    """Denial (0.00 with its CARC); then paid after a rebill, written off, or left open."""
    if not len(plan.claims):
        return
    rng, c = world.rng, world.claims
    assert c is not None
    codes = np.array([R.REASON[code] for code, _ in DENIAL_REASONS])
    reason = rng.choice(codes, size=len(plan.claims), p=[p for _, p in DENIAL_REASONS])
    F.post_denial(
        sink,
        claim=plan.claims[plan.owner],
        gline=plan.gline,
        payer=plan.payer[plan.owner],
        key_day=plan.key_day[plan.owner],
        style=plan.style[plan.owner],
        reason=reason[plan.owner],
    )
    draw = rng.random(len(plan.claims))
    rebilled = draw < 0.5
    written_off = (draw >= 0.5) & (draw < 0.7)
    later = plan.take(rebilled)
    later.key_day = snap_to_weekday(
        later.post_day + 20 + rng.integers(0, 40, size=len(later.claims)),
        world.payers.run_wd[later.payer],
    )
    retime(world, later)
    _post_paid(world, sink, later)
    rest = plan.take(~rebilled)
    tos = rest.tos_amt > 0
    F.post_patient_payment(
        sink,
        claim=rest.claims[tos],
        amount=rest.tos_amt[tos],
        day=c.service_day[rest.claims[tos]],
        method=rest.tos_method[tos],
        user=rest.tos_user[tos],
        slot=F.SLOT_TOS,
        role=R.ROLE_TOS,
    )
    wo = written_off[~rebilled]
    assert world.lines is not None
    charge = (
        rest.claim_total(world.lines.charge[rest.gline])
        if len(rest.claims)
        else np.zeros(0, np.int64)
    )
    sink.add(
        int(wo.sum()),
        claim=rest.claims[wo],
        kind=R.KIND["adjustment"],
        source=R.PAYER_SRC,
        payer=rest.payer[wo],
        amount=(charge - rest.tos_amt)[wo],
        group=R.GROUP["CO"],
        reason=reason[~rebilled][wo],
        method=R.METHOD["manual"],
        posted_day=rest.post_day[wo] + 10 + rng.integers(0, 30, size=int(wo.sum())),
        posted_by=F.biller(rest.claims[wo]),
    )


def _post_self_pay(world: World, sink: R.RowSink, claims: np.ndarray) -> None:
    """Self-pay discount at billing; paid at the desk, later by statement, or left open."""
    if not len(claims):
        return
    rng, c, lines = world.rng, world.claims, world.lines
    assert c is not None and lines is not None
    charge = world.claim_sum(lines.charge)[claims]
    discount = charge * rng.choice([30, 40, 50], size=len(claims)) // 100
    sink.add(
        len(claims),
        claim=claims,
        kind=R.KIND["adjustment"],
        source=R.PATIENT_SRC,
        amount=discount,
        method=R.METHOD["manual"],
        posted_day=c.billed_day[claims],
        posted_by=F.biller(claims),
    )
    draw = rng.random(len(claims))
    desk = draw < 0.5
    method, _ = F.patient_channel(world, len(claims), at_desk=True)
    F.post_patient_payment(
        sink,
        claim=claims[desk],
        amount=(charge - discount)[desk],
        day=c.service_day[claims[desk]],
        method=method[desk],
        user=F.front_desk(c.location[claims[desk]]),
        slot=F.SLOT_TOS,
        role=R.ROLE_TOS,
    )
    later = (draw >= 0.5) & (draw < 0.8)
    method, user = F.patient_channel(world, len(claims), at_desk=False)
    user = np.where(user < 0, F.front_desk(c.location[claims]), user)
    F.post_patient_payment(
        sink,
        claim=claims[later],
        amount=(charge - discount)[later],
        day=c.billed_day[claims[later]] + 20 + rng.integers(0, 40, size=int(later.sum())),
        method=method[later],
        user=user[later],
        slot=F.SLOT_STMT,
        role=R.ROLE_STMT,
    )
