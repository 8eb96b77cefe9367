"""Look-alikes: claims that resemble a credit pattern but must not get that truth.

Most end with a balance >= 0 (takebacks, refunds already made, installments, interest,
legitimate secondaries, denials...).  A few are credits whose surface suggests the wrong
source (a payer paid above an *expired* fee-schedule row, a patient paid on a claim with
no patient responsibility), and three are credits a careful biller could read two ways;
those carry ambiguous=true and name both readings in the note.

PLB WO (payer recovered at remittance level) - the reading taken: the contract's balance
rule counts only claim postings, so a recovery that was never posted to the claim leaves
the claim a credit in the ledger although the payer already has its money back.  Refunding
or offsetting again would pay the payer twice; what a careful biller does is post the
recovery to the claim (a manual negative payment with the recovering 835's trace).  None
of the six actions is right, so its truth has blank source and action and a note.
"""
from __future__ import annotations

from decimal import Decimal

from .ledger import Line, adjudicate, settle_ordinary
from .patterns import (COPAY, INSURED, MEDICARE, Component, Ctx, Design, Outcome, _bump, _contracted,
                       _eft, _paid, _pay_rows, _pr, _second_835, _std_primary)
from .postings import AS_OF, ZERO, Claim, add_days, bday, money

D = Decimal


def _blank(credit: Decimal, note: str) -> dict:
    return {"credit": credit, "source": "", "action": "", "payer": "", "note": note}


def takeback_then_repay(ctx: Ctx, c: Claim) -> Outcome | None:
    base = _std_primary(ctx, c, slack=80)
    if base is None:
        return None
    remit, rows, last, _ = base
    r2 = ctx.later_remit(c.payer_id, remit.posted_date, 20, 45, latest=ctx.limit)
    if r2 is None:
        return None
    r3 = ctx.later_remit(c.payer_id, r2.posted_date, 7, 30, latest=ctx.limit)
    if r3 is None:
        return None
    ctx.era(c, c.adj, r2, sign=-1, with_adj=False, with_pr=False, tag="takeback")
    ctx.era(c, c.adj, r3, with_adj=False, with_pr=False, tag="repay")
    return Outcome("takeback_then_repay", [], r3.posted_date,
                   f"takeback on {r2.era_id}, re-paid on {r3.era_id} with another trace: not a duplicate")


def _paper_dup(ctx: Ctx, c: Claim, slack: int):
    base = _std_primary(ctx, c, slack=slack)
    if base is None:
        return None
    remit, rows, last, _ = base
    d2 = ctx.day_after(remit.posted_date, 5, 30)
    if not ctx.fits(d2):
        return None
    chk = ctx.manual(c, c.adj, d2, method="lockbox", claim_level=True, carc=False, with_pr=False,
                     with_adj=False, tag="paper")
    return remit, max(last, d2), sum((t.amount for t in _pay_rows(chk)), ZERO), chk


def dup_already_refunded(ctx: Ctx, c: Claim) -> Outcome | None:
    got = _paper_dup(ctx, c, 80)
    if got is None:
        return None
    remit, last, amt, chk = got
    d3 = ctx.day_after(last, 10, 40)
    if not ctx.fits(d3):
        return None
    ctx.refund_payer(c, c.payer_id, amt, d3)
    return Outcome("dup_already_refunded", [], d3, "paper-check duplicate already refunded to the payer")


def dup_recouped_by_takeback(ctx: Ctx, c: Claim) -> Outcome | None:
    base = _std_primary(ctx, c, slack=100)
    if base is None:
        return None
    remit, rows, last, _ = base
    got = _second_835(ctx, c, remit.posted_date, 14, 40)
    if got is None:
        return None
    r2, rows2, amt = got
    r3 = ctx.later_remit(c.payer_id, r2.posted_date, 20, 45, latest=ctx.limit)
    if r3 is None:
        return None
    ctx.book.post(c, "payment", "payer", -amt, r3.posted_date, payer_id=c.payer_id, method="era", era=r3,
                  tag="takeback")
    return Outcome("dup_recouped_by_takeback", [], r3.posted_date,
                   f"duplicate on {r2.era_id} recouped by negative payment on {r3.era_id}")


