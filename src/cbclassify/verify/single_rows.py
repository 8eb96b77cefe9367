"""The single-claim path's input: each credit claim's rows as plain Python values.

The vectorized engine pays a fixed cost of a few hundred pandas operations per call, which
dominates on a ledger of one claim (classify-on-demand). The single-claim path
(``verify.single``) runs the same rules over plain dicts instead; this module selects each
credit claim's postings and lines with a handful of vectorized filters and hands them over as
Python rows, prepared exactly like ``verify.prepare.build_workset`` prepares its frames.
Missing values are ``None``, dates ``pd.Timestamp``, money ``int`` cents.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from cbclassify.balances.rows import Credits, credit_pairs
from cbclassify.contract.enums import BALANCE_REDUCING_KINDS
from cbclassify.contract.ledger import Ledger
from cbclassify.contract.rows import frame_records, records
from cbclassify.verify.prepare import SEQUESTRATION_CARC, _plb_recoveries, sequestering_payers

Row = dict[str, Any]
_PLB_TOKEN = re.compile(r"[\s:;|]+")


def plain(value: Any) -> Any:
    """pandas missing values (NA, NaT, NaN) -> None; anything else unchanged."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def dollars(cents: int | None) -> str:
    """Integer cents -> ``$1,234.50`` (None -> ``?``), as ``verify.prepare.dollars``."""
    if cents is None:
        return "?"
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(int(cents)), 100)
    return f"{sign}${whole:,}.{frac:02d}"


def day_text(day: pd.Timestamp | None) -> str:
    """A date as ISO text (None -> ``?``), as ``verify.prepare.day_text``."""
    return "?" if day is None else day.strftime("%Y-%m-%d")


def effect_of(kind: str, amount: int) -> int:
    """The balance effect of one posting (``balances.signed_balance_effect``)."""
    if kind in BALANCE_REDUCING_KINDS:
        return -amount
    return amount if kind == "refund" else 0


#: Tables up to this many rows are read whole into Python once; larger ones are filtered by
#: key with pandas first (a big ledger with a handful of credits).
SMALL_TABLE_ROWS = 5000


