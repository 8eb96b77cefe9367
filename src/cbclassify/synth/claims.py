"""Claims (visits) and their lines: patients' episodes of care, procedures, units, charges."""

from __future__ import annotations

import numpy as np

from cbclassify.synth import catalog as cat
from cbclassify.synth.entities import build_patients, providers_for
from cbclassify.synth.world import Claims, Lines, World, weekday

#: Service dates end this many days before the last posting day (billing lag fits after).
SERVICE_END_MARGIN = 10


def group_rank(sorted_keys: np.ndarray) -> np.ndarray:
    """0-based rank of each element within its run of equal keys (input sorted by key)."""
    n = len(sorted_keys)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.r_[True, sorted_keys[1:] != sorted_keys[:-1]]
    start_pos = np.maximum.accumulate(np.where(starts, np.arange(n), 0))
    return np.arange(n) - start_pos


def build_claims(world: World) -> None:
    """Fill ``world.patients``, ``world.claims``, ``world.lines`` (without amounts)."""
    rng, n_claims = world.rng, world.config.claims
    mix = cat.PAYER_MIXES[world.config.payer_mix]
    disc_w = np.array([mix.disciplines[d] for d in cat.DISCIPLINES])
    by_disc = rng.multinomial(n_claims, disc_w / disc_w.sum())
    visits = np.array([cat.VISITS_PER_PATIENT[d] for d in cat.DISCIPLINES])
    patients_by_disc = np.where(by_disc > 0, np.maximum(1, np.rint(by_disc / visits)), 0).astype(
        np.int64
    )
    world.provider_ids, provider_disc = providers_for(by_disc)
    patients = build_patients(world, patients_by_disc, provider_disc)
    world.patients = patients
    first_patient = np.r_[0, np.cumsum(patients_by_disc)[:-1]]
    claim_disc = np.repeat(np.arange(len(cat.DISCIPLINES)), by_disc)
    patient = first_patient[claim_disc] + rng.integers(
        0, np.maximum(patients_by_disc[claim_disc], 1)
    )
    patient = np.sort(patient)
    service_day = _schedule_visits(world, patient, patients.discipline[patient])
    rank = group_rank(patient)
    order = np.lexsort((patient, service_day))
    patient, service_day, rank = patient[order], service_day[order], rank[order]
    n = len(patient)
    own_provider = rng.random(n) < 0.9
    disc = patients.discipline[patient]
    other = _random_provider(world, disc, provider_disc)
    claims = Claims(
        patient=patient,
        payer=patients.payer[patient],
        secondary=patients.secondary[patient],
        location=patients.location[patient],
        provider=np.where(own_provider, patients.provider[patient], other),
        service_day=service_day,
        billed_day=service_day + rng.integers(1, 7, size=n),
        first_line=np.zeros(n, dtype=np.int64),
        n_lines=np.zeros(n, dtype=np.int64),
    )
    world.claims = claims
    world.lines = _build_lines(world, disc, rank == 0)


def _random_provider(world: World, disc: np.ndarray, provider_disc: np.ndarray) -> np.ndarray:
    out = np.empty(len(disc), dtype=np.int64)
    for d in range(len(cat.DISCIPLINES)):
        idx = np.nonzero(disc == d)[0]
        out[idx] = (
            world.rng.choice(np.nonzero(provider_disc == d)[0], size=len(idx)) if len(idx) else 0
        )
    return out


def _schedule_visits(world: World, patient: np.ndarray, disc: np.ndarray) -> np.ndarray:
    """Service days: each patient's visits evenly spaced within the window, weekends moved."""
    rng = world.rng
    window = world.end_day - SERVICE_END_MARGIN - world.start_day
    uniq, start_idx, counts = np.unique(patient, return_index=True, return_counts=True)
    interval = np.array([cat.VISIT_INTERVAL_DAYS[d] for d in cat.DISCIPLINES])[disc[start_idx]]
    interval = interval + rng.integers(0, 3, size=len(uniq))
    span = np.minimum((counts - 1) * interval, window)
    first = world.start_day + (rng.random(len(uniq)) * (window - span + 1)).astype(np.int64)
    rank = group_rank(patient)
    per_visit = np.repeat(span, counts) * rank // np.maximum(np.repeat(counts, counts) - 1, 1)
    day = np.repeat(first, counts) + per_visit
    wd = weekday(day)
    return day - np.where(wd >= 5, wd - 4, 0)