def _dup_then_wo(ctx: Ctx, c: Claim):
    base = _std_primary(ctx, c, slack=100)
    if base is None:
        return None
    remit, rows, last, _ = base
    got = _second_835(ctx, c, remit.posted_date, 14, 40)
    if got is None:
        return None
    r2, rows2, amt = got
    r3 = ctx.later_remit(c.payer_id, r2.posted_date, 20, 45, latest=ctx.limit)
    if r3 is None:
        return None
    return r2, r3, amt, max(last, r2.posted_date)


def dup_recouped_plb_wo_posted(ctx: Ctx, c: Claim) -> Outcome | None:
    got = _dup_then_wo(ctx, c)
    if got is None:
        return None
    r2, r3, amt, last = got
    ctx.book.post(c, "payment", "payer", -amt, r3.posted_date, payer_id=c.payer_id, method="manual",
                  trace=r3.trace_number, tag="wo_posted")
    r3.plbs.append(("WO", c.claim_id, amt))
    return Outcome("dup_recouped_plb_wo_posted", [], r3.posted_date,
                   f"payer recovered the duplicate by PLB WO on {r3.era_id}; biller posted it to the claim")


def dup_recouped_plb_wo_unposted(ctx: Ctx, c: Claim) -> Outcome | None:
    got = _dup_then_wo(ctx, c)
    if got is None:
        return None
    r2, r3, amt, last = got
    r3.plbs.append(("WO", c.claim_id, amt))
    return Outcome("dup_recouped_plb_wo_unposted", [], max(last, r3.posted_date),
                   truth=_blank(amt, f"duplicate from {r2.era_id} already recovered by PLB WO {amt} on "
                                     f"{r3.era_id} (reference {c.claim_id}); post the recovery to the claim, "
                                     f"refund/offset nothing (source was duplicate_payment)"))


def patient_installments(ctx: Ctx, c: Claim) -> Outcome | None:
    remit = ctx.first_remit(c, slack=120)
    if remit is None:
        return None
    ctx.era(c, c.adj, remit)
    pr = c.adj.pr
    parts = ctx.rng.choice((3, 4))
    each = money(pr / parts)
    amounts = [each] * (parts - 1) + [pr - each * (parts - 1)]
    d = remit.posted_date
    for a in amounts:
        d = ctx.day_after(d, 26, 33)
        if not ctx.fits(d):
            return None
        ctx.patient_pay(c, a, d)
    return Outcome("patient_installments", [], d, f"{parts} installments on distinct receipts summing to PR {pr}")


def installments_overshoot(ctx: Ctx, c: Claim) -> Outcome | None:
    remit = ctx.first_remit(c, slack=120)
    if remit is None:
        return None
    ctx.era(c, c.adj, remit)
    pr = c.adj.pr
    each = money((pr / 3 / D("5")).to_integral_value() * D("5") + D("5"))  # a round monthly amount
    paid, d = ZERO, remit.posted_date
    while paid < pr:
        d = ctx.day_after(d, 26, 33)
        if not ctx.fits(d):
            return None
        ctx.patient_pay(c, each, d)
        paid += each
    if paid == pr:
        return None
    return Outcome("installments_overshoot", [Component("patient_credit", paid - pr, "patient")], d,
                   f"round installments of {each} overshot PR {pr}: distinct receipts, not a duplicate")


def legit_oa23_secondary(ctx: Ctx, c: Claim) -> Outcome | None:
    base = _std_primary(ctx, c, slack=30)
    if base is None:
        return None
    return Outcome("legit_oa23_secondary", [], base[2], "secondary paid the patient share with OA-23")


def two_lines_same_amount(ctx: Ctx, c: Claim) -> Outcome | None:
    pairs = [(a, b) for i, a in enumerate(c.adj.lines) for b in c.adj.lines[i + 1:] if a.paid == b.paid and a.paid > 0]
    if not pairs:
        # turn the visit into two identical sessions (two techs / co-treatment); Medicaid has
        # no deductible, so re-pricing this claim leaves every other claim as it was
        ln = c.lines[0]
        c.lines = [Line(1, ln.cpt, ln.modifier, ln.units, ln.charge), Line(2, ln.cpt, ln.modifier, ln.units, ln.charge)]
        c.adj = adjudicate(ctx.prof, c.payer_id, c, c.plan, None, ctx.rng)
        if c.adj.lines[0].paid != c.adj.lines[1].paid or c.adj.lines[0].paid <= 0:
            return None
    base = _std_primary(ctx, c, slack=30)
    if base is None:
        return None
    return Outcome("two_lines_same_amount", [], base[2], "two lines paid the same amount on one 835: not duplicates")


