"""Ledger-wide facts the per-claim rules read besides a claim's bundle, built once per run.

``ledger_context`` reads them from a ledger's frames (a batch: each frame first narrowed by a
vectorized filter to the rows a rule can use) or from a request's rows (all of them); the same
functions then build every fact from plain columns. A ``LedgerContext`` is read-only and
picklable: a process pool sends it once to each worker.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from cbclassify.bundles.history import Days, RunningTotals, day_numbers, factorize, total_on
from cbclassify.bundles.rows import (
    FEE_COLUMNS,
    PAYER_COLUMNS,
    Columns,
    FeeRow,
    Payer,
    column_values,
    fee_rows_of,
    frame_columns,
    payers_of,
    record_columns,
)
from cbclassify.contract.ledger import Ledger

#: CARC of Medicare sequestration (a payer-side reduction of the payment, group CO).
SEQUESTRATION_CARC = "253"
#: Payer types that apply Medicare sequestration.
SEQUESTERING_PAYER_TYPES = ("medicare", "medicare_advantage")
_PLB_TOKEN = re.compile(r"[\s:;|]+")


class PayerHistory:
    """One payer's payments by posted date, counted up to any date."""

    def __init__(self, days: Days, totals: npt.NDArray[np.int64]) -> None:
        self._days = days  # sorted distinct posted days (day numbers)
        self._totals = totals  # per day: payments, reversals, above reported, through it

    def counts(self, day: date) -> tuple[int, int, int]:
        """(positive payments, negative payments (reversals), positive payments above the
        allowed amount the payer reported on them) posted by the end of ``day``."""
        return (
            total_on(self._days, self._totals, day, 0),
            total_on(self._days, self._totals, day, 1),
            total_on(self._days, self._totals, day, 2),
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PayerHistory):
            return NotImplemented
        return bool(
            np.array_equal(self._days, other._days) and np.array_equal(self._totals, other._totals)
        )

    __hash__ = None  # type: ignore[assignment]  # unhashable on purpose: it holds arrays

    def __repr__(self) -> str:
        return f"PayerHistory({len(self._days)} days)"


@dataclass(frozen=True)
class LedgerContext:
    """Read-only ledger-wide facts (see module docstring)."""

    payers: Mapping[str, Payer]
    fee_schedule: Mapping[tuple[str, str], tuple[FeeRow, ...]]  # (payer_id, cpt) -> rows
    fee_schedule_empty: bool
    sequestering_payers: frozenset[str]
    plb_recoveries: frozenset[tuple[str, str]]  # (claim_id, payer_id or "")
    payer_history: Mapping[str, PayerHistory]
    #: Remittances over-posted while repeating earlier payments (``era_overposting``):
    #: era_id -> (cents its posted payments exceed what it paid, the repeated payments posted
    #: from it per claim: ((claim_id, cents), ...)).
    #: The third figure: the cents of those repeats the remittance itself had already posted
    #: (the same claim, line and amount twice from one era: posted twice, an explained excess).
    era_overposting: Mapping[str, tuple[int, tuple[tuple[str, int], ...], int]] = field(
        default_factory=dict
    )


_PAYER_HISTORY_COLUMNS = (
    "kind",
    "source",
    "payer_id",
    "amount_cents",
    "allowed_amount_cents",
    "posted_date",
    "era_id",
    "claim_id",
    "line_no",
)
_SEQUESTRATION_COLUMNS = ("payer_id", "reason_code")
_PLB_COLUMNS = ("era_id", "reason_code", "reference", "amount_cents")


