"""Orchestration: skeleton -> ordinary postings -> designs -> 2025 resolutions -> truth.

Windows:
* resolved (2025) designs: date of service 2025-01-06..2025-08-20, the credit complete by
  2025-11-28, identified by 2025-12-31, resolved by 2026-02-27;
* open (2026) designs and look-alikes: date of service 2026-01-05..2026-09-10, every
  posting in 2026 and on or before the as-of date 2026-11-30.
"""
from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from .ledger import Skeleton, settle_ordinary, write_ledger
from .lookalikes import LOOKALIKES
from .patterns import PATTERNS, Ctx, Design
from .postings import AS_OF, ZERO, Book, Claim, add_days, bday
from .profiles import Profile
from .truth import (Record, build_truth, check_resolutions, fix_action, positive_siblings, remittance_exceptions,
                    write_exceptions, write_truth)

RESOLVED_WINDOW = (date(2025, 1, 6), date(2025, 8, 20))
OPEN_WINDOW = (date(2026, 1, 5), date(2026, 9, 10))
RESOLVED_LIMIT = date(2025, 11, 28)
OPEN_LIMIT = AS_OF - timedelta(days=3)
IDENTIFIED_BY = date(2025, 12, 31)
RESOLVED_BY = date(2026, 2, 27)
EPS = Decimal("0.005")


def n_instances(weight: int, scale: float) -> int:
    return max(2, int(round(weight * scale)))


@dataclass
class PracticeResult:
    key: str
    claims: int
    records: list
    truth: list
    exceptions: list
    seconds: float
    shortages: list = field(default_factory=list)


