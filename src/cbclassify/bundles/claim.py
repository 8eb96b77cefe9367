"""One credit's bundle: its claim's rows cut at the credit's date, and its patient's history.

Every per-claim rule (features, verification, resolution) reads a ``ClaimBundle`` and the
ledger-wide ``LedgerContext``, never the ledger itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from cbclassify.bundles.history import Days, day_number, total_on
from cbclassify.bundles.rows import Line, Posting


class _Index(NamedTuple):
    """Lines by patient and postings by claim (``PatientLedger._indexed``)."""

    lines: npt.NDArray[np.intp]  # line positions sorted by patient code (ledger order kept)
    line_bounds: npt.NDArray[np.intp]  # per patient code: start of its lines in ``lines``
    posting_days: Days  # posting days sorted by claim code
    posting_effects: npt.NDArray[np.int64]  # balance effects (cents), same order
    posting_bounds: npt.NDArray[np.intp]  # per claim code: start of its postings
    by_payer: npt.NDArray[np.bool_]  # posting made by a payer, same order
    paid: npt.NDArray[np.bool_]  # a positive payer payment, same order


class PatientHistory:
    """A patient's claims as the per-claim rules ask about them on a date.

    The patient's balance and claim count are running totals of its events: each of its
    lines' charge from the line's billed date; each claim whose last line (ledger order) is
    the patient's, counted from its first billed date, and that claim's postings from the later
    of their posted date and that date (``build.patient_histories``). ``open_claim`` looks at
    the patient's own lines and their claims' postings.
    """

    def __init__(
        self,
        patient_id: str | None,
        state: str | None,
        days: Days,
        totals: npt.NDArray[np.int64],
        claims: OpenClaims | None = None,
    ) -> None:
        self.patient_id = patient_id
        self.state = state
        self._days = days  # sorted distinct event days (day numbers)
        self._totals = totals  # per day: balance cents, claims, through the end of that day
        self._claims = claims

    def balance_cents(self, day: date) -> int:
        """The patient's balance over its claims at the end of ``day``."""
        return total_on(self._days, self._totals, day, 0)

    def claim_count(self, day: date) -> int:
        """How many of the patient's claims were billed by the end of ``day``."""
        return total_on(self._days, self._totals, day, 1)

    def open_claim(
        self, other_than: str, day: date, *, deductible_settled: bool = True
    ) -> str | None:
        """The patient's oldest claim other than ``other_than`` (earliest service date of its
        lines billed by ``day``, then claim id) with a balance the patient owes at the end of
        ``day`` (``open_claims``); None when there is none."""
        return self.open_claims(other_than, day, deductible_settled=deductible_settled)[0]

    def open_claims(
        self, other_than: str, day: date, *, deductible_settled: bool = True
    ) -> tuple[str | None, str | None]:
        """The patient's oldest claim other than ``other_than`` with a positive balance at the
        end of ``day`` that the patient owes (one a payer adjudicated, ``build.payer_adjudicated``:
        what is left is the patient's; or a self-pay claim with something posted on it: a
        payment or its self-pay discount), and the oldest one whose balance is not settled yet
        (billed to a payer that has neither paid on it nor assigned the patient a share: nothing
        posted, a $0.00 denial, a write-off keyed alone; or a bare self-pay charge with nothing posted: it may still be
        discounted, or billed to coverage found later, e.g. retroactive Medicaid). Counts only
        the patient's own lines; None where there is none. ``deductible_settled=False``: a
        claim a payer adjudicated without paying anything (its whole allowed to the deductible)
        is not settled either (the policy ``patient_credits.apply_to_deductible_balances``)."""
        if self._claims is None or self.patient_id is None:
            return None, None
        return self._claims.open_claims(
            self.patient_id, other_than, day, deductible_settled=deductible_settled
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PatientHistory):
            return NotImplemented
        return (
            (self.patient_id, self.state) == (other.patient_id, other.state)
            and np.array_equal(self._days, other._days)
            and np.array_equal(self._totals, other._totals)
        )

    __hash__ = None  # type: ignore[assignment]  # unhashable on purpose: it holds arrays

    def __repr__(self) -> str:
        return f"PatientHistory({self.patient_id!r}, {self.state!r}, {len(self._days)} days)"


