"""What each party holds on a claim, from the postings left after duplicates are set aside.

Per payer: net money kept (payments + transfers - refunds), whether and how it adjudicated
(ERA or manual), the patient responsibility it assigned (by deductible, coinsurance, copay;
reported only as PR adjustments when it posted no responsibility rows),
sequestration (CO-253, or uncoded: ``duplicates.uncoded_sequestration``), its other write-offs,
OA-23 on its payments. For the patient: net payments and write-offs. All sums are exact
integer cents.

The allowed amount that governs the claim (``governing_allowed``): contracted (fee schedule)
first, payer-reported second. Per line: the primary payer's fee-schedule row for the line's
CPT, modifier (a blank modifier on the schedule matches any; an exact match wins, then the
latest effective date) and date of service, times units, capped at the line's charge (payers
pay the lesser of charge and allowed). Where no schedule row applies, the allowed amount the
payer reported on its latest payment for the line (835 AMT*B6). A line the payer denied
(reported allowed 0) has allowed 0. A claim's allowed is known when every line's is; a claim
paid at claim level falls back to the allowed reported there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from cbclassify.bundles import FeeRow, Line, Posting
from cbclassify.bundles.context import SEQUESTRATION_CARC
from cbclassify.verify.claim import CreditClaim, Row, payer_key

#: CARC that a secondary payer puts on its payment to restate the prior payer's adjudication.
PRIOR_PAYER_CARC = "23"
#: Patient responsibility by CARC.
PR_NAMES = {"1": "deductible", "2": "coinsurance", "3": "copay"}

_ZERO_FIELDS = (
    "paid_cents",
    "moved_cents",
    "refund_cents",
    "pr_cents",
    "seq_cents",
    "writeoff_cents",
    "n_pay",
    "n_era_pay",
    "n_pr",
    "n_oa23",
    "n_negative",
    "pr_adjusted_cents",
    *(f"pr_{n}_cents" for n in PR_NAMES.values()),
    *(f"pr_adjusted_{n}_cents" for n in PR_NAMES.values()),
)


def _new_account(claim_id: str, payer_id: str) -> Row:
    account: Row = {"claim_id": claim_id, "payer_id": payer_id, **dict.fromkeys(_ZERO_FIELDS, 0)}
    account.update(last_pay_date=None, first_pay_date=None, txn_ids="")
    return account


def payer_accounts(
    claim: CreditClaim, live: Sequence[Posting], uncoded_seq: frozenset[str]
) -> list[Row]:
    """One account per payer that posted anything (``live``: postings without the extra
    copies) or was billed, with its role: primary, secondary or not_billed."""
    accounts: dict[str, Row] = {}
    ids: dict[str, list[str]] = {}
    for p in live:
        if p.source != "payer":
            continue
        key = payer_key(p)
        account = accounts.get(key) or accounts.setdefault(key, _new_account(claim.claim_id, key))
        ids.setdefault(key, []).append(p.txn_id)
        _post(account, p, p.txn_id in uncoded_seq)
    out = list(accounts.values())
    for account in out:
        account["txn_ids"] = ";".join(ids[account["payer_id"]])
    facts = claim.facts
    for billed in (facts["primary_payer_id"], facts["secondary_payer_id"]):
        if billed is not None and billed not in accounts:
            out.append(_new_account(claim.claim_id, billed))
    for a in out:
        _responsibility_written_off(a)
        a["net_cents"] = a["paid_cents"] + a["moved_cents"] - a["refund_cents"]
        a["adjudicated"] = a["n_pay"] > 0
        a["pr_known"] = a["n_era_pay"] > 0 or a["n_pr"] > 0
        if a["payer_id"] == facts["primary_payer_id"]:
            a["role"] = "primary"
        elif a["payer_id"] == facts["secondary_payer_id"]:
            a["role"] = "secondary"
        else:
            a["role"] = "not_billed"
    return out


def _post(a: Row, p: Posting, uncoded_seq: bool) -> None:
    kind, amount, reason = p.kind, p.amount_cents, p.reason_code or ""
    if kind == "payment":
        a["paid_cents"] += amount
        a["n_pay"] += 1
        a["n_era_pay"] += p.era_id is not None
        a["n_oa23"] += reason == PRIOR_PAYER_CARC
        a["n_negative"] += amount < 0
        day = p.posted_date
        a["last_pay_date"] = day if a["last_pay_date"] is None else max(a["last_pay_date"], day)
        a["first_pay_date"] = day if a["first_pay_date"] is None else min(a["first_pay_date"], day)
    elif kind == "transfer":
        a["moved_cents"] += amount
    elif kind == "refund":
        a["refund_cents"] += amount
    elif kind == "responsibility":
        a["pr_cents"] += amount
        a["n_pr"] += 1
        if reason in PR_NAMES:
            a[f"pr_{PR_NAMES[reason]}_cents"] += amount
    elif kind == "adjustment" and (reason == SEQUESTRATION_CARC or uncoded_seq):
        a["seq_cents"] += amount
    elif kind == "adjustment":
        a["writeoff_cents"] += amount
        if p.group_code == "PR":
            a["pr_adjusted_cents"] += amount
            if reason in PR_NAMES:
                a[f"pr_adjusted_{PR_NAMES[reason]}_cents"] += amount


def _responsibility_written_off(a: Row) -> None:
    """A payer that reported the patient's share only as adjustments of group PR (the 835's
    PR amounts posted as write-offs) and posted no responsibility rows still assigned that
    share: it is the payer's patient responsibility (and, being written off, an allowance
    error: ``findings.pr_written_off``). A write-off of group CO with a responsibility CARC
    is a biller's coding, not the payer's assignment: it assigns nothing."""
    if a["n_pr"] == 0 and a["pr_adjusted_cents"] > 0:
        a["pr_cents"] = a["pr_adjusted_cents"]
        for name in PR_NAMES.values():
            a[f"pr_{name}_cents"] = a[f"pr_adjusted_{name}_cents"]


def folded_sequestration(
    claim: CreditClaim,
    live: Sequence[Posting],
    accounts: list[Row],
    allowed: Row,
    sequestering: frozenset[str],
) -> None:
    """A sequestering primary's paper EOB keyed by hand as one uncoded write-off: the
    contractual adjustment and the 2% sequestration (CO-253) together. Where the primary
    posted no CO-253 on the claim, its uncoded manual write-off exceeds charge minus the
    governing allowed, and that excess is the sequestration of what it paid (2/98 of its
    payments, within a cent per line: sequestration is rounded line by line), the excess is
    read as sequestration; where the excess is larger, the sequestration's part of it
    (2/98 of the payments) is, and the rest stays a write-off above the contract. Moves the
    amount from the primary's write-offs to its sequestration (``accounts`` in place)."""
    primary = claim.facts["primary_payer_id"]
    g = allowed["allowed_cents"]
    if primary is None or primary not in sequestering or g is None:
        return
    account = next((a for a in accounts if a["payer_id"] == primary), None)
    if account is None or account["seq_cents"] != 0:
        return
    uncoded = any(
        p.kind == "adjustment"
        and p.source == "payer"
        and p.payer_id == primary
        and p.era_id is None
        and p.reason_code is None
        and p.amount_cents > 0
        for p in live
    )
    paid = account["paid_cents"]
    if not uncoded or paid <= 0:
        return
    excess = account["writeoff_cents"] - (claim.facts["charge_amount_cents"] - g)
    expected = (paid * 2 + 49) // 98
    slack = len(claim.lines)
    if expected <= 0 or excess < expected - slack:
        return
    folded = excess if excess <= expected + slack else expected
    account["writeoff_cents"] -= folded
    account["seq_cents"] += folded
    account["seq_folded_cents"] = folded


