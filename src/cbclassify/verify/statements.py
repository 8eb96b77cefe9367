"""Plain-language statements of the facts behind each finding, with the real amounts and dates.

One sentence per component, by its rule: which posting repeated, where, when, under which
trace (duplicates); what a party kept against what it owed (the accounting rules).
"""

from __future__ import annotations

from collections.abc import Callable

from cbclassify.verify.accounts import PR_NAMES
from cbclassify.verify.claim import Row, day_text, usd

_BASIS_WORDS = {
    "contract": "contracted",
    "payer": "payer-reported",
    "mixed": "contracted/payer-reported",
}


class StatementContext:
    """What the sentences of one claim read: claim facts, accounts by payer, payer names."""

    def __init__(self, claim: Row, accounts: list[Row], payer_names: dict[str, str]) -> None:
        self.claim = claim
        self.accounts: dict[str, Row] = {}
        for a in accounts:
            self.accounts.setdefault(a["payer_id"], a)
        self.payer_names = payer_names

    def name(self, payer_id: str | None) -> str:
        if payer_id is None:
            return "?"
        return self.payer_names.get(payer_id, payer_id)

    def account(self, payer_id: str | None) -> Row:
        return self.accounts.get(payer_id, {}) if payer_id is not None else {}


def statement(comp: Row, ctx: StatementContext) -> str:
    """The sentence of one component (empty for a rule without one)."""
    build: dict[str, Callable[[Row, StatementContext], str]] = {
        "posted_twice": _posted_twice,
        "paid_twice": _paid_twice,
        "untraced_twice": _untraced,
        "reversal_not_posted": _reversal_not_posted,
        "reversal_or_paid_twice": _reversal_or_paid_twice,
        "adjustment_twice": _adjustment_twice,
        "receipts_twice": _receipts_twice,
        "pr_written_off": _pr_written_off,
        "patient_writeoff_paid": _patient_writeoff_paid,
        "above_allowed": _above_allowed,
        "above_full_allowed": _above_full_allowed,
        "secondary_excess": _secondary,
        "not_billed": _not_billed,
        "above_contract": _above_contract,
        "above_responsibility": _patient,
        "unsplit": _unsplit,
    }
    fn = build.get(comp["rule"])
    return "" if fn is None else fn(comp, ctx)


def responsibility_text(a: Row) -> str:
    """``$20.00 copay`` / ``$10.00 deductible and $5.00 coinsurance`` / ``$0.00``."""
    named = [a.get(f"pr_{n}_cents", 0) or 0 for n in PR_NAMES.values()]
    parts = [
        f"{usd(c)} {n}" if c != 0 else "" for c, n in zip(named, PR_NAMES.values(), strict=True)
    ]
    other = (a.get("pr_cents", 0) or 0) - sum(named)
    parts.append(f"{usd(other)} other" if other != 0 else "")
    joined = parts[0]
    for part in parts[1:]:
        joined = f"{joined} and {part}" if joined != "" and part != "" else joined + part
    return joined if joined != "" else "$0.00"


def _line_words(dup: Row) -> str:
    return f"line {dup['line_key']}" if dup["line_key"] > 0 else "the claim"


def _date_words(dup: Row) -> str:
    return f"{day_text(dup['first_date'])} and {day_text(dup['last_date'])}"


def _posted_twice(comp: Row, ctx: StatementContext) -> str:
    dup = comp["detail"]
    who = (
        f"Payer {ctx.name(comp['payer_id'])}'s payment"
        if comp["payer_id"] is not None
        else "The patient's payment"
    )
    ref = dup["traces"] or dup["eras"] or "?"
    text = (
        f"{who} of {usd(dup['copy_cents'])} on {_line_words(dup)} was posted "
        f"{dup['n_extra'] + 1} times from one remittance or receipt ({ref}; "
        f"{_date_words(dup)}){_forms(dup)}"
    )
    if comp["amount_cents"] > dup["copy_cents"] * dup["n_extra"]:
        text += (
            f"; with its write-offs the repeated posting accounts for {usd(comp['amount_cents'])}"
        )
    return text + ": one posting counted twice, undone internally."


def _forms(dup: Row) -> str:
    return f" ({dup['forms']})" if dup.get("forms") else ""


def _reversal_not_posted(comp: Row, ctx: StatementContext) -> str:
    dup = comp["detail"]
    return (
        f"Payer {ctx.name(comp['payer_id'])} paid {usd(dup['copy_cents'])} for "
        f"{_line_words(dup)} on {day_text(dup['first_date'])} and that amount again on "
        f"remittance {dup['eras'] or '?'} ({day_text(dup['last_date'])}), whose postings exceed "
        "what it paid by exactly its repeated payments: the remittance reversed the first "
        "payment and paid again, and the reversal was never posted."
    )


