"""Payers' rates and fee schedules, locations, providers and patients of a synthetic practice."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from cbclassify.contract.ledger import coerce_frame
from cbclassify.synth import catalog as cat
from cbclassify.synth.world import EPOCH, FeeCodes, Patients, World, to_day


def _month_day(start: date, months: int) -> int:
    return to_day(pd.Timestamp(start) + pd.DateOffset(months=months))


def compatible(world: World) -> np.ndarray:
    """[payer, discipline] True where the payer is billed for that discipline."""
    types = world.payers.types
    out = np.ones((world.payers.n, len(cat.DISCIPLINES)), dtype=bool)
    for d, disc in enumerate(cat.DISCIPLINES):
        out[:, d] = ~np.isin(types, cat.INCOMPATIBLE.get(disc, ()))
    return out


def build_fee_codes(world: World) -> FeeCodes:
    """Fee codes, line slots, each payer's true rates (two periods around its rate change) and
    the practice's copy of them (the fee_schedule table, with gaps)."""
    rng, payers = world.rng, world.payers
    fee_keys: list[tuple[str, str]] = []
    base: list[int] = []
    fee_disc: list[int] = []
    slot_cpt, slot_mod, slot_fee, slot_charge = [], [], [], []
    for proc in cat.PROCEDURES:
        for mod, _prob in proc.modifiers:
            key = (proc.cpt, mod if proc.fee_by_modifier else "")
            if key not in fee_keys:
                fee_keys.append(key)
                base.append(round(proc.base_rate_cents * cat.MODIFIER_RATE.get(key[1], 1.0)))
                fee_disc.append(cat.DISCIPLINES.index(proc.discipline))
            slot_cpt.append(proc.cpt)
            slot_mod.append(mod)
            slot_fee.append(fee_keys.index(key))
            unit = proc.base_rate_cents * cat.MODIFIER_RATE.get(mod, 1.0) * cat.CHARGE_MULTIPLE
            slot_charge.append(int(np.ceil(unit / 100.0)) * 100)
    n_fee = len(fee_keys)
    base_arr = np.array(base, dtype=np.float64)
    jitter = rng.uniform(0.97, 1.03, size=(payers.n, n_fee))
    rate0 = np.rint(base_arr[None, :] * payers.rate_mult[:, None] * jitter).astype(np.int64)
    rate1 = np.rint(rate0 * rng.uniform(0.96, 1.06, size=(payers.n, n_fee))).astype(np.int64)
    rate = np.stack([rate0, rate1], axis=2)
    start = world.config.start_date
    payers.change_day = np.array(
        [_month_day(start, p.change_month) if p.change_month < 99 else 10**7 for p in payers.specs],
        dtype=np.int64,
    )
    covered = _coverage(world, np.array(fee_disc), n_fee)
    schedule = _schedule_frame(world, fee_keys, rate, covered)
    return FeeCodes(
        cpt=np.array([k[0] for k in fee_keys]),
        modifier=np.array([k[1] for k in fee_keys]),
        rate=rate,
        covered=covered,
        slot_cpt=np.array(slot_cpt),
        slot_modifier=np.array(slot_mod),
        slot_fee=np.array(slot_fee),
        slot_charge=np.array(slot_charge, dtype=np.int64),
        schedule=schedule,
    )


def _coverage(world: World, fee_disc: np.ndarray, n_fee: int) -> np.ndarray:
    """Which (payer, fee code, period) rows the practice has loaded."""
    rng, payers = world.rng, world.payers
    compat = compatible(world)[:, fee_disc]  # [payer, fee]
    draw = rng.random((payers.n, n_fee))
    gaps = np.array([p.fee_coverage == "gaps" for p in payers.specs])[:, None]
    missing_both = gaps & (draw < 0.07)
    missing_new = gaps & (draw >= 0.07) & (draw < 0.13)
    has_rows = compat & ~payers.fee_none[:, None]
    period0 = has_rows & ~missing_both
    period1 = has_rows & ~missing_both & ~missing_new
    return np.stack([period0, period1], axis=2)


