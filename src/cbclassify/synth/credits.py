"""Choose the claims that get an injected credit, apply their variants, and post them.

Every credit claim is first posted as fully settled (payer paid, patient paid their share), so
its balance is exactly the sum of its components' amounts once the last posting is in."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cbclassify.synth import registry as G
from cbclassify.synth import rows as R
from cbclassify.synth.amounts import STYLE_MANUAL_NO_CODES
from cbclassify.synth.paid import post_paid
from cbclassify.synth.plan import build_plan
from cbclassify.synth.variants import Ctx, Facts, claim_facts
from cbclassify.synth.world import World

#: A credit claim's service date is at least this many days before the last posting day.
CREDIT_MARGIN_DAYS = 130


@dataclass
class Credits:
    """One entry per injected credit; components ordered (fixed-amount first)."""

    claim: np.ndarray
    hard: np.ndarray
    variant: np.ndarray  # [n, 2] index into registry.VARIANT_NAMES, -1 for none
    amount: np.ndarray  # [n, 2] cents
    refund_payer: np.ndarray  # [n, 2] payer owed the money back, -1
    fix_rows: R.Rows  # rows whose negation corrects a component (evid = credit)

    @property
    def n(self) -> int:
        return len(self.claim)

    @property
    def total(self) -> np.ndarray:
        return self.amount.sum(axis=1)

    @property
    def principal(self) -> np.ndarray:
        """Component index (0/1) of the larger amount."""
        return (self.amount[:, 1] > self.amount[:, 0]).astype(np.int64)


def largest_remainder(weights: np.ndarray, total: int) -> np.ndarray:
    """Integer counts proportional to ``weights`` summing to ``total``."""
    if total <= 0 or weights.sum() <= 0:
        return np.zeros(len(weights), dtype=np.int64)
    share = weights / weights.sum() * total
    counts = np.floor(share).astype(np.int64)
    rest = total - counts.sum()
    counts[np.argsort(-(share - counts), kind="stable")[:rest]] += 1
    return counts


def _specs(world: World) -> list[tuple[int, tuple[str, ...], int]]:
    cfg = world.config
    assert world.claims is not None
    n_credit = round(cfg.credit_rate * world.claims.n)
    n_hard = round(cfg.hard_case_share * n_credit)
    specs: list[tuple[int, tuple[str, ...], int]] = []
    kinds = sorted(G.HARD_VARIANTS)
    for kind, n_kind in zip(kinds, largest_remainder(np.ones(len(kinds)), n_hard), strict=True):
        options = G.HARD_VARIANTS[kind]
        for names, count in zip(
            options, largest_remainder(np.ones(len(options)), int(n_kind)), strict=True
        ):
            specs.append((kind, names, int(count)))
    weights = np.array([G.WEIGHTS[name] for name in G.VARIANT_NAMES])
    for name, count in zip(
        G.VARIANT_NAMES, largest_remainder(weights, n_credit - n_hard), strict=True
    ):
        specs.append((G.HARD_NONE, (name,), int(count)))
    return specs


def _eligible(world: World, facts: Facts, kind: int, names: tuple[str, ...]) -> np.ndarray:
    assert world.claims is not None
    ok = facts.insured & (world.claims.service_day <= world.end_day - CREDIT_MARGIN_DAYS)
    for name in names:
        variant = G.BY_NAME[name]
        ok &= variant.needs(facts)
        if variant.source != "patient_credit" and kind != G.HARD_NO_FEE_SCHEDULE:
            ok &= ~facts.fee_none
    if kind == G.HARD_NO_FEE_SCHEDULE:
        ok &= facts.fee_none
    if kind != G.HARD_MANUAL_NO_CARC:
        ok &= facts.style != STYLE_MANUAL_NO_CODES
    return ok


def select_credits(world: World) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Claims, hard kinds and variant pairs of the credits to inject."""
    assert world.claims is not None
    facts = claim_facts(world)
    taken = np.zeros(world.claims.n, dtype=bool)
    claims, hard, variants = [], [], []
    for kind, names, count in _specs(world):
        pool = np.nonzero(_eligible(world, facts, kind, names) & ~taken)[0]
        chosen = (
            world.rng.choice(pool, size=min(count, len(pool)), replace=False) if count else pool[:0]
        )
        taken[chosen] = True
        claims.append(chosen)
        hard.append(np.full(len(chosen), kind))
        pair = [G.VARIANT_NAMES.index(n) for n in names] + [-1] * (2 - len(names))
        variants.append(np.tile(pair, (len(chosen), 1)))
    claim = np.concatenate(claims).astype(np.int64)
    order = np.argsort(claim, kind="stable")
    return (
        claim[order],
        np.concatenate(hard)[order].astype(np.int8),
        np.vstack(variants)[order].astype(np.int64),
    )


def post_credit_claims(world: World, sink: R.RowSink) -> Credits:
    """Select, build and post every credit claim; returns the credits with exact amounts."""
    claim, hard, variant = select_credits(world)
    n = len(claim)
    plan = build_plan(world, claim)
    plan.evid = np.arange(n, dtype=np.int64)
    plan.style[hard == G.HARD_MANUAL_NO_CARC] = STYLE_MANUAL_NO_CODES
    ctx = Ctx(world, plan, R.RowSink(), R.RowSink())
    amount = np.zeros((n, 2), dtype=np.int64)
    refund_payer = np.full((n, 2), -1, dtype=np.int64)
    combos = np.unique(variant, axis=0) if n else variant
    for combo in combos:
        pos = np.nonzero((variant == combo).all(axis=1))[0]
        avoid = None
        for slot, v in enumerate(combo):
            if v < 0:
                continue
            comp = G.BY_NAME[G.VARIANT_NAMES[v]].apply(ctx, pos, avoid)
            amount[pos, slot] = comp.amount
            refund_payer[pos, slot] = comp.payer
            avoid = comp.amount
    post_paid(world, sink, plan)
    sink.extend(ctx.extra.rows())
    if (amount.sum(axis=1) <= 0).any():
        raise RuntimeError("synth: an injected credit has no positive amount")
    return Credits(claim, hard, variant, amount, refund_payer, ctx.fix.rows())
