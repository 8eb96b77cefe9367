"""Claims, adjudication and the ordinary (correctly settled) posting flows; CSV writing.

Adjudication of a line by its primary payer:
    allowed  = fee_schedule row (payer, cpt, modifier or blank, date of service) x units,
               else the payer's own pricing (reported on the ERA where the payer reports it)
    PR       = deductible (PR-1), coinsurance (PR-2), copay (PR-3) by the patient's plan
    CO-45    = charge - allowed
    CO-253   = 2% of (allowed - PR) for payers that sequester
    paid     = allowed - PR - CO-253
so that paid + CO-45 + CO-253 + PR = charge on every line, and once the patient (or a
secondary, OA-23 on its payment row) covers PR the claim balance is exactly zero.
"""
from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from .postings import (AS_OF, ZERO, Book, Claim, Line, Remit, Txn, add_bdays, add_days, bday,
                       fmt_money, money, pct)
from .profiles import Patient, Plan, Profile

D = Decimal
FIRST_DOS = date(2025, 1, 2)
LAST_DOS = date(2026, 10, 30)


# ---------------------------------------------------------------------------------------
# adjudication
# ---------------------------------------------------------------------------------------
@dataclass
class LineAdj:
    line_no: int
    charge: Decimal
    allowed: Decimal
    contracted: Decimal | None  # fee-schedule allowed for the line, None when no row applies
    co45: Decimal
    seq: Decimal
    pr: list  # [(carc, amount)]
    paid: Decimal

    @property
    def pr_total(self) -> Decimal:
        return sum((a for _, a in self.pr), ZERO)


@dataclass
class ClaimAdj:
    payer_id: str
    lines: list[LineAdj]
    report_allowed: bool = True

    def copy(self) -> "ClaimAdj":
        return ClaimAdj(self.payer_id, [replace(la, pr=list(la.pr)) for la in self.lines],
                        self.report_allowed)

    @property
    def paid(self) -> Decimal:
        return sum((la.paid for la in self.lines), ZERO)

    @property
    def pr(self) -> Decimal:
        return sum((la.pr_total for la in self.lines), ZERO)

    @property
    def co45(self) -> Decimal:
        return sum((la.co45 for la in self.lines), ZERO)

    @property
    def seq(self) -> Decimal:
        return sum((la.seq for la in self.lines), ZERO)

    @property
    def allowed(self) -> Decimal:
        return sum((la.allowed for la in self.lines), ZERO)

    def pr_by(self, code: str) -> Decimal:
        return sum((a for la in self.lines for c, a in la.pr if c == code), ZERO)

    @property
    def all_contracted(self) -> bool:
        return all(la.contracted is not None for la in self.lines)


@dataclass
class SecAdj:
    payer_id: str
    lines: list  # [(line_no, paid, writeoff)]

    @property
    def paid(self) -> Decimal:
        return sum((p for _, p, _ in self.lines), ZERO)

    @property
    def writeoff(self) -> Decimal:
        return sum((w for _, _, w in self.lines), ZERO)


def line_allowed(prof: Profile, payer_id: str, claim: Claim, ln: Line) -> tuple[Decimal, Decimal | None]:
    payer = prof.payers[payer_id]
    fee = prof.fee(payer_id, ln.cpt, ln.modifier, claim.service_date)
    if fee is not None:
        a = fee * ln.units
        return money(a), money(a)
    if payer.charge_based:
        return money(ln.charge * payer.own_mult), None
    rate = money(prof.base_rate(ln.cpt, claim.service_date) * payer.own_mult)
    return money(rate * ln.units), None