def ledger_context(ledger: Ledger) -> LedgerContext:
    """The context of ``ledger`` (frames or a request's rows, see module docstring)."""
    payers = payers_of(_columns(ledger, "payers", PAYER_COLUMNS))
    fees = fee_rows_of(_columns(ledger, "fee_schedule", FEE_COLUMNS))
    payments = _payments(ledger)
    coded = _columns(
        ledger,
        "transactions",
        _SEQUESTRATION_COLUMNS,
        lambda t: t["reason_code"] == SEQUESTRATION_CARC,
    )
    recoveries = _columns(
        ledger,
        "provider_adjustments",
        _PLB_COLUMNS,
        lambda a: a["reason_code"].str.strip().str.upper() == "WO",
    )
    eras = {e for e in recoveries["era_id"] if e is not None}
    remits = _columns(
        ledger, "remittances", ("era_id", "payer_id"), lambda r: r["era_id"].isin(list(eras))
    )
    references = {r.strip() for r in recoveries["reference"] if r is not None}
    return LedgerContext(
        payers=payers,
        fee_schedule=fee_schedule_index(fees),
        fee_schedule_empty=ledger.row_count("fee_schedule") == 0,
        sequestering_payers=sequestering_payers(payers, coded),
        plb_recoveries=plb_recoveries(
            recoveries,
            dict(zip(remits["era_id"], remits["payer_id"], strict=True)),
            _known_claims(ledger, references),
        ),
        payer_history=payer_histories(payments),
        era_overposting=era_overposting(
            payments,
            _columns(ledger, "remittances", ("era_id", "total_paid_cents")),
            _columns(ledger, "provider_adjustments", ("era_id", "amount_cents")),
        ),
    )


def era_overposting(
    payments: Mapping[str, Any], remittances: Columns, adjustments: Columns
) -> dict[str, tuple[int, tuple[tuple[str, int], ...], int]]:
    """Remittances that may have reversed and re-paid claims whose reversals were never
    posted: per era_id, (over-posting, repeated payments per claim), where the over-posting is
    positive and some payment repeats.

    Such a remittance's posted payer payments exceed what it paid (BPR02 ``total_paid`` plus
    its PLB amounts: a positive PLB lowers the check, a negative one raises it): the 835 paid
    the claim once, net of the reversal, and the ledger counts the re-payment again; or it
    posted a payment of its own twice (the third figure: the cents of repeats whose earlier
    copy came from the same remittance, an over-posting already explained). The
    *repeated* payments are payer payments of the same claim, line and amount as an earlier
    payment, or of the same claim and amount where one of the two was posted at claim level
    (a paper EOB keyed without line numbers, then the 835's line-level re-payment)
    (``verify.duplicates`` decides which of them the over-posting accounts for). "Earlier"
    is by posted date (rows of one date in their given order): a ledger's rows need not come
    in posting order.
    ``payments``: the payer payments' columns (with ``posted_date``)."""
    if isinstance(payments["era_id"], pd.Series):  # a frame's columns: as plain values
        order = _posting_order(payments["posted_date"]) if "posted_date" in payments else None
        payments = {
            name: _plain_values(payments[name].iloc[order] if order is not None else payments[name])
            for name in _OVERPOSTING_COLUMNS
        }
    elif "posted_date" in payments:
        days = list(payments["posted_date"])
        known = None not in days
        if known and any(b < a for a, b in pairwise(days)):
            idx = sorted(range(len(days)), key=days.__getitem__)
            payments = {n: [payments[n][i] for i in idx] for n in _OVERPOSTING_COLUMNS}
    return _era_overposting_rows(payments, remittances, adjustments)


def _posting_order(days: pd.Series) -> npt.NDArray[np.intp] | None:
    """The stable order of a frame's rows by posted date, or None when they are in it."""
    values = days.to_numpy(dtype="datetime64[ns]", na_value=np.datetime64("NaT"))
    if len(values) < 2 or bool((values[1:] >= values[:-1]).all()):
        return None
    order: npt.NDArray[np.intp] = np.argsort(values, kind="stable")
    return order


_OVERPOSTING_COLUMNS = ("era_id", "kind", "source", "amount_cents", "claim_id", "line_no")


def _plain_values(series: pd.Series) -> list[Any]:
    """A frame's column as plain values; text through its distinct values, so that a million
    rows share a few thousand ``str`` objects (memory, and hashes computed once)."""
    if not isinstance(series.dtype, pd.StringDtype):
        return column_values(series)
    codes, uniques = pd.factorize(series)
    distinct = np.asarray([*uniques.tolist(), None], dtype=object)  # code -1 (NA) -> None
    values: list[Any] = distinct[codes].tolist()
    return values