def _schedule_frame(
    world: World, fee_keys: list[tuple[str, str]], rate: np.ndarray, covered: np.ndarray
) -> pd.DataFrame:
    payers = world.payers
    contract_from = to_day(pd.Timestamp(world.config.start_date) - pd.DateOffset(years=1))
    p_idx, f_idx, period = np.nonzero(covered)
    change = payers.change_day[p_idx]
    has_change = change <= world.end_day
    keep = (period == 0) | has_change
    p_idx, f_idx, period, change, has_change = (
        a[keep] for a in (p_idx, f_idx, period, change, has_change)
    )
    eff_from = np.where(period == 0, contract_from, change)
    eff_to = np.where((period == 0) & has_change, change - 1, -1)
    mods = np.array([k[1] for k in fee_keys], dtype=object)[f_idx]
    frame = pd.DataFrame(
        {
            "payer_id": np.array([p.payer_id for p in payers.specs], dtype=object)[p_idx],
            "cpt": np.array([k[0] for k in fee_keys], dtype=object)[f_idx],
            "modifier": np.where(mods == "", None, mods),
            "allowed_per_unit_cents": rate[p_idx, f_idx, period],
            "effective_from": (EPOCH + eff_from.astype("timedelta64[D]")).astype("datetime64[ns]"),
            "effective_to": np.where(
                eff_to >= 0,
                EPOCH + np.maximum(eff_to, 0).astype("timedelta64[D]"),
                np.datetime64("NaT"),
            ).astype("datetime64[ns]"),
        }
    )
    frame = frame.sort_values(["payer_id", "cpt", "modifier", "effective_from"], kind="stable")
    return coerce_frame("fee_schedule", frame.reset_index(drop=True))