def interest_plb_l6(ctx: Ctx, c: Claim) -> Outcome | None:
    base = _std_primary(ctx, c, slack=30)
    if base is None:
        return None
    remit = base[0]
    interest = money(D(ctx.rng.randint(85, 950)) / D("100"))
    remit.plbs.append(("L6", c.claim_id, -interest))
    return Outcome("interest_plb_l6", [], base[2], f"prompt-pay interest {interest} paid at remittance level (PLB L6)")


def plb_interest_posted_to_claim(ctx: Ctx, c: Claim) -> Outcome | None:
    base = _std_primary(ctx, c, slack=30)
    if base is None:
        return None
    remit, rows, last, _ = base
    interest = money(D(ctx.rng.randint(120, 1800)) / D("100"))
    d = ctx.day_after(remit.posted_date, 0, 3)
    if not ctx.fits(d):
        return None
    t = ctx.book.post(c, "payment", "payer", interest, d, payer_id=c.payer_id, method="manual",
                      trace=remit.trace_number, tag="interest_on_claim")
    remit.plbs.append(("L6", c.claim_id, -interest))
    return Outcome("plb_interest_posted_to_claim", [], max(last, d), ambiguous=True,
                   truth={"credit": interest, "source": "duplicate_payment", "action": "reverse_posting", "payer": "",
                          "note": f"PLB L6 interest {interest} on {remit.era_id} also keyed as a claim payment: the "
                                  f"same money counted twice (same trace) -> reverse_posting; alternative reading: "
                                  f"not a claim credit at all (interest is income, none of the four sources)"})


def interest_carc225_in_payment(ctx: Ctx, c: Claim) -> Outcome | None:
    a = c.adj.copy()
    la = max(a.lines, key=lambda x: x.paid)
    if la.paid <= 0:
        return None
    interest = money(D(ctx.rng.randint(60, 700)) / D("100"))
    la.paid += interest
    collected = ZERO
    remit = ctx.first_remit(c, slack=30)
    if remit is None:
        return None
    ctx.era(c, a, remit)
    ctx.book.post(c, "adjustment", "payer", -interest, remit.posted_date, line_no=la.line_no, payer_id=c.payer_id,
                  method="era", era=remit, group="CO", reason="225", tag="interest225")
    last = ctx.finish(c, c.adj, remit.posted_date, collected)
    if last is None:
        return None
    return Outcome("interest_carc225_in_payment", [], last,
                   f"payment includes {interest} interest offset by a negative CO-225: not an overpayment")


def partial_recoupment_settled(ctx: Ctx, c: Claim) -> Outcome | None:
    a, extra = _bump(ctx, c.adj)
    if extra < D("2.00"):
        return None
    base = _std_primary(ctx, c, a, slack=100)
    if base is None:
        return None
    remit, rows, last, _ = base
    first = money(extra * D("0.5"))
    r2 = ctx.later_remit(c.payer_id, last, 20, 40, latest=ctx.limit)
    r3 = ctx.later_remit(c.payer_id, r2.posted_date, 20, 40, latest=ctx.limit) if r2 else None
    if r3 is None:
        return None
    ctx.book.post(c, "payment", "payer", -first, r2.posted_date, payer_id=c.payer_id, method="era", era=r2,
                  tag="recoup1")
    ctx.book.post(c, "payment", "payer", -(extra - first), r3.posted_date, payer_id=c.payer_id, method="era",
                  era=r3, tag="recoup2")
    return Outcome("partial_recoupment_settled", [], r3.posted_date,
                   f"overpayment {extra} recouped in two partial takebacks")