def _era_overposting_rows(
    payments: Mapping[str, Any], remittances: Columns, adjustments: Columns
) -> dict[str, tuple[int, tuple[tuple[str, int], ...], int]]:
    """``era_overposting`` over plain columns, one pass over the payments (the one
    implementation, for a request's rows and a ledger's frames alike)."""
    remitted: dict[str, int] = {}
    for era, total in zip(remittances["era_id"], remittances["total_paid_cents"], strict=True):
        if era is not None and total is not None:
            remitted[era] = remitted.get(era, 0) + total
    if not remitted:
        return {}
    for era, amount in zip(adjustments["era_id"], adjustments["amount_cents"], strict=True):
        if era in remitted and amount is not None:
            remitted[era] += amount
    posted: dict[str, int] = {}
    seen: dict[tuple[Any, int, int], Any] = {}  # (claim, line, amount) -> era last posted from
    seen_claim: set[tuple[Any, int]] = set()  # (claim, amount), any line
    at_claim_level: set[tuple[Any, int]] = set()  # (claim, amount) posted without a line
    repeats: dict[str, dict[str, int]] = {}
    own_copies: dict[str, int] = {}  # era -> repeats of a payment it had posted itself
    rows = zip(
        *(payments[n] for n in ("era_id", "kind", "source", "amount_cents", "claim_id")),
        payments["line_no"],
        strict=True,
    )
    for era, kind, source, amount, claim, line in rows:
        if kind != "payment" or source != "payer" or amount is None:
            continue
        if era is not None:
            posted[era] = posted.get(era, 0) + amount
        if amount > 0:
            key = (claim, line or 0, amount)
            again = key in seen or (claim, amount) in (seen_claim if not line else at_claim_level)
            if again and era is not None:
                mine = repeats.setdefault(era, {})
                mine[claim] = mine.get(claim, 0) + amount
                if seen.get(key) == era:
                    own_copies[era] = own_copies.get(era, 0) + amount
            seen[key] = era
            seen_claim.add((claim, amount))
            if not line:
                at_claim_level.add((claim, amount))
    out = {}
    for era, claims in repeats.items():
        if era in remitted and posted.get(era, 0) > remitted[era]:
            over = posted[era] - remitted[era]
            out[era] = (over, tuple(sorted(claims.items())), own_copies.get(era, 0))
    return out


def _columns(
    ledger: Ledger,
    table: str,
    names: Sequence[str],
    keep: Callable[[pd.DataFrame], pd.Series] | None = None,
) -> Columns:
    """``names`` of ``table`` as plain columns: a request's rows all, a frame's rows where
    ``keep`` holds (a vectorized pre-selection; the rules check their conditions again)."""
    handed = ledger.handed_rows(table)
    if handed is not None:
        return record_columns(handed, names)
    frame = ledger.table(table)
    if keep is not None and len(frame):
        frame = frame[keep(frame).fillna(False).to_numpy(dtype=bool)]
    return frame_columns(frame, names)


def _payments(ledger: Ledger) -> Mapping[str, Any]:
    """The payer payments' ``_PAYER_HISTORY_COLUMNS``: a request's rows all, a frame's payer
    payments as its columns."""
    handed = ledger.handed_rows("transactions")
    if handed is not None:
        return record_columns(handed, _PAYER_HISTORY_COLUMNS)
    t = ledger.transactions
    t = t[((t["kind"] == "payment") & (t["source"] == "payer")).fillna(False).to_numpy(bool)]
    return {name: t[name] for name in _PAYER_HISTORY_COLUMNS}


def _known_claims(ledger: Ledger, candidates: set[str]) -> set[str]:
    """The ``candidates`` that are claim ids of ``ledger``."""
    handed = ledger.handed_rows("claim_lines")
    if handed is not None:
        return {r["claim_id"] for r in handed} & candidates
    claims = ledger.claim_lines["claim_id"]
    return set(claims[claims.isin(list(candidates)).to_numpy(dtype=bool)].tolist())


