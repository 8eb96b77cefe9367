"""Actions, identification and resolution of injected credits: the resolving postings (refunds,
offsets, reversals, corrections, transfers) and the ``resolutions`` labels (with label noise)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cbclassify.contract.enums import ACTIONS, CREDIT_SOURCES
from cbclassify.synth import flows as F
from cbclassify.synth import registry as G
from cbclassify.synth import rows as R
from cbclassify.synth.amounts import STYLE_ERA
from cbclassify.synth.credits import Credits
from cbclassify.synth.timeline import BalanceTimeline
from cbclassify.synth.variants import ACT_CORRECT, ACT_PATIENT, ACT_PAYER, ACT_REVERSE
from cbclassify.synth.world import World, snap_to_weekday

ACTION = {name: i for i, name in enumerate(ACTIONS)}
SOURCE = {name: i for i, name in enumerate(CREDIT_SOURCES)}
REFUND_SLOTS = 4


@dataclass
class Outcome:
    """Per credit: dates (days), actions per component, resolution state and label."""

    arose: np.ndarray
    identified: np.ndarray
    resolved: np.ndarray
    resolved_day: np.ndarray  # -1 when unresolved
    action: np.ndarray  # [n, 2] index into ACTIONS, -1
    label: np.ndarray  # source index written in resolutions (noisy)
    resolver: np.ndarray  # user index


def component_sources(credits: Credits) -> np.ndarray:
    """[n, 2] source index per component (-1 for none)."""
    table = np.array([SOURCE[v.source] for v in G.VARIANTS])
    return np.where(credits.variant >= 0, table[np.maximum(credits.variant, 0)], -1)


def decide(world: World, rows: R.Rows, credits: Credits, as_of: int) -> Outcome:
    """Dates, actions and labels of every credit (before any resolving posting exists)."""
    rng, c = world.rng, world.claims
    assert c is not None
    n = credits.n
    owner = np.full(c.n, -1, dtype=np.int64)
    owner[credits.claim] = np.arange(n)
    arose = np.full(n, -1, dtype=np.int64)
    hit = owner[rows["claim"]] >= 0
    np.maximum.at(arose, owner[rows["claim"][hit]], rows["posted_day"][hit])
    resolved = np.zeros(n, dtype=bool)
    resolved[rng.permutation(n)[: round(world.config.resolved_share * n)]] = True
    resolved &= arose <= as_of - 6
    identified = np.where(
        resolved, np.minimum(arose + rng.integers(0, 46, size=n), as_of - 5), as_of
    )
    identified = np.maximum(identified, arose)
    action = _actions(world, rows, credits, identified)
    label = component_sources(credits)[np.arange(n), credits.principal]
    noisy = np.nonzero(resolved)[0]
    noisy = rng.permutation(noisy)[: round(world.config.label_noise * len(noisy))]
    label[noisy] = (label[noisy] + rng.integers(1, len(CREDIT_SOURCES), size=len(noisy))) % len(
        CREDIT_SOURCES
    )
    resolver = F.biller(credits.claim * 7 + 3)
    return Outcome(
        arose, identified, resolved, np.full(n, -1, dtype=np.int64), action, label, resolver
    )


def _actions(world: World, rows: R.Rows, credits: Credits, at_day: np.ndarray) -> np.ndarray:
    kinds = np.array([v.action for v in G.VARIANTS])
    kind = np.where(credits.variant >= 0, kinds[np.maximum(credits.variant, 0)], "")
    offset = world.payers.offset[np.maximum(credits.refund_payer, 0)]
    action = np.full(credits.variant.shape, -1, dtype=np.int64)
    action[kind == ACT_REVERSE] = ACTION["reverse_posting"]
    action[kind == ACT_CORRECT] = ACTION["correct_adjustment"]
    payer_kind = kind == ACT_PAYER
    action[payer_kind] = np.where(
        offset[payer_kind], ACTION["payer_offset"], ACTION["refund_payer"]
    )
    k, slot = np.nonzero(kind == ACT_PATIENT)
    other_open = patient_has_open_balance(world, rows, credits.claim[k], at_day[k])
    action[k, slot] = np.where(other_open, ACTION["apply_to_balance"], ACTION["refund_patient"])
    return action


def _other_claims(world: World, claims: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (index into ``claims``, other claim of the same patient)."""
    c = world.claims
    assert c is not None
    by_patient = np.argsort(c.patient, kind="stable")
    sorted_patients = c.patient[by_patient]
    pat = c.patient[claims]
    lo = np.searchsorted(sorted_patients, pat, side="left")
    hi = np.searchsorted(sorted_patients, pat, side="right")
    counts = hi - lo
    which = np.repeat(np.arange(len(claims)), counts)
    within = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    other = by_patient[lo[which] + within]
    keep = other != claims[which]
    return which[keep], other[keep]


def patient_has_open_balance(
    world: World, rows: R.Rows, claims: np.ndarray, days: np.ndarray
) -> np.ndarray:
    """Whether the patient of each claim has another claim with a positive balance on the day."""
    which, other = _other_claims(world, claims)
    timeline = BalanceTimeline(world, rows, np.unique(other))
    positive = timeline.balance_at(other, days[which]) > 0
    out = np.zeros(len(claims), dtype=bool)
    out[which[positive]] = True
    return out