class OpenClaims:
    """The patients' own lines and their claims' postings, to find a patient's open claims
    (shared by the patients of one grouping pass; indexed on the first question)."""

    def __init__(
        self,
        claim_ids: Sequence[str],
        line_patients: npt.NDArray[np.int64],  # position in ``patients``, -1 for another
        line_claims: npt.NDArray[np.int64],  # position in ``claim_ids``
        line_billed: Days,
        line_service: Days,
        line_charges: npt.NDArray[np.int64],
        posting_claims: npt.NDArray[np.int64],
        posting_days: Days,
        posting_effects: npt.NDArray[np.int64],
        patients: Sequence[str],
        *,
        line_self_pay: npt.NDArray[np.bool_] | None = None,
        posting_by_payer: npt.NDArray[np.bool_] | None = None,
        posting_paid_by_payer: npt.NDArray[np.bool_] | None = None,
    ) -> None:
        self._claim_ids = list(claim_ids)
        self._self_pay = (
            np.zeros(len(line_claims), dtype=bool) if line_self_pay is None else line_self_pay
        )
        self._by_payer = (
            np.ones(len(posting_claims), dtype=bool)
            if posting_by_payer is None
            else posting_by_payer
        )
        self._paid = self._by_payer if posting_paid_by_payer is None else posting_paid_by_payer
        self._patients = {p: i for i, p in enumerate(patients)}
        self._lines = (line_patients, line_claims, line_billed, line_service, line_charges)
        self._postings = (posting_claims, posting_days, posting_effects)
        self._index: _Index | None = None

    def _indexed(self) -> _Index:
        """Lines by patient (ledger order kept) and postings by claim, with their bounds."""
        if self._index is None:
            patient_of, *_ = self._lines
            claim_of, days, effects = self._postings
            lines = np.argsort(patient_of, kind="stable")
            line_bounds = np.searchsorted(patient_of[lines], np.arange(len(self._patients) + 1))
            postings = np.argsort(claim_of, kind="stable")
            posting_bounds = np.searchsorted(
                claim_of[postings], np.arange(len(self._claim_ids) + 1)
            )
            self._index = _Index(
                lines,
                line_bounds,
                days[postings],
                effects[postings],
                posting_bounds,
                self._by_payer[postings],
                self._paid[postings],
            )
        return self._index

    def open_claim(
        self, patient: str, other_than: str, day: date, *, deductible_settled: bool = True
    ) -> str | None:
        """See ``PatientHistory.open_claim``."""
        return self.open_claims(patient, other_than, day, deductible_settled=deductible_settled)[0]

    def open_claims(
        self, patient: str, other_than: str, day: date, *, deductible_settled: bool = True
    ) -> tuple[str | None, str | None]:
        """See ``PatientHistory.open_claims``."""
        code = self._patients.get(patient)
        if code is None:
            return None, None
        lines, line_bounds, posting_days, posting_effects, posting_bounds, by_payer, paid = (
            self._indexed()
        )
        settles = by_payer if deductible_settled else paid
        _, line_claims, line_billed, line_service, line_charges = self._lines
        limit = day_number(day)
        owed: dict[int, int] = {}
        first_seen: dict[int, int] = {}
        self_pay: dict[int, bool] = {}
        for i in lines[line_bounds[code] : line_bounds[code + 1]].tolist():
            claim = int(line_claims[i])
            if self._claim_ids[claim] == other_than or not line_billed[i] <= limit:
                continue
            owed[claim] = owed.get(claim, 0) + int(line_charges[i])
            service = int(line_service[i])
            first_seen[claim] = min(first_seen.get(claim, service), service)
            self_pay[claim] = self_pay.get(claim, True) and bool(self._self_pay[i])
        adjudicated: dict[int, bool] = {}
        for claim in owed:
            start, end = posting_bounds[claim], posting_bounds[claim + 1]
            posted = posting_days[start:end] <= limit
            owed[claim] += int(posting_effects[start:end][posted].sum())
            priced = self_pay[claim] and bool(posted.any())
            adjudicated[claim] = priced or bool(settles[start:end][posted].any())
        open_claims = [c for c, balance in owed.items() if balance > 0]

        def oldest(claims: list[int]) -> str | None:
            if not claims:
                return None
            return self._claim_ids[min(claims, key=lambda c: (first_seen[c], self._claim_ids[c]))]

        return (
            oldest([c for c in open_claims if adjudicated[c]]),
            oldest([c for c in open_claims if not adjudicated[c]]),
        )


#: The history of a credit whose claim has no line billed by its date.
NO_PATIENT = PatientHistory(None, None, np.zeros(0, dtype="int64"), np.zeros((0, 2), dtype="int64"))


@dataclass(frozen=True)
class ClaimBundle:
    """One credit's claim as of the credit's date."""

    claim_id: str
    as_of: date  # this credit's date (scoring: the run's as-of; training: identified_date)
    credit_amount_cents: int  # from the credits input (0 when it gives none)
    lines: tuple[Line, ...]  # billed on or before as_of, ledger order
    all_lines: tuple[Line, ...]  # every line of the claim, ledger order
    postings: tuple[Posting, ...]  # posted on or before as_of, ledger order
    all_postings: tuple[Posting, ...]  # every posting of the claim, ledger order
    patient: PatientHistory  # the patient of the first billed line (lowest line_no)
    patients: Mapping[str, PatientHistory] = field(repr=False)  # every patient on its lines

    @property
    def balance_cents(self) -> int:
        """The claim's balance at the end of ``as_of``: the contract's balance rule on its
        billed charges and its postings (``balances.claim_balances`` for a whole ledger)."""
        charges = sum(line.charge_amount_cents for line in self.lines)
        return charges + sum(posting.effect_cents for posting in self.postings)

    @property
    def first_line(self) -> Line | None:
        """The claim's first line in ledger order, whatever its billed date."""
        return self.all_lines[0] if self.all_lines else None
