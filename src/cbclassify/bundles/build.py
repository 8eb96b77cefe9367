"""The grouping pass: every credit's ``ClaimBundle`` from a ledger, in one pass.

A batch selects the rows it needs with a few vectorized filters (the credit claims, and every
claim of their patients, ``select_rows``); the credit claims' rows become typed rows
(``bundles.rows``) and their patients' histories are summed column-wise (``history``), so no
table is filtered per claim and no row of another claim becomes a Python object. A request (a
ledger holding its rows, ``contract.rows.RowLedger``) hands its rows over as they are. Either
way the bundles come out of the same ``assemble``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from cbclassify.bundles.claim import NO_PATIENT, ClaimBundle, OpenClaims, PatientHistory
from cbclassify.bundles.context import LedgerContext, ledger_context
from cbclassify.bundles.history import RunningTotals, codes_in, day_numbers, factorize
from cbclassify.bundles.rows import (
    LINE_COLUMNS,
    TRANSACTION_COLUMNS,
    Line,
    Posting,
    column_isin,
    column_values,
    frame_columns,
    lines_of,
    postings_of,
    record_columns,
)
from cbclassify.contract.balance_rule import balance_effect, balance_effects
from cbclassify.contract.ledger import Ledger


@dataclass(frozen=True)
class Credits:
    """The credits to bundle: claim ids, credit cents and as-of dates, in input order."""

    claim_ids: list[str]
    credit_amount_cents: list[int]
    as_of: list[date]

    def __len__(self) -> int:
        return len(self.claim_ids)

    def take(self, positions: Sequence[int]) -> Credits:
        """The credits at ``positions``, in that order."""
        return Credits(
            [self.claim_ids[i] for i in positions],
            [self.credit_amount_cents[i] for i in positions],
            [self.as_of[i] for i in positions],
        )

    @classmethod
    def on(
        cls, claim_ids: Sequence[str], credit_amount_cents: Sequence[int], as_of: date
    ) -> Credits:
        """Credits all dated ``as_of`` (a scoring or verification run)."""
        return cls(list(claim_ids), [int(c) for c in credit_amount_cents], [as_of] * len(claim_ids))


def credit_inputs(credits: pd.DataFrame | Credits) -> Credits:
    """``credits`` (``claim_id``, ``as_of_date``, optional ``credit_amount_cents``) as plain lists;
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
    cents = (
        credits["credit_amount_cents"].tolist()
        if "credit_amount_cents" in credits.columns
        else None
    )
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
        credits: ``claim_id``, ``as_of_date`` (each credit's date) and ``credit_amount_cents``
            (a frame, or ``Credits``).
        context: the ledger's context when the caller already has it (a pool worker gets
            the whole ledger's context with a slice of its frames).
    """
    if context is None:
        context = ledger_context(ledger)
    wanted = credit_inputs(credits)
    if ledger.handed_rows("claim_lines") is not None:
        return context, assemble(wanted, request_rows(ledger, wanted))
    return context, assemble(wanted, frame_rows(select_rows(ledger, wanted.claim_ids)))


def billed_claim_bundles(ledger: Ledger, as_of: date) -> tuple[LedgerContext, list[ClaimBundle]]:
    """The bundle of every claim billed by ``as_of`` (a request's claims, whose balances are
    ``ClaimBundle.balance_cents``), in the order their first billed line appears; each bundle's
    ``credit_amount_cents`` is its credit (-balance) when the balance is at most -1 cent, else 0."""
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
        replace(b, credit_amount_cents=-b.balance_cents if b.balance_cents <= -1 else 0)
        for b in bundles
    ]


@dataclass(frozen=True)
class LedgerPart:
    """The rows the bundles of some credits read (``select_rows``): small enough to send to a
    worker process."""

    claim_lines: pd.DataFrame  # the credit claims' lines, every column
    transactions: pd.DataFrame  # the credit claims' postings, every column
    traces: pd.DataFrame  # era_id, trace_number of those postings' remittances
    patients: pd.DataFrame  # patient_id, state of the patients on their lines
    patient_lines: pd.DataFrame  # every line of those patients' claims: claim_id, patient_id,
    # payer_id, billed_date, service_date, charge_amount_cents
    patient_postings: pd.DataFrame  # every posting of those claims: claim_id, posted_date,
    # effect_cents, by_payer, paid_by_payer


def select_rows(ledger: Ledger, claim_ids: Sequence[str]) -> LedgerPart:
    """The part of ``ledger`` the bundles of ``claim_ids`` read: the lines and postings of
    those claims, and the few columns of every line and posting of every claim of their
    patients (vectorized filters; ledger order kept)."""
    all_lines = ledger.claim_lines
    own = column_isin(all_lines["claim_id"], claim_ids)
    patients = all_lines.loc[own, "patient_id"].dropna().unique().tolist()
    of_patients = column_isin(all_lines["patient_id"], patients)
    claims = list(set(claim_ids) | set(all_lines.loc[of_patients, "claim_id"].tolist()))
    lines = all_lines[column_isin(all_lines["claim_id"], claims)]
    txns = ledger.transactions
    txns = txns[column_isin(txns["claim_id"], claims)]
    own_txns = txns[column_isin(txns["claim_id"], claim_ids)]
    remits = ledger.remittances
    remits = remits[column_isin(remits["era_id"], own_txns["era_id"].dropna().unique().tolist())]
    people = ledger.patients
    return LedgerPart(
        claim_lines=lines[column_isin(lines["claim_id"], claim_ids)],
        transactions=own_txns,
        traces=remits[["era_id", "trace_number"]],
        patients=people.loc[column_isin(people["patient_id"], patients), ["patient_id", "state"]],
        patient_lines=lines[list(PATIENT_LINE_COLUMNS)],
        patient_postings=pd.DataFrame(
            {
                "claim_id": txns["claim_id"],
                "posted_date": txns["posted_date"],
                "effect_cents": balance_effects(txns["kind"], txns["amount_cents"]),
                "by_payer": payer_adjudicated(txns["source"], txns["kind"], txns["amount_cents"]),
                "paid_by_payer": payer_paid(txns["source"], txns["kind"], txns["amount_cents"]),
            }
        ),
    )


def payer_adjudicated(
    source: pd.Series | Sequence[Any],
    kind: pd.Series | Sequence[Any],
    amount: pd.Series | Sequence[Any],
) -> np.ndarray:
    """Postings that show a payer adjudicated the claim, so that what is left is the
    patient's: a positive payer payment, or a positive patient-responsibility row (a deductible
    adjudication pays $0.00 with PR-1). A bare $0.00 payment (a denial to correct and
    resubmit) or a write-off keyed alone (a contractual adjustment with nothing paid and no
    PR row) does not say what the patient owes: the claim still waits for its payer. Ledger
    columns or a request's rows (lists of plain values)."""
    by_payer, paying, assigning, positive = _posting_flags(source, kind, amount)
    return np.asarray(by_payer & (paying | assigning) & positive, dtype=bool)