def _reversal_or_paid_twice(comp: Row, ctx: StatementContext) -> str:
    dup = comp["detail"]
    return (
        f"Payer {ctx.name(comp['payer_id'])} paid {usd(dup['copy_cents'])} for "
        f"{_line_words(dup)} on {day_text(dup['first_date'])} and that amount again on "
        f"remittance {dup['eras'] or '?'} ({day_text(dup['last_date'])}), whose postings exceed "
        "what it paid by more than its repeated payments account for: either the remittance "
        "reversed the first payment and paid again and the reversal was never posted (reverse "
        "the posting), or the payer paid twice (return the money); the ledger cannot tell "
        "which, a biller decides."
    )


def _paid_twice(comp: Row, ctx: StatementContext) -> str:
    dup = comp["detail"]
    text = (
        f"Payer {ctx.name(comp['payer_id'])} paid {usd(dup['copy_cents'])} for "
        f"{_line_words(dup)} twice, on remittances with different traces "
        f"({dup['traces'] or '?'}; {_date_words(dup)}){_forms(dup)}"
    )
    full = dup["extra_cents"]
    if comp["amount_cents"] < full:
        text += f"; {usd(full - comp['amount_cents'])} of it is already back with the payer"
    return text + ": the payer paid the same service twice."


def _untraced(comp: Row, ctx: StatementContext) -> str:
    dup = comp["detail"]
    name = ctx.name(comp["payer_id"])
    return (
        f"A payment of {usd(dup['copy_cents'])} from "
        f"{name if name != '?' else 'the patient'} on {_line_words(dup)} was posted twice "
        f"({_date_words(dup)}) with no trace number or remittance to tell a double posting "
        "from a double payment."
    )


def _adjustment_twice(comp: Row, ctx: StatementContext) -> str:
    dup = comp["detail"]
    code = f"{dup['group_code'] or ''}-{dup['reason_code'] or ''}".strip("-")
    return (
        f"Write-off {code} of {usd(dup['copy_cents'])} on {_line_words(dup)} was "
        f"posted twice ({_date_words(dup)}): the same adjustment counted twice."
    )


def _receipts_twice(comp: Row, ctx: StatementContext) -> str:
    dup = comp["detail"]
    return (
        f"The patient paid {usd(dup['copy_cents'])} twice, on distinct receipts "
        f"({dup['traces'] or '?'}; {_date_words(dup)})."
    )


def _patient_writeoff_paid(comp: Row, ctx: StatementContext) -> str:
    offs, paid = comp["detail"]["writeoffs"], comp["detail"]["payments"]
    off_days = ", ".join(sorted({p.posted_date.isoformat() for p in offs}))
    paid_days = ", ".join(sorted({p.posted_date.isoformat() for p in paid}))
    amount = usd(sum(p.amount_cents for p in paid))
    if paid_days == off_days:
        paid_words = f"paid {amount} the same day"
    else:
        paid_words = f"then paid {amount} (on {paid_days})"
    return (
        f"The patient's balance was written off ({usd(sum(p.amount_cents for p in offs))} "
        f"on {off_days}, no reason code) and the patient {paid_words}: "
        f"{usd(comp['amount_cents'])} of the write-off is no longer owed off; reverse it."
    )


def _pr_written_off(comp: Row, ctx: StatementContext) -> str:
    return (
        f"Patient responsibility of {usd(comp['amount_cents'])} was written off as a "
        f"contractual adjustment ({comp['txn_ids']})."
    )


def _allowed_words(c: Row) -> str:
    basis = _BASIS_WORDS.get(c["allowed_basis"], "") if c["allowed_basis"] is not None else ""
    return f"the {basis} allowed amount for {c['services'] if c['services'] is not None else '?'}"


def _above_allowed(comp: Row, ctx: StatementContext) -> str:
    c, a = ctx.claim, ctx.account(comp["payer_id"])
    seq = a.get("seq_cents") or 0
    seq_txt = f" and {usd(seq)} sequestration" if seq != 0 else ""
    pr = a.get("pr_cents")
    owed = None if c["allowed_cents"] is None or pr is None else c["allowed_cents"] - pr - seq
    return (
        f"Payer {ctx.name(comp['payer_id'])} paid {usd(a.get('net_cents'))} (last on "
        f"{day_text(a.get('last_pay_date'))}); {_allowed_words(c)} is "
        f"{usd(c['allowed_cents'])} less {responsibility_text(a)} patient "
        f"responsibility{seq_txt}, so it owed {usd(owed)}: "
        f"{usd(comp['amount_cents'])} overpaid."
    )