def fee_schedule_index(fees: Sequence[FeeRow]) -> dict[tuple[str, str], tuple[FeeRow, ...]]:
    """Fee-schedule rows by (payer_id, cpt), in schedule order."""
    out: dict[tuple[str, str], list[FeeRow]] = {}
    for fee in fees:
        out.setdefault((fee.payer_id, fee.cpt), []).append(fee)
    return {key: tuple(rows) for key, rows in out.items()}


def sequestering_payers(payers: Mapping[str, Payer], transactions: Columns) -> frozenset[str]:
    """Payers that apply Medicare sequestration: Medicare and Medicare Advantage payers, and any
    payer that posted a CO-253 anywhere in the ledger (``transactions``: payer_id,
    reason_code)."""
    by_type = {p.payer_id for p in payers.values() if p.payer_type in SEQUESTERING_PAYER_TYPES}
    coded = {
        payer
        for payer, reason in zip(transactions["payer_id"], transactions["reason_code"], strict=True)
        if reason == SEQUESTRATION_CARC and payer is not None
    }
    return frozenset(by_type | coded)


def plb_recoveries(
    adjustments: Columns, payer_of_era: Mapping[str, str | None], claim_ids: Collection[str]
) -> frozenset[tuple[str, str]]:
    """(claim, payer or "") of every overpayment recovery a payer took at remittance level
    (PLB WO, positive amount): money the payer already has back, though the claim still shows
    it. The claim is the adjustment's reference when that is a claim id (``claim_ids``), else
    the reference's first token."""
    found = set()
    for era, code, reference, amount in zip(*(adjustments[c] for c in _PLB_COLUMNS), strict=True):
        if code is None or code.strip().upper() != "WO" or amount is None or not amount > 0:
            continue
        if reference is None:
            continue
        text = reference.strip()
        claim = text if text in claim_ids else _PLB_TOKEN.split(text, 1)[0]
        found.add((claim, payer_of_era.get(era) or ""))
    return frozenset(found)


def payer_histories(transactions: Mapping[str, Any]) -> dict[str, PayerHistory]:
    """Each payer's history of payer payments, from the ``_PAYER_HISTORY_COLUMNS`` of the
    transactions (frame columns or a request's lists): positive payments, negative ones
    (reversals), and positive ones above the allowed amount the payer reported on them."""
    payer, posted = transactions["payer_id"], transactions["posted_date"]
    keep = (
        _equals(transactions["kind"], "payment")
        & _equals(transactions["source"], "payer")
        & _present(payer)
        & _present(posted)
    )
    amount, _ = _integers(transactions["amount_cents"])
    allowed, reported = _integers(transactions["allowed_amount_cents"])
    codes, payers = factorize(_take(payer, keep))
    paid = amount[keep]
    above = (paid > 0) & reported[keep] & (paid > allowed[keep])
    totals = RunningTotals(
        codes,
        day_numbers(_take(posted, keep)),
        np.column_stack([paid > 0, paid < 0, above]).astype("int64"),
        len(payers),
    )
    return {str(p): PayerHistory(*totals.of(i)) for i, p in enumerate(payers)}


# Column helpers for a frame's column (pandas, vectorized) or a request's list (plain Python).


def _equals(values: Any, text: str) -> npt.NDArray[np.bool_]:
    if isinstance(values, pd.Series):
        return values.eq(text).fillna(False).to_numpy(dtype=bool)
    return np.array([v == text for v in values], dtype=bool)


def _present(values: Any) -> npt.NDArray[np.bool_]:
    if isinstance(values, pd.Series):
        return values.notna().to_numpy(dtype=bool)
    return np.array([v is not None for v in values], dtype=bool)


def _integers(values: Any) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """An integer column as int64 (0 for blanks) and where it is present."""
    if isinstance(values, pd.Series):
        return values.to_numpy(dtype="int64", na_value=0), values.notna().to_numpy(dtype=bool)
    present = np.array([v is not None for v in values], dtype=bool)
    return np.array([0 if v is None else v for v in values], dtype="int64"), present


def _take(values: Any, keep: npt.NDArray[np.bool_]) -> Any:
    if isinstance(values, pd.Series):
        return values[keep]
    return [v for v, k in zip(values, keep.tolist(), strict=True) if k]
