"""Adjudication amounts per line: the payer's allowed (its true rate on the date of service),
deductible / coinsurance / copay, sequestration, the payer's payment and the secondary's share.

All integer cents. For every line: ``pay + seq + pr == allowed`` and ``allowed <= charge``.
"""

from __future__ import annotations

import numpy as np

from cbclassify.synth import catalog as cat
from cbclassify.synth.claims import group_rank
from cbclassify.synth.world import World

STYLE_ERA, STYLE_MANUAL, STYLE_MANUAL_NO_CODES = 0, 1, 2


def rate_for(
    world: World, payer: np.ndarray, slot: np.ndarray, day: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per-unit allowed of ``payer`` for a line slot on a day, and whether the practice's fee
    schedule has that row. ``payer`` -1 (self-pay) gives 0 / False."""
    fees = world.fees
    assert fees is not None
    p = np.maximum(payer, 0)
    period = (day >= world.payers.change_day[p]).astype(np.int64)
    fee = fees.slot_fee[slot]
    rate = np.where(payer >= 0, fees.rate[p, fee, period], 0)
    covered = (payer >= 0) & fees.covered[p, fee, period]
    return rate.astype(np.int64), covered


def _round_bp(amount: np.ndarray, bp: np.ndarray | int) -> np.ndarray:
    """``amount * bp / 10000`` rounded half up, in integers."""
    return (amount * bp + 5000) // 10000


def compute_amounts(world: World) -> None:
    """Fill the amount arrays of ``world.lines`` and the posting style of each claim."""
    claims, lines, patients = world.claims, world.lines, world.patients
    assert claims is not None and lines is not None and patients is not None
    day = claims.service_day[lines.claim]
    payer = claims.payer[lines.claim]
    rate, covered = rate_for(world, payer, lines.slot, day)
    allowed = np.minimum(rate * lines.units, lines.charge)
    pat = claims.patient[lines.claim]
    plan = patients.plan[pat]
    ded = _deductible(world, pat, day, allowed, patients.deductible[pat])
    has_coins = np.isin(plan, (cat.PLAN_DEDCOINS, cat.PLAN_HDHP))
    ded = np.where(has_coins, ded, 0)
    coins = np.where(has_coins, _round_bp(allowed - ded, patients.coins_bp[pat]), 0)
    before_in_claim = _cumsum_before(allowed, lines.claim)
    copay_amt = patients.copay[pat]
    copay = np.where(plan == cat.PLAN_COPAY, np.clip(copay_amt - before_in_claim, 0, allowed), 0)
    seq_payer = (payer >= 0) & world.payers.seq[np.maximum(payer, 0)]
    seq = np.where(seq_payer, _round_bp(allowed - ded - coins - copay, cat.SEQUESTRATION_BP), 0)
    lines.allowed, lines.covered = allowed, covered
    lines.ded, lines.coins, lines.copay, lines.seq = ded, coins, copay, seq
    lines.pay = allowed - ded - coins - copay - seq
    _secondary_amounts(world, day)
    draw = world.rng.random(claims.n)
    era_share = world.payers.era_share[np.maximum(claims.payer, 0)]
    manual = draw >= era_share
    no_codes = manual & (world.rng.random(claims.n) < 0.3)
    world.claim_style = np.where(
        no_codes, STYLE_MANUAL_NO_CODES, np.where(manual, STYLE_MANUAL, STYLE_ERA)
    ).astype(np.int8)


def _cumsum_before(values: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Running sum of ``values`` before each element within contiguous groups."""
    total = np.cumsum(values)
    starts = np.r_[True, group[1:] != group[:-1]]
    base = np.maximum.accumulate(np.where(starts, total - values, 0))
    return total - values - base


def _deductible(
    world: World, pat: np.ndarray, day: np.ndarray, allowed: np.ndarray, deductible: np.ndarray
) -> np.ndarray:
    """Deductible applied per line, in date order within (patient, calendar year)."""
    year = day.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64)
    order = np.lexsort((np.arange(len(pat)), year, pat))  # stable: lines are in date order
    key = pat[order] * 1000 + year[order]
    before = _cumsum_before(allowed[order], key)
    applied = np.clip(deductible[order] - before, 0, allowed[order])
    out = np.empty_like(applied)
    out[order] = applied
    return out


def _secondary_amounts(world: World, day: np.ndarray) -> None:
    """The secondary's allowed, legitimate payment (OA-23) and, for Medicaid, its write-off."""
    claims, lines = world.claims, world.lines
    assert claims is not None and lines is not None
    sec = claims.secondary[lines.claim]
    rate, _ = rate_for(world, sec, lines.slot, day)
    sec_allowed = np.minimum(rate * lines.units, lines.charge)
    pr = lines.ded + lines.coins + lines.copay
    medicaid = (sec >= 0) & (world.payers.types[np.maximum(sec, 0)] == "medicaid")
    sec_pay = np.where(medicaid, np.minimum(pr, np.maximum(0, sec_allowed - lines.pay)), pr)
    lines.sec_allowed = np.where(sec >= 0, sec_allowed, 0)
    lines.sec_pay = np.where(sec >= 0, sec_pay, 0)
    lines.sec_wo = np.where(sec >= 0, pr - lines.sec_pay, 0)


__all__ = [
    "STYLE_ERA",
    "STYLE_MANUAL",
    "STYLE_MANUAL_NO_CODES",
    "compute_amounts",
    "group_rank",
    "rate_for",
]
