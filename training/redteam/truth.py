"""Truth: what a careful biller would do with every credit, recomputed from the ledger.

The truth is never taken on trust from the builders: after everything is posted, every
claim's balance is recomputed with the contract's rule, and

* the set of credits (balance < -0.005) must equal the set of truth rows with
  is_credit_at_asof=true, to the cent;
* every designed look-alike without a credit must have balance >= 0;
* every resolution must name a claim whose balance on its identified date is minus the
  resolution amount and whose balance on the as-of date is zero.

Patient credits get their action from the as-of ledger: apply_to_balance when another
claim of the same patient has a positive balance on that date, else refund_patient.  A
claim "exists" on a date once its date of service has passed.  Where the only positive
siblings still wait for the payer (no payer payment yet), the literal rule and a careful
biller may differ, so such rows are marked ambiguous with a note.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from .postings import AS_OF, ZERO, Book, Claim, fmt_money

EPS = Decimal("0.005")

TRUTH_COLUMNS = ["claim_id", "pattern", "is_credit_at_asof", "credit_amount", "expected_source", "expected_action",
                 "responsible_payer_id", "ambiguous", "lookalike", "resolved", "note", "patient_id", "payer_id",
                 "components", "identified_date", "resolved_date", "resolved_amount", "mode"]


@dataclass
class Record:
    claim: Claim
    design: object
    mode: str  # open | resolved
    out: object
    identified: date | None = None
    resolved_on: date | None = None
    label_source: str = ""
    label_action: str = ""
    label_payer: str = ""
    extra: dict = field(default_factory=dict)


def positive_siblings(book: Book, patients: dict, claim: Claim, on: date) -> list[Claim]:
    pat = patients[claim.patient_id]
    return [c for c in pat.claims
            if c is not claim and c.service_date <= on and book.balance(c.claim_id, on) > EPS]


def fix_action(prof, comp, patient_apply: bool | None = None) -> str:
    if comp.fix == "payer":
        return "payer_offset" if prof.payers[comp.payer_id].offset else "refund_payer"
    if comp.fix == "reverse":
        return "reverse_posting"
    if comp.fix == "correct":
        return "correct_adjustment"
    if comp.fix == "patient":
        return "apply_to_balance" if patient_apply else "refund_patient"
    raise ValueError(comp.fix)


def _b(v: bool) -> str:
    return "true" if v else "false"


def _components(out) -> str:
    return "|".join(f"{c.source}:{fmt_money(c.amount)}" for c in out.components)


def build_truth(book: Book, patients: dict, records: list[Record]) -> list[dict]:
    prof = book.prof
    rows = []
    for rec in records:
        c, out = rec.claim, rec.out
        base = {"claim_id": c.claim_id, "pattern": out.pattern, "patient_id": c.patient_id, "payer_id": c.payer_id,
                "lookalike": _b(rec.design.lookalike), "components": _components(out), "mode": rec.mode,
                "identified_date": "", "resolved_date": "", "resolved_amount": "", "ambiguous": _b(out.ambiguous),
                "resolved": "false"}
        bal = book.balance(c.claim_id)
        if rec.mode == "resolved":
            if abs(bal) > EPS:
                raise AssertionError(f"resolved credit {c.claim_id} ({out.pattern}) not settled: {bal}")
            rows.append({**base, "is_credit_at_asof": "false", "credit_amount": "",
                         "expected_source": rec.label_source, "expected_action": rec.label_action,
                         "responsible_payer_id": rec.label_payer, "resolved": "true",
                         "identified_date": rec.identified.isoformat(), "resolved_date": rec.resolved_on.isoformat(),
                         "resolved_amount": fmt_money(out.credit), "note": out.note})
            continue
        credit = out.credit
        if credit > 0:
            if -bal != credit:
                raise AssertionError(f"{c.claim_id} {out.pattern}: designed credit {credit}, ledger balance {bal}")
        elif bal < -EPS:
            raise AssertionError(f"look-alike {c.claim_id} {out.pattern} is a credit {bal}")
        note, ambiguous = out.note, out.ambiguous
        if out.truth is not None:
            src, act, payer = out.truth["source"], out.truth["action"], out.truth.get("payer", "")
            note = out.truth.get("note", note)
        elif out.components:
            p = out.principal()
            apply = None
            if p.fix == "patient":
                sibs = positive_siblings(book, patients, c, AS_OF)
                apply = bool(sibs)
                if sibs and all(not _payer_paid(book, s) for s in sibs):
                    ambiguous = True
                    note += ("; only positive siblings await payer payment: literal rule apply_to_balance, a "
                             "careful biller may refund_patient")
            src, act = p.source, fix_action(prof, p, apply)
            payer = p.payer_id if p.fix == "payer" else ""
        else:
            src = act = payer = ""
        rows.append({**base, "is_credit_at_asof": _b(credit > 0), "credit_amount": fmt_money(credit) if credit > 0 else "",
                     "expected_source": src, "expected_action": act, "responsible_payer_id": payer,
                     "ambiguous": _b(ambiguous), "note": note})
        for o in out.others:
            ob = book.balance(o.claim_id)
            if ob < -EPS:
                raise AssertionError(f"companion {o.claim_id} of {c.claim_id} is a credit")
            rows.append({**base, "claim_id": o.claim_id, "patient_id": o.patient_id, "payer_id": o.payer_id,
                         "is_credit_at_asof": "false", "credit_amount": "", "expected_source": "",
                         "expected_action": "", "responsible_payer_id": "", "components": "",
                         "note": f"companion claim of {c.claim_id} in {out.pattern}"})
    check_credits(book, rows)
    return rows


def _payer_paid(book: Book, c: Claim) -> bool:
    """The sibling no longer waits for its payer: the payer paid something on it, or assigned the
    patient a share (an adjudication that puts the whole allowed to the deductible pays $0.00 with
    a PR-1 row; what is left is the patient's, as the README's apply_to_balance rule reads it)."""
    return any(t.source == "payer" and t.kind in ("payment", "responsibility") and t.amount > 0 and t.in_ledger
               for t in book.by_claim.get(c.claim_id, []))


def check_credits(book: Book, rows: list[dict]) -> None:
    credits = {}
    for cid in book.claims:
        bal = book.balance(cid)
        if bal < -EPS:
            credits[cid] = -bal
    truth = {r["claim_id"]: Decimal(r["credit_amount"]) for r in rows if r["is_credit_at_asof"] == "true"}
    missing = sorted(set(credits) - set(truth))
    extra = sorted(set(truth) - set(credits))
    wrong = sorted(k for k in truth if k in credits and truth[k] != credits[k])
    if missing or extra or wrong:
        raise AssertionError(f"credit set mismatch: undesigned credits {missing[:10]}, truth without credit "
                             f"{extra[:10]}, amounts {wrong[:10]}")
    ids = [r["claim_id"] for r in rows]
    if len(ids) != len(set(ids)):
        dup = sorted({i for i in ids if ids.count(i) > 1})
        raise AssertionError(f"claims in truth twice: {dup[:10]}")


def check_resolutions(book: Book) -> None:
    for res in book.resolutions:
        cid = res["claim_id"]
        at = book.balance(cid, res["identified_date"])
        if at != -res["amount"]:
            raise AssertionError(f"resolution {cid}: balance {at} on {res['identified_date']} vs amount {res['amount']}")
        if abs(book.balance(cid)) > EPS:
            raise AssertionError(f"resolution {cid} not settled at as-of")
        if not res["identified_date"] < res["resolved_date"]:
            raise AssertionError(f"resolution {cid} dates out of order")


def remittance_exceptions(book: Book) -> list[dict]:
    """Remittances whose ledger postings differ from what the 835 carried (a finding
    about the ledger, never a reason to reject it)."""
    posted: dict[str, Decimal] = {}
    received: dict[str, Decimal] = {}
    tags: dict[str, set] = {}
    for t in book.txns:
        if not t.era_id or t.kind != "payment":
            continue
        if t.in_ledger:
            posted[t.era_id] = posted.get(t.era_id, ZERO) + t.amount
        if t.as_received:
            received[t.era_id] = received.get(t.era_id, ZERO) + t.amount
        if not t.in_ledger or not t.as_received:
            tags.setdefault(t.era_id, set()).add(t.tag or "repost")
    out = []
    for e in sorted(set(posted) | set(received)):
        p, r = posted.get(e, ZERO), received.get(e, ZERO)
        if p != r:
            out.append({"era_id": e, "posted_payments": fmt_money(p), "remitted_payments": fmt_money(r),
                        "reason": ";".join(sorted(tags.get(e, {"?"})))})
    return out


def write_truth(rows: list[dict], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=TRUTH_COLUMNS)
        w.writeheader()
        for r in sorted(rows, key=lambda r: (r["resolved"], r["pattern"], r["claim_id"])):
            w.writerow({k: r.get(k, "") for k in TRUTH_COLUMNS})


def write_exceptions(rows: list[dict], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=["era_id", "posted_payments", "remitted_payments", "reason"])
        w.writeheader()
        w.writerows(rows)