def build_places(world: World, n_claims: int) -> None:
    """Locations and providers (per discipline), sized to the practice."""
    n_loc = int(np.clip(n_claims // 4000 + 1, 1, len(cat.LOCATIONS)))
    world.location_ids = tuple(loc for loc, _ in cat.LOCATIONS[:n_loc])
    world.location_states = tuple(state for _, state in cat.LOCATIONS[:n_loc])


def providers_for(n_claims_by_disc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Provider ids and their discipline index: about one provider per 1,500 claims."""
    ids: list[str] = []
    disc: list[int] = []
    for d, name in enumerate(cat.DISCIPLINES):
        count = int(np.clip(np.ceil(n_claims_by_disc[d] / 1500), 1, 60))
        ids += [f"PRV-{name.upper()}-{i + 1:02d}" for i in range(count)]
        disc += [d] * count
    return np.array(ids, dtype=object), np.array(disc)


def build_patients(
    world: World, patients_by_disc: np.ndarray, provider_disc: np.ndarray
) -> Patients:
    """Patients with discipline, coverage (primary, secondary, cost-sharing plan) and residence."""
    rng, payers = world.rng, world.payers
    mix = cat.PAYER_MIXES[world.config.payer_mix]
    discipline = np.repeat(np.arange(len(cat.DISCIPLINES)), patients_by_disc)
    n = len(discipline)
    weights = np.array(
        [mix.payers.get(p.payer_id, 0.0) for p in payers.specs] + [mix.payers[cat.SELF_PAY]]
    )
    compat = np.vstack([compatible(world), np.ones((1, len(cat.DISCIPLINES)), dtype=bool)])
    payer = np.empty(n, dtype=np.int64)
    for d in range(len(cat.DISCIPLINES)):
        idx = np.nonzero(discipline == d)[0]
        w = weights * compat[:, d]
        payer[idx] = rng.choice(len(w), size=len(idx), p=w / w.sum())
    payer[payer == payers.n] = -1
    secondary = _secondaries(world, payer)
    plan, ded, coins, copay = _plans(world, payer, secondary)
    location = rng.integers(0, len(world.location_ids), size=n)
    home_state = np.array(world.location_states, dtype=object)[location]
    moved = rng.random(n) < 0.1
    state = np.where(
        moved, rng.choice(np.array(cat.NEIGHBOUR_STATES, dtype=object), size=n), home_state
    )
    provider = np.empty(n, dtype=np.int64)
    for d in range(len(cat.DISCIPLINES)):
        idx = np.nonzero(discipline == d)[0]
        options = np.nonzero(provider_disc == d)[0]
        provider[idx] = rng.choice(options, size=len(idx))
    return Patients(
        discipline, payer, secondary, plan, ded, coins, copay, state, location, provider
    )


def _secondaries(world: World, payer: np.ndarray) -> np.ndarray:
    rng, payers = world.rng, world.payers
    n = len(payer)
    secondary = np.full(n, -1, dtype=np.int64)
    ptype = np.where(payer >= 0, payers.types[np.maximum(payer, 0)], "self")
    mcr = (ptype == "medicare") & (rng.random(n) < 0.35)
    options = np.array([payers.index("MCD-FFS"), payers.index("COM-SUM"), payers.index("COM-CAS")])
    secondary[mcr] = rng.choice(options, size=int(mcr.sum()), p=[0.45, 0.30, 0.25])
    com = (ptype == "commercial") & (rng.random(n) < 0.04)
    cas, summ = payers.index("COM-CAS"), payers.index("COM-SUM")
    secondary[com] = np.where(payer[com] == cas, summ, cas)
    return secondary


def _plans(world: World, payer: np.ndarray, secondary: np.ndarray) -> tuple[np.ndarray, ...]:
    """Cost sharing per patient: plan kind, annual deductible, coinsurance (bp), copay per visit."""
    rng, payers = world.rng, world.payers
    n = len(payer)
    ptype = np.where(payer >= 0, payers.types[np.maximum(payer, 0)], "self")
    plan = np.full(n, cat.PLAN_NONE, dtype=np.int8)
    ded = np.zeros(n, dtype=np.int64)
    coins = np.zeros(n, dtype=np.int64)
    copay = np.zeros(n, dtype=np.int64)
    mcr = ptype == "medicare"
    plan[mcr], ded[mcr], coins[mcr] = (
        cat.PLAN_DEDCOINS,
        cat.MEDICARE_DEDUCTIBLE_CENTS,
        cat.MEDICARE_COINS_BP,
    )
    copay_types = np.isin(ptype, ("medicare_advantage", "tricare"))
    plan[copay_types] = cat.PLAN_COPAY
    copay[copay_types] = rng.choice(
        [1500, 2000, 2500, 3000, 3500, 4000], size=int(copay_types.sum())
    )
    com = ptype == "commercial"
    draw = rng.random(n)
    com_copay = com & (secondary < 0) & (draw < 0.55)
    com_hdhp = com & (secondary < 0) & (draw >= 0.80)
    com_coins = com & ~com_copay & ~com_hdhp
    plan[com_copay] = cat.PLAN_COPAY
    copay[com_copay] = rng.choice(np.arange(2500, 6001, 500), size=int(com_copay.sum()))
    plan[com_coins] = cat.PLAN_DEDCOINS
    ded[com_coins] = rng.choice([50_000, 100_000, 150_000, 200_000], size=int(com_coins.sum()))
    coins[com_coins] = rng.choice([1000, 2000, 3000], size=int(com_coins.sum()))
    plan[com_hdhp] = cat.PLAN_HDHP
    ded[com_hdhp] = rng.choice([300_000, 450_000, 600_000], size=int(com_hdhp.sum()))
    coins[com_hdhp] = rng.choice([1000, 2000], size=int(com_hdhp.sum()))
    return plan, ded, coins, copay
