"""Findings: the pattern rules, and their allocation into each party's excess.

A *pattern* is a fact that names its own cause (a duplicate, a write-off of patient
responsibility, a patient paying twice). A pattern belongs to a party; where the party's total
excess is known, patterns are allocated inside it (a duplicate already refunded leaves nothing)
and what is left is the party's default cause; where it is unknown, patterns stand on their own.
Duplicates posted twice stand outside every party: they are set aside before the accounting.

A payer's duplicate belongs to the payer's party, or to the unsplit primary+writeoffs party
where the claim's allowed amount is unknown and the payer is the primary. A payer-side
write-off belongs to its payer's party when that payer is the secondary or was not billed,
else to the claim's write-offs (or the unsplit party where the allowed amount is unknown).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from cbclassify.bundles import Posting
from cbclassify.verify.claim import Row, payer_key

#: CARCs of patient responsibility (deductible, coinsurance, copay).
PR_REASONS = ("1", "2", "3")

_DUP_RULES = (
    "paid_twice",
    "adjustment_twice",
    "receipts_twice",
    "posted_twice",
    "untraced_twice",
    "reversal_not_posted",
    "reversal_or_paid_twice",  # no action: a lost reversal or money received twice
)
_DUP_SOURCE = {"adjustment_twice": "allowance_error", "receipts_twice": "patient_credit"}
_DUP_ACTION = {
    "posted_twice": "reverse_posting",
    "reversal_not_posted": "reverse_posting",
    "paid_twice": "payer_return",
    "adjustment_twice": "correct_adjustment",
    "receipts_twice": "patient_return",
}
_DEFAULT_ACTION = {"payer_overpayment": "payer_return", "allowance_error": "correct_adjustment"}


class _PartyIndex:
    """The claim's unsplit party (and its payer) and the parties of secondary/unbilled payers."""

    def __init__(self, parties: list[Row]) -> None:
        unsplit = [p for p in parties if p["role"] == "primary_and_writeoffs"]
        self.unsplit = unsplit[0]["party"] if unsplit else None
        self.primary = unsplit[0]["payer_id"] if unsplit else None
        self.others = {p["party"] for p in parties if p["role"] in ("not_billed", "secondary")}

    def payment_party(self, payer: str | None) -> str:
        own = f"payer:{payer or ''}"
        is_unsplit_primary = (
            self.unsplit is not None and self.primary is not None and payer == self.primary
        )
        return str(self.unsplit) if is_unsplit_primary else own

    def writeoff_party(self, payer: str | None) -> str:
        own = f"payer:{payer or ''}"
        if own in self.others:
            return own
        return self.unsplit if self.unsplit is not None else "writeoffs"


def patterns(
    claim_id: str, groups: list[Row], live: Sequence[Posting], parties: list[Row]
) -> list[Row]:
    """Duplicate findings (merged per party, source, rule, action and payer), then patient
    responsibility written off as contractual; each with its party, priority and whether the
    party's own excess already includes it (``inside``). ``live``: the postings without the
    extra copies."""
    idx = _PartyIndex(parties)
    merged: dict[tuple[str, str, str, str, str], Row] = {}
    for g in groups:
        kind = g["dup_kind"]
        if kind not in _DUP_RULES:
            continue
        payer = g["payer_key"] or None
        if kind == "paid_twice":
            party = idx.payment_party(payer)
        elif kind == "adjustment_twice":
            party = "patient" if g["source"] == "patient" else idx.writeoff_party(payer)
        else:
            party = "patient" if kind == "receipts_twice" else ""
        source = _DUP_SOURCE.get(kind, "duplicate_payment")
        action = _DUP_ACTION.get(kind)
        amount = g["copy_cents"] * g["n_extra"] if kind == "receipts_twice" else g["extra_cents"]
        key = (party, source, kind, action or "", payer or "")
        found = merged.get(key)
        if found is None:
            merged[key] = {
                "claim_id": claim_id,
                "party": party,
                "source": source,
                "rule": kind,
                "action": action,
                "payer_id": payer,
                "amount_cents": amount,
                "txn_ids": g["txn_ids"],
                "priority": 1 if kind == "adjustment_twice" else 0,
                "inside": kind == "receipts_twice",
                "detail": g,
                "recouped_cents": g.get("recouped_cents", 0),
            }
        else:
            found["amount_cents"] += amount
            found["txn_ids"] += ";" + g["txn_ids"]
            found["priority"] = min(found["priority"], 1 if kind == "adjustment_twice" else 0)
            found["inside"] = found["inside"] and kind == "receipts_twice"
            found["recouped_cents"] += g.get("recouped_cents", 0)
    out = list(merged.values())
    written_off = _pr_written_off(claim_id, live, idx)
    paid_after = _patient_writeoff_paid(claim_id, live)
    return out + [f for f in (written_off, paid_after) if f is not None]


