"""The grouping pass: every credit's ``ClaimBundle`` from a ledger, in one pass.

A batch selects the rows it needs with a few vectorized filters (the credit claims, and every
claim of their patients), converts them column-wise to typed rows (``bundles.rows``) and
groups them by claim and patient once; no table is filtered per claim. A request (a ledger
holding its rows, ``contract.rows.RowLedger``) skips the frames: its rows are grouped as they
are. Either way the bundles come out of the same ``assemble``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

import numpy as np
import pandas as pd

from cbclassify.bundles.claim import NO_PATIENT, ClaimBundle, PatientEvent, PatientHistory
from cbclassify.bundles.context import LedgerContext, ledger_context
from cbclassify.bundles.rows import (
    LINE_COLUMNS,
    TRANSACTION_COLUMNS,
    Line,
    Posting,
    column_values,
    frame_columns,
    lines_of,
    postings_of,
    record_columns,
)
from cbclassify.contract.ledger import Ledger


@dataclass(frozen=True)
class Credits:
    """The credits to bundle: claim ids, credit cents and as-of dates, in input order."""

    claim_ids: list[str]
    credit_cents: list[int]
    as_of: list[date]

    def __len__(self) -> int:
        return len(self.claim_ids)

    def take(self, positions: Sequence[int]) -> Credits:
        """The credits at ``positions``, in that order."""
        return Credits(
            [self.claim_ids[i] for i in positions],
            [self.credit_cents[i] for i in positions],
            [self.as_of[i] for i in positions],
        )

    @classmethod
    def on(cls, claim_ids: Sequence[str], credit_cents: Sequence[int], as_of: date) -> Credits:
        """Credits all dated ``as_of`` (a scoring or verification run)."""
        return cls(list(claim_ids), [int(c) for c in credit_cents], [as_of] * len(claim_ids))


def credit_inputs(credits: pd.DataFrame | Credits) -> Credits:
    """``credits`` (``claim_id``, ``as_of_date``, optional ``credit_cents``) as plain lists;
    the as-of dates are cut to the day."""
    if isinstance(credits, Credits):
        return credits
    missing = {"claim_id", "as_of_date"} - set(credits.columns)
    if missing:
        raise ValueError(f"credits frame lacks column(s): {sorted(missing)}")
    dates = credits["as_of_date"]
    if dates.dtype.kind != "M":
        dates = pd.to_datetime(dates)
    days = dates.to_numpy().astype("datetime64[D]")
    if np.isnat(days).any():
        raise ValueError("every credit needs an as_of_date")
    cents = credits["credit_cents"].tolist() if "credit_cents" in credits.columns else None
    return Credits(
        [str(c) for c in credits["claim_id"].tolist()],
        [0] * len(credits) if cents is None else [int(c) for c in cents],
        days.tolist(),
    )


def credit_bundles(
    ledger: Ledger, credits: pd.DataFrame | Credits, *, context: LedgerContext | None = None
) -> tuple[LedgerContext, list[ClaimBundle]]:
    """The context of ``ledger`` and the bundle of each credit of ``credits`` (in its order).

    Args:
        ledger: a ledger (frames), or a request's ledger holding its rows.
        credits: ``claim_id``, ``as_of_date`` (each credit's date) and ``credit_cents``
            (a frame, or ``Credits``).
        context: the ledger's context when the caller already has it (a pool worker gets
            the whole ledger's context with a slice of its frames).
    """
    if context is None:
        context = ledger_context(ledger)
    wanted = credit_inputs(credits)
    if ledger.handed_rows("claim_lines") is not None:
        return context, request_bundles(ledger, wanted)
    lines, postings, states = _typed_rows(select_rows(ledger, wanted.claim_ids))
    return context, assemble(wanted, lines, postings, states)


def billed_claim_bundles(ledger: Ledger, as_of: date) -> tuple[LedgerContext, list[ClaimBundle]]:
    """The bundle of every claim billed by ``as_of`` (a request's claims, whose balances are
    ``ClaimBundle.balance_cents``), in the order their first billed line appears; each bundle's
    ``credit_cents`` is its credit (-balance) when the balance is at most -1 cent, else 0."""
    handed = ledger.handed_rows("claim_lines")
    rows = (
        record_columns(handed, ("claim_id", "billed_date"))
        if handed is not None
        else frame_columns(ledger.claim_lines, ("claim_id", "billed_date"))
    )
    billed = dict.fromkeys(
        claim
        for claim, day in zip(rows["claim_id"], rows["billed_date"], strict=True)
        if day is not None and day <= as_of
    )
    context, bundles = credit_bundles(ledger, Credits.on(list(billed), [0] * len(billed), as_of))
    return context, [
        replace(b, credit_cents=-b.balance_cents if b.balance_cents <= -1 else 0) for b in bundles
    ]


def request_bundles(ledger: Ledger, credits: Credits) -> list[ClaimBundle]:
    """The bundles of a request's credits, straight from the rows its ledger holds."""
    remits = ledger.handed_rows("remittances") or []
    traces = {r["era_id"]: r["trace_number"] for r in remits}
    lines = lines_of(record_columns(ledger.handed_rows("claim_lines") or [], LINE_COLUMNS))
    txns = record_columns(ledger.handed_rows("transactions") or [], TRANSACTION_COLUMNS)
    states = {p["patient_id"]: p["state"] for p in ledger.handed_rows("patients") or []}
    return assemble(credits, lines, postings_of(txns, traces), states)


def select_rows(ledger: Ledger, claim_ids: Sequence[str]) -> Ledger:
    """The part of ``ledger`` the bundles of ``claim_ids`` read: the lines and postings of
    those claims and of every claim of their patients, those postings' remittances and those
    patients (vectorized filters; ledger order kept). Other tables are left empty."""
    all_lines = ledger.claim_lines
    own = all_lines["claim_id"].isin(list(claim_ids)).to_numpy(dtype=bool)
    patients = all_lines.loc[own, "patient_id"].dropna().unique().tolist()
    of_patients = all_lines["patient_id"].isin(patients).to_numpy(dtype=bool)
    claims = list(set(claim_ids) | set(all_lines.loc[of_patients, "claim_id"].tolist()))
    txns = ledger.transactions
    txns = txns[txns["claim_id"].isin(claims).to_numpy(dtype=bool)]
    remits = ledger.remittances
    eras = txns["era_id"].dropna().unique().tolist()
    people = ledger.patients
    return Ledger(
        payers=ledger.payers.iloc[:0],
        patients=people[people["patient_id"].isin(patients).to_numpy(dtype=bool)],
        claim_lines=all_lines[all_lines["claim_id"].isin(claims).to_numpy(dtype=bool)],
        transactions=txns,
        fee_schedule=ledger.fee_schedule.iloc[:0],
        remittances=remits[remits["era_id"].isin(eras).to_numpy(dtype=bool)],
        provider_adjustments=ledger.provider_adjustments.iloc[:0],
        resolutions=ledger.resolutions.iloc[:0],
    )


def _typed_rows(part: Ledger) -> tuple[list[Line], list[Posting], dict[str, str | None]]:
    """The lines, postings and patient states of a selected part, column-wise."""
    remits = part.remittances
    traces = dict(
        zip(column_values(remits["era_id"]), column_values(remits["trace_number"]), strict=True)
    )
    people = part.patients
    states = dict(
        zip(column_values(people["patient_id"]), column_values(people["state"]), strict=True)
    )
    return (
        lines_of(frame_columns(part.claim_lines, LINE_COLUMNS)),
        postings_of(frame_columns(part.transactions, TRANSACTION_COLUMNS), traces),
        states,
    )


def assemble(
    credits: Credits,
    lines: Iterable[Line],
    postings: Iterable[Posting],
    states: Mapping[str, str | None],
) -> list[ClaimBundle]:
    """Group typed rows (ledger order) into each credit's bundle; ``lines`` and ``postings``
    must hold every row of the credit claims and of their patients' claims."""
    lines_by_claim: dict[str, list[Line]] = {}
    lines_by_patient: dict[str, list[Line]] = {}
    for line in lines:
        lines_by_claim.setdefault(line.claim_id, []).append(line)
        lines_by_patient.setdefault(line.patient_id, []).append(line)
    postings_by_claim: dict[str, list[Posting]] = {}
    for posting in postings:
        postings_by_claim.setdefault(posting.claim_id, []).append(posting)
    histories: dict[str, PatientHistory] = {}

    def history(patient: str) -> PatientHistory:
        found = histories.get(patient)
        if found is None:
            found = histories[patient] = patient_history(
                patient,
                states.get(patient),
                lines_by_patient.get(patient, []),
                lines_by_claim,
                postings_by_claim,
            )
        return found

    out = []
    for claim_id, cents, as_of in zip(
        credits.claim_ids, credits.credit_cents, credits.as_of, strict=True
    ):
        every = tuple(lines_by_claim.get(claim_id, ()))
        billed = tuple(line for line in every if line.billed_date <= as_of)
        posted = tuple(p for p in postings_by_claim.get(claim_id, ()) if p.posted_date <= as_of)
        patients = {line.patient_id: history(line.patient_id) for line in every}
        first = min(billed, key=lambda line: line.line_no) if billed else None
        patient = patients[first.patient_id] if first is not None else NO_PATIENT
        out.append(ClaimBundle(claim_id, as_of, cents, billed, every, posted, patient, patients))
    return out


def patient_history(
    patient: str,
    state: str | None,
    own_lines: Sequence[Line],
    lines_by_claim: Mapping[str, Sequence[Line]],
    postings_by_claim: Mapping[str, Sequence[Posting]],
) -> PatientHistory:
    """One patient's history (see ``PatientHistory``) from its own lines and every line and
    posting of its claims."""
    events: list[PatientEvent] = [(line.billed_date, line.charge_cents, 0) for line in own_lines]
    claims = list(dict.fromkeys(line.claim_id for line in own_lines))
    for claim in claims:
        claim_lines = lines_by_claim[claim]
        if claim_lines[-1].patient_id != patient:  # a claim belongs to its last line's patient
            continue
        since = min(line.billed_date for line in claim_lines)
        events.append((since, 0, 1))
        for posting in postings_by_claim.get(claim, ()):
            events.append((max(posting.posted_date, since), posting.effect_cents, 0))
    events.sort(key=lambda e: e[0])
    return PatientHistory(
        patient_id=patient,
        state=state,
        events=tuple(events),
        lines=tuple(own_lines),
        claim_postings={c: tuple(postings_by_claim.get(c, ())) for c in claims},
    )