def transfer_between_claims(ctx: Ctx, c: Claim) -> Outcome | None:
    base = _std_primary(ctx, c, slack=30) if c.payer_id else None
    if c.payer_id and base is None:
        return None
    if not c.payer_id:
        ctx.patient_pay(c, c.charge, c.service_date)
        settled = c.service_date
    else:
        settled = base[2]
    pat = ctx.skel.patients[c.patient_id]
    for b in sorted(pat.claims, key=lambda x: (x.service_date, x.claim_id)):
        if b is c or b.design or b.touched:
            continue
        pays = [t for t in ctx.book.by_claim[b.claim_id] if t.kind == "payment" and t.source == "patient"
                and t.posted_date > settled and t.posted_date <= add_days(AS_OF, -30)]
        if not pays:
            continue
        t = pays[0]
        back = ctx.day_after(t.posted_date, 3, 20)
        ctx.book.move_txn(t, c)
        ctx.transfer(c, b, t.amount, back)
        b.touched = True
        return Outcome("transfer_between_claims", [], back,
                       f"patient payment {t.trace_number} posted to the wrong claim, moved to {b.claim_id}",
                       others=[b])
    return None


def denial_co16_zero_pay(ctx: Ctx, c: Claim) -> Outcome | None:
    remit = ctx.first_remit(c, slack=5)
    if remit is None:
        return None
    ctx.book.post(c, "payment", "payer", ZERO, remit.posted_date, payer_id=c.payer_id, method="era", era=remit,
                  group="CO", reason=ctx.rng.choice(("16", "16", "197")), tag="denial")
    return Outcome("denial_co16_zero_pay", [], remit.posted_date, "0.00 payment with CO-16 on the payment row")


def reversal_and_corrected_repay(ctx: Ctx, c: Claim) -> Outcome | None:
    base = _std_primary(ctx, c, slack=60, collect=False)
    if base is None:
        return None
    remit, rows, last, _ = base
    la = max(c.adj.lines, key=lambda x: x.paid)
    d = money(min(la.paid, D(ctx.rng.choice(("20", "35", "50")))))
    if d <= 0:
        return None
    corr = c.adj.copy()
    for x in corr.lines:
        if x.line_no == la.line_no:
            x.paid -= d
            x.pr = x.pr + [("1", d)]
    r2 = ctx.later_remit(c.payer_id, last, 20, 45, latest=ctx.limit)
    if r2 is None:
        return None
    ctx.era(c, c.adj, r2, sign=-1, with_adj=False, with_pr=True, tag="clp22")
    ctx.era(c, corr, r2, with_adj=False, with_pr=True, tag="corrected")
    end = r2.posted_date
    if ctx.rng.random() < 0.6:
        end, _ = ctx.pay_rest(c, d, r2.posted_date)
        if end is None:
            return None
    return Outcome("reversal_and_corrected_repay", [], end,
                   f"CLP02=22 reversal and corrected claim on {r2.era_id}; deductible {d} moved to the patient")


def _simple(name: str, note: str, slack: int = 30):
    def build(ctx: Ctx, c: Claim) -> Outcome | None:
        base = _std_primary(ctx, c, slack=slack)
        if base is None:
            return None
        return Outcome(name, [], base[2], note)
    return build


def no_fee_schedule_payment_correct(ctx: Ctx, c: Claim) -> Outcome | None:
    payer = ctx.prof.payers[c.payer_id]
    if ctx.rng.randrange(100) < payer.manual_pct:
        d = bday(add_days(c.billed_date, ctx.rng.randint(*payer.lag) + 5))
        if not ctx.fits(d):
            return None
        ctx.manual(c, c.adj, d)
        last, _ = ctx.pay_rest(c, c.adj.pr, d)
        if last is None:
            return None
        return Outcome("no_fee_schedule_payment_correct", [], last, "no fee-schedule row; payer's own price, correct")
    base = _std_primary(ctx, c, slack=30)
    if base is None:
        return None
    return Outcome("no_fee_schedule_payment_correct", [], base[2], "no fee-schedule row; payer's own price, correct")


