"""``verify_credits``: run every rule for every credit and decide a verdict per credit.

``verify_bundle`` verifies one credit from its ``ClaimBundle``: duplicates set aside, each
party's account and excess, the pattern findings allocated into them, a sentence per finding,
and the verdict. ``verify_credits`` builds the bundles of a ledger's credits and runs
``verify_bundle`` over them (across processes by patient group for a large ledger).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from cbclassify.balances import resolve_as_of
from cbclassify.bundles import (
    ClaimBundle,
    Credits,
    FeeRow,
    LedgerContext,
    Line,
    Posting,
    map_patient_groups,
)
from cbclassify.contract.ledger import Ledger
from cbclassify.verify.accounts import (
    folded_sequestration,
    governing_allowed,
    patient_account,
    payer_accounts,
)
from cbclassify.verify.claim import Row, credit_claim
from cbclassify.verify.duplicates import (
    find_duplicates,
    payment_event_totals,
    uncoded_sequestration,
)
from cbclassify.verify.findings import allocate, patterns
from cbclassify.verify.parties import claim_row, party_rows
from cbclassify.verify.statements import StatementContext, statement
from cbclassify.verify.verdict import assemble, decide, summarize_components, summarize_parties


@dataclass(frozen=True)
class Verdict:
    """The verification of one credit (the fields are the columns of ``verify_credits``)."""

    claim_id: str
    credit_amount_cents: int
    verification: str  # confirmed, partial, refuted or inconclusive
    verified_source: str | None  # None unless confirmed
    explained_amount_cents: int
    evidence: str  # ';'-joined txn_ids
    components: list[Row]  # source, rule, action, payer_id, amount_cents, txn_ids, statement
    statement: str
    disagreement: bool  # confirmed, and not the predicted source
    review_reason: str | None  # None when confirmed and agreeing
    predicted_source: str | None
    confirmed_rule: str | None  # what ``resolve`` acts on
    confirmed_action: str | None
    confirmed_payer_id: str | None
    ledger_source: str | None = None  # refuted: the source the ledger proves instead
    ledger_amount_cents: int | None = None  # refuted: the amount the ledger's source explains
    candidates: str | None = None  # inconclusive: '|'-joined sources explaining it equally


RESULT_COLUMNS = [f.name for f in fields(Verdict)]
_TEXT_COLUMNS = ("verification", "verified_source", "evidence", "statement", "review_reason",
                 "predicted_source", "confirmed_rule", "confirmed_action", "confirmed_payer_id",
                 "ledger_source", "candidates")  # fmt: skip


def verify_bundle(
    context: LedgerContext,
    bundle: ClaimBundle,
    predicted_source: str | None = None,
    *,
    confirm_ledger_source: bool = False,
) -> Verdict:
    """The verdict of the credit of ``bundle`` (see module docstring). A source the ledger
    proves other than ``predicted_source`` refutes the prediction, unless
    ``confirm_ledger_source`` (the policy switch) confirms the ledger's source instead."""
    claim = credit_claim(bundle)
    duplicates = find_duplicates(claim.postings, context.era_overposting)
    live = [p for p in claim.postings if p.txn_id not in duplicates.extra]
    uncoded = uncoded_sequestration(live, context.sequestering_payers)
    accounts = payer_accounts(claim, live, uncoded)
    allowed = governing_allowed(claim, live, context.fee_schedule, context.fee_schedule_empty)
    patient = patient_account(live)
    folded_sequestration(claim, live, accounts, allowed, context.sequestering_payers)
    c = claim_row(claim, accounts, patient, allowed)
    parties = party_rows(c, accounts)
    found = patterns(claim.claim_id, duplicates.groups, live, parties)
    refunds: dict[str, int] = {}
    for a in accounts:
        refunds.setdefault(a["payer_id"], a["refund_cents"])
    comps, full = allocate(found, parties, refunds)
    names = {pid: p.payer_name for pid, p in context.payers.items()}
    ctx = StatementContext(c, accounts, names)
    for comp in comps:
        comp["statement"] = statement(comp, ctx)
    for comp in comps:
        comp["txn_ids"] = _evidence_ids(comp, ctx, patient)
    v = decide(
        claim.credit_amount_cents,
        summarize_components(comps),
        summarize_parties(parties, full),
        context.plb_recoveries,
        claim.claim_id,
        predicted_source,
        rivals=rival_sources(comps, live, claim.credit_amount_cents, c, context, claim.lines),
        confirm_ledger_source=confirm_ledger_source,
    )
    v["claim_id"] = claim.claim_id
    v.update(assemble(v, comps))
    return Verdict(**{name: v[name] for name in RESULT_COLUMNS})


_PAYER_EXCESS_RULES = ("above_allowed", "above_full_allowed", "secondary_excess", "not_billed")