class LedgerView:
    """A ledger's rows as plain dicts, selected by a key column (cached per table)."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self._whole: dict[str, list[Row]] = {}

    def rows(self, table: str, column: str | None = None, wanted: set | None = None) -> list[Row]:
        """Rows of ``table`` whose ``column`` is in ``wanted`` (all rows without a column).
        The dicts are shared: do not change them."""
        if self.ledger.row_count(table) <= SMALL_TABLE_ROWS:
            if table not in self._whole:
                handed = self.ledger.handed_rows(table)  # a request ledger's rows
                self._whole[table] = (
                    frame_records(self.ledger.table(table)) if handed is None else handed
                )
            whole = self._whole[table]
            return whole if column is None else [r for r in whole if r[column] in wanted]
        frame = self.ledger.table(table)
        if column is not None:
            frame = frame[frame[column].isin(list(wanted or ()))]
        return records(frame)

    def sequestering_payers(self) -> frozenset[str]:
        """``prepare.sequestering_payers`` (in Python for a small ledger)."""
        if self.ledger.row_count("transactions") > SMALL_TABLE_ROWS:
            return sequestering_payers(self.ledger)
        by_type = {p["payer_id"] for p in self.rows("payers")
                   if p["payer_type"] in ("medicare", "medicare_advantage") and p["payer_id"] is not None}  # fmt: skip
        coded = {t["payer_id"] for t in self.rows("transactions")
                 if t["reason_code"] == SEQUESTRATION_CARC and t["payer_id"] is not None}  # fmt: skip
        return frozenset(by_type | coded)


@dataclass
class ClaimRows:
    """One credit claim as the rules read it (see ``verify.prepare.Workset``)."""

    claim_id: str
    credit_cents: int
    txns: list[Row]  # postings up to the as-of date, sorted by posted_date, txn_id
    lines: list[Row]  # claim lines billed by the as-of date, in ledger order
    facts: Row  # charge, patient, primary/secondary payer, services ...
    first_line: Row  # the claim's first line in ledger order, whatever its billed date


@dataclass
class SmallWorkset:
    """Everything a single-claim verification run reads."""

    as_of: pd.Timestamp
    claims: list[ClaimRows]
    payer_names: dict[str, str]
    fee_schedule: list[Row]  # rows of the credit claims' payers and codes
    fee_schedule_empty: bool
    view: LedgerView
    plb_keys: set[tuple[str, str]] = field(default_factory=set)  # (claim_id, payer_id or "")
    sequestering: frozenset[str] = frozenset()


def build_small_workset(
    ledger: Ledger, credits: Credits, cutoff: pd.Timestamp
) -> SmallWorkset:
    """Per credit claim (a credits frame or ``credit_balance_rows``), its postings and lines as
    of ``cutoff`` (``build_workset`` in rows)."""
    view = LedgerView(ledger)
    ids, amounts = credit_pairs(credits)
    wanted = set(ids)
    txns = view.rows("transactions", "claim_id", wanted)
    eras = {t["era_id"] for t in txns if t["era_id"] is not None}
    traces = {r["era_id"]: r["trace_number"] for r in view.rows("remittances", "era_id", eras)}
    by_claim_txns: dict[str, list[Row]] = {c: [] for c in ids}
    for row in txns:
        if row["posted_date"] <= cutoff:
            by_claim_txns[row["claim_id"]].append(_posting(row, traces))
    by_claim_lines: dict[str, list[Row]] = {c: [] for c in ids}
    for row in view.rows("claim_lines", "claim_id", wanted):
        by_claim_lines[row["claim_id"]].append(row)
    claims = []
    for claim_id, credit in zip(ids, amounts, strict=True):
        txns = sorted(by_claim_txns[claim_id], key=lambda r: (r["posted_date"], r["txn_id"]))
        all_lines = by_claim_lines[claim_id]
        lines = [r for r in all_lines if r["billed_date"] <= cutoff]
        claims.append(ClaimRows(claim_id, credit, txns, lines, _claim_facts(lines), all_lines[0]))
    payer_ids = {r["payer_id"] for c in claims for r in c.lines if r["payer_id"] is not None}
    cpts = {r["cpt"] for c in claims for r in c.lines}
    fee = [f for f in view.rows("fee_schedule", "payer_id", payer_ids) if f["cpt"] in cpts]
    return SmallWorkset(
        as_of=cutoff,
        claims=claims,
        payer_names={p["payer_id"]: p["payer_name"] for p in view.rows("payers")},
        fee_schedule=fee,
        fee_schedule_empty=ledger.row_count("fee_schedule") == 0,
        view=view,
        plb_keys=_plb_keys(view, wanted),
        sequestering=view.sequestering_payers(),
    )


def _posting(row: Row, traces: dict[str, str | None]) -> Row:
    """One posting with the helper keys of ``prepare._postings``."""
    amount = int(row["amount_cents"])
    era = row["era_id"]
    reason = row["reason_code"]
    trace = row["trace_number"]
    if trace is None and era is not None:
        trace = traces.get(era)
    return {
        **row,
        "line_key": 0 if row["line_no"] is None else int(row["line_no"]),
        "payer_key": row["payer_id"] or "",
        "effect_cents": effect_of(row["kind"], amount),
        "amount_cents": amount,
        "remit_trace": trace,
        "reason_code": None if reason is None else reason.strip(),
    }


def _claim_facts(lines: list[Row]) -> Row:
    """Charge, patient, payers of the first line, location, services (``_claim_facts``)."""
    ordered = sorted(lines, key=lambda r: r["line_no"])
    first = ordered[0]
    services = []
    for r in ordered:
        modifier = "" if r["modifier"] is None else "-" + r["modifier"]
        services.append(f"{r['cpt']}{modifier} x{r['units']}")
    return {
        "charge_cents": sum(int(r["charge_amount_cents"]) for r in ordered),
        "patient_id": next((r["patient_id"] for r in ordered if r["patient_id"] is not None), None),
        "primary_payer_id": first["payer_id"],
        "secondary_payer_id": first["secondary_payer_id"],
        "location_id": next((r["location_id"] for r in ordered if r["location_id"] is not None), None),
        "services": ", ".join(services),
    }  # fmt: skip


def _plb_keys(view: LedgerView, claim_ids: set[str]) -> set[tuple[str, str]]:
    """(claim, payer) pairs with a remittance-level recovery (``prepare._plb_recoveries``)."""
    if view.ledger.row_count("provider_adjustments") > SMALL_TABLE_ROWS:
        found = _plb_recoveries(view.ledger, pd.Series(sorted(claim_ids), dtype="string"))
        return set(zip(found["claim_id"].tolist(), found["payer_id"].tolist(), strict=True))
    hits = []
    for row in view.rows("provider_adjustments"):
        code, reference = row["reason_code"], row["reference"]
        if code is None or code.strip().upper() != "WO" or not row["amount_cents"] > 0:
            continue
        if reference is None:
            continue
        reference = reference.strip()
        claim = reference if reference in claim_ids else _PLB_TOKEN.split(reference, 1)[0]
        if claim in claim_ids:
            hits.append((claim, row["era_id"]))
    eras = {era for _, era in hits}
    payer_of = {r["era_id"]: r["payer_id"] for r in view.rows("remittances", "era_id", eras)}
    return {(claim, payer_of.get(era) or "") for claim, era in hits}
