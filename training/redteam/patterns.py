"""Credit patterns: each a distinct way a real credit balance arises on a claim.

A builder rewrites one host claim's postings and returns an Outcome whose components say
how much of the credit each cause explains and how it is fixed:

    source              fix        action (contract, "resolutions")
    payer_overpayment   payer      payer_offset if the payer allows_offset, else refund_payer
    duplicate_payment   payer      (two remittances / two traces: money really came twice)
    duplicate_payment   reverse    reverse_posting (one trace or receipt posted twice)
    allowance_error     correct    correct_adjustment (a write-off too large; no money moves)
    patient_credit      patient    apply_to_balance if the patient has another claim with a
                                   positive balance on the as-of (identified) date, else
                                   refund_patient

The truth label of a credit is its principal component: the one with the larger amount.
A builder returns None when the host does not fit (dates past the deadline, amounts that
tie); the caller then restores the host as an ordinary claim and tries another.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Callable

from .ledger import ClaimAdj, Flows, adjudicate, adjudicate_secondary
from .postings import AS_OF, ZERO, Claim, Remit, Txn, add_bdays, add_days, bday, money
from .profiles import Plan

D = Decimal
INSURED = ("medicare_only", "medicare_medicaid", "medicare_supp", "medicaid", "ma_copay", "com_copay",
           "com_ded", "com_medicaid", "tricare", "wc", "auto")
WITH_PR = ("medicare_only", "ma_copay", "com_copay", "com_ded", "tricare")
COPAY = ("ma_copay", "com_copay", "tricare")
MEDICARE = ("medicare_only", "medicare_medicaid", "medicare_supp")


@dataclass
class Component:
    source: str
    amount: Decimal
    fix: str  # payer | reverse | correct | patient
    payer_id: str = ""
    rows: list = field(default_factory=list)  # [(Txn, amount to undo)]
    via_card: bool = False
    fix_era: Remit | None = None


@dataclass
class Outcome:
    pattern: str
    components: list[Component]
    created: date
    note: str = ""
    ambiguous: bool = False
    truth: dict | None = None  # explicit truth (look-alikes): credit, source, action, payer
    others: list = field(default_factory=list)  # other claims this design rewrote or touched
    transfer_out: Decimal = ZERO

    @property
    def credit(self) -> Decimal:
        if self.truth is not None:
            return self.truth.get("credit", ZERO)
        return sum((c.amount for c in self.components), ZERO)

    def principal(self) -> Component | None:
        if not self.components:
            return None
        comps = sorted(self.components, key=lambda c: c.amount, reverse=True)
        return comps[0]


@dataclass
class Design:
    name: str
    build: Callable
    kinds: tuple
    ok: Callable = lambda ctx, c: True
    lookalike: bool = False
    switch: bool = False
    tailor: Callable | None = None  # (builder, window) -> Patient, for rare hosts
    patient_fix: bool = False  # some component is patient money (resolution depends on siblings)
    note: str = ""


class Ctx(Flows):
    """Flows plus the deadline of the design being built."""

    def __init__(self, prof, book, rng, skel):
        super().__init__(prof, book, rng)
        self.skel = skel
        self.limit: date = AS_OF
        self.mode = "open"

    def fits(self, d: date | None) -> bool:
        return d is not None and d <= self.limit

    def day_after(self, d: date, lo: int, hi: int) -> date:
        return bday(add_days(d, self.rng.randint(lo, hi)))

    def first_remit(self, c: Claim, payer_id: str | None = None, slack: int = 30) -> Remit | None:
        return self.primary_remit(c, payer_id, latest=add_days(self.limit, -slack))

    def pay_rest(self, c: Claim, owed: Decimal, after: date, lo: int = 8, hi: int = 35,
                 method: str | None = None) -> tuple[date | None, Txn | None]:
        """Patient pays what is left; returns (date, row) or (None, None) past the deadline."""
        if owed <= 0:
            return after, None
        d = self.day_after(after, lo, hi)
        if not self.fits(d):
            return None, None
        return d, self.patient_pay(c, owed, d, method=method)

    def finish(self, c: Claim, adj: ClaimAdj, last: date, collected: Decimal = ZERO,
               sec: bool = True) -> date | None:
        """After the primary posting: the secondary (OA-23) or the patient covers PR."""
        if sec and c.sec is not None and adj.pr > 0 and collected == 0:
            s = adjudicate_secondary(self.prof, c.sec.payer_id, c, adj)
            r2 = self.later_remit(s.payer_id, last, 7, 25, latest=self.limit)
            if r2 is None:
                return None
            self.secondary(c, s, r2)
            return r2.posted_date
        d, _ = self.pay_rest(c, adj.pr - collected, last)
        return d

    def targets_for(self, c: Claim, amount: Decimal, when: date) -> list | None:
        """Other claims of the same patient that can take `amount` of patient money on
        `when` between them: ordinary, payer adjudication finished, balance > 0.
        Returns [(claim, portion)] or None."""
        pat = self.skel.patients[c.patient_id]
        out, left = [], amount
        for t in sorted(pat.claims, key=lambda x: (x.service_date, x.claim_id)):
            if left <= 0:
                break
            if t is c or t.design or t.touched or t.service_date > when:
                continue
            rows = [r for r in self.book.by_claim[t.claim_id] if r.in_ledger]
            if any(r.posted_date > when and (r.source == "payer" or r.kind != "payment") for r in rows):
                continue  # only later patient payments may follow (they are cut below)
            if t.payer_id and not any(r.source == "payer" and r.kind == "payment" and r.amount > 0 for r in rows):
                continue
            bal = self.book.balance(t.claim_id, when)
            if bal > 0:
                take = min(bal, left)
                out.append((t, take))
                left -= take
        return out if left <= 0 else None

    def target_for(self, c: Claim, amount: Decimal, when: date) -> Claim | None:
        got = self.targets_for(c, amount, when)
        return got[0][0] if got and len(got) == 1 else None

    def move_to(self, src: Claim, dst: Claim, amount: Decimal, when: date) -> tuple[list, list]:
        """Transfer patient money to dst and take the same amount off dst's later patient
        payments, so dst never turns into a credit.  Returns (rows created, cuts made) so
        the move can be undone."""
        a, b = self.transfer(src, dst, amount, when)
        left = amount
        cuts = []
        later = sorted((r for r in self.book.by_claim[dst.claim_id]
                        if r.kind == "payment" and r.source == "patient" and r.posted_date > when),
                       key=lambda r: (r.posted_date, r.txn_id))
        for r in later:
            if left <= 0:
                break
            cut = min(left, r.amount)
            if cut == r.amount:
                self.book.remove_txn(r)
                cuts.append((r, cut, True))
            else:
                r.amount -= cut
                cuts.append((r, cut, False))
            left -= cut
        dst.touched = True
        return [a, b], cuts

    def copay_visit(self, c: Claim, amount: Decimal, method: str | None = None) -> Txn | None:
        if amount <= 0:
            return None
        return self.patient_pay(c, amount, c.service_date, method=method)


def _lines_subset(ctx: Ctx, adj: ClaimAdj, pred=lambda la: True) -> ClaimAdj:
    """A copy of adj keeping one or all lines satisfying pred."""
    keep = [la for la in adj.lines if pred(la)]
    if not keep:
        return None
    if len(keep) > 1 and ctx.rng.random() < 0.5:
        keep = [ctx.rng.choice(keep)]
    a = adj.copy()
    nos = {la.line_no for la in keep}
    a.lines = [la for la in a.lines if la.line_no in nos]
    return a


def _std_primary(ctx: Ctx, c: Claim, adj: ClaimAdj | None = None, slack: int = 30, collect: bool = True):
    """Copay at the visit (maybe), the primary ERA, then secondary/patient.  Returns
    (remit, rows, last_date, collected) or None."""
    adj = adj or c.adj
    collected = ZERO
    if collect and adj.pr_by("3") > 0 and c.sec is None and ctx.rng.random() < 0.7:
        collected = adj.pr_by("3")
        ctx.copay_visit(c, collected)
    remit = ctx.first_remit(c, adj.payer_id, slack)
    if remit is None:
        return None
    rows = ctx.era(c, adj, remit)
    last = ctx.finish(c, adj, remit.posted_date, collected)
    if last is None:
        return None
    return remit, rows, last, collected


def _pay_rows(rows):
    return [t for t in rows if t.kind == "payment"]


# ---------------------------------------------------------------------------------------
# duplicate payments
# ---------------------------------------------------------------------------------------
def dup_era_posted_twice(ctx: Ctx, c: Claim) -> Outcome | None:
    base = _std_primary(ctx, c, slack=35)
    if base is None:
        return None
    remit, rows, last, _ = base
    d2 = remit.posted_date if ctx.rng.random() < 0.3 else ctx.day_after(remit.posted_date, 1, 25)
    if not ctx.fits(d2):
        return None
    dup = ctx.era(c, c.adj, remit, posted=d2, with_adj=False, with_pr=ctx.rng.random() < 0.5,
                  as_received=False, tag="repost")
    pays = _pay_rows(dup)
    amt = sum((t.amount for t in pays), ZERO)
    return Outcome("dup_era_posted_twice",
                   [Component("duplicate_payment", amt, "reverse", rows=[(t, t.amount) for t in pays])],
                   max(last, d2), f"835 {remit.era_id} (trace {remit.trace_number}) posted twice")


def dup_era_and_manual_same_trace(ctx: Ctx, c: Claim) -> Outcome | None:
    base = _std_primary(ctx, c, slack=35)
    if base is None:
        return None
    remit, rows, last, _ = base
    r = ctx.rng
    if r.random() < 0.3 and remit.payment_date < remit.posted_date:
        d2 = remit.payment_date  # keyed from the EFT notice before the 835 was auto-posted
    else:
        d2 = ctx.day_after(remit.posted_date, 1, 20)
    if not ctx.fits(d2):
        return None
    keyed = ctx.manual(c, c.adj, d2, method="manual", trace=remit.trace_number,
                       claim_level=r.random() < 0.7, carc=False, with_pr=False, with_adj=False, tag="keyed")
    pays = _pay_rows(keyed)
    amt = sum((t.amount for t in pays), ZERO)
    return Outcome("dup_era_and_manual_same_trace",
                   [Component("duplicate_payment", amt, "reverse", rows=[(t, t.amount) for t in pays])],
                   max(last, d2), f"manual posting of EFT trace {remit.trace_number} already posted by 835")


def dup_eft_and_paper_check(ctx: Ctx, c: Claim) -> Outcome | None:
    base = _std_primary(ctx, c, slack=45)
    if base is None:
        return None
    remit, rows, last, _ = base
    r = ctx.rng
    d2 = ctx.day_after(remit.posted_date, 5, 40)
    if not ctx.fits(d2):
        return None
    sub = c.adj if r.random() < 0.6 else _lines_subset(ctx, c.adj, lambda la: la.paid > 0)
    if sub is None:
        return None
    chk = ctx.manual(c, sub, d2, method="lockbox", claim_level=len(sub.lines) > 1 and r.random() < 0.6,
                     carc=False, with_pr=False, with_adj=False, tag="paper")
    amt = sum((t.amount for t in _pay_rows(chk)), ZERO)
    return Outcome("dup_eft_and_paper_check",
                   [Component("duplicate_payment", amt, "payer", payer_id=c.payer_id)],
                   max(last, d2), f"paid by 835 trace {remit.trace_number} and again by paper check "
                                  f"{chk[0].trace_number}")


def _second_835(ctx: Ctx, c: Claim, after: date, lo: int = 14, hi: int = 60):
    sub = _lines_subset(ctx, c.adj, lambda la: la.paid > 0) if ctx.rng.random() < 0.4 else c.adj
    if sub is None:
        return None
    r2 = ctx.later_remit(c.payer_id, after, lo, hi, latest=ctx.limit)
    if r2 is None:
        return None
    rows = ctx.era(c, sub, r2, with_adj=False, with_pr=True, tag="second835")
    return r2, rows, sum((t.amount for t in _pay_rows(rows)), ZERO)


def dup_second_835_new_trace(ctx: Ctx, c: Claim) -> Outcome | None:
    base = _std_primary(ctx, c, slack=70)
    if base is None:
        return None
    remit, rows, last, _ = base
    got = _second_835(ctx, c, remit.posted_date)
    if got is None:
        return None
    r2, rows2, amt = got
    return Outcome("dup_second_835_new_trace",
                   [Component("duplicate_payment", amt, "payer", payer_id=c.payer_id)],
                   max(last, r2.posted_date),
                   f"same service paid on 835 {remit.era_id} and again on {r2.era_id} (trace {r2.trace_number})")


def dup_partially_recouped(ctx: Ctx, c: Claim) -> Outcome | None:
    base = _std_primary(ctx, c, slack=100)
    if base is None:
        return None
    remit, rows, last, _ = base
    got = _second_835(ctx, c, remit.posted_date, 14, 40)
    if got is None:
        return None
    r2, rows2, amt = got
    back = money(amt * D(ctx.rng.choice(("0.30", "0.40", "0.50", "0.60"))))
    r3 = ctx.later_remit(c.payer_id, r2.posted_date, 20, 45, latest=ctx.limit)
    if r3 is None or back <= 0 or back >= amt:
        return None
    ctx.book.post(c, "payment", "payer", -back, r3.posted_date, payer_id=c.payer_id, method="era", era=r3,
                  tag="partial_takeback")
    return Outcome("dup_partially_recouped",
                   [Component("duplicate_payment", amt - back, "payer", payer_id=c.payer_id)],
                   max(last, r3.posted_date),
                   f"duplicate {amt} on {r2.era_id}; payer took back only {back} on {r3.era_id}")


def missed_reversal_posting(ctx: Ctx, c: Claim) -> Outcome | None:
    base = _std_primary(ctx, c, slack=70)
    if base is None:
        return None
    remit, rows, last, _ = base
    r2 = ctx.later_remit(c.payer_id, remit.posted_date, 20, 60, latest=ctx.limit)
    if r2 is None:
        return None
    # the 835 carries CLP02=22 (reversal) and CLP02=1 (corrected claim); only the
    # corrected claim's payments were posted.
    ctx.era(c, c.adj, r2, sign=-1, with_pr=False, in_ledger=False, tag="phantom_reversal")
    corr = ctx.era(c, c.adj, r2, with_adj=False, with_pr=True, tag="corrected")
    pays = _pay_rows(corr)
    amt = sum((t.amount for t in pays), ZERO)
    return Outcome("missed_reversal_posting",
                   [Component("duplicate_payment", amt, "reverse", rows=[(t, t.amount) for t in pays],
                              fix_era=r2)],
                   max(last, r2.posted_date),
                   f"835 {r2.era_id} reversed and re-paid the claim; the reversal was never posted "
                   f"(remittance total disagrees with its postings)")


def dup_patient_receipt_posted_twice(ctx: Ctx, c: Claim) -> Outcome | None:
    r = ctx.rng
    if not c.payer_id:
        charge = c.charge
        t1 = ctx.patient_pay(c, charge, c.service_date)
        last = c.service_date
    else:
        collected = ZERO
        if c.adj.pr_by("3") > 0 and r.random() < 0.5:
            collected = c.adj.pr_by("3")
            t1 = ctx.copay_visit(c, collected)
        remit = ctx.first_remit(c, slack=35)
        if remit is None:
            return None
        ctx.era(c, c.adj, remit)
        if collected:
            last = remit.posted_date
        else:
            last, t1 = ctx.pay_rest(c, c.adj.pr, remit.posted_date)
            if last is None:
                return None
    d2 = t1.posted_date if r.random() < 0.4 else ctx.day_after(t1.posted_date, 1, 10)
    if not ctx.fits(d2):
        return None
    dup = ctx.book.post(c, "payment", "patient", t1.amount, d2, method=t1.method, trace=t1.trace_number,
                        line_no=t1.line_no, tag="receipt_twice")
    return Outcome("dup_patient_receipt_posted_twice",
                   [Component("duplicate_payment", dup.amount, "reverse", rows=[(dup, dup.amount)])],
                   max(last, d2), f"receipt {t1.trace_number} posted twice")


def patient_paid_twice_two_receipts(ctx: Ctx, c: Claim) -> Outcome | None:
    r = ctx.rng
    if not c.payer_id:
        t1 = ctx.patient_pay(c, c.charge, c.service_date, method="card")
        last = c.service_date
    else:
        remit = ctx.first_remit(c, slack=45)
        if remit is None:
            return None
        ctx.era(c, c.adj, remit)
        last, t1 = ctx.pay_rest(c, c.adj.pr, remit.posted_date, method="card")
        if last is None:
            return None
    d2 = ctx.day_after(last, 2, 30)
    if not ctx.fits(d2):
        return None
    t2 = ctx.patient_pay(c, t1.amount, d2, method=r.choice(("check", "check", "cash")))
    return Outcome("patient_paid_twice_two_receipts",
                   [Component("patient_credit", t2.amount, "patient")], d2,
                   f"paid by card {t1.trace_number} and again {t2.method} {t2.trace_number}")


# ---------------------------------------------------------------------------------------
# payer overpayments
# ---------------------------------------------------------------------------------------
def _bump(ctx: Ctx, adj: ClaimAdj, pick_one: bool = True) -> tuple[ClaimAdj, Decimal]:
    """Payer priced contracted lines at a higher rate; CO-45 stays at the contract."""
    a = adj.copy()
    lines = [la for la in a.lines if la.contracted is not None and la.paid > 0]
    if not lines:
        return a, ZERO
    if pick_one or ctx.rng.random() < 0.5:
        lines = [ctx.rng.choice(lines)]
    extra = ZERO
    for la in lines:
        f = D(ctx.rng.choice(("1.08", "1.12", "1.15", "1.20", "1.25", "1.35")))
        new = min(money(la.allowed * f), la.charge)
        if new <= la.allowed:
            continue
        extra += new - la.allowed
        la.paid += new - la.allowed
        la.allowed = new
    return a, extra


def overpaid_above_fee_schedule(ctx: Ctx, c: Claim) -> Outcome | None:
    a, extra = _bump(ctx, c.adj, pick_one=False)
    if extra <= 0:
        return None
    base = _std_primary(ctx, c, a)
    if base is None:
        return None
    remit, rows, last, _ = base
    return Outcome("overpaid_above_fee_schedule",
                   [Component("payer_overpayment", extra, "payer", payer_id=c.payer_id)], last,
                   "payer priced above the contracted fee-schedule rate; contractual posted to contract")


def sequestration_not_applied(ctx: Ctx, c: Claim) -> Outcome | None:
    a = c.adj.copy()
    seq = a.seq
    if seq <= 0:
        return None
    for la in a.lines:
        la.paid += la.seq  # paid at 100% of allowed less PR, CO-253 still reported
    remit = ctx.first_remit(c, slack=30)
    if remit is None:
        return None
    ctx.era(c, a, remit)
    last = ctx.finish(c, a, remit.posted_date)
    if last is None:
        return None
    return Outcome("sequestration_not_applied",
                   [Component("payer_overpayment", seq, "payer", payer_id=c.payer_id)], last,
                   "CO-253 reported but payment not reduced by 2%")


def secondary_paid_as_primary(ctx: Ctx, c: Claim) -> Outcome | None:
    if c.sec is None or c.adj.pr <= 0 or c.sec.writeoff != 0:
        return None
    sec_id = c.sec.payer_id
    as_prim = adjudicate(ctx.prof, sec_id, c, Plan("asprimary", sec_id), None)
    remit = ctx.first_remit(c, slack=40)
    if remit is None:
        return None
    ctx.era(c, c.adj, remit)
    r2 = ctx.later_remit(sec_id, remit.posted_date, 7, 30, latest=ctx.limit)
    if r2 is None:
        return None
    rows = ctx.era(c, as_prim, r2, with_adj=False, with_pr=False, tag="sec_as_primary")
    paid = sum((t.amount for t in _pay_rows(rows)), ZERO)
    extra = paid - c.adj.pr
    if extra <= 0:
        return None
    return Outcome("secondary_paid_as_primary",
                   [Component("payer_overpayment", extra, "payer", payer_id=sec_id)], r2.posted_date,
                   f"secondary {sec_id} paid {paid} as if primary (no OA-23); owed the {c.adj.pr} left by primary")


def paid_by_payer_not_billed(ctx: Ctx, c: Claim) -> Outcome | None:
    base = _std_primary(ctx, c, slack=60)
    if base is None:
        return None
    remit, rows, last, _ = base
    others = [p for p in ctx.prof.payers_of_type("commercial", "medicare_advantage", "medicaid", "tricare")
              if p not in (c.payer_id, c.secondary_payer_id)]
    q = ctx.rng.choice(others)
    qa = adjudicate(ctx.prof, q, c, Plan("stray", q), None)
    if ctx.rng.random() < 0.5:
        qa = _lines_subset(ctx, qa)
    r2 = ctx.later_remit(q, remit.posted_date, 10, 60, latest=ctx.limit)
    if r2 is None or qa.paid <= 0:
        return None
    ctx.era(c, qa, r2, with_adj=False, with_pr=False, tag="stray_payer")
    return Outcome("paid_by_payer_not_billed",
                   [Component("payer_overpayment", qa.paid, "payer", payer_id=q)], max(last, r2.posted_date),
                   f"{q} paid a claim billed only to {c.payer_id}")


def paid_after_coverage_ended(ctx: Ctx, c: Claim) -> Outcome | None:
    pat = ctx.skel.patients[c.patient_id]
    if not pat.switch_date or c.service_date < pat.switch_date or pat.plan.primary == c.payer_id:
        return None
    old = pat.plan.primary
    ao = adjudicate(ctx.prof, old, c, pat.plan, None)
    if ao.paid <= 0:
        return None
    r1 = ctx.first_remit(c, old, slack=60)
    if r1 is None:
        return None
    ctx.era(c, ao, r1, tag="old_payer")
    r2 = ctx.later_remit(c.payer_id, r1.posted_date, 20, 50, latest=ctx.limit)
    if r2 is None:
        return None
    ctx.book.post(c, "adjustment", "payer", -ao.co45, r2.posted_date, payer_id=old, method="manual",
                  group="CO", reason="45", tag="rebill_reverse_contractual")
    if ao.seq:
        ctx.book.post(c, "adjustment", "payer", -ao.seq, r2.posted_date, payer_id=old, method="manual",
                      group="CO", reason="253", tag="rebill_reverse_contractual")
    ctx.era(c, c.adj, r2)
    last, _ = ctx.pay_rest(c, c.adj.pr, r2.posted_date)
    if last is None:
        return None
    return Outcome("paid_after_coverage_ended",
                   [Component("payer_overpayment", ao.paid, "payer", payer_id=old)], last,
                   f"prior plan {old} paid a visit after the patient's coverage moved to {c.payer_id}")


def paid_ignoring_reported_pr(ctx: Ctx, c: Claim) -> Outcome | None:
    a = c.adj.copy()
    lines = [la for la in a.lines if la.pr_total > 0]
    if not lines:
        return None
    if len(lines) > 1 and ctx.rng.random() < 0.4:
        lines = [ctx.rng.choice(lines)]
    extra = ZERO
    for la in lines:
        la.paid += la.pr_total
        extra += la.pr_total
    collected = ZERO
    if a.pr_by("3") > 0 and ctx.rng.random() < 0.7:
        collected = a.pr_by("3")
        ctx.copay_visit(c, collected)
    remit = ctx.first_remit(c, slack=30)
    if remit is None:
        return None
    ctx.era(c, a, remit)
    last, _ = ctx.pay_rest(c, a.pr - collected, remit.posted_date)
    if last is None:
        return None
    return Outcome("paid_ignoring_reported_pr",
                   [Component("payer_overpayment", extra, "payer", payer_id=c.payer_id)], last,
                   "payer paid the allowed amount without deducting the PR it reported")


def manual_claim_level_overpaid(ctx: Ctx, c: Claim) -> Outcome | None:
    a = c.adj.copy()
    if a.pr != 0 or not a.all_contracted:
        return None
    x = money(a.allowed * D(ctx.rng.choice(("0.05", "0.10", "0.15", "0.25", "0.40"))))
    if x <= 0:
        return None
    a.lines[0].paid += x
    d = bday(add_days(c.billed_date, ctx.rng.randint(20, 45)))
    if not ctx.fits(d):
        return None
    ctx.manual(c, a, d, claim_level=True, with_pr=False)
    return Outcome("manual_claim_level_overpaid",
                   [Component("payer_overpayment", x, "payer", payer_id=c.payer_id)], d,
                   "paper EOB keyed at claim level; payment above the contracted allowed")


# ---------------------------------------------------------------------------------------
# allowance errors
# ---------------------------------------------------------------------------------------
def contractual_above_charge_minus_allowed(ctx: Ctx, c: Claim) -> Outcome | None:
    r = ctx.rng
    lines = [la for la in c.adj.lines if la.paid > 0]
    if not lines:
        return None
    la0 = r.choice(lines)
    x = money(la0.allowed * D(r.choice(("0.10", "0.15", "0.20", "0.30", "0.40"))))
    if x <= 0:
        return None
    collected = ZERO
    if c.adj.pr_by("3") > 0 and c.sec is None and r.random() < 0.6:
        collected = c.adj.pr_by("3")
        ctx.copay_visit(c, collected)
    remit = ctx.first_remit(c, slack=30)
    if remit is None:
        return None
    if r.random() < 0.5:
        a = c.adj.copy()
        for la in a.lines:
            if la.line_no == la0.line_no:
                la.co45 += x
        rows = ctx.era(c, a, remit)
        wrong = [t for t in rows if t.kind == "adjustment" and t.reason_code == "45" and t.line_no == la0.line_no]
        note = "CO-45 posted from the 835 larger than charge minus allowed"
    else:
        ctx.era(c, c.adj, remit, with_adj=False)
        d = ctx.day_after(remit.posted_date, 0, 5)
        if not ctx.fits(d):
            return None
        amt = c.adj.co45 + c.adj.seq + x
        wrong = [ctx.book.post(c, "adjustment", "payer", amt, d, payer_id=c.payer_id, method="manual", group="CO",
                               reason="45", trace=remit.trace_number, tag="keyed_contractual")]
        note = "contractual keyed by hand at claim level, larger than charge minus allowed"
    last = ctx.finish(c, c.adj, remit.posted_date, collected)
    if last is None:
        return None
    return Outcome("contractual_above_charge_minus_allowed",
                   [Component("allowance_error", x, "correct", rows=[(wrong[0], x)])], last, note)


def pr_written_off_as_contractual(ctx: Ctx, c: Claim) -> Outcome | None:
    r = ctx.rng
    pr = c.adj.pr
    if pr <= 0:
        return None
    ctx.patient_pay(c, pr, c.service_date)  # copay or estimate collected at the visit
    remit = ctx.first_remit(c, slack=20)
    if remit is None:
        return None
    ctx.era(c, c.adj, remit)
    group = r.choice(("PR", "PR", "CO"))
    wrong = []
    for la in c.adj.lines:
        for code, amt in la.pr:
            wrong.append(ctx.book.post(c, "adjustment", "payer", amt, remit.posted_date, line_no=la.line_no,
                                       payer_id=c.payer_id, method="era", era=remit, group=group, reason=code,
                                       tag="pr_writeoff"))
    return Outcome("pr_written_off_as_contractual",
                   [Component("allowance_error", pr, "correct", rows=[(t, t.amount) for t in wrong])],
                   remit.posted_date, f"patient share adjusted off as {group}-{wrong[0].reason_code}; patient paid it too")


def contractual_posted_twice(ctx: Ctx, c: Claim) -> Outcome | None:
    base = _std_primary(ctx, c, slack=30)
    if base is None:
        return None
    remit, rows, last, _ = base
    adjs = [t for t in rows if t.kind == "adjustment" and t.reason_code == "45"]
    if not adjs:
        return None
    if len(adjs) > 1 and ctx.rng.random() < 0.5:
        adjs = [ctx.rng.choice(adjs)]
    d2 = remit.posted_date if ctx.rng.random() < 0.4 else ctx.day_after(remit.posted_date, 1, 20)
    if not ctx.fits(d2):
        return None
    manual = ctx.rng.random() < 0.4
    dup = [ctx.book.post(c, "adjustment", "payer", t.amount, d2, line_no=t.line_no, payer_id=t.payer_id,
                         method="manual" if manual else "era", era=None if manual else remit, group="CO",
                         reason="45", trace=remit.trace_number, tag="co45_twice") for t in adjs]
    amt = sum((t.amount for t in dup), ZERO)
    return Outcome("contractual_posted_twice",
                   [Component("allowance_error", amt, "correct", rows=[(t, t.amount) for t in dup])],
                   max(last, d2), "the same CO-45 posted twice")


def patient_writeoff_then_paid(ctx: Ctx, c: Claim) -> Outcome | None:
    r = ctx.rng
    pr = c.adj.pr
    if pr <= 0:
        return None
    remit = ctx.first_remit(c, slack=60)
    if remit is None:
        return None
    ctx.era(c, c.adj, remit)
    last = remit.posted_date
    w = pr
    if pr > D("25.00"):
        w = money(min(pr * D(r.choice(("0.10", "0.20", "0.30"))), D("25.00")))
        last, _ = ctx.pay_rest(c, pr - w, last)
        if last is None:
            return None
    d2 = ctx.day_after(last, 10, 40)
    d3 = ctx.day_after(d2, 3, 30)
    if not ctx.fits(d3):
        return None
    wo = ctx.book.post(c, "adjustment", "patient", w, d2, method="manual", tag="small_balance_wo")
    ctx.patient_pay(c, w, d3, method=r.choice(("check", "card")))
    return Outcome("patient_writeoff_then_paid",
                   [Component("allowance_error", w, "correct", rows=[(wo, w)])], d3,
                   "small-balance write-off, then the patient paid the balance anyway")


# ---------------------------------------------------------------------------------------
# patient credits
# ---------------------------------------------------------------------------------------
def _lower_copay(ctx: Ctx, c: Claim) -> tuple[ClaimAdj, Decimal, Decimal] | None:
    plan = c.plan
    if plan.copay <= 0:
        return None
    collected = c.adj.pr_by("3")
    new = D(ctx.rng.choice(("0", "10", "15", "20", "25")))
    if new >= collected:
        new = ZERO
    a = adjudicate(ctx.prof, c.payer_id, c, replace(plan, copay=new), None)
    a.report_allowed = c.adj.report_allowed
    return a, collected, collected - a.pr_by("3")


def copay_above_assigned_pr(ctx: Ctx, c: Claim) -> Outcome | None:
    got = _lower_copay(ctx, c)
    if got is None:
        return None
    a, collected, excess = got
    if excess <= 0:
        return None
    ctx.copay_visit(c, collected)
    remit = ctx.first_remit(c, slack=20)
    if remit is None:
        return None
    ctx.era(c, a, remit)
    return Outcome("copay_above_assigned_pr", [Component("patient_credit", excess, "patient")],
                   remit.posted_date, f"copay {collected} collected at visit; payer assigned PR-3 {a.pr_by('3')}")


def prepaid_estimate_above_pr(ctx: Ctx, c: Claim) -> Outcome | None:
    pr = c.adj.pr
    step = D("25")
    est = (((pr + D(ctx.rng.choice(("15", "30", "50", "80", "120")))) / step).to_integral_value() + 1) * step
    est = money(est)
    excess = est - pr
    if excess <= 0:
        return None
    ctx.patient_pay(c, est, c.service_date, method="card")
    remit = ctx.first_remit(c, slack=20)
    if remit is None:
        return None
    ctx.era(c, c.adj, remit)
    return Outcome("prepaid_estimate_above_pr", [Component("patient_credit", excess, "patient", via_card=True)],
                   remit.posted_date, f"estimate {est} prepaid; final PR {pr}")


def patient_paid_after_secondary(ctx: Ctx, c: Claim) -> Outcome | None:
    # The secondary owed the patient share left by the primary (COB) and paid it correctly
    # with OA-23; the patient then owed nothing, so the patient's payment is the excess:
    # patient_credit, whichever of the two was posted first.
    if c.sec is None or c.adj.pr <= 0 or c.sec.writeoff != 0:
        return None
    pr = c.adj.pr
    r = ctx.rng
    copay_first = c.adj.pr_by("3") == pr and r.random() < 0.7
    if copay_first:
        ctx.copay_visit(c, pr)
    remit = ctx.first_remit(c, slack=45)
    if remit is None:
        return None
    ctx.era(c, c.adj, remit)
    last = remit.posted_date
    r2 = ctx.later_remit(c.sec.payer_id, last, 10, 30, latest=ctx.limit)
    if r2 is None:
        return None
    if not copay_first:
        d, t = ctx.pay_rest(c, pr, last, 5, 12)  # statement went out before the secondary paid
        if d is None:
            return None
        last = d
    ctx.secondary(c, c.sec, r2)
    return Outcome("patient_paid_after_secondary", [Component("patient_credit", pr, "patient")],
                   max(last, r2.posted_date), "secondary covered the patient share (OA-23) and the patient paid it too")


def selfpay_paid_above_charge(ctx: Ctx, c: Claim) -> Outcome | None:
    r = ctx.rng
    charge = c.charge
    if r.random() < 0.5:
        paid = money((charge / D("50")).to_integral_value() * D("50") + D("50"))  # rounded-up package price
        ctx.patient_pay(c, paid, c.service_date)
        d = c.service_date
    else:
        ctx.patient_pay(c, charge, c.service_date)
        extra = D(r.choice(("20.00", "35.00", "50.00", "75.00")))
        d = ctx.day_after(c.service_date, 5, 30)
        if not ctx.fits(d):
            return None
        ctx.patient_pay(c, extra, d, method="check")
        paid = charge + extra
    return Outcome("selfpay_paid_above_charge", [Component("patient_credit", paid - charge, "patient")], d,
                   f"self-pay paid {paid} on a {charge} charge")


# ---------------------------------------------------------------------------------------
# mixed causes
# ---------------------------------------------------------------------------------------
def mixed_era_repost_with_contractual(ctx: Ctx, c: Claim) -> Outcome | None:
    base = _std_primary(ctx, c, slack=35)
    if base is None:
        return None
    remit, rows, last, _ = base
    d2 = ctx.day_after(remit.posted_date, 0, 20)
    if not ctx.fits(d2):
        return None
    dup = ctx.era(c, c.adj, remit, posted=d2, with_adj=True, with_pr=True, as_received=False, tag="repost_full")
    pays = _pay_rows(dup)
    adjs = [t for t in dup if t.kind == "adjustment"]
    p = sum((t.amount for t in pays), ZERO)
    a = sum((t.amount for t in adjs), ZERO)
    if not adjs or abs(p - a) < D("1.00"):
        return None
    return Outcome("mixed_era_repost_with_contractual",
                   [Component("duplicate_payment", p, "reverse", rows=[(t, t.amount) for t in pays]),
                    Component("allowance_error", a, "correct", rows=[(t, t.amount) for t in adjs])],
                   max(last, d2), f"whole 835 {remit.era_id} re-posted, payments and adjustments")


def mixed_payer_over_and_copay_excess(ctx: Ctx, c: Claim) -> Outcome | None:
    got = _lower_copay(ctx, c)
    if got is None:
        return None
    a, collected, excess = got
    a2, extra = _bump(ctx, a)
    if excess <= 0 or extra <= 0 or abs(extra - excess) < D("1.00"):
        return None
    ctx.copay_visit(c, collected)
    remit = ctx.first_remit(c, slack=20)
    if remit is None:
        return None
    ctx.era(c, a2, remit)
    return Outcome("mixed_payer_over_and_copay_excess",
                   [Component("payer_overpayment", extra, "payer", payer_id=c.payer_id),
                    Component("patient_credit", excess, "patient")],
                   remit.posted_date, "payer priced above contract and the copay collected exceeded the PR-3")


def mixed_sequestration_and_patient_excess(ctx: Ctx, c: Claim) -> Outcome | None:
    a = c.adj.copy()
    seq = a.seq
    if seq <= 0:
        return None
    for la in a.lines:
        la.paid += la.seq
    pr = a.pr
    est = money(((pr + D(ctx.rng.choice(("10", "20", "40")))) / D("10")).to_integral_value() * D("10"))
    excess = est - pr
    if excess <= 0 or abs(excess - seq) < D("1.00"):
        return None
    ctx.patient_pay(c, est, c.service_date, method="card")
    remit = ctx.first_remit(c, slack=20)
    if remit is None:
        return None
    ctx.era(c, a, remit)
    return Outcome("mixed_sequestration_and_patient_excess",
                   [Component("payer_overpayment", seq, "payer", payer_id=c.payer_id),
                    Component("patient_credit", excess, "patient", via_card=True)],
                   remit.posted_date, "sequestration not applied and the patient prepaid more than the PR")


# ---------------------------------------------------------------------------------------
# registry
# ---------------------------------------------------------------------------------------
def _paid(ctx, c):
    return c.adj is not None and c.adj.paid > 0


def _no_seq(ctx, c):
    return _paid(ctx, c) and not ctx.prof.payers[c.payer_id].sequestration


def _contracted(ctx, c):
    return _no_seq(ctx, c) and any(la.contracted is not None and la.paid > 0 for la in c.adj.lines)


def _pr(ctx, c):
    return _paid(ctx, c) and c.adj.pr > 0


def _copay(ctx, c):
    return _pr(ctx, c) and c.adj.pr_by("3") > D("10") and c.sec is None


def _sec_full(ctx, c):
    return _pr(ctx, c) and c.sec is not None and c.sec.writeoff == 0 and c.sec.paid == c.adj.pr


def _after_switch(ctx, c):
    pat = ctx.skel.patients[c.patient_id]
    return (_paid(ctx, c) and pat.switch_date is not None and c.service_date >= pat.switch_date
            and (c.service_date - pat.switch_date).days <= 40)


def _eft(ctx, c):
    return _paid(ctx, c) and ctx.prof.payers[c.payer_id].manual_pct < 50


PATTERNS = [
    Design("dup_era_posted_twice", dup_era_posted_twice, INSURED, _eft),
    Design("dup_era_and_manual_same_trace", dup_era_and_manual_same_trace, INSURED, _eft),
    Design("dup_eft_and_paper_check", dup_eft_and_paper_check, INSURED, _eft),
    Design("dup_second_835_new_trace", dup_second_835_new_trace, INSURED, _eft),
    Design("dup_patient_receipt_posted_twice", dup_patient_receipt_posted_twice, WITH_PR + ("selfpay",),
           lambda ctx, c: (not c.payer_id) or (_pr(ctx, c) and c.sec is None)),
    Design("patient_paid_twice_two_receipts", patient_paid_twice_two_receipts, WITH_PR + ("selfpay",),
           lambda ctx, c: (not c.payer_id) or (_pr(ctx, c) and c.sec is None and c.adj.pr >= D("15")), patient_fix=True),
    Design("overpaid_above_fee_schedule", overpaid_above_fee_schedule,
           ("medicaid", "ma_copay", "com_copay", "com_ded", "tricare"), _contracted),
    Design("sequestration_not_applied", sequestration_not_applied, MEDICARE,
           lambda ctx, c: _paid(ctx, c) and c.adj.seq > 0),
    Design("secondary_paid_as_primary", secondary_paid_as_primary, ("medicare_supp", "com_medicaid"), _sec_full),
    Design("paid_by_payer_not_billed", paid_by_payer_not_billed, INSURED, _eft),
    Design("paid_after_coverage_ended", paid_after_coverage_ended, ("com_copay", "ma_copay"), _after_switch,
           switch=True),
    Design("paid_ignoring_reported_pr", paid_ignoring_reported_pr, ("ma_copay", "com_copay", "com_ded", "tricare"),
           lambda ctx, c: _no_seq(ctx, c) and c.adj.pr > 0 and c.sec is None),
    Design("manual_claim_level_overpaid", manual_claim_level_overpaid, ("medicaid",),
           lambda ctx, c: _paid(ctx, c) and c.adj.pr == 0 and c.adj.all_contracted),
    Design("contractual_above_charge_minus_allowed", contractual_above_charge_minus_allowed, INSURED, _eft),
    Design("pr_written_off_as_contractual", pr_written_off_as_contractual, WITH_PR,
           lambda ctx, c: _pr(ctx, c) and c.sec is None),
    Design("contractual_posted_twice", contractual_posted_twice, INSURED,
           lambda ctx, c: _eft(ctx, c) and c.adj.co45 > 0),
    Design("patient_writeoff_then_paid", patient_writeoff_then_paid, ("medicare_only", "com_ded", "com_copay"),
           lambda ctx, c: _pr(ctx, c) and c.sec is None),
    Design("copay_above_assigned_pr", copay_above_assigned_pr, COPAY, _copay, patient_fix=True),
    Design("prepaid_estimate_above_pr", prepaid_estimate_above_pr, ("com_ded", "medicare_only"),
           lambda ctx, c: _paid(ctx, c) and c.sec is None, patient_fix=True),
    Design("patient_paid_after_secondary", patient_paid_after_secondary, ("medicare_supp", "com_medicaid"),
           _sec_full, patient_fix=True),
    Design("selfpay_paid_above_charge", selfpay_paid_above_charge, ("selfpay",), patient_fix=True),
    Design("missed_reversal_posting", missed_reversal_posting, INSURED, _eft),
    Design("dup_partially_recouped", dup_partially_recouped, INSURED, _eft),
    Design("mixed_era_repost_with_contractual", mixed_era_repost_with_contractual, INSURED,
           lambda ctx, c: _eft(ctx, c) and c.adj.co45 > 0),
    Design("mixed_payer_over_and_copay_excess", mixed_payer_over_and_copay_excess, COPAY,
           lambda ctx, c: _copay(ctx, c) and _contracted(ctx, c), patient_fix=True),
    Design("mixed_sequestration_and_patient_excess", mixed_sequestration_and_patient_excess, ("medicare_only",),
           lambda ctx, c: _paid(ctx, c) and c.adj.seq > 0, patient_fix=True),
]