def rival_sources(
    comps: list[Row],
    live: list[Posting],
    credit: int,
    c: Row | None = None,
    context: LedgerContext | None = None,
    lines: tuple[Line, ...] = (),
) -> tuple[str, ...]:
    """Sources that explain a credit as well as its one finding: a payer's excess (above the
    contract, as a secondary, or not billed) that equals one whole payment of that payer when
    the payer paid the claim more than once is also the signature of a duplicate payment (the
    same service paid again at another amount is indistinguishable from a re-adjudication
    above the contract). And a patient's excess on a claim whose primary paid 100% of the
    contracted allowed amount on its 835 (the schedule row that governs, or a schedule rate for
    the same code under another modifier that the payer evidently applied:
    ``priced_at_a_contract_rate``) with no patient responsibility row at all, while the patient paid at the visit: either
    the plan has no cost share (a patient credit) or the payer skipped the copay (a payer
    overpayment); the ledger cannot tell. Except from a Medicaid payer: Medicaid is the payer
    of last resort, its beneficiaries owe no cost share beyond what the plan assigns (a
    nominal copay comes as a PR-3 row) and may not be charged more (42 CFR 447.15), so its
    835 without responsibility leaves the patient's money a patient credit."""
    if c is not None and _copay_or_skipped(comps, live, credit, c, context, lines):
        return ("payer_overpayment",)
    if len(comps) != 1 or comps[0]["rule"] not in _PAYER_EXCESS_RULES:
        return ()
    if comps[0]["amount_cents"] != credit:
        return ()
    totals = payment_event_totals(live, comps[0]["payer_id"])
    return ("duplicate_payment",) if len(totals) > 1 and credit in totals else ()


#: Payer types whose members owe no cost share beyond the responsibility the plan assigns.
NO_COST_SHARE_TYPES = frozenset({"medicaid"})


def _copay_or_skipped(
    comps: list[Row],
    live: list[Posting],
    credit: int,
    c: Row,
    context: LedgerContext | None,
    lines: tuple[Line, ...],
) -> bool:
    if len(comps) != 1 or comps[0]["rule"] != "above_responsibility":
        return False
    if comps[0]["amount_cents"] != credit or c["self_pay"] or c["allowed_basis"] is None:
        return False
    primary = c["primary_payer_id"]
    payer = context.payers.get(primary or "") if context is not None else None
    if payer is not None and payer.payer_type in NO_COST_SHARE_TYPES:
        return False
    if c["has_secondary"] and c["p2_adjudicated"]:
        return False
    mine = [p for p in live if p.source == "payer" and p.payer_id == primary]
    era_paid = any(p.kind == "payment" and p.era_id is not None for p in mine)
    no_pr = not any(p.kind == "responsibility" for p in mine)
    in_full = c["p1_net_cents"] + c["p1_seq_cents"] == c["allowed_cents"]
    contracted = c["allowed_basis"] == "contract" or (
        context is not None and priced_at_a_contract_rate(mine, lines, context.fee_schedule)
    )
    return era_paid and no_pr and in_full and contracted and c["patient_paid_cents"] > 0


def priced_at_a_contract_rate(
    payments: list[Posting],
    lines: tuple[Line, ...],
    fee_schedule: Mapping[tuple[str, str], tuple[FeeRow, ...]],
) -> bool:
    """Whether the payer's reported allowed on every line is the schedule's rate for the
    line's code in force on its date of service, times units, under any modifier: where no
    row governs a line (its modifier is not the row's), a payer that allowed exactly the
    contracted rate of the code applied the contract."""
    reported: dict[int, int] = {}
    for p in payments:
        if p.kind == "payment" and p.line_no is not None and p.allowed_amount_cents is not None:
            reported[p.line_no] = p.allowed_amount_cents
    if not lines:
        return False
    for line in lines:
        allowed = reported.get(line.line_no)
        if allowed is None or line.payer_id is None:
            return False
        day = line.service_date
        rates = {
            fee.allowed_per_unit_cents * line.units
            for fee in fee_schedule.get((line.payer_id, line.cpt), ())
            if fee.effective_from <= day and (fee.effective_to is None or day <= fee.effective_to)
        }
        if allowed not in rates:
            return False
    return True


def _evidence_ids(comp: Row, ctx: StatementContext, patient: Row) -> str:
    """A party's remainder rests on that party's postings: the payer's or the patient's."""
    own: str = comp["txn_ids"] or ""
    if own != "":
        return own
    if comp["party"] == "patient":
        return str(patient["patient_txn_ids"] or "")
    account = ctx.accounts.get(comp["payer_id"] or "")
    return str((account or {}).get("txn_ids") or "")


