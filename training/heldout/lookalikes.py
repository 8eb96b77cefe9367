"""Look-alikes: claims that resemble a credit pattern but carry no credit on the as-of date."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from training.heldout.book import ZERO, Claim, LineAdj, money
from training.heldout.flows import days, pay_primary, pay_secondary, pr_of, total
from training.heldout.scenarios import LookAlike, Scenarios, Skip

D = Decimal


class LookAlikes(Scenarios):
    def _reverse_era(self, claim: Claim, rows: list[dict], r) -> None:
        """CLP02=22: every payment and adjustment of an earlier posting, negated."""
        for x in rows:
            if x["kind"] in ("payment", "adjustment", "responsibility"):
                self.b.post(
                    claim,
                    x["kind"],
                    "payer",
                    -x["amount"],
                    r.payment_date,
                    line_no=x["line_no"],
                    payer_id=x["payer_id"],
                    group=x["group_code"],
                    reason=x["reason_code"],
                    allowed=-x["allowed_amount"] if x["allowed_amount"] else None,
                    trace=r.trace,
                    era_id=r.era_id,
                    method="era",
                )

    def _takeback(self, sd: date, same_remit: bool) -> LookAlike:
        payer = self.payer(lambda p: p.fee_mult is not None and p.era_prob >= 0.5)
        claim, adj = self.era_adj_claim(payer, sd, need_fee_row=True, copay=ZERO, coins=ZERO)
        wrong = [
            LineAdj(
                a.line_no,
                a.charge,
                min(money(a.allowed * D("1.2")), a.charge),
                ZERO,
                [],
                ZERO,
                ZERO,
            )
            for a in adj
        ]
        for w in wrong:
            w.co45 = w.charge - w.allowed
            w.paid = w.allowed
        rows = self.b.post_era(
            claim, payer.payer_id, wrong, days(self.b, claim.billed_date, 12, 25)
        )
        if same_remit:
            r = self.b.remit(
                payer.payer_id, days(self.b, rows[0]["posted_date"], 20, 60), fresh=True
            )
        else:
            r = self.b.remit(payer.payer_id, days(self.b, rows[0]["posted_date"], 20, 60))
        self._reverse_era(claim, rows, r)
        if same_remit:
            self.b.post_era(claim, payer.payer_id, adj, r.payment_date, remit=r)
        else:
            self.b.post_era(claim, payer.payer_id, adj, days(self.b, r.payment_date, 7, 30))
        return LookAlike(
            [claim],
            "Payer paid at the wrong rate, took the payment back (CLP02=22) "
            "and re-paid the contracted amount.",
        )

    def la_takeback_repay_later_remit(self, sd: date) -> LookAlike:
        return self._takeback(sd, False)

    def la_takeback_repay_same_remit(self, sd: date) -> LookAlike:
        return self._takeback(sd, True)

    def _recouped_duplicate(self, sd: date, plb: bool) -> LookAlike:
        credit = self.dup_two_835_different_traces(sd, "open")
        claim = credit.claim
        last = max(t["posted_date"] for t in self.b.txns if t["claim_id"] == claim.claim_id)
        r = self.b.remit(claim.payer_id, days(self.b, last, 20, 50))
        if plb:
            self.b.plb.append(
                {
                    "era_id": r.era_id,
                    "reason_code": "WO",
                    "reference": claim.claim_id,
                    "amount": credit.amount,
                }
            )
            self.b.post(
                claim,
                "payment",
                "payer",
                -credit.amount,
                r.payment_date,
                payer_id=claim.payer_id,
                trace=r.trace,
                method="manual",
            )
        else:
            self.b.post(
                claim,
                "payment",
                "payer",
                -credit.amount,
                r.payment_date,
                payer_id=claim.payer_id,
                trace=r.trace,
                era_id=r.era_id,
                method="era",
            )
        how = (
            "a PLB WO on a later 835, posted to the claim by hand"
            if plb
            else "a CLP02=22 reversal on a later 835"
        )
        return LookAlike([claim], f"Paid twice on two 835s; the payer recouped it by {how}.")

    def la_dup_recouped_plb(self, sd: date) -> LookAlike:
        return self._recouped_duplicate(sd, True)

    def la_dup_recouped_reversal(self, sd: date) -> LookAlike:
        return self._recouped_duplicate(sd, False)

    def la_installments_sum_to_balance(self, sd: date) -> LookAlike:
        payer = self.payer(lambda p: p.pr_model in ("coins", "medicare"))
        claim, adj = self.era_adj_claim(
            payer, sd, deductible=D(str(self.rng.choice([150, 200, 240, 257, 283])))
        )
        owed = pr_of(adj)
        paid_on = pay_primary(self.b, claim, adj, days(self.b, claim.billed_date, 12, 25))
        n = self.rng.choice([3, 4, 5])
        part = money(owed / n)
        when = days(self.b, paid_on, 10, 20)
        for p in [part] * (n - 1) + [owed - part * (n - 1)]:
            self.b.pay_patient(claim, p, self.b.clamp(when))
            when = days(self.b, when, 26, 33)
        return LookAlike(
            [claim],
            f"Patient paid the balance in {n} installments of about "
            "equal amounts that sum to it exactly.",
        )

    def la_oa23_secondary_legit(self, sd: date) -> LookAlike:
        payer = self.payer(lambda p: bool(p.secondaries))
        sec = self.rng.choice([s for s, _ in payer.secondaries])
        claim, adj = self.era_adj_claim(payer, sd, secondary=sec)
        paid_on = pay_primary(
            self.b, claim, adj, days(self.b, claim.billed_date, 12, 25), manual=False
        )
        pay_secondary(self.b, claim, adj, days(self.b, paid_on, 7, 25))
        return LookAlike([claim], "Secondary paid exactly the primary's patient share with OA-23.")

    def la_two_lines_same_amount(self, sd: date) -> LookAlike:
        payer = self.payer(
            lambda p: p.era_prob >= 0.5 and p.pr_model in ("none", "coins", "medicare")
        )
        svcs = [s for s in self.b.services_for(payer) if s.units[1] > 1]
        if not svcs:
            raise Skip()
        svc = self.rng.choice(svcs)
        pid = self.patient(payer.payer_id, sd)
        claim = self.b.new_claim(pid, payer.payer_id, sd, services=[svc, svc])
        claim.lines[1].units = claim.lines[0].units
        claim.lines[1].charge = claim.lines[0].charge
        claim.lines[1].modifier = claim.lines[0].modifier
        if self.b.profile.key == "practice_b":
            claim.lines[1].modifier = "59"
        adj = self.b.adjudicate(claim, payer.payer_id)
        adj[1].allowed, adj[1].co45, adj[1].pr, adj[1].seq, adj[1].paid = (
            adj[0].allowed,
            adj[0].co45,
            list(adj[0].pr),
            adj[0].seq,
            adj[0].paid,
        )
        rows = self.b.post_era(claim, payer.payer_id, adj, days(self.b, claim.billed_date, 12, 25))
        self.settle_patient(claim, pr_of(adj), rows[0]["posted_date"])
        return LookAlike(
            [claim],
            "Two lines of the same code and units paid the same amount on "
            "one 835 (not a duplicate).",
        )

    def la_interest_plb_l6(self, sd: date) -> LookAlike:
        payer = self.payer(lambda p: p.era_prob >= 0.5)
        claim, adj = self.era_adj_claim(payer, sd)
        self.copay_at_visit(claim, pr_of(adj, "3"))
        rows = self.b.post_era(claim, payer.payer_id, adj, days(self.b, claim.billed_date, 45, 70))
        interest = money(total(adj, "paid") * D(str(self.rng.choice([0.006, 0.011, 0.018]))) + 1)
        self.b.plb.append(
            {
                "era_id": rows[0]["era_id"],
                "reason_code": "L6",
                "reference": claim.claim_id,
                "amount": -interest,
            }
        )
        self.settle_patient(claim, pr_of(adj) - pr_of(adj, "3"), rows[0]["posted_date"])
        return LookAlike(
            [claim],
            "Late payment with prompt-pay interest sent as PLB L6 on the "
            "remittance, not on the claim.",
        )

    def la_zero_balance_many_postings(self, sd: date) -> LookAlike:
        payer = self.payer(
            lambda p: p.era_prob >= 0.5 and p.pr_model in ("coins", "copay", "medicare")
        )
        claim, adj = self.era_adj_claim(payer, sd)
        b = self.b
        self.copay_at_visit(claim, pr_of(adj, "3"))
        r0 = b.remit(payer.payer_id, days(b, claim.billed_date, 10, 20))
        b.post(
            claim,
            "payment",
            "payer",
            ZERO,
            r0.payment_date,
            line_no=1,
            payer_id=payer.payer_id,
            group="CO",
            reason="16",
            trace=r0.trace,
            era_id=r0.era_id,
            method="era",
        )
        rows = b.post_era(claim, payer.payer_id, adj, days(b, r0.payment_date, 20, 35))
        r2 = b.remit(payer.payer_id, days(b, rows[0]["posted_date"], 14, 30))
        self._reverse_era(claim, rows, r2)
        b.post_era(claim, payer.payer_id, adj, r2.payment_date, remit=r2)
        owed = pr_of(adj) - pr_of(adj, "3")
        when = days(b, r2.payment_date, 10, 20)
        if owed > 0:
            half = money(owed / 2)
            b.pay_patient(claim, half, b.clamp(when))
            b.pay_patient(claim, owed - half, b.clamp(days(b, when, 20, 30)))
        return LookAlike(
            [claim],
            "Denial, payment, takeback and re-payment in one remittance, "
            "copay and two patient payments: many postings, zero balance.",
        )

    def la_era_line_unmatched_keyed(self, sd: date) -> LookAlike:
        payer = self.payer(lambda p: p.era_prob >= 0.5 and p.pr_model == "none")
        claim, adj = self.era_adj_claim(payer, sd, n_lines=2)
        if len(adj) < 2:
            raise Skip()
        rows = self.b.post_era(
            claim, payer.payer_id, adj[:1], days(self.b, claim.billed_date, 12, 25)
        )
        la = adj[1]
        r = self.b.remits[rows[0]["era_id"]]
        self.b.extra_remit[r.era_id] = self.b.extra_remit.get(r.era_id, ZERO) + la.paid
        when = self.b.clamp(days(self.b, r.payment_date, 1, 10))
        self.b.post(
            claim,
            "payment",
            "payer",
            la.paid,
            when,
            payer_id=payer.payer_id,
            trace=r.trace,
            method="manual",
        )
        self.b.post(
            claim,
            "adjustment",
            "payer",
            la.co45 + la.seq,
            when,
            payer_id=payer.payer_id,
            group="CO",
            trace=r.trace,
            method="manual",
        )
        return LookAlike(
            [claim],
            "The 835 matched only line 1 (modifier missing on line 2); the "
            "biller keyed line 2 by hand from the same trace.",
        )

    def la_denial_then_paper_check(self, sd: date) -> LookAlike:
        payer = self.payer(lambda p: p.era_prob >= 0.5 and p.pr_model == "none")
        claim, adj = self.era_adj_claim(payer, sd)
        r0 = self.b.remit(payer.payer_id, days(self.b, claim.billed_date, 10, 20))
        self.b.post(
            claim,
            "payment",
            "payer",
            ZERO,
            r0.payment_date,
            line_no=1,
            payer_id=payer.payer_id,
            group="CO",
            reason="16",
            trace=r0.trace,
            era_id=r0.era_id,
            method="era",
        )
        when = days(self.b, r0.payment_date, 25, 50)
        self.b.post_manual_payer(
            claim,
            payer.payer_id,
            total(adj, "paid"),
            total(adj, "co45") + total(adj, "seq"),
            when,
            method="lockbox" if self.b.profile.key == "practice_b" else "check",
        )
        return LookAlike(
            [claim], "835 denial at 0.00 (CO-16), then the corrected claim was paid by paper check."
        )

    def la_primary_secondary_equal(self, sd: date) -> LookAlike:
        payer = self.payer(lambda p: bool(p.secondaries) and p.type != "medicare")
        sec = self.rng.choice([s for s, _ in payer.secondaries])
        claim, adj = self.era_adj_claim(payer, sd, secondary=sec, copay=ZERO, coins=D("0.5"))
        paid_on = pay_primary(
            self.b, claim, adj, days(self.b, claim.billed_date, 12, 25), manual=False
        )
        pay_secondary(self.b, claim, adj, days(self.b, paid_on, 7, 25))
        return LookAlike(
            [claim],
            "50% coinsurance plan: the secondary's OA-23 payment equals the primary's payment.",
        )

    def la_sequestration_applied(self, sd: date) -> LookAlike:
        payer = self.payer(lambda p: p.type == "medicare")
        sec = self.rng.choice([s for s, _ in payer.secondaries] + [""])
        claim, adj = self.era_adj_claim(payer, sd, secondary=sec)
        paid_on = pay_primary(
            self.b, claim, adj, days(self.b, claim.billed_date, 12, 25), manual=False
        )
        if sec:
            pay_secondary(self.b, claim, adj, days(self.b, paid_on, 7, 25))
        else:
            self.settle_patient(claim, pr_of(adj), paid_on)
        return LookAlike([claim], "Medicare applied sequestration (CO-253) correctly.")

    def la_small_balance_writeoff_no_payment(self, sd: date) -> LookAlike:
        _payer, claim, _adj, owed, paid_on = self._patient_owing_claim(sd, lo=D("20"))
        rest = money(self.rng.choice([D("2.4"), D("4.1"), D("7.75"), D("9.2")]))
        when = self.b.clamp(days(self.b, paid_on, 14, 30))
        self.b.pay_patient(claim, owed - rest, when)
        self.b.post(
            claim,
            "adjustment",
            "patient",
            rest,
            self.b.clamp(days(self.b, when, 30, 60)),
            method="manual",
        )
        return LookAlike(
            [claim], "Small remaining patient balance written off; the patient never paid it."
        )

    def la_adjustment_reversed_and_reposted(self, sd: date) -> LookAlike:
        payer = self.payer(lambda p: p.fee_mult is not None)
        claim, adj = self.era_adj_claim(payer, sd, copay=ZERO)
        wo = total(adj, "co45") + total(adj, "seq")
        when = days(self.b, claim.billed_date, 14, 30)
        rows = self.b.post_manual_payer(
            claim, payer.payer_id, total(adj, "paid"), self._mis_keyed(wo), when
        )
        nxt = self.b.clamp(days(self.b, when, 0, 3))
        self.b.post(
            claim,
            "adjustment",
            "payer",
            -rows[1]["amount"],
            nxt,
            payer_id=payer.payer_id,
            group=rows[1]["group_code"],
            trace=rows[1]["trace_number"],
            method="manual",
            by=rows[1]["posted_by"],
        )
        self.b.post(
            claim,
            "adjustment",
            "payer",
            wo,
            nxt,
            payer_id=payer.payer_id,
            group=rows[1]["group_code"],
            trace=rows[1]["trace_number"],
            method="manual",
            by=rows[1]["posted_by"],
        )
        self.settle_patient(claim, pr_of(adj), nxt)
        return LookAlike(
            [claim], "A mis-keyed write-off was reversed and re-posted correctly within days."
        )

    def la_no_fee_schedule_paid_full_charge(self, sd: date) -> LookAlike:
        payer = self.payer(lambda p: p.fee_mult is None and p.pr_model == "none")
        pid = self.patient(payer.payer_id, sd)
        claim = self.b.new_claim(pid, payer.payer_id, sd)
        self.b.post_manual_payer(
            claim, payer.payer_id, claim.charge, ZERO, days(self.b, claim.billed_date, 20, 45)
        )
        return LookAlike(
            [claim],
            "A payer with no fee schedule (workers' comp/auto/EAP) paid the full charge by check.",
        )

    def la_one_receipt_two_claims(self, sd: date) -> LookAlike:
        payer = self._copay_payer()
        pid = self.patient(payer.payer_id, sd)
        c1 = self.b.new_claim(pid, payer.payer_id, sd, n_lines=1)
        c2 = self.b.new_claim(
            pid, payer.payer_id, sd + timedelta(days=self.rng.choice([2, 3, 7])), n_lines=1
        )
        receipt = self.b.receipt()
        when = c2.service_date
        out = []
        for c in (c1, c2):
            adj = self.b.adjudicate(c, payer.payer_id)
            self.b.pay_patient(c, pr_of(adj, "3"), when, receipt=receipt, method="card")
            pay_primary(self.b, c, adj, days(self.b, c.billed_date, 12, 25), manual=False)
            out.append(c)
        return LookAlike(
            out,
            "One card receipt covering two visits' copays, split across the two "
            "claims with the same receipt number.",
        )

    def la_copay_collected_payer_net(self, sd: date) -> LookAlike:
        payer = self._copay_payer()
        claim, adj = self.era_adj_claim(payer, sd, n_lines=1)
        self.copay_at_visit(claim, pr_of(adj, "3"))
        pay_primary(self.b, claim, adj, days(self.b, claim.billed_date, 12, 25), manual=False)
        return LookAlike(
            [claim], "Copay collected at the visit; the payer paid allowed less that copay."
        )

    def la_manual_posting_balanced(self, sd: date) -> LookAlike:
        payer = self.payer(lambda p: True)
        claim, adj = self.era_adj_claim(payer, sd, copay=ZERO)
        when = days(self.b, claim.billed_date, 14, 40)
        self.b.post_manual_payer(
            claim, payer.payer_id, total(adj, "paid"), total(adj, "co45") + total(adj, "seq"), when
        )
        self.settle_patient(claim, pr_of(adj), when)
        return LookAlike(
            [claim], "Paper EOB keyed by hand at claim level without CARC rows; balances to zero."
        )

    def la_payment_misapplied_transferred(self, sd: date) -> LookAlike:
        payer = self.payer(lambda p: p.pr_model == "none")
        pid = self.patient(payer.payer_id, sd)
        c1 = self.b.new_claim(pid, payer.payer_id, sd, n_lines=1)
        c2 = self.b.new_claim(pid, payer.payer_id, sd + timedelta(days=7), n_lines=1)
        a1 = self.b.adjudicate(c1, payer.payer_id)
        a2 = self.b.adjudicate(c2, payer.payer_id)
        when = days(self.b, c2.billed_date, 14, 30)
        pay_primary(self.b, c1, a1, when, manual=True)
        check = self.b.check_number()
        wrong = self.b.post(
            c1,
            "payment",
            "payer",
            total(a2, "paid"),
            when,
            payer_id=payer.payer_id,
            trace=check,
            method="manual",
        )
        self.b.post(
            c2,
            "adjustment",
            "payer",
            total(a2, "co45"),
            when,
            payer_id=payer.payer_id,
            group="CO",
            trace=check,
            method="manual",
        )
        fix = self.b.clamp(days(self.b, when, 3, 25))
        self.b.post(
            c1,
            "transfer",
            "payer",
            -wrong["amount"],
            fix,
            payer_id=payer.payer_id,
            trace=check,
            method="manual",
        )
        self.b.post(
            c2,
            "transfer",
            "payer",
            wrong["amount"],
            fix,
            payer_id=payer.payer_id,
            trace=check,
            method="manual",
        )
        return LookAlike(
            [c1, c2],
            "A payer check for one visit was posted on the other visit's "
            "claim and moved by transfer before the as-of date.",
        )

    def la_two_claims_same_trace(self, sd: date) -> LookAlike:
        payer = self.payer(lambda p: p.era_prob >= 0.5 and p.pr_model == "none")
        pid = self.patient(payer.payer_id, sd)
        svc = self.b.pick_service(payer)
        c1 = self.b.new_claim(pid, payer.payer_id, sd, services=[svc])
        c2 = self.b.new_claim(pid, payer.payer_id, sd + timedelta(days=7), services=[svc])
        c2.lines[0].units, c2.lines[0].charge = c1.lines[0].units, c1.lines[0].charge
        c2.lines[0].modifier = c1.lines[0].modifier
        r = self.b.remit(payer.payer_id, days(self.b, c2.billed_date, 12, 25), fresh=True)
        for c in (c1, c2):
            self.b.post_era(
                c, payer.payer_id, self.b.adjudicate(c, payer.payer_id), r.payment_date, remit=r
            )
        return LookAlike(
            [c1, c2],
            "Two weekly visits with the same code and units paid the same "
            "amount on one 835 (same trace, two claims).",
        )

    def la_takeback_plb_then_repay(self, sd: date) -> LookAlike:
        payer = self.payer(lambda p: p.era_prob >= 0.5 and p.pr_model == "none")
        claim, adj = self.era_adj_claim(payer, sd)
        rows = self.b.post_era(claim, payer.payer_id, adj, days(self.b, claim.billed_date, 12, 25))
        paid = total(adj, "paid")
        r2 = self.b.remit(payer.payer_id, days(self.b, rows[0]["posted_date"], 30, 60))
        self.b.plb.append(
            {"era_id": r2.era_id, "reason_code": "WO", "reference": claim.claim_id, "amount": paid}
        )
        self.b.post(
            claim,
            "payment",
            "payer",
            -paid,
            r2.payment_date,
            payer_id=payer.payer_id,
            trace=r2.trace,
            method="manual",
        )
        r3 = self.b.remit(payer.payer_id, days(self.b, r2.payment_date, 14, 40), fresh=True)
        for la in adj:
            self.b.post(
                claim,
                "payment",
                "payer",
                la.paid,
                r3.payment_date,
                line_no=la.line_no,
                payer_id=payer.payer_id,
                allowed=la.allowed,
                trace=r3.trace,
                era_id=r3.era_id,
                method="era",
            )
        return LookAlike(
            [claim],
            "Payer recovered its payment with a PLB WO (eligibility "
            "review), then paid the same amount again on a new 835.",
        )

    def la_patient_prepay_exact(self, sd: date) -> LookAlike:
        payer = self.payer(lambda p: p.pr_model in ("coins", "medicare"))
        claim, adj = self.era_adj_claim(payer, sd, deductible=D(str(self.rng.choice([50, 100]))))
        self.copay_at_visit(claim, pr_of(adj))
        pay_primary(self.b, claim, adj, days(self.b, claim.billed_date, 12, 25), manual=False)
        return LookAlike(
            [claim],
            "Patient prepaid an estimate that turned out exactly equal to "
            "the payer's patient responsibility.",
        )

    def la_sequestration_secondary_rounding(self, sd: date) -> LookAlike:
        """Medicare + supplement with deductible: large OA-23 secondary payment, balanced."""
        payer = self.payer(lambda p: p.type == "medicare" and bool(p.secondaries))
        sec = self.rng.choice([s for s, _ in payer.secondaries])
        claim, adj = self.era_adj_claim(payer, sd, secondary=sec, deductible=D("257"))
        paid_on = pay_primary(
            self.b, claim, adj, days(self.b, claim.billed_date, 12, 25), manual=False
        )
        pay_secondary(self.b, claim, adj, days(self.b, paid_on, 7, 25))
        return LookAlike(
            [claim],
            "Deductible month: the supplement's OA-23 payment is larger than "
            "Medicare's own payment, and the claim balances.",
        )