def payer_paid(
    source: pd.Series | Sequence[Any],
    kind: pd.Series | Sequence[Any],
    amount: pd.Series | Sequence[Any],
) -> np.ndarray:
    """Positive payer payments: a payer paid something on the claim (an adjudication that put
    the whole allowed to the patient's deductible pays nothing)."""
    by_payer, paying, _, positive = _posting_flags(source, kind, amount)
    return np.asarray(by_payer & paying & positive, dtype=bool)


def _posting_flags(
    source: pd.Series | Sequence[Any],
    kind: pd.Series | Sequence[Any],
    amount: pd.Series | Sequence[Any],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(made by a payer, a payment, a responsibility row, amount > 0) per posting; missing
    values are False (an amount missing counts as 0)."""
    if (
        isinstance(source, pd.Series)
        and isinstance(kind, pd.Series)
        and isinstance(amount, pd.Series)
    ):
        return (
            source.eq("payer").fillna(False).to_numpy(dtype=bool),
            kind.eq("payment").fillna(False).to_numpy(dtype=bool),
            kind.eq("responsibility").fillna(False).to_numpy(dtype=bool),
            amount.fillna(0).astype("int64").to_numpy() > 0,
        )
    n = len(source)
    return (
        np.fromiter((s == "payer" for s in source), dtype=bool, count=n),
        np.fromiter((k == "payment" for k in kind), dtype=bool, count=n),
        np.fromiter((k == "responsibility" for k in kind), dtype=bool, count=n),
        np.fromiter(((a or 0) > 0 for a in amount), dtype=bool, count=n),
    )


PATIENT_LINE_COLUMNS = (
    "claim_id",
    "patient_id",
    "payer_id",
    "billed_date",
    "service_date",
    "charge_amount_cents",
)


@dataclass(frozen=True)
class GroupRows:
    """What one grouping pass reads: the credit claims' typed rows, and the columns of every
    line and posting of their patients' claims (``patient_histories``)."""

    lines: list[Line]  # the credit claims' lines, ledger order
    postings: list[Posting]  # the credit claims' postings, ledger order
    line_claims: Any  # every line of the patients' claims: claim_id, patient_id, ...
    line_patients: Any
    line_billed: npt.NDArray[np.int64]  # day numbers
    line_service: npt.NDArray[np.int64]
    line_charges: npt.NDArray[np.int64]
    posting_claims: Any  # every posting of those claims: claim_id, posted day, effect
    posting_days: npt.NDArray[np.int64]
    posting_effects: npt.NDArray[np.int64]
    states: Mapping[str, str | None]
    line_self_pay: npt.NDArray[np.bool_]  # the line names no payer
    posting_by_payer: npt.NDArray[np.bool_]  # the posting's source is a payer
    posting_paid_by_payer: npt.NDArray[np.bool_]  # a positive payer payment


def frame_rows(part: LedgerPart) -> GroupRows:
    """The ``GroupRows`` of a ledger part (``select_rows``), column-wise."""
    lines, postings, people = part.patient_lines, part.patient_postings, part.patients
    traces = dict(
        zip(
            column_values(part.traces["era_id"]),
            column_values(part.traces["trace_number"]),
            strict=True,
        )
    )
    return GroupRows(
        lines=lines_of(frame_columns(part.claim_lines, LINE_COLUMNS)),
        postings=postings_of(frame_columns(part.transactions, TRANSACTION_COLUMNS), traces),
        line_claims=lines["claim_id"],
        line_patients=lines["patient_id"],
        line_billed=day_numbers(lines["billed_date"]),
        line_service=day_numbers(lines["service_date"]),
        line_charges=lines["charge_amount_cents"].to_numpy(dtype="int64"),
        posting_claims=postings["claim_id"],
        posting_days=day_numbers(postings["posted_date"]),
        posting_effects=postings["effect_cents"].to_numpy(dtype="int64"),
        states=dict(
            zip(column_values(people["patient_id"]), column_values(people["state"]), strict=True)
        ),
        line_self_pay=lines["payer_id"].isna().to_numpy(dtype=bool),
        posting_by_payer=postings["by_payer"].to_numpy(dtype=bool),
        posting_paid_by_payer=postings["paid_by_payer"].to_numpy(dtype=bool),
    )


def request_rows(ledger: Ledger, credits: Credits) -> GroupRows:
    """The ``GroupRows`` of a request, straight from the rows its ledger holds."""
    wanted = set(credits.claim_ids)
    lines = record_columns(ledger.handed_rows("claim_lines") or [], LINE_COLUMNS)
    txns = record_columns(ledger.handed_rows("transactions") or [], TRANSACTION_COLUMNS)
    traces = {r["era_id"]: r["trace_number"] for r in ledger.handed_rows("remittances") or []}
    own_lines = [i for i, claim in enumerate(lines["claim_id"]) if claim in wanted]
    own_txns = [i for i, claim in enumerate(txns["claim_id"]) if claim in wanted]
    return GroupRows(
        lines=lines_of(_take(lines, own_lines)),
        postings=postings_of(_take(txns, own_txns), traces),
        line_claims=lines["claim_id"],
        line_patients=lines["patient_id"],
        line_billed=day_numbers(lines["billed_date"]),
        line_service=day_numbers(lines["service_date"]),
        line_charges=np.array(lines["charge_amount_cents"], dtype="int64"),
        posting_claims=txns["claim_id"],
        posting_days=day_numbers(txns["posted_date"]),
        posting_effects=np.array(
            [
                balance_effect(kind, amount)
                for kind, amount in zip(txns["kind"], txns["amount_cents"], strict=True)
            ],
            dtype="int64",
        ),
        states={p["patient_id"]: p["state"] for p in ledger.handed_rows("patients") or []},
        line_self_pay=np.array([p is None for p in lines["payer_id"]], dtype=bool),
        posting_by_payer=payer_adjudicated(txns["source"], txns["kind"], txns["amount_cents"]),
        posting_paid_by_payer=payer_paid(txns["source"], txns["kind"], txns["amount_cents"]),
    )


def _take(columns: Mapping[str, list[Any]], positions: list[int]) -> dict[str, list[Any]]:
    return {name: [values[i] for i in positions] for name, values in columns.items()}


def assemble(credits: Credits, rows: GroupRows) -> list[ClaimBundle]:
    """Group the credit claims' typed rows (ledger order) into each credit's bundle, with the
    histories of the patients on their lines."""
    lines_by_claim: dict[str, list[Line]] = {}
    for line in rows.lines:
        lines_by_claim.setdefault(line.claim_id, []).append(line)
    postings_by_claim: dict[str, list[Posting]] = {}
    for posting in rows.postings:
        postings_by_claim.setdefault(posting.claim_id, []).append(posting)
    patients = list(dict.fromkeys(line.patient_id for line in rows.lines))
    histories = patient_histories(patients, rows)
    out = []
    for claim_id, cents, as_of in zip(
        credits.claim_ids, credits.credit_amount_cents, credits.as_of, strict=True
    ):
        every = tuple(lines_by_claim.get(claim_id, ()))
        billed = tuple(line for line in every if line.billed_date <= as_of)
        all_postings = tuple(postings_by_claim.get(claim_id, ()))
        posted = tuple(p for p in all_postings if p.posted_date <= as_of)
        mine = {line.patient_id: histories[line.patient_id] for line in every}
        first = min(billed, key=lambda line: line.line_no) if billed else None
        patient = mine[first.patient_id] if first is not None else NO_PATIENT
        out.append(
            ClaimBundle(claim_id, as_of, cents, billed, every, posted, all_postings, patient, mine)
        )
    return out


def patient_histories(patients: Sequence[str], rows: GroupRows) -> dict[str, PatientHistory]:
    """The history of each patient in ``patients`` (see ``PatientHistory``), summed column-wise
    from every line and posting of their claims (``rows``): a line's charge from its billed
    date; a claim (the patient of its last line in ledger order) counted from its first billed
    date, and its postings from the later of their posted date and that date."""
    codes, claim_ids = factorize(rows.line_claims)
    n_lines, n_claims = len(codes), len(claim_ids)
    line_patient = codes_in(rows.line_patients, patients)
    reversed_codes, reversed_first = np.unique(codes[::-1], return_index=True)
    last_line = np.zeros(n_claims, dtype="int64")
    last_line[reversed_codes] = n_lines - 1 - reversed_first
    owner = line_patient[last_line] if n_claims else np.zeros(0, dtype="int64")
    since = np.full(n_claims, np.iinfo("int64").max, dtype="int64")
    np.minimum.at(since, codes, rows.line_billed)
    posting_claim = codes_in(rows.posting_claims, claim_ids)
    known = posting_claim >= 0
    posting_claim = posting_claim[known]
    posting_days, posting_effects = rows.posting_days[known], rows.posting_effects[known]
    posting_by_payer = rows.posting_by_payer[known]
    posting_paid_by_payer = rows.posting_paid_by_payer[known]
    posting_owner = owner[posting_claim]
    mine = line_patient >= 0
    owned = owner >= 0
    counted = posting_owner >= 0
    zeros = np.zeros
    totals = RunningTotals(
        keys=np.concatenate([line_patient[mine], owner[owned], posting_owner[counted]]),
        days=np.concatenate(
            [
                rows.line_billed[mine],
                since[owned],
                np.maximum(posting_days[counted], since[posting_claim[counted]]),
            ]
        ),
        values=np.concatenate(
            [
                np.column_stack([rows.line_charges[mine], zeros(int(mine.sum()), "int64")]),
                np.column_stack(
                    [zeros(int(owned.sum()), "int64"), np.ones(int(owned.sum()), "int64")]
                ),
                np.column_stack([posting_effects[counted], zeros(int(counted.sum()), "int64")]),
            ]
        ),
        count=len(patients),
    )
    claims = OpenClaims(
        claim_ids,
        line_patient,
        codes,
        rows.line_billed,
        rows.line_service,
        rows.line_charges,
        posting_claim,
        posting_days,
        posting_effects,
        list(patients),
        line_self_pay=rows.line_self_pay,
        posting_by_payer=posting_by_payer,
        posting_paid_by_payer=posting_paid_by_payer,
    )
    return {
        patient: PatientHistory(patient, rows.states.get(patient), *totals.of(i), claims)
        for i, patient in enumerate(patients)
    }
