"""Configuration of a synthetic practice (``SynthConfig``) and the generated result."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from cbclassify.contract.ledger import Ledger
from cbclassify.synth.catalog import PAYER_MIXES


@dataclass(frozen=True)
class SynthConfig:
    """What to generate. Shares are fractions in [0, 1]; ``months`` spans the service dates."""

    claims: int = 2000  # number of claims (1-4 lines each, ~2.4 lines on average)
    seed: int = 0
    label_noise: float = 0.0  # share of resolution labels whose source a biller got wrong
    resolved_share: float = 0.6  # share of credits that were resolved (have a resolutions row)
    credit_rate: float = 0.08  # share of claims that get an injected credit
    hard_case_share: float = 0.12  # share of injected credits that are hard cases
    payer_mix: str = "default"  # "default", "medicare_heavy", "commercial_heavy", "medicaid_aba"
    start_date: date = date(2025, 1, 1)
    months: int = 18
    #: The practice's last day (its latest postings; the ledger's as-of). When given, the
    #: service dates start ``months`` before it (``start_date`` is derived and ignored).
    end_date: date | None = None

    def __post_init__(self) -> None:
        if self.end_date is not None:
            first = pd.Timestamp(self.end_date) + pd.Timedelta(days=1)
            start = first - pd.DateOffset(months=self.months)
            object.__setattr__(self, "start_date", start.date())  # frozen: derived once here
        problems: list[str] = []
        if self.claims < 1:
            problems.append("claims must be at least 1")
        if self.months < 6:
            problems.append("months must be at least 6 (credits need time to arise and resolve)")
        for name in ("label_noise", "resolved_share", "credit_rate", "hard_case_share"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                problems.append(f"{name} must be between 0 and 1, got {value}")
        if self.credit_rate > 0.5:
            problems.append("credit_rate above 0.5 leaves too few normal claims")
        if self.payer_mix not in PAYER_MIXES:
            problems.append(
                f"payer_mix must be one of {sorted(PAYER_MIXES)}, got {self.payer_mix!r}"
            )
        if problems:
            raise ValueError("invalid SynthConfig: " + "; ".join(problems))


@dataclass(frozen=True)
class SynthPractice:
    """A generated practice: the ledger and one truth row per injected credit."""

    ledger: Ledger  # memory dtypes (money in *_cents)
    truth: pd.DataFrame  # see cbclassify.synth.truth.TRUTH_COLUMNS
    config: SynthConfig | None = None