def _patient_writeoff_paid(claim_id: str, live: Sequence[Posting]) -> Row | None:
    """A patient-side write-off (small-balance, courtesy, a denial written off to the patient:
    source patient, no CARC) after which (on a later day) the patient paid anyway: the
    write-off took away a
    balance the patient then paid, so the patient's excess up to the write-off is an allowance
    error; the fix is to reverse the write-off, not to refund the patient. Inside the
    patient's party: only what the patient holds above its responsibility is reclassified.
    A payment on the write-off's own day counts too when the write-off is of a balance left
    over (``_leftover_writeoff``), not a discount at the visit."""
    offs = [
        p
        for p in live
        if p.kind == "adjustment"
        and p.source == "patient"
        and p.amount_cents > 0
        and p.reason_code is None
    ]
    if not offs:
        return None
    first = min(p.posted_date for p in offs)
    leftover = _leftover_writeoff(live, first)
    paid = [
        p
        for p in live
        if p.kind == "payment"
        and p.source == "patient"
        and p.amount_cents > 0
        and (p.posted_date > first or (p.posted_date == first and leftover))
    ]
    if not paid:
        return None
    return {
        "claim_id": claim_id,
        "party": "patient",
        "source": "allowance_error",
        "rule": "patient_writeoff_paid",
        "action": "correct_adjustment",
        "payer_id": None,
        "amount_cents": sum(p.amount_cents for p in offs),
        "txn_ids": ";".join(p.txn_id for p in (*offs, *paid)),
        "priority": 0,
        "inside": True,
        "detail": {"writeoffs": offs, "payments": paid},
    }


def _leftover_writeoff(live: Sequence[Posting], day: date) -> bool:
    """Whether a patient-side write-off posted on ``day`` is of a balance left over after the
    claim was settled: a payer adjudicated the claim on an earlier day (a payment, $0.00 when
    all of it went to the deductible, or responsibility rows) and the patient had paid part of
    its share on an earlier day too. Then a patient payment posted the same day as the
    write-off paid the balance the write-off took away (a small-balance write-off keyed the
    day the patient's last check came). A write-off on the day of the patient's first payment
    (a self-pay or prompt-pay discount at the visit) is not."""
    earlier = [p for p in live if p.posted_date < day]
    settled = any(p.source == "payer" and p.kind in ("payment", "responsibility") for p in earlier)
    return settled and any(
        p.source == "patient" and p.kind == "payment" and p.amount_cents > 0 for p in earlier
    )


def _pr_written_off(claim_id: str, live: Sequence[Posting], idx: _PartyIndex) -> Row | None:
    """Payer-side write-offs coded as patient responsibility (group PR, or CARC 1/2/3): the
    patient's share written off as contractual."""
    rows = [
        p
        for p in live
        if p.kind == "adjustment"
        and p.source == "payer"
        and (p.group_code == "PR" or p.reason_code in PR_REASONS)
        and p.amount_cents > 0
    ]
    if not rows:
        return None
    payer = payer_key(rows[0])
    return {
        "claim_id": claim_id,
        "party": idx.writeoff_party(payer),
        "source": "allowance_error",
        "rule": "pr_written_off",
        "action": "correct_adjustment",
        "payer_id": payer,
        "amount_cents": sum(p.amount_cents for p in rows),
        "txn_ids": ";".join(p.txn_id for p in rows),
        "priority": 2,
        "inside": True,
        "detail": None,
    }


def allocate(
    pats: list[Row], parties: list[Row], refunds: dict[str, int]
) -> tuple[list[Row], dict[str, int | None]]:
    """Components: patterns allocated inside known party totals, plus each known party's
    remainder under its default cause; patterns of unknown parties at face value (a payer's
    duplicate less what was already refunded to it: ``refunds`` by payer). Also returns each
    party's full total (its own excess plus the patterns set aside before it was computed)."""
    outside = [dict(p) for p in pats if p["party"] == ""]
    inside = [dict(p) for p in pats if p["party"] != ""]
    totals: dict[str, int | None] = {}
    for p in parties:
        totals.setdefault(p["party"], p["total_cents"])
    extra: dict[str, int] = {}
    for p in inside:
        if not p["inside"] and p["party"] in totals:
            extra[p["party"]] = extra.get(p["party"], 0) + p["amount_cents"]
    full = {
        name: None if total is None else total + extra.get(name, 0)
        for name, total in totals.items()
    }
    known = sorted(
        (p for p in inside if full.get(p["party"]) is not None),
        key=lambda p: (p["party"], p["priority"]),
    )
    used: dict[str, int] = {}
    for p in known:
        before = used.get(p["party"], 0)
        room = max((full[p["party"]] or 0) - before, 0)  # known: never None here
        used[p["party"]] = before + p["amount_cents"]
        p["amount_cents"] = min(p["amount_cents"], room)
    capped_used: dict[str, int] = {}
    for p in known:
        capped_used[p["party"]] = capped_used.get(p["party"], 0) + p["amount_cents"]
    unknown = [p for p in inside if full.get(p["party"]) is None]
    for p in unknown:
        returned = refunds.get(p["payer_id"] or "", 0) if p["rule"] == "paid_twice" else 0
        returned += p.get("recouped_cents", 0) if p["rule"] == "paid_twice" else 0
        p["amount_cents"] = max(p["amount_cents"] - returned, 0)
    rest = _remainders(parties, full, capped_used)
    comps = [p for p in outside + known + unknown + rest if p["amount_cents"] > 0]
    return comps, full


def _remainders(parties: list[Row], full: dict[str, int | None], used: dict[str, int]) -> list[Row]:
    out = []
    for p in parties:
        total = full.get(p["party"])
        if total is None:
            continue
        amount = total - used.get(p["party"], 0)
        if amount <= 0:
            continue
        source = p["default_source"]
        action = None if source is None else _DEFAULT_ACTION.get(source, "patient_return")
        out.append(
            {
                "claim_id": p["claim_id"],
                "party": p["party"],
                "source": source,
                "rule": p["default_rule"],
                "action": action,
                "payer_id": p["payer_id"],
                "amount_cents": amount,
                "txn_ids": "",
                "priority": 9,
                "inside": True,
                "detail": None,
            }
        )
    return out