def verify_credits(
    ledger: Ledger,
    credits: pd.DataFrame,
    as_of: pd.Timestamp | str | None = None,
    predicted: pd.Series | pd.DataFrame | Mapping[str, str] | None = None,
    *,
    workers: int | None = None,
    confirm_ledger_source: bool = False,
) -> pd.DataFrame:
    """Verify every credit against the ledger, for every source.

    Args:
        ledger: the practice's ledger (frames, or a request's rows).
        credits: ``cbclassify.balances.credit_balances(ledger, as_of)`` (claim_id, credit_amount_cents).
        as_of: the date the credits are verified on (default: the ledger's latest posting).
        predicted: optional predicted source per claim_id (a Series indexed by claim_id, a
            frame with claim_id and predicted_source columns, or a mapping).
        workers: processes for a large ledger (default: every core; see
            ``bundles.map_patient_groups``).
        confirm_ledger_source: confirm the source the ledger proves where it differs from the
            prediction (default: refuted, no action; see ``verify_bundle``).

    Returns:
        One row per credit (``RESULT_COLUMNS``, the fields of ``Verdict``), in the credits'
        order: components is a list of dicts (source, rule, action, payer_id, amount_cents,
        txn_ids, statement), evidence the ';'-joined txn_ids.
    """
    if credits.empty:
        return _empty_result()
    return result_frame(
        verify_records(
            ledger,
            credits,
            as_of,
            predicted,
            workers=workers,
            confirm_ledger_source=confirm_ledger_source,
        )
    )


def verify_records(
    ledger: Ledger,
    credits: pd.DataFrame,
    as_of: pd.Timestamp | str | None = None,
    predicted: pd.Series | pd.DataFrame | Mapping[str, str] | None = None,
    *,
    workers: int | None = None,
    confirm_ledger_source: bool = False,
) -> list[Verdict]:
    """The ``Verdict`` of every credit, in the credits' order (``verify_credits`` unframed)."""
    dated = credits_on(credits, resolve_as_of(ledger, as_of))
    check = partial(
        verify_predicted,
        predicted=predicted_by_claim(predicted),
        confirm_ledger_source=confirm_ledger_source,
    )
    return map_patient_groups(check, ledger, dated, workers=workers)


def verify_predicted(
    context: LedgerContext,
    bundle: ClaimBundle,
    predicted: Mapping[str, str | None],
    confirm_ledger_source: bool = False,
) -> Verdict:
    """``verify_bundle`` with the credit's prediction looked up in ``predicted``."""
    return verify_bundle(
        context,
        bundle,
        predicted.get(bundle.claim_id),
        confirm_ledger_source=confirm_ledger_source,
    )


def credits_on(credits: pd.DataFrame, as_of: pd.Timestamp) -> Credits:
    """The credits (claim_id, credit_amount_cents) as ``bundles`` reads them, all dated ``as_of``."""
    return Credits.on(
        [str(c) for c in credits["claim_id"].tolist()],
        credits["credit_amount_cents"].tolist(),
        as_of.date(),
    )


def predicted_by_claim(
    predicted: pd.Series | pd.DataFrame | Mapping[str, str] | None,
) -> dict[str, str | None]:
    """The predicted source per claim_id: from a Series indexed by claim_id, a frame with
    claim_id and predicted_source columns, or a mapping."""
    if predicted is None:
        return {}
    if isinstance(predicted, Mapping):
        return {str(k): _text(v) for k, v in predicted.items()}
    if isinstance(predicted, pd.DataFrame):
        predicted = predicted.set_index("claim_id")["predicted_source"]
    values = predicted.astype("string").tolist()
    return {str(k): _text(v) for k, v in zip(predicted.index.tolist(), values, strict=True)}


def _text(value: Any) -> str | None:
    return None if value is None or pd.isna(value) else str(value)


def result_frame(verdicts: list[Verdict]) -> pd.DataFrame:
    """Verdicts -> the frame ``verify_credits`` returns (``RESULT_COLUMNS``)."""
    if not verdicts:
        return _empty_result()
    rows = [vars(v) for v in verdicts]
    claim_ids = pd.Series([r["claim_id"] for r in rows], dtype="string")
    lists = {r["claim_id"]: r["components"] for r in rows}
    columns: dict[str, Any] = {
        "claim_id": claim_ids,
        "credit_amount_cents": np.array([r["credit_amount_cents"] for r in rows], dtype="int64"),
        "explained_amount_cents": pd.array(
            [r["explained_amount_cents"] for r in rows], dtype="Int64"
        ),
        "ledger_amount_cents": pd.array([r["ledger_amount_cents"] for r in rows], dtype="Int64"),
        "components": claim_ids.map(lambda c: lists.get(c, [])),
        "disagreement": pd.array([r["disagreement"] for r in rows], dtype="bool[pyarrow]"),
    }
    for name in _TEXT_COLUMNS:
        columns[name] = pd.array([r[name] for r in rows], dtype="string")
    return pd.DataFrame({name: columns[name] for name in RESULT_COLUMNS})


def _empty_result() -> pd.DataFrame:
    cols: dict[str, pd.Series] = {c: pd.Series([], dtype="string") for c in RESULT_COLUMNS}
    cols["credit_amount_cents"] = pd.Series([], dtype="int64")
    cols["explained_amount_cents"] = pd.Series([], dtype="Int64")
    cols["ledger_amount_cents"] = pd.Series([], dtype="Int64")
    cols["disagreement"] = pd.Series([], dtype=bool)
    cols["components"] = pd.Series([], dtype=object)
    return pd.DataFrame(cols)
