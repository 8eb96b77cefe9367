"""The generator's internal state: payers, fee codes and rates, patients, claims and lines as
numpy arrays (one index per entity). Built by ``entities``, ``claims`` and ``amounts``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from cbclassify.synth.catalog import PAYERS, PayerSpec
from cbclassify.synth.config import SynthConfig

EPOCH = np.datetime64("1970-01-01", "D")
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def to_day(value: date | str) -> int:
    """A date -> days since 1970-01-01."""
    return pd.Timestamp(value).date().toordinal() - _EPOCH_ORDINAL


def weekday(days: np.ndarray) -> np.ndarray:
    """Monday = 0 for days since 1970-01-01 (a Thursday)."""
    return (np.asarray(days) + 3) % 7


def snap_to_weekday(days: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The first day on or after ``days`` that falls on weekday ``target``."""
    return np.asarray(days) + (np.asarray(target) - weekday(days)) % 7


@dataclass
class Payers:
    """Payer attributes, one entry per payer index."""

    specs: tuple[PayerSpec, ...] = PAYERS
    rate_mult: np.ndarray = field(default_factory=lambda: np.array([p.rate_mult for p in PAYERS]))
    era_share: np.ndarray = field(default_factory=lambda: np.array([p.era_share for p in PAYERS]))
    lag: np.ndarray = field(default_factory=lambda: np.array([p.lag_days for p in PAYERS]))
    run_wd: np.ndarray = field(default_factory=lambda: np.array([p.run_weekday for p in PAYERS]))
    eft: np.ndarray = field(default_factory=lambda: np.array([p.eft for p in PAYERS]))
    seq: np.ndarray = field(default_factory=lambda: np.array([p.sequestration for p in PAYERS]))
    fee_none: np.ndarray = field(
        default_factory=lambda: np.array([p.fee_coverage == "none" for p in PAYERS])
    )
    offset: np.ndarray = field(
        default_factory=lambda: np.array([bool(p.allows_offset) for p in PAYERS])
    )
    types: np.ndarray = field(default_factory=lambda: np.array([p.payer_type for p in PAYERS]))
    change_day: np.ndarray = field(default_factory=lambda: np.zeros(len(PAYERS), dtype=np.int64))

    @property
    def n(self) -> int:
        return len(self.specs)

    def index(self, payer_id: str) -> int:
        """Index of a payer id."""
        return [p.payer_id for p in self.specs].index(payer_id)


@dataclass
class FeeCodes:
    """Fee codes (cpt + fee modifier) and line slots (procedure + line modifier)."""

    cpt: np.ndarray  # per fee code
    modifier: np.ndarray  # per fee code ("" = blank, matches any)
    rate: np.ndarray  # [payer, fee code, period] allowed per unit, cents
    covered: np.ndarray  # [payer, fee code, period] a fee-schedule row exists
    slot_cpt: np.ndarray  # per slot
    slot_modifier: np.ndarray
    slot_fee: np.ndarray  # fee code of a slot
    slot_charge: np.ndarray  # practice charge per unit, cents
    schedule: pd.DataFrame  # the fee_schedule table (memory names)


@dataclass
class Patients:
    discipline: np.ndarray
    payer: np.ndarray  # -1 = self-pay
    secondary: np.ndarray  # -1 = none
    plan: np.ndarray
    deductible: np.ndarray
    coins_bp: np.ndarray
    copay: np.ndarray
    state: np.ndarray
    location: np.ndarray
    provider: np.ndarray  # index into World.provider_ids

    @property
    def n(self) -> int:
        return len(self.payer)


@dataclass
class Claims:
    patient: np.ndarray
    payer: np.ndarray
    secondary: np.ndarray
    location: np.ndarray
    provider: np.ndarray
    service_day: np.ndarray
    billed_day: np.ndarray
    first_line: np.ndarray
    n_lines: np.ndarray

    @property
    def n(self) -> int:
        return len(self.patient)


@dataclass
class Lines:
    claim: np.ndarray
    line_no: np.ndarray
    slot: np.ndarray
    units: np.ndarray
    charge: np.ndarray
    allowed: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    covered: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    ded: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    coins: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    copay: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    seq: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    pay: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    sec_allowed: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    sec_pay: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    sec_wo: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def n(self) -> int:
        return len(self.claim)

    @property
    def pr(self) -> np.ndarray:
        return self.ded + self.coins + self.copay

    @property
    def co45(self) -> np.ndarray:
        return self.charge - self.allowed


@dataclass
class World:
    """Everything generated so far; filled in stage by stage."""

    config: SynthConfig
    rng: np.random.Generator
    start_day: int
    end_day: int  # last day any posting may carry
    payers: Payers
    location_ids: tuple[str, ...] = ()
    location_states: tuple[str, ...] = ()
    provider_ids: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=object))
    fees: FeeCodes | None = None
    patients: Patients | None = None
    claims: Claims | None = None
    lines: Lines | None = None
    claim_style: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int8))

    def claim_sum(self, per_line: np.ndarray) -> np.ndarray:
        """Sum a per-line integer array per claim (exact; lines are contiguous per claim)."""
        assert self.claims is not None
        return np.add.reduceat(np.asarray(per_line, dtype=np.int64), self.claims.first_line)