def _above_full_allowed(comp: Row, ctx: StatementContext) -> str:
    c, a = ctx.claim, ctx.account(comp["payer_id"])
    seq = a.get("seq_cents") or 0
    seq_txt = f" less {usd(seq)} sequestration" if seq != 0 else ""
    return (
        f"Payer {ctx.name(comp['payer_id'])} paid {usd(a.get('net_cents'))} (last on "
        f"{day_text(a.get('last_pay_date'))}), posted by hand without patient responsibility; "
        f"{_allowed_words(c)} is {usd(c['allowed_cents'])}{seq_txt}, and the patient paid "
        f"nothing: whatever the patient's share, the payer kept at least "
        f"{usd(comp['amount_cents'])} above what it owed."
    )


def _secondary(comp: Row, ctx: StatementContext) -> str:
    c, a = ctx.claim, ctx.account(comp["payer_id"])
    name = ctx.name(comp["payer_id"])
    owed = c["p1_pr_cents"] - c["p2_pr_cents"] - c["p2_seq_cents"]
    how = (
        "; its payment carries no OA-23: it paid as if it were primary"
        if (a.get("n_oa23") or 0) == 0
        else ""
    )
    wo = a.get("writeoff_cents") or 0
    wo_txt = f" and wrote off {usd(wo)}" if wo != 0 else ""
    return (
        f"Payer {name}, the secondary, kept {usd(a.get('net_cents'))}{wo_txt}; the "
        f"primary left {usd(c['p1_pr_cents'])} to the patient and {name} left "
        f"{usd(c['p2_pr_cents'])}, so it owed {usd(owed)}{how}: "
        f"{usd(comp['amount_cents'])} overpaid."
    )


def _not_billed(comp: Row, ctx: StatementContext) -> str:
    c, a = ctx.claim, ctx.account(comp["payer_id"])
    primary, secondary = c["primary_payer_id"], c["secondary_payer_id"]
    billed = (
        ctx.payer_names.get(primary, primary) if primary is not None else "the patient (self-pay)"
    )
    if secondary is not None:
        billed = f"{billed} and {ctx.payer_names.get(secondary, secondary)}"
    return (
        f"Payer {ctx.name(comp['payer_id'])} paid {usd(a.get('net_cents'))} (on "
        f"{day_text(a.get('last_pay_date'))}) on a claim billed to {billed}: it is neither "
        "the primary nor the secondary payer and owed nothing."
    )


def _above_contract(comp: Row, ctx: StatementContext) -> str:
    c = ctx.claim
    allowed = c["allowed_cents"]
    should = c["charge_amount_cents"] - (
        allowed if allowed is not None else c["charge_amount_cents"]
    )
    folded = ctx.account(c["primary_payer_id"]).get("seq_folded_cents", 0) or 0
    total = usd(c["writeoff_cents"] + folded)
    if folded:
        total += f" ({usd(folded)} of it the payer's 2% sequestration, keyed without CO-253)"
    return (
        f"Write-offs total {total} on charges of "
        f"{usd(c['charge_amount_cents'])}; with {_allowed_words(c)} of {usd(allowed)} only "
        f"{usd(should)} should be written off: {usd(comp['amount_cents'])} too much."
    )


def _patient(comp: Row, ctx: StatementContext) -> str:
    c = ctx.claim
    by = c["secondary_payer_id"] if c["p2_adjudicated"] else c["primary_payer_id"]
    if c["self_pay"]:
        who = f"the patient owes the charge of {usd(c['charge_amount_cents'])} (self-pay)"
    else:
        name = "?" if by is None else ctx.payer_names.get(by, by)
        who = f"payer {name} assigned {responsibility_text(ctx.account(by))} patient responsibility"
        if c["p2_adjudicated"] and c.get("p2_paid_in_full"):
            who += f" (it paid the whole {usd(c['p1_pr_cents'])} share the primary left)"
    wo = c["patient_writeoff_cents"]
    wo_txt = f" and had {usd(wo)} written off" if wo != 0 else ""
    return (
        f"The patient paid {usd(c['patient_net_cents'])}{wo_txt}; {who}: "
        f"{usd(comp['amount_cents'])} paid above it."
    )


def _unsplit(comp: Row, ctx: StatementContext) -> str:
    c = ctx.claim
    return (
        f"Payer {ctx.name(comp['payer_id'])} kept {usd(c['p1_net_cents'])} and "
        f"write-offs total {usd(c['writeoff_cents'])} on charges of "
        f"{usd(c['charge_amount_cents'])} less {usd(c['p1_pr_cents'])} patient "
        f"responsibility: {usd(comp['amount_cents'])} too much, but with no fee "
        "schedule row and no payer-reported allowed amount the ledger cannot tell a payer "
        "overpayment from an excess write-off."
    )
