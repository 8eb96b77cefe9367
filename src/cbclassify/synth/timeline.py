"""Claim balances over time, computed from the generator's rows (exact integer cents).

Used to decide a patient credit's action (does the patient have another claim with a positive
balance on the date?) and how much of a credit another claim can absorb by transfer without
ever dropping below zero later."""

from __future__ import annotations

import numpy as np

from cbclassify.synth import rows as R
from cbclassify.synth.world import World

_SHIFT = np.int64(1 << 22)  # day < 2**22


def balance_effect(rows: R.Rows) -> np.ndarray:
    """Effect of each row on its claim's balance (the contract's balance rule)."""
    kind = rows["kind"]
    reducing = np.isin(kind, (R.KIND["payment"], R.KIND["adjustment"], R.KIND["transfer"]))
    refund = kind == R.KIND["refund"]
    return np.where(reducing, -rows["amount"], np.where(refund, rows["amount"], 0))


class BalanceTimeline:
    """Balances of some claims after each day on which they changed."""

    def __init__(self, world: World, rows: R.Rows, claims: np.ndarray) -> None:
        c, lines = world.claims, world.lines
        assert c is not None and lines is not None
        wanted = np.zeros(c.n, dtype=bool)
        wanted[claims] = True
        sel = wanted[rows["claim"]]
        charge = world.claim_sum(lines.charge)
        claim = np.concatenate([rows["claim"][sel], np.nonzero(wanted)[0]])
        day = np.concatenate([rows["posted_day"][sel], c.billed_day[wanted]])
        delta = np.concatenate([balance_effect(R.take_rows(rows, sel)), charge[wanted]])
        billed = np.concatenate(
            [np.zeros(int(sel.sum()), dtype=bool), np.ones(int(wanted.sum()), dtype=bool)]
        )
        code = claim * _SHIFT + day
        order = np.argsort(code, kind="stable")
        code, delta, billed = code[order], delta[order], billed[order]
        uniq, start = np.unique(code, return_index=True)
        step = np.add.reduceat(delta, start) if len(start) else delta[:0]
        self.code = uniq
        self.claim = uniq // _SHIFT
        first = (
            np.r_[True, self.claim[1:] != self.claim[:-1]] if len(uniq) else np.zeros(0, dtype=bool)
        )
        total = np.cumsum(step)
        run_start = (
            np.maximum.accumulate(np.where(first, np.arange(len(uniq)), 0)) if len(uniq) else step
        )
        self.balance = total - (total[run_start] - step[run_start]) if len(uniq) else step
        billed_steps = np.logical_or.reduceat(billed, start) if len(start) else billed[:0]
        self.billed = _running_any(billed_steps, first)
        self.suffix_min = _suffix_min(self.balance, first)

    def _locate(self, claims: np.ndarray, days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        idx = np.searchsorted(self.code, claims * _SHIFT + days, side="right") - 1
        found = (idx >= 0) & (self.claim[np.maximum(idx, 0)] == claims)
        found &= self.billed[np.maximum(idx, 0)]
        return np.maximum(idx, 0), found

    def balance_at(self, claims: np.ndarray, days: np.ndarray) -> np.ndarray:
        """Balance at the end of ``days`` (0 for claims not billed by then)."""
        idx, found = self._locate(claims, days)
        return np.where(found, self.balance[idx], 0)

    def lowest_from(self, claims: np.ndarray, days: np.ndarray) -> np.ndarray:
        """Lowest balance from the end of ``days`` on (0 for claims not billed by then)."""
        idx, found = self._locate(claims, days)
        return np.where(found, self.suffix_min[idx], 0)


def _running_any(flags: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Within runs starting at ``first``, whether any flag so far is set."""
    n = len(flags)
    pos = np.where(flags, np.arange(n), -1)
    last_true = np.maximum.accumulate(pos) if n else pos
    run_start = np.maximum.accumulate(np.where(first, np.arange(n), 0)) if n else pos
    return last_true >= run_start


def _suffix_min(values: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Minimum of ``values`` from each position to the end of its run."""
    if len(values) == 0:
        return values
    last = np.r_[first[1:], True]  # a run's last element starts the reversed run
    return _grouped_cummin(values[::-1], last[::-1])[::-1]


def _grouped_cummin(values: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Running minimum restarting where ``first`` is True: each later run is shifted below all
    earlier ones, so one ``minimum.accumulate`` never carries a minimum across runs."""
    run = np.cumsum(first)
    low = values.min()
    span = np.int64(values.max() - low + 1)
    offset = (run.max() - run) * span
    return np.minimum.accumulate(values - low + offset) - offset + low