def patient_deposit_applied_via_transfer(ctx: Ctx, c: Claim) -> Outcome | None:
    pr = c.adj.pr if c.payer_id else c.charge
    dep = money(((pr + D(ctx.rng.choice(("40", "75", "100")))) / D("50")).to_integral_value() * D("50"))
    excess = dep - pr
    if excess <= 0:
        return None
    remit = ctx.first_remit(c, slack=25)
    if remit is None:
        return None
    when = ctx.day_after(remit.posted_date, 3, 15)
    if not ctx.fits(when):
        return None
    target = ctx.target_for(c, excess, when)
    if target is None:
        return None
    ctx.patient_pay(c, dep, c.service_date, method="card")
    ctx.era(c, c.adj, remit)
    ctx.move_to(c, target, excess, when)  # noqa: the look-alike keeps the move
    return Outcome("patient_deposit_applied_via_transfer", [], when,
                   f"deposit {dep} exceeded PR {pr}; excess moved to {target.claim_id}", others=[target])


def copay_at_visit_exact(ctx: Ctx, c: Claim) -> Outcome | None:
    ctx.copay_visit(c, c.adj.pr_by("3"))
    remit = ctx.first_remit(c, slack=20)
    if remit is None:
        return None
    ctx.era(c, c.adj, remit)
    return Outcome("copay_at_visit_exact", [], remit.posted_date, "copay collected equals PR-3")


def denial_paid_on_appeal(ctx: Ctx, c: Claim) -> Outcome | None:
    r1 = ctx.first_remit(c, slack=90)
    if r1 is None:
        return None
    ctx.book.post(c, "payment", "payer", ZERO, r1.posted_date, payer_id=c.payer_id, method="era", era=r1,
                  group="CO", reason=ctx.rng.choice(("16", "197", "50")), tag="denial")
    r2 = ctx.later_remit(c.payer_id, r1.posted_date, 25, 60, latest=ctx.limit)
    if r2 is None:
        return None
    ctx.era(c, c.adj, r2)
    last = ctx.finish(c, c.adj, r2.posted_date)
    if last is None:
        return None
    return Outcome("denial_paid_on_appeal", [], last, f"denied on {r1.era_id}, paid on appeal on {r2.era_id}")


def refund_acknowledged_plb72(ctx: Ctx, c: Claim) -> Outcome | None:
    got = _paper_dup(ctx, c, 110)
    if got is None:
        return None
    remit, last, amt, chk = got
    d3 = ctx.day_after(last, 10, 30)
    r4 = ctx.later_remit(c.payer_id, d3, 14, 40, latest=ctx.limit)
    if r4 is None or not ctx.fits(d3):
        return None
    ctx.refund_payer(c, c.payer_id, amt, d3)
    r4.plbs.append(("72", c.claim_id, -amt))
    r4.plbs.append(("WO", c.claim_id, amt))
    return Outcome("refund_acknowledged_plb72", [], d3,
                   f"duplicate refunded by check; payer acknowledged it with PLB 72/WO on {r4.era_id}")


def same_amount_two_claims_same_era(ctx: Ctx, c: Claim) -> Outcome | None:
    pat = ctx.skel.patients[c.patient_id]
    sig = [(ln.cpt, ln.modifier, ln.units) for ln in c.lines]
    for b in sorted(pat.claims, key=lambda x: (x.service_date, x.claim_id)):
        if b is c or b.design or b.touched or b.payer_id != c.payer_id or b.adj is None:
            continue
        if [(ln.cpt, ln.modifier, ln.units) for ln in b.lines] != sig or b.adj.paid != c.adj.paid:
            continue
        if abs((b.billed_date - c.billed_date).days) > 6 or b.secondary_payer_id:
            continue
        after = max(b.billed_date, c.billed_date)
        remit = ctx.primary_remit(c, after=after, latest=add_days(ctx.limit, -30))
        if remit is None:
            return None
        ctx.book.clear_claim(b)
        for cl in (c, b):
            ctx.era(cl, cl.adj, remit)
            d, _ = ctx.pay_rest(cl, cl.adj.pr, remit.posted_date)
            if d is None:
                ctx.book.clear_claim(b)
                b.outcome = settle_ordinary(ctx, b)
                return None
        b.design = "same_amount_two_claims_same_era"
        return Outcome("same_amount_two_claims_same_era", [], remit.posted_date,
                       f"{c.claim_id} and {b.claim_id}: same visit codes paid the same on one 835", others=[b])
    return None