def adjudicate(prof: Profile, payer_id: str, claim: Claim, plan: Plan, ded_left: dict | None,
               rng: random.Random | None = None, *, as_primary: bool = True) -> ClaimAdj:
    """The correct primary adjudication of the claim by payer_id under plan."""
    payer = prof.payers[payer_id]
    year = claim.service_date.year
    if payer.payer_type == "medicare":
        ded_total, coins = prof.medicare_deductible[year], D("0.20")
    else:
        ded_total, coins = plan.deductible, plan.coins
    key = (claim.patient_id, payer_id, year)
    if ded_left is None:
        ded_remaining = ZERO
    else:
        ded_remaining = ded_left.setdefault(key, ded_total)
    copay_left = plan.copay if payer.payer_type in ("medicare_advantage", "commercial", "tricare") else ZERO
    if payer.payer_type in ("medicaid", "workers_comp", "other"):
        ded_remaining, coins, copay_left = ZERO, ZERO, ZERO
    lines = []
    for ln in claim.lines:
        allowed, contracted = line_allowed(prof, payer_id, claim, ln)
        if allowed > ln.charge:
            allowed = ln.charge
            contracted = allowed if contracted is not None else None
        pr = []
        rest = allowed
        if copay_left > 0:
            c = min(copay_left, rest)
            if c > 0:
                pr.append(("3", c))
                copay_left -= c
                rest -= c
        elif ded_remaining > 0 or coins > 0:
            d = min(ded_remaining, rest)
            if d > 0:
                pr.append(("1", d))
                ded_remaining -= d
                rest -= d
            c = pct(str(coins), rest) if coins else ZERO
            if c > 0:
                pr.append(("2", c))
        pr_total = sum((a for _, a in pr), ZERO)
        seq = pct("0.02", allowed - pr_total) if payer.sequestration else ZERO
        paid = allowed - pr_total - seq
        lines.append(LineAdj(ln.line_no, ln.charge, allowed, contracted, ln.charge - allowed, seq, pr, paid))
    if ded_left is not None:
        ded_left[key] = ded_remaining
    report = True
    if rng is not None:
        report = rng.randrange(100) < payer.reports_allowed_pct
    return ClaimAdj(payer_id, lines, report)


def adjudicate_secondary(prof: Profile, sec_id: str, claim: Claim, prim: ClaimAdj) -> SecAdj:
    sec = prof.payers[sec_id]
    out = []
    for la, ln in zip(prim.lines, claim.lines):
        pr = la.pr_total
        if pr <= 0:
            out.append((la.line_no, ZERO, ZERO))
            continue
        if sec.secondary_rule == "full":
            paid = pr
        else:
            sec_allowed, _ = line_allowed(prof, sec_id, claim, ln)
            if sec.secondary_rule == "lesser_of":
                paid = max(ZERO, min(pr, sec_allowed - la.paid - la.seq))
            else:  # cost_share
                paid = min(pr, sec_allowed)
        out.append((la.line_no, paid, pr - paid))
    return SecAdj(sec_id, out)


# ---------------------------------------------------------------------------------------
# skeleton: patients, episodes, claims
# ---------------------------------------------------------------------------------------
def _weighted(rng: random.Random, items):
    total = sum(w for w, _ in items)
    x = rng.randrange(total)
    for w, v in items:
        if x < w:
            return v
        x -= w
    return items[-1][1]