class Builder:
    def __init__(self, prof: Profile, seed: int, scale: float):
        self.prof = prof
        self.rng = random.Random(f"redteam:{seed}:{prof.key}")
        self.book = Book(prof, self.rng)
        self.skel = Skeleton(prof, self.book, self.rng)
        self.ctx = Ctx(prof, self.book, self.rng, self.skel)
        self.scale = scale
        self.records: list[Record] = []
        self.deferred: list[Record] = []
        self.shortages: list[str] = []
        self.kinds = {k for _, k in prof.plan_mix}
        self.pools: dict = {}
        self.replacing = False
        self.designed_set: set = set()  # patients that ever hosted a design

    # ---- hosts --------------------------------------------------------------------
    def _eligible(self, d: Design, c: Claim, window, mode: str) -> bool:
        if c.design or c.touched or not (window[0] <= c.service_date <= window[1]):
            return False
        if c.plan.kind not in d.kinds or (c.payer_id and c.adj is None):
            return False
        if self.replacing and c.patient_id in self.designed_set:
            return False
        return bool(d.ok(self.ctx, c))

    def place(self, d: Design, mode: str) -> Record | None:
        ctx = self.ctx
        ctx.mode = mode
        limit = RESOLVED_LIMIT if mode == "resolved" else OPEN_LIMIT
        window = RESOLVED_WINDOW if mode == "resolved" else OPEN_WINDOW
        key = (d.name, mode)
        if key not in self.pools:
            pool = [c for c in self.book.claims.values() if self._eligible(d, c, window, mode)]
            self.rng.shuffle(pool)
            self.pools[key] = pool
        pool = self.pools[key]
        tries = 0
        while pool and tries < 40:
            c = pool.pop()
            if not self._eligible(d, c, window, mode):
                continue
            tries += 1
            ctx.limit = limit
            rec = self.attempt(d, c, mode)
            if rec:
                return rec
        kinds = sorted(k for k in d.kinds if k in self.kinds)
        for _ in range(15):
            if not kinds:
                break
            if d.tailor is not None:
                pat = d.tailor(self, window)
            else:
                span = (window[1] - window[0]).days - 40
                start = add_days(window[0], self.rng.randrange(max(1, span)))
                pat = self.skel.tailored(self.rng.choice(kinds), start, switch=d.switch)
            if pat is None:
                break
            for c in pat.claims:
                c.outcome = settle_ordinary(ctx, c)
            for c in [c for c in pat.claims if self._eligible(d, c, window, mode)]:
                ctx.limit = limit
                rec = self.attempt(d, c, mode)
                if rec:
                    return rec
        self.shortages.append(f"{d.name}/{mode}")
        return None

    def restore(self, c: Claim) -> None:
        self.book.clear_claim(c)
        c.design = ""
        c.outcome = settle_ordinary(self.ctx, c)

    def attempt(self, d: Design, c: Claim, mode: str) -> Record | None:
        self.book.clear_claim(c)
        c.design = d.name
        out = d.build(self.ctx, c)
        if out is None:
            self.restore(c)
            return None
        out.created = max(out.created, self.book.last_posting(c.claim_id) or out.created)
        bal = self.book.balance(c.claim_id)
        if out.credit > 0 and -bal != out.credit:
            raise AssertionError(f"{d.name} on {c.claim_id}: credit {out.credit} but balance {bal}")
        if out.credit <= 0 and bal < -EPS:
            raise AssertionError(f"{d.name} on {c.claim_id}: unexpected credit {bal}")
        rec = Record(c, d, mode, out)
        if mode == "resolved":
            if any(comp.fix == "patient" for comp in out.components):
                self.deferred.append(rec)
            elif not self.resolve_now(rec):
                self.restore(c)
                return None
        self.records.append(rec)
        self.designed_set.add(c.patient_id)
        for o in out.others:
            self.designed_set.add(o.patient_id)
        return rec

    # ---- 2025 resolutions ---------------------------------------------------------
    def _post_fix(self, c: Claim, comp, when: date, target: Claim | None = None):
        """Post the postings that resolve one component.  Returns (date, rows, cuts) or None."""
        ctx, book = self.ctx, self.book
        if comp.fix == "payer":
            payer = self.prof.payers[comp.payer_id]
            if payer.offset:
                r = book.remit_after(comp.payer_id, when, latest=RESOLVED_BY)
                if r is None:
                    return None
                t = book.post(c, "payment", "payer", -comp.amount, r.posted_date, payer_id=comp.payer_id,
                              method="era", era=r, tag="offset")
                return r.posted_date, [t], []
            return when, [ctx.refund_payer(c, comp.payer_id, comp.amount, when)], []
        if comp.fix in ("reverse", "correct"):
            rows = []
            for t, amt in comp.rows:
                rows.append(book.post(c, t.kind, t.source, -amt, when, line_no=t.line_no, payer_id=t.payer_id,
                                      method="era" if comp.fix_era else "manual", era=comp.fix_era,
                                      trace=t.trace_number, group=t.group_code if comp.fix == "correct" else "",
                                      reason=t.reason_code if comp.fix == "correct" else "",
                                      as_received=False if comp.fix_era else True, tag=f"fix_{comp.fix}"))
            return when, rows, []
        if comp.fix == "patient":
            if target is not None:
                rows, cuts = [], []
                for t, portion in target:
                    got_rows, got_cuts = ctx.move_to(c, t, portion, when)
                    rows += got_rows
                    cuts += got_cuts
                return when, rows, cuts
            return when, [ctx.refund_patient(c, comp.amount, when, via_card=comp.via_card)], []
        raise ValueError(comp.fix)

    def _label(self, rec: Record, D: date, R: date, apply: bool | None) -> None:
        p = rec.out.principal()
        rec.identified, rec.resolved_on = D, R
        rec.label_source = p.source
        rec.label_action = fix_action(self.prof, p, apply)
        rec.label_payer = p.payer_id if p.fix == "payer" else ""
        self.book.resolutions.append({
            "claim_id": rec.claim.claim_id, "source": rec.label_source, "action": rec.label_action,
            "amount": rec.out.credit, "resolved_date": R, "identified_date": D,
            "resolved_by": self.prof.user(self.rng, "manual")})
        rec.extra["resolution"] = self.book.resolutions[-1]

    def resolve_now(self, rec: Record) -> bool:
        r = self.rng
        created = rec.out.created
        D = min(bday(add_days(created, r.randint(3, 40))), IDENTIFIED_BY)
        if D <= created:
            return False
        when = bday(add_days(D, r.randint(5, 35)))
        dates = []
        for comp in rec.out.components:
            got = self._post_fix(rec.claim, comp, when)
            if got is None:
                return False
            dates.append(got[0])
        R = max(dates)
        if R > RESOLVED_BY:
            return False
        self._label(rec, D, R, None)
        return True

    def decide_patient(self, rec: Record, refund_only: bool = False) -> bool:
        """Pick the identified date and the patient action by the contract's rule as of
        that date (another claim with a positive balance -> apply_to_balance)."""
        r, book, c = self.rng, self.book, rec.claim
        pat = self.skel.patients[c.patient_id]
        x = sum((comp.amount for comp in rec.out.components if comp.fix == "patient"), ZERO)
        prefer = "apply" if (r.random() < 0.5 and not refund_only) else "refund"
        options: dict[str, tuple] = {}
        D = bday(add_days(rec.out.created, r.randint(2, 12)))
        while D <= IDENTIFIED_BY and len(options) < 2:
            if any(s is not c and s.service_date <= D < s.billed_date for s in pat.claims):
                D = add_days(D, 1)
                continue
            R = bday(add_days(D, r.randint(3, 20)))
            if book.balance(c.claim_id, D) == -rec.out.credit and R <= RESOLVED_BY:
                sibs = positive_siblings(book, self.skel.patients, c, D)
                if not sibs:
                    options.setdefault("refund", (D, R, None))
                elif not refund_only:
                    ts = self.ctx.targets_for(c, x, R)
                    if ts is not None and all(t in sibs for t, _ in ts):
                        options.setdefault("apply", (D, R, ts))
            D = add_days(D, r.randint(1, 4))
        choice = options.get(prefer) or options.get("refund") or options.get("apply")
        if choice is None:
            return False
        D, R, target = choice
        dates, created, cuts = [], [], []
        for comp in sorted(rec.out.components, key=lambda k: k.fix == "patient"):
            got = self._post_fix(c, comp, R, target if comp.fix == "patient" else None)
            if got is None:
                rec.extra["undo"] = (created, cuts)
                self.undo(rec, labelled=False)
                return False
            dates.append(got[0])
            created += got[1]
            cuts += got[2]
        rec.extra["undo"] = (created, cuts)
        self._label(rec, D, max(dates), target is not None)
        return True

    def undo(self, rec: Record, labelled: bool = True) -> None:
        created, cuts = rec.extra.pop("undo", ([], []))
        for t in created:
            self.book.remove_txn(t)
        for t, cut, removed in cuts:
            if removed:
                t.amount = cut
                self.book.by_claim[t.claim_id].append(t)
            else:
                t.amount += cut
        if labelled:
            res = rec.extra.pop("resolution")
            self.book.resolutions = [x for x in self.book.resolutions if x is not res]
            rec.identified = rec.resolved_on = None
            rec.label_source = rec.label_action = rec.label_payer = ""

    def settle_deferred(self, rec: Record, refund_only: bool = False) -> None:
        if self.decide_patient(rec, refund_only):
            return
        self.records.remove(rec)
        self.restore(rec.claim)
        for _ in range(4):
            new = self.place(rec.design, "resolved")
            if new is None:
                return
            if new in self.deferred:
                self.deferred.remove(new)
                if self.decide_patient(new):
                    return
                self.records.remove(new)
                self.restore(new.claim)
            else:
                return

    def run_deferred(self) -> None:
        queue = sorted(self.deferred, key=lambda rec: (rec.out.created, rec.claim.claim_id))
        self.deferred = []
        self.replacing = True
        for rec in queue:
            self.settle_deferred(rec)
        for _ in range(6):
            broken = self.broken_patient_labels()
            if not broken:
                break
            for rec in broken:
                self.undo(rec)
                self.settle_deferred(rec, refund_only=True)
        self.replacing = False
        broken = self.broken_patient_labels()
        if broken:
            raise AssertionError(f"patient labels no longer match the rule: {[r.claim.claim_id for r in broken]}")

    def broken_patient_labels(self) -> list:
        out = []
        for rec in self.records:
            if rec.mode != "resolved" or rec.label_action not in ("apply_to_balance", "refund_patient"):
                continue
            # the rule is read on the identified date, before the resolving transfer
            sibs = positive_siblings(self.book, self.skel.patients, rec.claim, rec.identified)
            if (rec.label_action == "apply_to_balance") != bool(sibs) or \
                    self.book.balance(rec.claim.claim_id, rec.identified) != -rec.out.credit:
                out.append(rec)
        return out

    # ---- as-of ---------------------------------------------------------------------
    def ensure_asof_posting(self) -> None:
        """The as-of date is the last posted date: make sure something posts on it."""
        if any(t.posted_date == AS_OF and t.in_ledger for rows in self.book.by_claim.values() for t in rows):
            return
        ordinary = [c for c in sorted(self.book.claims.values(), key=lambda c: c.claim_id)
                    if not c.design and not c.touched]
        designed = {c.patient_id for c in self.book.claims.values() if c.design or c.touched}
        owing = [c for c in ordinary if c.outcome == "patient_owes" and self.book.balance(c.claim_id) > 0]
        for c in [c for c in owing if c.patient_id not in designed] + owing:
            self.ctx.patient_pay(c, self.book.balance(c.claim_id), AS_OF)
            c.outcome = "settled_on_asof"
            return
        for c in ordinary:
            if c.outcome == "payer_pending" and c.payer_id and not self.book.by_claim[c.claim_id]:
                r = self.book.remit(c.payer_id, self.prof.payers[c.payer_id].next_pay_day(add_days(AS_OF, -6)))
                if r is not None and r.posted_date <= AS_OF:
                    self.ctx.era(c, c.adj, r, posted=AS_OF)
                    c.outcome = "paid_on_asof"
                    return
        raise AssertionError("no claim could take a posting on the as-of date")

    # ---- run ------------------------------------------------------------------------
    def run(self) -> None:
        budget = max(60, int(round(self.prof.claim_budget * self.scale)))
        self.skel.build(budget)
        for c in sorted(self.book.claims.values(), key=lambda c: (c.service_date, c.claim_id)):
            c.outcome = settle_ordinary(self.ctx, c)
        jobs = []
        for d in PATTERNS:
            jobs += [(d, "resolved")] * n_instances(self.prof.resolved_weights[d.name], self.scale)
            jobs += [(d, "open")] * n_instances(self.prof.weights[d.name], self.scale)
        for d in LOOKALIKES:
            jobs += [(d, "open")] * n_instances(self.prof.weights[d.name], self.scale)
        for d, mode in jobs:
            self.place(d, mode)
        self.run_deferred()
        self.ensure_asof_posting()
        check_resolutions(self.book)


def run_practice(prof: Profile, seed: int, scale: float, out: Path) -> PracticeResult:
    t0 = time.perf_counter()
    b = Builder(prof, seed, scale)
    b.run()
    write_ledger(b.book, b.skel.patients, out / prof.key)
    truth = build_truth(b.book, b.skel.patients, b.records)
    write_truth(truth, out / "truth" / f"{prof.key}.csv")
    exc = remittance_exceptions(b.book)
    write_exceptions(exc, out / "truth" / f"{prof.key}_remittance_exceptions.csv")
    return PracticeResult(prof.key, len(b.book.claims), b.records, truth, exc, time.perf_counter() - t0, b.shortages)


def summarize(results: list[PracticeResult]) -> dict:
    out = {}
    for res in results:
        cnt = Counter()
        for row in res.truth:
            if row["claim_id"] and "companion claim" not in row["note"]:
                cnt[(row["pattern"], row["mode"])] += 1
        out[res.key] = cnt
    return out
