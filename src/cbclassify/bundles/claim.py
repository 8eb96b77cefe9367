"""One credit's bundle: its claim's rows cut at the credit's date, and its patient's history.

Every per-claim rule (features, verification, resolution) reads a ``ClaimBundle`` and the
ledger-wide ``LedgerContext``, never the ledger itself.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from itertools import accumulate

from cbclassify.bundles.rows import Line, Posting

#: (day, balance effect in cents, claims counted) of one patient.
PatientEvent = tuple[date, int, int]


@dataclass(frozen=True)
class PatientHistory:
    """A patient's claims and postings, as the per-claim rules ask about them on a date.

    ``events`` are the balance and claim-count events of the patient: each of its lines'
    charge from the line's billed date; each claim whose last line (ledger order) is the
    patient's, counted from its first billed date, and that claim's postings from the later of
    their posted date and that date. ``lines`` are the patient's own lines (ledger order) and
    ``claim_postings`` the postings of every claim with one of those lines (ledger order).
    """

    patient_id: str | None
    state: str | None
    events: tuple[PatientEvent, ...] = field(repr=False)  # sorted by day
    lines: tuple[Line, ...] = field(default=(), repr=False)
    claim_postings: Mapping[str, tuple[Posting, ...]] = field(default_factory=dict, repr=False)
    _days: tuple[date, ...] = field(init=False, repr=False, compare=False)
    _balance: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _claims: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_days", tuple(e[0] for e in self.events))
        object.__setattr__(self, "_balance", tuple(accumulate(e[1] for e in self.events)))
        object.__setattr__(self, "_claims", tuple(accumulate(e[2] for e in self.events)))

    def balance_cents(self, day: date) -> int:
        """The patient's balance over its claims at the end of ``day``."""
        n = bisect_right(self._days, day)
        return self._balance[n - 1] if n else 0

    def claim_count(self, day: date) -> int:
        """How many of the patient's claims were billed by the end of ``day``."""
        n = bisect_right(self._days, day)
        return self._claims[n - 1] if n else 0

    def open_claim(self, other_than: str, day: date) -> str | None:
        """The patient's oldest claim other than ``other_than`` (earliest service date of its
        lines billed by ``day``, then claim id) with a positive balance at the end of ``day``,
        counting only the patient's own lines; None when there is none."""
        owed: dict[str, int] = {}
        first_seen: dict[str, date] = {}
        for line in self.lines:
            claim = line.claim_id
            if claim == other_than or not line.billed_date <= day:
                continue
            owed[claim] = owed.get(claim, 0) + line.charge_cents
            seen = first_seen.get(claim)
            first_seen[claim] = line.service_date if seen is None else min(seen, line.service_date)
        for claim in owed:
            for posting in self.claim_postings.get(claim, ()):
                if posting.posted_date <= day:
                    owed[claim] += posting.effect_cents
        open_claims = [c for c, balance in owed.items() if balance > 0]
        return min(open_claims, key=lambda c: (first_seen[c], c)) if open_claims else None


#: The history of a credit whose claim has no line billed by its date.
NO_PATIENT = PatientHistory(None, None, ())


@dataclass(frozen=True)
class ClaimBundle:
    """One credit's claim as of the credit's date."""

    claim_id: str
    as_of: date  # this credit's date (scoring: the run's as-of; training: identified_date)
    credit_cents: int  # from the credits input (0 when it gives none)
    lines: tuple[Line, ...]  # billed on or before as_of, ledger order
    all_lines: tuple[Line, ...]  # every line of the claim, ledger order
    postings: tuple[Posting, ...]  # posted on or before as_of, ledger order
    patient: PatientHistory  # the patient of the first billed line (lowest line_no)
    patients: Mapping[str, PatientHistory] = field(repr=False)  # every patient on its lines

    @property
    def balance_cents(self) -> int:
        """The claim's balance at the end of ``as_of``: the contract's balance rule on its
        billed charges and its postings (``balances.claim_balances`` for a whole ledger)."""
        charges = sum(line.charge_cents for line in self.lines)
        return charges + sum(posting.effect_cents for posting in self.postings)

    @property
    def first_line(self) -> Line | None:
        """The claim's first line in ledger order, whatever its billed date."""
        return self.all_lines[0] if self.all_lines else None