# ---- credits with a misleading surface ---------------------------------------------------
def stale_fee_row_patient_excess(ctx: Ctx, c: Claim) -> Outcome | None:
    from .patterns import _lower_copay
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
    a.report_allowed = True
    ctx.era(c, a, remit)
    return Outcome("stale_fee_row_patient_excess", [Component("patient_credit", excess, "patient")],
                   remit.posted_date,
                   "payer priced above a fee-schedule row that expired before the date of service (no row "
                   "governs; payer-reported allowed applies): the credit is the copay excess, not a payer overpayment")


def no_pr_patient_paid(ctx: Ctx, c: Claim) -> Outcome | None:
    amt = D(ctx.rng.choice(("20.00", "25.00", "30.00", "40.00")))
    ctx.patient_pay(c, amt, c.service_date)
    remit = ctx.first_remit(c, slack=20)
    if remit is None:
        return None
    ctx.era(c, c.adj, remit)
    return Outcome("no_pr_patient_paid", [Component("patient_credit", amt, "patient")], remit.posted_date,
                   "835 carries no PR rows (patient owes 0) yet a copay was collected; no fee row, no allowed: "
                   "the payer's payment is correct")


def sequestration_correct_patient_excess(ctx: Ctx, c: Claim) -> Outcome | None:
    pr = c.adj.pr
    est = money(((pr + D(ctx.rng.choice(("15", "25", "40")))) / D("5")).to_integral_value() * D("5"))
    if est <= pr:
        return None
    ctx.patient_pay(c, est, c.service_date, method="card")
    remit = ctx.first_remit(c, slack=20)
    if remit is None:
        return None
    ctx.era(c, c.adj, remit)
    return Outcome("sequestration_correct_patient_excess",
                   [Component("patient_credit", est - pr, "patient", via_card=True)], remit.posted_date,
                   "Medicare applied CO-253 correctly; the patient prepaid more than the PR")


# ---- ambiguous -----------------------------------------------------------------------------
def second_payment_different_amount(ctx: Ctx, c: Claim) -> Outcome | None:
    base = _std_primary(ctx, c, slack=70)
    if base is None:
        return None
    remit, rows, last, _ = base
    a = c.adj.copy()
    f = D(ctx.rng.choice(("0.60", "0.75", "0.85", "1.10")))
    for la in a.lines:
        la.paid = money(la.paid * f)
    r2 = ctx.later_remit(c.payer_id, remit.posted_date, 20, 60, latest=ctx.limit)
    if r2 is None or a.paid <= 0:
        return None
    ctx.era(c, a, r2, with_adj=False, with_pr=False, tag="second_diff")
    payer = ctx.prof.payers[c.payer_id]
    return Outcome("second_payment_different_amount",
                   [Component("duplicate_payment", a.paid, "payer", payer_id=c.payer_id)],
                   r2.posted_date, ambiguous=True,
                   note=f"second 835 {r2.era_id} paid the same service {a.paid} (first paid {c.adj.paid}): "
                        f"duplicate_payment (same service paid twice) or payer_overpayment (re-adjudicated "
                        f"above what it owed); either way the money goes back to {c.payer_id} "
                        f"({'payer_offset' if payer.offset else 'refund_payer'})")


def manual_same_amount_no_trace(ctx: Ctx, c: Claim) -> Outcome | None:
    base = _std_primary(ctx, c, slack=40)
    if base is None:
        return None
    remit, rows, last, _ = base
    d2 = ctx.day_after(remit.posted_date, 2, 25)
    if not ctx.fits(d2):
        return None
    t = ctx.book.post(c, "payment", "payer", c.adj.paid, d2, payer_id=c.payer_id, method="manual", trace="",
                      tag="no_trace")
    payer = ctx.prof.payers[c.payer_id]
    return Outcome("manual_same_amount_no_trace",
                   [Component("duplicate_payment", t.amount, "reverse", rows=[(t, t.amount)])],
                   max(last, d2), ambiguous=True,
                   note=f"manual claim-level payment with no trace equal to 835 {remit.era_id}: likely the same EFT "
                        f"keyed by hand (reverse_posting); if it was a separate paper check the money came twice "
                        f"({'payer_offset' if payer.offset else 'refund_payer'})")