def resolving_rows(
    world: World, rows: R.Rows, credits: Credits, out: Outcome, as_of: int
) -> R.Rows:
    """Postings that resolve the resolved credits after their identified date (phase 1)."""
    rng = world.rng
    n = credits.n
    sink = R.RowSink()
    day = np.minimum(out.identified + 3 + rng.integers(0, 58, size=n), as_of)
    k, slot = np.nonzero((out.action == ACTION["payer_offset"]) & out.resolved[:, None])
    payer = credits.refund_payer[k, slot]
    key = snap_to_weekday(
        out.identified[k] + 7 + rng.integers(0, 36, size=len(k)), world.payers.run_wd[payer]
    )
    era = np.full(len(k), STYLE_ERA)
    late = F.payer_post_day(payer, key, era) > as_of
    key = np.where(late, out.identified[k] + 1, key)
    day[k] = F.payer_post_day(payer, key, era)
    out.resolved_day = np.where(out.resolved, day, -1)
    user = out.resolver
    sink.add(
        len(k),
        claim=credits.claim[k],
        kind=R.KIND["payment"],
        source=R.PAYER_SRC,
        payer=payer,
        amount=-credits.amount[k, slot],
        trace_kind=R.TRACE_KEY,
        key_day=key,
        key_era=True,
        has_era=True,
        method=R.METHOD["era"],
        posted_day=day[k],
        posted_by=R.USER_ERA,
        phase=1,
    )
    fix = credits.fix_rows
    fixing = out.resolved[fix["evid"]]
    undo = R.take_rows(fix, fixing)
    undo.update(
        amount=-undo["amount"],
        allowed=np.full(int(fixing.sum()), R.NO_AMOUNT),
        posted_day=day[undo["evid"]],
        posted_by=user[undo["evid"]].astype(np.int16),
        phase=np.ones(int(fixing.sum()), dtype=np.int8),
        evid=np.full(int(fixing.sum()), -1),
    )
    sink.extend(undo)
    for action, source in (("refund_payer", R.PAYER_SRC), ("refund_patient", R.PATIENT_SRC)):
        k, slot = np.nonzero((out.action == ACTION[action]) & out.resolved[:, None])
        _refund(sink, credits, k, slot, credits.amount[k, slot], source, day, user)
    _apply_to_balance(world, rows, credits, out, sink, day)
    return sink.rows()


def _refund(
    sink: R.RowSink,
    credits: Credits,
    k: np.ndarray,
    slot: np.ndarray,
    amount: np.ndarray,
    source: int,
    day: np.ndarray,
    user: np.ndarray,
) -> None:
    payer = np.where(source == R.PAYER_SRC, credits.refund_payer[k, slot], -1)
    sink.add(
        len(k),
        claim=credits.claim[k],
        kind=R.KIND["refund"],
        source=source,
        payer=payer,
        amount=amount,
        trace_kind=R.TRACE_REFUND,
        trace_num=credits.claim[k] * REFUND_SLOTS + slot,
        method=R.METHOD["check"],
        posted_day=day[k],
        posted_by=user[k],
        phase=1,
    )


def _apply_to_balance(
    world: World, rows: R.Rows, credits: Credits, out: Outcome, sink: R.RowSink, day: np.ndarray
) -> None:
    """Transfer the credit to the patient's claim that can absorb most of it without ever going
    below one cent; refund the rest (if any) to the patient."""
    k, slot = np.nonzero((out.action == ACTION["apply_to_balance"]) & out.resolved[:, None])
    amount = credits.amount[k, slot]
    which, other = _other_claims(world, credits.claim[k])
    timeline = BalanceTimeline(world, rows, np.unique(other))
    room = timeline.lowest_from(other, day[k][which]) - 1
    order = np.lexsort((-room, which))
    which, other, room = which[order], other[order], room[order]
    best = np.r_[True, which[1:] != which[:-1]] if len(which) else np.zeros(0, dtype=bool)
    which, other, room = which[best], other[best], room[best]
    taken_first = np.unique(other, return_index=True)[1]
    unique_receiver = np.zeros(len(other), dtype=bool)
    unique_receiver[taken_first] = True
    moved = np.zeros(len(k), dtype=np.int64)
    receiver = np.full(len(k), -1, dtype=np.int64)
    ok = unique_receiver & (room > 0)
    moved[which[ok]] = np.minimum(amount[which[ok]], room[ok])
    receiver[which[ok]] = other[ok]
    t = moved > 0
    user = out.resolver[k]
    for claim, sign in ((credits.claim[k][t], -1), (receiver[t], 1)):
        sink.add(
            int(t.sum()),
            claim=claim,
            kind=R.KIND["transfer"],
            source=R.PATIENT_SRC,
            amount=sign * moved[t],
            method=R.METHOD["manual"],
            posted_day=day[k][t],
            posted_by=user[t],
            phase=1,
        )
    rest = amount - moved
    r = rest > 0
    _refund(sink, credits, k[r], slot[r], rest[r], R.PATIENT_SRC, day, out.resolver)
