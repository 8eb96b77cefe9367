"""The injected-credit variants: their source, how their action is decided, which claims they
fit, and the shared context their ``apply`` functions work on.

An ``apply(ctx, pos, avoid)`` changes the credit claims' ``PaidPlan`` at positions ``pos``
and/or adds extra rows, marks the evidence, and returns the component's exact credit amount
(and, for payer actions, the payer owed the money back). ``avoid`` (free variants only) is an
amount the drawn excess must differ from, so that a mixed credit has one larger cause.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from cbclassify.synth import catalog as cat
from cbclassify.synth import rows as R
from cbclassify.synth.amounts import STYLE_ERA, STYLE_MANUAL_NO_CODES
from cbclassify.synth.plan import PaidPlan
from cbclassify.synth.world import World

#: How a component's action is decided.
ACT_REVERSE, ACT_CORRECT, ACT_PAYER, ACT_PATIENT = (
    "reverse_posting",
    "correct_adjustment",
    "payer",
    "patient",
)


@dataclass
class Ctx:
    """What variants work on: the world, the credit claims' plan, sinks for extra rows (part of
    the ledger) and fix rows (negated when the credit is reversed or corrected)."""

    world: World
    plan: PaidPlan
    extra: R.RowSink
    fix: R.RowSink

    @property
    def rng(self) -> np.random.Generator:
        return self.world.rng


@dataclass
class Component:
    amount: np.ndarray  # exact credit cents per position
    payer: np.ndarray  # payer owed the money back (-1: not a payer action)


@dataclass
class Facts:
    """Per-claim facts that decide which variants a claim can carry."""

    insured: np.ndarray
    style: np.ndarray
    has_sec: np.ndarray
    sec_commercial: np.ndarray
    fee_none: np.ndarray
    seq_payer: np.ndarray
    plan: np.ndarray
    pay: np.ndarray
    pr: np.ndarray
    tos: np.ndarray
    stmt: np.ndarray
    seq: np.ndarray
    co45: np.ndarray
    allowed: np.ndarray
    o1_target: np.ndarray  # has a fee-schedule-covered line with room above its allowed
    sec_allowed: np.ndarray  # the secondary's allowed for the claim (0 without one)


def claim_facts(world: World) -> Facts:
    c, ln, pats = world.claims, world.lines, world.patients
    assert c is not None and ln is not None and pats is not None
    payer = np.maximum(c.payer, 0)
    has_sec = c.secondary >= 0
    plan = pats.plan[c.patient]
    pr = world.claim_sum(ln.pr)
    tos = np.where((plan == cat.PLAN_COPAY) & ~has_sec, world.claim_sum(ln.copay), 0)
    room = ln.covered & (ln.allowed > 0) & (ln.charge - ln.allowed >= 100)
    return Facts(
        insured=c.payer >= 0,
        style=world.claim_style,
        has_sec=has_sec,
        sec_commercial=has_sec & (world.payers.types[np.maximum(c.secondary, 0)] == "commercial"),
        fee_none=world.payers.fee_none[payer],
        seq_payer=(c.payer >= 0) & world.payers.seq[payer],
        plan=plan,
        pay=world.claim_sum(ln.pay),
        pr=pr,
        tos=tos,
        stmt=np.where(has_sec, 0, pr - tos),
        seq=world.claim_sum(ln.seq),
        co45=world.claim_sum(ln.co45),
        allowed=world.claim_sum(ln.allowed),
        o1_target=world.claim_sum(room.astype(np.int64)) > 0,
        sec_allowed=world.claim_sum(ln.sec_allowed),
    )


@dataclass(frozen=True)
class Variant:
    name: str
    source: str
    action: str
    needs: Callable[[Facts], np.ndarray]
    apply: Callable[[Ctx, np.ndarray, np.ndarray | None], Component]
    needs_era: bool = False


def era(f: Facts) -> np.ndarray:
    return f.style == STYLE_ERA


def no_codes(style: np.ndarray) -> np.ndarray:
    return style == STYLE_MANUAL_NO_CODES


def per_claim_sum(values: np.ndarray, own: np.ndarray, n: int) -> np.ndarray:
    """Exact integer sums of ``values`` grouped by ``own`` (0..n-1)."""
    out = np.zeros(n, dtype=np.int64)
    np.add.at(out, own, values.astype(np.int64))
    return out


def best_line(plan: PaidPlan, pos: np.ndarray, score: np.ndarray) -> np.ndarray:
    """For each claim position, its line j with the highest ``score`` (indexed by j)."""
    j, own = plan.lines_of(pos)
    order = np.lexsort((-score[j], own))
    j, own = j[order], own[order]
    first = np.r_[True, own[1:] != own[:-1]]
    out = np.empty(len(pos), dtype=np.int64)
    out[own[first]] = j[first]
    return out


def avoid_tie(amount: np.ndarray, avoid: np.ndarray | None, step: int = 1) -> np.ndarray:
    """``amount`` moved by ``step`` where it equals ``avoid``."""
    if avoid is None:
        return amount
    return np.where(amount == avoid, amount + step, amount)


def mark(mask: np.ndarray, where: np.ndarray, *roles: int) -> None:
    """Set evidence role bits at ``where``."""
    bits = 0
    for role in roles:
        bits |= 1 << role
    np.bitwise_or.at(mask, where, np.int16(bits))