class Skeleton:
    def __init__(self, prof: Profile, book: Book, rng: random.Random):
        self.prof, self.book, self.rng = prof, book, rng
        self.patients: dict[str, Patient] = {}
        self.n_patient = prof.patient_start
        self.n_claim = prof.claim_start
        self.ded_left: dict = {}

    # -- visits ---------------------------------------------------------------------
    def _visit_lines(self, pat: Patient, first: bool, poc: list) -> list[tuple[str, str, int]]:
        r = self.rng
        disc = pat.discipline
        if disc in ("PT", "OT"):
            mod = "GP" if disc == "PT" else "GO"
            if first:
                ev = _weighted(r, [(40, "97161"), (45, "97162"), (15, "97163")]) if disc == "PT" else \
                    _weighted(r, [(40, "97165"), (45, "97166"), (15, "97167")])
                out = [(ev, mod, 1)]
                if r.random() < 0.5:
                    out.append(("97110", mod, r.choice((1, 1, 2))))
                return out
            out = []
            for code, units in poc:
                u = units + (r.choice((-1, 1)) if r.random() < 0.25 else 0)
                out.append((code, mod, max(1, min(4, u))))
            if r.random() < 0.04 and disc == "PT":
                # co-treatment day: the same code by PT and OT on one claim
                code, units = poc[0]
                out = [(code, "GP", units), (code, "GO", units)]
            return out
        if disc == "SLP":
            return [("92523", "GN", 1)] if first else [("92507", "GN", 1)]
        if disc == "ABA":
            if first:
                return [("97151", "HO" if r.random() < 0.8 else "", r.choice((16, 20, 24, 32)))]
            mod = "HN" if r.random() < 0.7 else ""
            out = [("97153", mod, r.choice((8, 12, 16, 16, 20, 24, 24, 28, 32)))]
            if r.random() < 0.06:
                out.append(("97153", mod, out[0][2]))  # two sessions, two techs
            elif r.random() < 0.3:
                out.append(("97155", "HO" if r.random() < 0.8 else "", r.choice((4, 6, 8))))
            return out
        # BH
        if first:
            return [("90791", "HO" if r.random() < 0.8 else "", 1)]
        return [(poc[0][0], "HO" if r.random() < 0.8 else "", 1)]

    def _poc(self, pat: Patient) -> list:
        r = self.rng
        if pat.discipline == "PT":
            codes = r.sample(["97110", "97112", "97140", "97530", "97116"], r.choice((2, 2, 3)))
        elif pat.discipline == "OT":
            codes = r.sample(["97110", "97112", "97140", "97530"], r.choice((2, 3)))
        elif pat.discipline == "BH":
            return [(r.choice(("90837", "90837", "90834")), 1)]
        else:
            return []
        return [(c, r.choice((1, 1, 2, 2, 3))) for c in codes]

    def _episode_dates(self, pat: Patient, start: date) -> list[date]:
        r = self.rng
        disc = pat.discipline
        if disc in ("PT", "OT"):
            n, gap = r.randint(6, 16), (2, 5)
        elif disc == "SLP":
            n, gap = r.randint(8, 26), (3, 8)
        elif disc == "ABA":
            n, gap = r.randint(12, 40), (1, 3)
        else:
            n, gap = r.randint(6, 24), (6, 9)
        out, d = [], bday(start)
        for _ in range(n):
            if d > LAST_DOS:
                break
            out.append(d)
            d = bday(add_days(d, r.randint(*gap)))
        return out

    # -- patients -------------------------------------------------------------------
    def new_patient(self, kind: str | None = None, switch: bool | None = None,
                    discipline: str | None = None, primary: str | None = None) -> Patient:
        r, prof = self.rng, self.prof
        kind = kind or _weighted(r, prof.plan_mix)
        plan = prof.make_plan(kind, r)
        if primary:
            plan = replace(plan, primary=primary)
        self.n_patient += r.randint(1, 9)
        pid = prof.ids.patient(self.n_patient)
        if discipline is None:
            discipline = _weighted(r, prof.disciplines)
            if prof.key == "practice_b" and kind.startswith("medicare") and discipline == "ABA":
                discipline = r.choice(("SLP", "BH"))
            if kind in ("wc", "auto"):
                discipline = "PT" if r.random() < 0.8 else "OT"
        loc = r.choice(sorted(prof.locations))
        pat = Patient(pid, _weighted(r, prof.states), plan, discipline=discipline,
                      provider_id=r.choice(prof.locations[loc]), location_id=loc)
        if switch is None:
            switch = kind in ("com_copay", "ma_copay") and r.random() < 0.07
        if switch:
            pat.plan_after = prof.make_plan("com_copay", r, avoid=plan.primary)
        self.patients[pid] = pat
        return pat

    def add_episode(self, pat: Patient, start: date) -> list[Claim]:
        dates = self._episode_dates(pat, start)
        if pat.plan_after is not None and pat.switch_date is None and len(dates) >= 4:
            pat.switch_date = dates[len(dates) // 2]
        elif pat.plan_after is not None and pat.switch_date is None:
            pat.plan_after = None
        poc = self._poc(pat)
        out = []
        for i, d in enumerate(dates):
            out.append(self._claim(pat, d, self._visit_lines(pat, i == 0, poc)))
        return out

    def _claim(self, pat: Patient, dos: date, specs) -> Claim:
        r, prof = self.rng, self.prof
        self.n_claim += r.randint(1, 3)
        plan = pat.plan_on(dos)
        lines = [Line(i + 1, cpt, mod, units, money(prof.cpts[cpt].charge_per_unit * units))
                 for i, (cpt, mod, units) in enumerate(specs)]
        c = Claim(prof.ids.claim(self.n_claim, dos), pat.patient_id, plan.primary, plan.secondary,
                  pat.location_id, pat.provider_id, dos, add_bdays(dos, r.randint(1, 4)), lines, plan=plan)
        if c.claim_id in self.book.claims:
            raise AssertionError("duplicate claim id")
        self.book.claims[c.claim_id] = c
        pat.claims.append(c)
        return c

    def build(self, budget: int) -> None:
        r = self.rng
        span = (LAST_DOS - FIRST_DOS).days
        while len(self.book.claims) < budget:
            pat = self.new_patient()
            for _ in range(1 if r.random() < 0.75 else 2):
                self.add_episode(pat, add_days(FIRST_DOS, r.randrange(span - 10)))
        self.adjudicate_all()

    def tailored(self, kind: str, start: date, switch: bool = False, discipline: str | None = None,
                 primary: str | None = None) -> Patient:
        """A patient created to host a design whose requirements the random mix missed."""
        pat = self.new_patient(kind, switch=switch, discipline=discipline, primary=primary)
        self.add_episode(pat, start)
        self.adjudicate_patient(pat)
        return pat

    def adjudicate_patient(self, pat: Patient) -> None:
        for c in sorted(pat.claims, key=lambda c: (c.service_date, c.claim_id)):
            if c.adj is not None or not c.payer_id:
                continue
            c.adj = adjudicate(self.prof, c.payer_id, c, c.plan, self.ded_left, self.rng)
            if c.secondary_payer_id:
                c.sec = adjudicate_secondary(self.prof, c.secondary_payer_id, c, c.adj)

    def adjudicate_all(self) -> None:
        for pid in sorted(self.patients):
            self.adjudicate_patient(self.patients[pid])


# ---------------------------------------------------------------------------------------
# posting flows
# ---------------------------------------------------------------------------------------
class Flows:
    """Building blocks of a claim's postings.  Every helper returns the rows it wrote."""

    def __init__(self, prof: Profile, book: Book, rng: random.Random):
        self.prof, self.book, self.rng = prof, book, rng

    # -- payer ERA (835) ---------------------------------------------------------------
    def era(self, claim: Claim, adj: ClaimAdj, remit: Remit, *, posted: date | None = None,
            with_adj: bool = True, with_pr: bool = True, as_received: bool = True,
            group: str = "", reason: str = "", in_ledger: bool = True, sign: int = 1,
            tag: str = "") -> list[Txn]:
        b, payer = self.book, adj.payer_id
        when = posted or remit.posted_date
        rows = []
        for la in adj.lines:
            allowed = la.allowed * sign if adj.report_allowed else None
            rows.append(b.post(claim, "payment", "payer", la.paid * sign, when, line_no=la.line_no,
                               payer_id=payer, method="era", allowed=allowed, era=remit, group=group,
                               reason=reason, as_received=as_received, in_ledger=in_ledger, tag=tag))
            if with_adj and la.co45:
                rows.append(b.post(claim, "adjustment", "payer", la.co45 * sign, when, line_no=la.line_no,
                                   payer_id=payer, method="era", era=remit, group="CO", reason="45",
                                   as_received=as_received, in_ledger=in_ledger, tag=tag))
            if with_adj and la.seq:
                rows.append(b.post(claim, "adjustment", "payer", la.seq * sign, when, line_no=la.line_no,
                                   payer_id=payer, method="era", era=remit, group="CO", reason="253",
                                   as_received=as_received, in_ledger=in_ledger, tag=tag))
            if with_pr:
                for code, amt in la.pr:
                    rows.append(b.post(claim, "responsibility", "payer", amt * sign, when, line_no=la.line_no,
                                       payer_id=payer, method="era", era=remit, group="PR", reason=code,
                                       as_received=as_received, in_ledger=in_ledger, tag=tag))
        return rows

    def manual(self, claim: Claim, adj: ClaimAdj, when: date, *, method: str | None = None,
               trace: str | None = None, claim_level: bool | None = None, carc: bool | None = None,
               with_pr: bool | None = None, with_adj: bool = True, tag: str = "") -> list[Txn]:
        """A paper EOB keyed by hand: no era_id, usually no allowed amount."""
        r, b, prof = self.rng, self.book, self.prof
        payer = prof.payers[adj.payer_id]
        if method is None:
            method = "lockbox" if not payer.eft or r.random() < 0.5 else "manual"
        if trace is None:
            trace = b.check_no() if method == "lockbox" else b.eft_trace()
        if claim_level is None:
            claim_level = r.randrange(100) < prof.manual_claim_level_pct
        if carc is None:
            carc = r.randrange(100) < prof.manual_carc_pct
        if with_pr is None:
            with_pr = r.randrange(100) < prof.manual_pr_pct
        grp, rsn = ("CO", "45") if carc else ("", "")
        rows = []
        user = prof.user(r, "manual")
        if claim_level:
            rows.append(b.post(claim, "payment", "payer", adj.paid, when, payer_id=adj.payer_id, method=method,
                               trace=trace, posted_by=user, tag=tag))
            wo = adj.co45 + adj.seq
            if with_adj and wo:
                rows.append(b.post(claim, "adjustment", "payer", wo, when, payer_id=adj.payer_id, method="manual",
                                   group=grp, reason=rsn, trace=trace, posted_by=user, tag=tag))
            if with_pr:
                for code in ("1", "2", "3"):
                    a = adj.pr_by(code)
                    if a:
                        rows.append(b.post(claim, "responsibility", "payer", a, when, payer_id=adj.payer_id,
                                           method="manual", group="PR", reason=code, trace=trace,
                                           posted_by=user, tag=tag))
            return rows
        for la in adj.lines:
            rows.append(b.post(claim, "payment", "payer", la.paid, when, line_no=la.line_no, payer_id=adj.payer_id,
                               method=method, trace=trace, posted_by=user, tag=tag))
            wo = la.co45 + la.seq
            if with_adj and wo:
                rows.append(b.post(claim, "adjustment", "payer", wo, when, line_no=la.line_no,
                                   payer_id=adj.payer_id, method="manual", group=grp, reason=rsn, trace=trace,
                                   posted_by=user, tag=tag))
            if with_pr:
                for code, amt in la.pr:
                    rows.append(b.post(claim, "responsibility", "payer", amt, when, line_no=la.line_no,
                                       payer_id=adj.payer_id, method="manual", group="PR", reason=code,
                                       trace=trace, posted_by=user, tag=tag))
        return rows

    def secondary(self, claim: Claim, sec: SecAdj, remit: Remit | None, when: date | None = None,
                  *, oa23: bool = True, tag: str = "") -> list[Txn]:
        b = self.book
        rows = []
        when = when or remit.posted_date
        method = "era" if remit else "manual"
        for line_no, paid, wo in sec.lines:
            if paid == 0 and wo == 0:
                continue
            rows.append(b.post(claim, "payment", "payer", paid, when, line_no=line_no, payer_id=sec.payer_id,
                               method=method, era=remit, group="OA" if oa23 else "", reason="23" if oa23 else "",
                               trace="" if remit else b.check_no(), tag=tag))
            if wo:
                rows.append(b.post(claim, "adjustment", "payer", wo, when, line_no=line_no, payer_id=sec.payer_id,
                                   method=method, era=remit, group="CO", reason="45", tag=tag))
        return rows

    # -- patient ---------------------------------------------------------------------
    def patient_pay(self, claim: Claim, amount: Decimal, when: date, *, method: str | None = None,
                    receipt: str | None = None, line_no: int | None = None, tag: str = "") -> Txn:
        method = method or self.rng.choice(("card", "card", "card", "check", "cash"))
        return self.book.post(claim, "payment", "patient", amount, when, line_no=line_no, method=method,
                              trace=receipt or self.book.receipt(), tag=tag)

    def refund_patient(self, claim: Claim, amount: Decimal, when: date, via_card: bool = False) -> Txn:
        return self.book.post(claim, "refund", "patient", amount, when, method="card" if via_card else "check",
                              trace=self.book.refund_no(), posted_by=self.prof.user(self.rng, "manual"))

    def refund_payer(self, claim: Claim, payer_id: str, amount: Decimal, when: date) -> Txn:
        return self.book.post(claim, "refund", "payer", amount, when, payer_id=payer_id, method="check",
                              trace=self.book.refund_no())

    def transfer(self, src: Claim, dst: Claim, amount: Decimal, when: date) -> tuple[Txn, Txn]:
        user = self.prof.user(self.rng, "manual")
        a = self.book.post(src, "transfer", "patient", -amount, when, method="manual", posted_by=user)
        b = self.book.post(dst, "transfer", "patient", amount, when, method="manual", posted_by=user)
        return a, b

    # -- dates -----------------------------------------------------------------------
    def primary_remit(self, claim: Claim, payer_id: str | None = None, after: date | None = None,
                      lag: tuple[int, int] | None = None, latest: date = AS_OF) -> Remit | None:
        payer = self.prof.payers[payer_id or claim.payer_id]
        lo, hi = lag or payer.lag
        start = add_days(after or claim.billed_date, self.rng.randint(lo, hi))
        return self.book.remit_after(payer.payer_id, start, latest=latest)

    def later_remit(self, payer_id: str, after: date, lo: int, hi: int, latest: date = AS_OF) -> Remit | None:
        return self.book.remit_after(payer_id, add_days(after, self.rng.randint(lo, hi)), latest=latest)


# ---------------------------------------------------------------------------------------
# ordinary claims
# ---------------------------------------------------------------------------------------
def settle_ordinary(fl: Flows, claim: Claim) -> str:
    """Correct postings for a claim nobody designed.  Returns the outcome label."""
    r, b = fl.rng, fl.book
    if not claim.payer_id:
        return _selfpay(fl, claim)
    adj: ClaimAdj = claim.adj
    payer = fl.prof.payers[claim.payer_id]
    collected = ZERO
    copay = adj.pr_by("3")
    if copay > 0 and r.random() < 0.75 and claim.service_date <= AS_OF:
        fl.patient_pay(claim, copay, claim.service_date)
        collected = copay
    x = r.random()
    if x < 0.03:  # denied: 0.00 payment with the principal CARC on the payment row
        remit = fl.primary_remit(claim)
        if remit is None:
            return "payer_pending"
        code = r.choice(("16", "16", "197", "50", "29"))
        b.post(claim, "payment", "payer", ZERO, remit.posted_date, payer_id=claim.payer_id, method="era",
               era=remit, group="CO", reason=code, allowed=ZERO if adj.report_allowed else None)
        if code == "29" and r.random() < 0.7:
            when = add_bdays(remit.posted_date, r.randint(5, 40))
            if when <= AS_OF:
                b.post(claim, "adjustment", "payer", claim.charge - collected, when, payer_id=claim.payer_id,
                       method="manual", group="CO", reason="29")
                return "denied_written_off"
        return "denied_pending"
    manual = r.randrange(100) < payer.manual_pct
    if manual:
        paid_on = add_days(claim.billed_date, r.randint(*payer.lag) + r.randint(3, 8))
        when = bday(paid_on)
        if when > AS_OF:
            return "payer_pending"
        fl.manual(claim, adj, when)
        last = when
    else:
        remit = fl.primary_remit(claim)
        if remit is None:
            return "payer_pending"
        fl.era(claim, adj, remit)
        last = remit.posted_date
    owed = adj.pr - collected
    if claim.sec is not None and adj.pr > 0:
        if collected:
            # the copay collected at the visit reduces what the secondary is asked for
            return _patient_rest(fl, claim, owed, last)
        sec_payer = fl.prof.payers[claim.sec.payer_id]
        if r.randrange(100) < sec_payer.manual_pct:
            when = bday(add_days(last, r.randint(12, 35)))
            if when > AS_OF:
                return "secondary_pending"
            fl.secondary(claim, claim.sec, None, when)
        else:
            remit2 = fl.later_remit(claim.sec.payer_id, last, 7, 25)
            if remit2 is None:
                return "secondary_pending"
            fl.secondary(claim, claim.sec, remit2)
        return "settled"
    return _patient_rest(fl, claim, owed, last)


def _patient_rest(fl: Flows, claim: Claim, owed: Decimal, last: date) -> str:
    r = fl.rng
    if owed <= 0:
        return "settled"
    x = r.random()
    when = bday(add_days(last, r.randint(10, 60)))
    if when > AS_OF:
        return "patient_owes"
    if x < 0.07:
        return "patient_owes"  # sent to collections / still billing
    if x < 0.11 and owed < D("15.00"):
        fl.book.post(claim, "adjustment", "patient", owed, when, method="manual")
        return "small_balance_writeoff"
    if x < 0.17 and owed >= D("60.00"):
        parts = r.choice((2, 3))
        each = money(owed / parts)
        amounts = [each] * (parts - 1) + [owed - each * (parts - 1)]
        d = when
        for a in amounts:
            if d > AS_OF:
                return "patient_owes"
            fl.patient_pay(claim, a, d)
            d = bday(add_days(d, r.randint(25, 35)))
        return "settled"
    fl.patient_pay(claim, owed, when)
    return "settled"


def _selfpay(fl: Flows, claim: Claim) -> str:
    r = fl.rng
    charge = claim.charge
    x = r.random()
    if x < 0.45:
        fl.patient_pay(claim, charge, claim.service_date)
        return "settled"
    if x < 0.8:
        disc = money(charge * D(r.choice(("0.20", "0.25", "0.30", "0.40"))))
        fl.book.post(claim, "adjustment", "patient", disc, claim.service_date, method="manual")
        fl.patient_pay(claim, charge - disc, claim.service_date)
        return "settled"
    when = bday(add_days(claim.service_date, r.randint(15, 50)))
    if when > AS_OF:
        return "patient_owes"
    fl.patient_pay(claim, charge, when)
    return "settled"


# ---------------------------------------------------------------------------------------
# remittances and writing
# ---------------------------------------------------------------------------------------
def finalize_remits(book: Book) -> list[dict]:
    """BPR totals as the payer sent them; carry negative totals forward with PLB FB."""
    pay: dict[str, Decimal] = {}
    used: dict[str, bool] = {}
    for t in book.txns:
        if t.era_id:
            used[t.era_id] = True
            if t.kind == "payment" and t.as_received:
                pay[t.era_id] = pay.get(t.era_id, ZERO) + t.amount
    for e, r in book.remits.items():
        if r.plbs:
            used[e] = True
    remits = sorted((r for e, r in book.remits.items() if used.get(e)),
                    key=lambda r: (r.payer_id, r.payment_date, r.era_id))
    carry: dict[str, Decimal] = {}
    out = []
    for r in remits:
        total = pay.get(r.era_id, ZERO) - sum((a for _, _, a in r.plbs), ZERO)
        owed = carry.get(r.payer_id, ZERO)
        if owed > 0 and total > 0:
            take = min(owed, total)
            r.plbs.append(("FB", "", take))
            total -= take
            carry[r.payer_id] = owed - take
        if total < 0:
            r.plbs.append(("FB", "", total))
            carry[r.payer_id] = carry.get(r.payer_id, ZERO) - total
            total = ZERO
        method = r.method if total > 0 else "NON"
        out.append({"era_id": r.era_id, "payer_id": r.payer_id, "trace_number": r.trace_number,
                    "payment_date": r.payment_date.isoformat(), "total_paid": fmt_money(money(total)),
                    "method": method, "balanced": "true"})
    return out


def _w(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for row in rows:
            for v in row:
                if not isinstance(v, str):
                    raise TypeError(f"{path.name}: non-string cell {v!r}")
            w.writerow(row)


def _b(v: bool | None) -> str:
    return "" if v is None else ("true" if v else "false")


def write_ledger(book: Book, patients: dict[str, Patient], out: Path) -> None:
    prof = book.prof
    out.mkdir(parents=True, exist_ok=True)
    _w(out / "payers.csv", ["payer_id", "payer_name", "payer_type", "refund_deadline_days", "allows_offset"],
       [[p.payer_id, p.name, p.payer_type, "" if p.refund_deadline_days is None else str(p.refund_deadline_days),
         _b(p.allows_offset)] for p in prof.payers.values()])
    _w(out / "fee_schedule.csv", ["payer_id", "cpt", "modifier", "allowed_per_unit", "effective_from", "effective_to"],
       [[f.payer_id, f.cpt, f.modifier, fmt_money(f.allowed_per_unit), f.effective_from.isoformat(),
         f.effective_to.isoformat() if f.effective_to else ""] for f in prof.fee_rows])
    used = sorted({c.patient_id for c in book.claims.values()})
    _w(out / "patients.csv", ["patient_id", "state"], [[p, patients[p].state] for p in used])
    rows = []
    for c in sorted(book.claims.values(), key=lambda c: (c.service_date, c.claim_id)):
        for ln in c.lines:
            rows.append([c.claim_id, str(ln.line_no), c.patient_id, c.payer_id, c.secondary_payer_id, c.location_id,
                         c.provider_id, c.service_date.isoformat(), ln.cpt, ln.modifier, str(ln.units),
                         fmt_money(ln.charge), c.billed_date.isoformat()])
    _w(out / "claim_lines.csv", ["claim_id", "line_no", "patient_id", "payer_id", "secondary_payer_id", "location_id",
                                 "provider_id", "service_date", "cpt", "modifier", "units", "charge_amount",
                                 "billed_date"], rows)
    txns = sorted((t for t in book.txns if t.in_ledger), key=lambda t: (t.posted_date, t.txn_id))
    _w(out / "transactions.csv",
       ["txn_id", "claim_id", "line_no", "kind", "source", "payer_id", "amount", "group_code", "reason_code",
        "allowed_amount", "trace_number", "era_id", "method", "posted_date", "posted_by"],
       [[t.txn_id, t.claim_id, "" if t.line_no is None else str(t.line_no), t.kind, t.source, t.payer_id,
         fmt_money(t.amount), t.group_code, t.reason_code, fmt_money(t.allowed_amount), t.trace_number, t.era_id,
         t.method, t.posted_date.isoformat(), t.posted_by] for t in txns])
    remits = finalize_remits(book)
    keys = ["era_id", "payer_id", "trace_number", "payment_date", "total_paid", "method", "balanced"]
    _w(out / "remittances.csv", keys, [[r[k] for k in keys] for r in remits])
    listed = {r["era_id"] for r in remits}
    plb = []
    for r in sorted(book.remits.values(), key=lambda r: r.era_id):
        if r.era_id not in listed:
            continue
        for reason, ref, amt in r.plbs:
            plb.append([r.era_id, reason, ref, fmt_money(money(amt))])
    _w(out / "provider_adjustments.csv", ["era_id", "reason_code", "reference", "amount"], plb)
    res = sorted(book.resolutions, key=lambda x: (x["resolved_date"], x["claim_id"]))
    _w(out / "resolutions.csv", ["claim_id", "source", "action", "amount", "resolved_date", "resolved_by",
                                 "identified_date"],
       [[x["claim_id"], x["source"], x["action"], fmt_money(x["amount"]), x["resolved_date"].isoformat(),
         x["resolved_by"], x["identified_date"].isoformat()] for x in res])