def paid_full_allowed_no_pr_copay_collected(ctx: Ctx, c: Claim) -> Outcome | None:
    collected = c.adj.pr_by("3")
    a = c.adj.copy()
    for la in a.lines:
        la.paid += la.pr_total
        la.pr = []
    a.report_allowed = True
    ctx.copay_visit(c, collected)
    remit = ctx.first_remit(c, slack=20)
    if remit is None:
        return None
    ctx.era(c, a, remit)
    payer = ctx.prof.payers[c.payer_id]
    return Outcome("paid_full_allowed_no_pr_copay_collected",
                   [Component("patient_credit", collected, "patient")], remit.posted_date, ambiguous=True,
                   note=f"835 paid the full contracted allowed with no PR rows (patient owes 0 by the contract's "
                        f"835 rule -> patient_credit {collected}); the plan's copay suggests the payer skipped it "
                        f"(payer_overpayment, {'payer_offset' if payer.offset else 'refund_payer'})")


# ---- registry --------------------------------------------------------------------------------
def _nofee(ctx, c):
    return _paid(ctx, c) and all(la.contracted is None for la in c.adj.lines)


def _stale(ctx, c):
    if not (_pr(ctx, c) and c.adj.pr_by("3") > D("10") and c.sec is None):
        return False
    return any(la.contracted is None and ctx.prof.expired_fee(c.payer_id, ln.cpt, ln.modifier, c.service_date)
               for la, ln in zip(c.adj.lines, c.lines))


def _tailor_stale(builder, window):
    """A copay patient of a payer whose fee row expired, seen after the expiry."""
    prof = builder.prof
    rows = sorted((r for r in prof.fee_rows if r.effective_to is not None and r.effective_to.year == 2026
                   and r.effective_to < window[1]), key=lambda r: (r.payer_id, r.cpt))
    if not rows:
        return None
    row = builder.rng.choice(rows)
    disc = {"90837": "BH", "90834": "BH", "90791": "BH", "92507": "SLP", "92523": "SLP", "97151": "ABA",
            "97153": "ABA", "97155": "ABA"}.get(row.cpt)
    start = add_days(row.effective_to, builder.rng.randint(1, 20))
    return builder.skel.tailored("com_copay", start, discipline=disc, primary=row.payer_id)


def _tailor_nofee(builder, window):
    """A patient whose visits no fee-schedule row prices: a payer without rows (workers'
    comp, auto) or unmodified ABA lines against a modifier-specific row."""
    prof, r = builder.prof, builder.rng
    start = add_days(window[0], r.randrange(max(1, (window[1] - window[0]).days - 60)))
    bare = sorted(p.payer_type for p in prof.payers.values() if p.fee_mult is None)
    if bare:
        return builder.skel.tailored("wc" if r.choice(bare) == "workers_comp" else "auto", start)
    moded = sorted({f.payer_id for f in prof.fee_rows if f.cpt == "97153" and f.modifier
                    and prof.payers[f.payer_id].payer_type == "medicaid"})
    if not moded:
        return None
    return builder.skel.tailored("medicaid", start, discipline="ABA", primary=r.choice(moded))


def _siblings(ctx, c):
    pat = ctx.skel.patients[c.patient_id]
    return len(pat.claims) > 2