_PATIENT_FIELDS = {
    "payment": "patient_paid_cents",
    "transfer": "patient_moved_cents",
    "refund": "patient_refund_cents",
    "adjustment": "patient_writeoff_cents",
}


def patient_account(live: Sequence[Posting]) -> Row:
    """The patient's net payments (payments + transfers - refunds), write-offs, evidence
    txn_ids and last activity date."""
    out: Row = {**dict.fromkeys(_PATIENT_FIELDS.values(), 0), "last_patient_date": None}
    ids = []
    for p in live:
        if p.source != "patient":
            continue
        if p.kind in _PATIENT_FIELDS:
            out[_PATIENT_FIELDS[p.kind]] += p.amount_cents
        last = out["last_patient_date"]
        out["last_patient_date"] = p.posted_date if last is None else max(last, p.posted_date)
        ids.append(p.txn_id)
    out["patient_net_cents"] = (
        out["patient_paid_cents"] + out["patient_moved_cents"] - out["patient_refund_cents"]
    )
    out["patient_txn_ids"] = ";".join(ids)
    return out


def governing_allowed(
    claim: CreditClaim,
    live: Sequence[Posting],
    fee_schedule: Mapping[tuple[str, str], tuple[FeeRow, ...]],
    fee_schedule_empty: bool,
) -> Row:
    """allowed_cents (None when unknown), allowed_basis (``contract``, ``payer``, ``mixed`` or
    None) and contracted_cents (the schedule amount where every line has one) of the claim
    (see module docstring)."""
    primary = claim.lines[0].payer_id  # the claim's first line in ledger order
    pays = [
        p
        for p in live
        if p.kind == "payment"
        and p.source == "payer"
        and p.amount_cents >= 0
        and p.payer_id == primary
        and p.allowed_amount_cents is not None
    ]
    reported: dict[int, int] = {}  # the latest payment's allowed per line
    for p in pays:
        if p.line_no is not None and p.allowed_amount_cents is not None:
            reported[p.line_no] = p.allowed_amount_cents
    allowed: list[int | None] = []
    capped: list[int | None] = []
    basis: list[str | None] = []
    for line in claim.lines:
        contract = None if fee_schedule_empty else _contracted(line, fee_schedule)
        rep = reported.get(line.line_no)
        if rep == 0:
            contract = 0
        cap = (
            contract
            if contract is None or contract <= line.charge_amount_cents
            else line.charge_amount_cents
        )
        value = cap if cap is not None else rep
        allowed.append(value)
        capped.append(cap)
        basis.append(None if value is None else ("contract" if cap is not None else "payer"))
    known = all(v is not None for v in allowed)
    kinds = {b for b in basis if b is not None}
    first_basis = next((b for b in basis if b is not None), None)
    out: Row = {
        "allowed_cents": sum(v for v in allowed if v is not None) if known else None,
        "allowed_basis": (first_basis if len(kinds) == 1 else "mixed") if known else None,
        "contracted_cents": (
            sum(c for c in capped if c is not None) if all(c is not None for c in capped) else None
        ),
    }
    claim_level = [p for p in pays if p.line_no is None]
    if out["allowed_cents"] is None and claim_level:
        out["allowed_cents"] = claim_level[-1].allowed_amount_cents
        out["allowed_basis"] = "payer"
    return out


def _contracted(
    line: Line, fee_schedule: Mapping[tuple[str, str], tuple[FeeRow, ...]]
) -> int | None:
    """The schedule's allowed per unit x units of the best row in force (exact modifier first,
    then the latest effective date; the first such row on a tie)."""
    if line.payer_id is None:
        return None
    best: tuple[tuple[bool, date], FeeRow] | None = None
    day = line.service_date
    for fee in fee_schedule.get((line.payer_id, line.cpt), ()):
        if not (
            fee.effective_from <= day and (fee.effective_to is None or day <= fee.effective_to)
        ):
            continue
        exact = fee.modifier is not None and fee.modifier == line.modifier
        if fee.modifier is not None and not exact:
            continue
        rank = (exact, fee.effective_from)
        if best is None or rank > best[0]:
            best = (rank, fee)
    return None if best is None else best[1].allowed_per_unit_cents * line.units