def _build_lines(world: World, disc: np.ndarray, is_eval: np.ndarray) -> Lines:
    rng, claims, fees = world.rng, world.claims, world.fees
    assert claims is not None and fees is not None
    n = claims.n
    n_lines = np.empty(n, dtype=np.int64)
    for d, name in enumerate(cat.DISCIPLINES):
        idx = np.nonzero(disc == d)[0]
        n_lines[idx] = 1 + rng.choice(4, size=len(idx), p=np.array(cat.LINES_PER_CLAIM[name]))
    procs: list[np.ndarray] = []
    owners: list[np.ndarray] = []
    for d, name in enumerate(cat.DISCIPLINES):
        idx = np.nonzero(disc == d)[0]
        if len(idx):
            p, o = _procedures_for(world, name, idx, n_lines[idx], is_eval[idx])
            procs.append(p)
            owners.append(o)
    proc = np.concatenate(procs)
    owner = np.concatenate(owners)
    order = np.argsort(owner, kind="stable")  # eval line first, then treatments, per claim
    proc, owner = proc[order], owner[order]
    claims.n_lines = np.bincount(owner, minlength=n).astype(np.int64)
    claims.first_line = np.r_[0, np.cumsum(claims.n_lines)[:-1]].astype(np.int64)
    line_no = np.arange(len(owner)) - claims.first_line[owner] + 1
    slot = _slots_for(world, proc)
    lo = np.array([p.units[0] for p in cat.PROCEDURES])[proc]
    hi = np.array([p.units[1] for p in cat.PROCEDURES])[proc]
    units = lo + (rng.random(len(proc)) * (hi - lo + 1)).astype(np.int64)
    charge = fees.slot_charge[slot] * units
    return Lines(claim=owner, line_no=line_no, slot=slot, units=units, charge=charge)


def _procedures_for(
    world: World, name: str, claims_idx: np.ndarray, n_lines: np.ndarray, is_eval: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Procedure indices and owning claims for one discipline's claims (weighted, no repeats)."""
    rng = world.rng
    evals = np.array(
        [i for i, p in enumerate(cat.PROCEDURES) if p.discipline == name and p.evaluation]
    )
    treats = np.array(
        [i for i, p in enumerate(cat.PROCEDURES) if p.discipline == name and not p.evaluation]
    )
    weights = np.array([cat.PROCEDURES[i].weight for i in treats])
    n_treat = np.minimum(n_lines - is_eval, len(treats))
    keys = rng.random((len(claims_idx), len(treats))) ** (1.0 / weights)
    order = np.argsort(-keys, axis=1)
    rows, cols = np.nonzero(np.arange(len(treats))[None, :] < n_treat[:, None])
    treat_proc = treats[order[rows, cols]]
    eval_rows = np.nonzero(is_eval)[0]
    eval_proc = rng.choice(evals, size=len(eval_rows))
    procs = np.concatenate([eval_proc, treat_proc])
    owners = np.concatenate([claims_idx[eval_rows], claims_idx[rows]])
    return procs, owners


def _slots_for(world: World, proc: np.ndarray) -> np.ndarray:
    """Line slot (procedure + modifier) drawn by the procedure's modifier probabilities."""
    slot = np.empty(len(proc), dtype=np.int64)
    base = 0
    draw = world.rng.random(len(proc))
    for i, p in enumerate(cat.PROCEDURES):
        mask = proc == i
        cum = np.cumsum([prob for _, prob in p.modifiers])
        slot[mask] = base + np.minimum(np.searchsorted(cum, draw[mask], side="right"), len(cum) - 1)
        base += len(p.modifiers)
    return slot