LOOKALIKES = [
    Design("takeback_then_repay", takeback_then_repay, INSURED, _eft, lookalike=True),
    Design("dup_already_refunded", dup_already_refunded, INSURED, _eft, lookalike=True),
    Design("dup_recouped_by_takeback", dup_recouped_by_takeback, INSURED, _eft, lookalike=True),
    Design("dup_recouped_plb_wo_posted", dup_recouped_plb_wo_posted, INSURED, _eft, lookalike=True),
    Design("dup_recouped_plb_wo_unposted", dup_recouped_plb_wo_unposted, INSURED, _eft, lookalike=True),
    Design("patient_installments", patient_installments, ("com_ded", "medicare_only"),
           lambda ctx, c: _pr(ctx, c) and c.adj.pr >= D("60") and c.sec is None, lookalike=True),
    Design("legit_oa23_secondary", legit_oa23_secondary, ("medicare_supp", "com_medicaid", "medicare_medicaid"),
           lambda ctx, c: _pr(ctx, c) and c.sec is not None and c.sec.paid > 0, lookalike=True),
    Design("two_lines_same_amount", two_lines_same_amount, ("medicaid",), _paid, lookalike=True),
    Design("interest_plb_l6", interest_plb_l6, INSURED, _eft, lookalike=True),
    Design("interest_carc225_in_payment", interest_carc225_in_payment, ("medicaid", "wc"),
           lambda ctx, c: _eft(ctx, c) and c.sec is None and c.adj.pr == 0, lookalike=True),
    Design("partial_recoupment_settled", partial_recoupment_settled,
           ("medicaid", "ma_copay", "com_copay", "com_ded", "tricare"), _contracted, lookalike=True),
    Design("transfer_between_claims", transfer_between_claims, INSURED + ("selfpay",),
           lambda ctx, c: _siblings(ctx, c) and (not c.payer_id or _eft(ctx, c)), lookalike=True),
    Design("denial_co16_zero_pay", denial_co16_zero_pay, INSURED, lambda ctx, c: c.adj is not None and c.sec is None,
           lookalike=True),
    Design("reversal_and_corrected_repay", reversal_and_corrected_repay, ("com_ded",),
           lambda ctx, c: _eft(ctx, c) and c.sec is None and c.adj.paid > D("20"), lookalike=True),
    Design("medicare_sequestration_correct", _simple("medicare_sequestration_correct",
                                                     "Medicare CO-253 2% applied correctly"), MEDICARE,
           lambda ctx, c: _paid(ctx, c) and c.adj.seq > 0, lookalike=True),
    Design("no_fee_schedule_payment_correct", no_fee_schedule_payment_correct, INSURED, _nofee, lookalike=True,
           tailor=_tailor_nofee),
    Design("patient_deposit_applied_via_transfer", patient_deposit_applied_via_transfer,
           ("com_ded", "medicare_only", "com_copay", "tricare"),
           lambda ctx, c: _eft(ctx, c) and c.sec is None and _siblings(ctx, c), lookalike=True),
    Design("medicaid_secondary_writeoff", _simple("medicaid_secondary_writeoff",
                                                  "Medicaid secondary paid part of the PR and wrote off the rest (CO-45)"),
           ("medicare_medicaid", "com_medicaid"),
           lambda ctx, c: _pr(ctx, c) and c.sec is not None and c.sec.writeoff > 0, lookalike=True),
    Design("copay_at_visit_exact", copay_at_visit_exact, COPAY,
           lambda ctx, c: _pr(ctx, c) and c.adj.pr_by("3") > 0 and c.sec is None, lookalike=True),
    Design("denial_paid_on_appeal", denial_paid_on_appeal, INSURED, _eft, lookalike=True),
    Design("refund_acknowledged_plb72", refund_acknowledged_plb72, INSURED, _eft, lookalike=True),
    Design("same_amount_two_claims_same_era", same_amount_two_claims_same_era, INSURED,
           lambda ctx, c: _eft(ctx, c) and c.sec is None and _siblings(ctx, c), lookalike=True),
    Design("stale_fee_row_patient_excess", stale_fee_row_patient_excess, COPAY, _stale, lookalike=True,
           tailor=_tailor_stale),
    Design("no_pr_patient_paid", no_pr_patient_paid, ("wc", "auto", "medicaid"),
           lambda ctx, c: _paid(ctx, c) and c.adj.pr == 0 and c.sec is None, lookalike=True),
    Design("installments_overshoot", installments_overshoot, ("com_ded", "medicare_only"),
           lambda ctx, c: _pr(ctx, c) and c.adj.pr >= D("60") and c.sec is None, lookalike=True),
    Design("sequestration_correct_patient_excess", sequestration_correct_patient_excess, ("medicare_only",),
           lambda ctx, c: _paid(ctx, c) and c.adj.seq > 0, lookalike=True),
    Design("plb_interest_posted_to_claim", plb_interest_posted_to_claim, INSURED, _eft, lookalike=True),
    Design("second_payment_different_amount", second_payment_different_amount, INSURED, _eft, lookalike=True),
    Design("manual_same_amount_no_trace", manual_same_amount_no_trace, INSURED, _eft, lookalike=True),
    Design("paid_full_allowed_no_pr_copay_collected", paid_full_allowed_no_pr_copay_collected, COPAY,
           lambda ctx, c: _contracted(ctx, c) and c.adj.pr_by("3") > D("10") and c.sec is None, lookalike=True),
]
