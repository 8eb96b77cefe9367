"""Normal claim flows: how an ordinary claim gets paid (never leaves a credit)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from training.heldout.book import ZERO, Book, Claim, LineAdj, money

D = Decimal


def days(book: Book, base: date, lo: int, hi: int) -> date:
    return base + timedelta(days=book.rng.randint(lo, hi))


def total(adj: list[LineAdj], attr: str) -> Decimal:
    return sum((getattr(a, attr) for a in adj), ZERO)


def pr_of(adj: list[LineAdj], code: str | None = None) -> Decimal:
    return sum((amt for a in adj for c, amt in a.pr if code is None or c == code), ZERO)


def pay_primary(
    book: Book, claim: Claim, adj: list[LineAdj], when: date, manual: bool | None = None
) -> date | None:
    """Post the primary payer's payment, by ERA or keyed by hand. Returns the posted date."""
    if when > book.asof:
        return None
    payer = book.payers[claim.payer_id]
    if manual is None:
        manual = (
            book.rng.random() > payer.era_prob or book.rng.random() < book.profile.manual_rate / 2
        )
    if manual:
        paid = total(adj, "paid")
        wo = total(adj, "co45") + total(adj, "seq")
        book.post_manual_payer(claim, claim.payer_id, paid, wo, when)
        return when
    rows = book.post_era(claim, claim.payer_id, adj, when)
    return rows[0]["posted_date"]


def pay_secondary(book: Book, claim: Claim, adj: list[LineAdj], when: date) -> date | None:
    """The secondary pays the primary's patient responsibility (OA-23 on its payment rows)."""
    if when > book.asof or not claim.secondary_id:
        return None
    sec = book.payers[claim.secondary_id]
    sec_adj = [
        LineAdj(a.line_no, a.charge, a.allowed, ZERO, [], ZERO, a.pr_total)
        for a in adj
        if a.pr_total > 0
    ]
    if not sec_adj:
        return when
    if book.rng.random() > sec.era_prob:
        book.post_manual_payer(claim, sec.payer_id, total(sec_adj, "paid"), ZERO, when)
        return when
    rows = book.post_era(claim, sec.payer_id, sec_adj, when, secondary=True)
    return rows[0]["posted_date"]


def patient_pays_balance(
    book: Book, claim: Claim, owed: Decimal, start: date, allow_open: bool = True
) -> None:
    """The patient settles what they owe after a statement: at once, in installments,
    written off as a small balance, or (recent claims) not yet."""
    if owed <= 0:
        return
    rng = book.rng
    r = rng.random()
    when = days(book, start, 18, 70)
    if allow_open and (when > book.asof or r < 0.10):
        return  # still owed on the as-of date
    when = book.clamp(when)
    if owed > D("120") and r < 0.25:
        n = rng.choice([2, 3, 4])
        part = money(owed / n)
        parts = [part] * (n - 1) + [owed - part * (n - 1)]
        for p in parts:
            if when > book.asof:
                return
            book.pay_patient(claim, p, when)
            when = days(book, when, 25, 35)
        return
    if owed < D("10") and r < 0.22:
        wo_date = days(book, when, 60, 120)
        if wo_date <= book.asof:
            book.post(claim, "adjustment", "patient", owed, wo_date, method="manual")
        return
    book.pay_patient(claim, owed, when)


def normal_claim(
    book: Book,
    claim: Claim,
    *,
    allow_open: bool = True,
    manual: bool | None = None,
    deductible: Decimal = ZERO,
) -> None:
    """An ordinary claim from charge to (usually) zero balance."""
    rng = book.rng
    if not claim.payer_id:
        self_pay(book, claim)
        return
    payer = book.payers[claim.payer_id]
    copay_at_visit = ZERO
    adj = book.adjudicate(claim, claim.payer_id, deductible=deductible)
    copay = pr_of(adj, "3")
    if copay > 0 and not claim.secondary_id and rng.random() < 0.85:
        copay_at_visit = copay
        book.pay_patient(
            claim, copay, claim.service_date, method=rng.choice(["card", "card", "cash"])
        )
    lag = (20, 45) if payer.type in ("workers_comp", "other") else (12, 32)
    paid_on = pay_primary(book, claim, adj, days(book, claim.billed_date, *lag), manual=manual)
    if paid_on is None:
        return
    if claim.secondary_id:
        pay_secondary(book, claim, adj, days(book, paid_on, 10, 28))
        return
    patient_pays_balance(book, claim, pr_of(adj) - copay_at_visit, paid_on, allow_open)


def self_pay(book: Book, claim: Claim) -> None:
    """Self-pay: cash-rate discount written off (patient side), patient pays at the visit."""
    disc = money(claim.charge * D("0.30"))
    book.post(
        claim,
        "adjustment",
        "patient",
        disc,
        claim.service_date,
        method="manual",
        by=book.rng.choice(book.profile.front),
    )
    book.pay_patient(claim, claim.charge - disc, claim.service_date)


def settled_claim(book: Book, pid: str, payer_id: str, sd: date, secondary_id: str = "") -> Claim:
    """A claim that is fully settled within about 75 days (history for a scenario's patient)."""
    claim = book.new_claim(pid, payer_id, sd, secondary_id=secondary_id)
    if not payer_id:
        self_pay(book, claim)
        return claim
    adj = book.adjudicate(claim, payer_id)
    copay = pr_of(adj, "3")
    if copay > 0 and not secondary_id:
        book.pay_patient(claim, copay, sd)
    paid_on = pay_primary(book, claim, adj, days(book, claim.billed_date, 12, 25))
    assert paid_on is not None
    if secondary_id:
        pay_secondary(book, claim, adj, days(book, paid_on, 7, 15))
    else:
        rest = pr_of(adj) - (copay if copay > 0 else ZERO)
        if rest > 0:
            book.pay_patient(claim, rest, book.clamp(days(book, paid_on, 10, 25)))
    return claim


def base_practice(book: Book, n_claims: int) -> None:
    """The ordinary book of business: patients with a fixed plan and a run of visits."""
    rng = book.rng
    prof = book.profile
    start = date(prof.year1, 1, 2)
    span = (book.asof - start).days - 3
    primaries = [(p, p.weight) for p in prof.payers if p.primary and p.weight > 0]
    made = 0
    while made < n_claims:
        pid = book.new_patient()
        selfpay = rng.random() < 0.03
        payer = (
            None
            if selfpay
            else rng.choices([p for p, _ in primaries], [w for _, w in primaries])[0]
        )
        sec = ""
        if payer is not None:
            for sid, prob in payer.secondaries:
                if rng.random() < prob:
                    sec = sid
                    break
        k = rng.randint(*prof.claims_per_patient)
        first = start + timedelta(days=rng.randint(0, span))
        sd = first
        for _ in range(k):
            if sd >= book.asof - timedelta(days=2):
                break
            claim = book.new_claim(pid, payer.payer_id if payer else "", sd, secondary_id=sec)
            ded = ZERO
            if (
                payer is not None
                and payer.pr_model in ("coins", "medicare")
                and sd.month <= 2
                and rng.random() < 0.25
            ):
                ded = money(rng.choice([D("75"), D("150"), D("257"), D("283")]))
            normal_claim(book, claim, deductible=ded)
            made += 1
            sd = sd + timedelta(days=rng.choice([3, 7, 7, 7, 14, 14, 21, 35]))
