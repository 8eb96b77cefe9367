"""Credit patterns and look-alikes, each built the way a biller would see it happen."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from training.heldout.book import ZERO, Book, Claim, LineAdj, money
from training.heldout.flows import (
    days,
    pay_primary,
    pay_secondary,
    pr_of,
    settled_claim,
    total,
)
from training.heldout.profiles import Payer

D = Decimal
FIFTEEN = Decimal(15)

PAYER_OVERPAYMENT = "payer_overpayment"
DUPLICATE = "duplicate_payment"
ALLOWANCE = "allowance_error"
PATIENT = "patient_credit"


class Skip(Exception):
    """The practice has no payer/service mix for this scenario."""


@dataclass
class Fix:
    action: str
    amount: Decimal
    ref: dict | None = None
    payer: str = ""


@dataclass
class Credit:
    claim: Claim
    amount: Decimal
    source: str
    action: str
    payer: str
    note: str
    fixes: list[Fix]
    ambiguous: bool = False
    companion: Claim | None = None


@dataclass
class LookAlike:
    claims: list[Claim]
    note: str
    extra: dict = field(default_factory=dict)


class Scenarios:
    def __init__(self, book: Book):
        self.b = book
        self.rng = book.rng

    # ---- helpers ---------------------------------------------------------------------------
    def payer(self, pred) -> Payer:
        opts = [p for p in self.b.profile.payers if p.primary and p.weight > 0 and pred(p)]
        if not opts:
            raise Skip()
        return self.rng.choices(opts, [p.weight for p in opts])[0]

    def patient(self, payer_id: str, sd: date, secondary: str = "") -> str:
        pid = self.b.new_patient()
        earliest = date(self.b.profile.year1, 1, 5)
        for _ in range(self.rng.choice([0, 1, 2, 3, 4, 5, 6])):
            hs = sd - timedelta(days=self.rng.randint(60, 420))
            if hs < earliest:
                continue
            settled_claim(self.b, pid, payer_id, hs, secondary)
        return pid

    def payer_action(self, payer_id: str) -> str:
        return "payer_offset" if self.b.payers[payer_id].offset else "refund_payer"

    def era_adj_claim(
        self,
        payer: Payer,
        sd: date,
        *,
        need_fee_row: bool | None = None,
        n_lines: int | None = None,
        secondary: str = "",
        **adj_kw,
    ):
        pid = self.patient(payer.payer_id, sd, secondary)
        claim = self.b.new_claim(
            pid,
            payer.payer_id,
            sd,
            n_lines=n_lines,
            secondary_id=secondary,
            need_fee_row=need_fee_row,
        )
        adj = self.b.adjudicate(claim, payer.payer_id, **adj_kw)
        return claim, adj

    def copay_at_visit(self, claim: Claim, amount: Decimal) -> dict | None:
        if amount <= 0:
            return None
        return self.b.pay_patient(
            claim,
            amount,
            claim.service_date,
            method=self.rng.choice(["card", "card", "cash", "check"]),
        )

    def settle_patient(self, claim: Claim, owed: Decimal, after: date) -> date:
        """The patient pays what they owe after the statement (at once)."""
        if owed <= 0:
            return after
        when = self.b.clamp(days(self.b, after, 14, 40))
        self.b.pay_patient(claim, owed, when)
        return when

    def paid_by_era(self, claim: Claim, adj: list[LineAdj], when: date, **kw) -> list[dict]:
        return self.b.post_era(claim, claim.payer_id, adj, self.b.clamp(when), **kw)

    def patient_action(
        self, mode: str, claim: Claim, amount: Decimal, apply_prob: float = 0.4
    ) -> tuple[str, Claim | None]:
        if self.rng.random() >= apply_prob:
            return "refund_patient", None
        return "apply_to_balance", self.companion(claim, amount, mode)

    def companion(self, claim: Claim, need: Decimal, mode: str) -> Claim:
        """Another claim of the same patient that still has a patient balance > need."""
        b = self.b
        sd = claim.service_date - timedelta(days=self.rng.randint(25, 40))
        if not claim.payer_id:
            svc = max(b.profile.services, key=lambda s: s.charge_per_unit * s.units[1])
            c = b.new_claim(claim.patient_id, "", sd, services=[svc])
            while c.charge * D("0.7") < need + 5:
                c.lines[0].units += 1
                c.lines[0].charge = money(svc.charge_per_unit * c.lines[0].units)
            disc = money(c.charge * D("0.30"))
            b.post(c, "adjustment", "patient", disc, sd, method="manual")
            return c
        payer = b.payers[claim.payer_id]
        svcs = sorted(b.services_for(payer), key=lambda s: -s.base_rate * s.units[1])
        c = b.new_claim(claim.patient_id, claim.payer_id, sd, services=[svcs[0]])
        ln = c.lines[0]
        ln.units = svcs[0].units[1]
        ln.charge = money(svcs[0].charge_per_unit * ln.units)
        adj = b.adjudicate(c, claim.payer_id, copay=ZERO, deductible=D("9999"), coins=ZERO)
        while pr_of(adj) < need + 5:
            ln.units += 1
            ln.charge = money(svcs[0].charge_per_unit * ln.units)
            adj = b.adjudicate(c, claim.payer_id, copay=ZERO, deductible=D("9999"), coins=ZERO)
        b.post_era(c, claim.payer_id, adj, days(b, sd, 12, 20))
        return c

    # =========================================================================================
    # Credit patterns. Each returns the credit as a careful biller would label it.
    # =========================================================================================
    def po_rate_above_contract(self, sd: date, mode: str) -> Credit:
        payer = self.payer(lambda p: p.fee_mult is not None)
        claim, adj = self.era_adj_claim(payer, sd, need_fee_row=True)
        copay_row = self.copay_at_visit(claim, pr_of(adj, "3"))
        reported = {}
        delta = ZERO
        for la in adj:
            if not self.b.has_fee_row(
                payer.payer_id, self.b.claims[claim.claim_id].lines[la.line_no - 1].cpt
            ):
                continue
            w = money(la.allowed * D(str(self.rng.choice([1.08, 1.12, 1.15, 1.2, 1.3]))))
            w = min(w, la.charge)
            if w <= la.allowed:
                continue
            la.paid += w - la.allowed
            delta += w - la.allowed
            reported[la.line_no] = w if self.rng.random() < 0.6 else la.allowed
        if delta <= 0:
            raise Skip()
        rows = self.paid_by_era(
            claim, adj, days(self.b, claim.billed_date, 14, 30), reported_allowed=reported
        )
        owed = pr_of(adj) - (copay_row["amount"] if copay_row else ZERO)
        self.settle_patient(claim, owed, rows[0]["posted_date"])
        return Credit(
            claim,
            delta,
            PAYER_OVERPAYMENT,
            self.payer_action(payer.payer_id),
            payer.payer_id,
            "Payer paid at a rate above the contracted fee schedule; write-off follows "
            "the contract.",
            [Fix(self.payer_action(payer.payer_id), delta, payer=payer.payer_id)],
        )

    def _gap_payer_with_pr(self) -> tuple[Payer, bool]:
        def has_gap_and_pr(p: Payer) -> bool:
            no_rows = p.fee_mult is None or bool(p.gaps)
            return no_rows and p.pr_model in ("copay", "coins")

        payer = self.payer(has_gap_and_pr)
        return payer, payer.fee_mult is None

    def po_pr_not_deducted(self, sd: date, mode: str) -> Credit:
        payer, _ = self._gap_payer_with_pr()
        pid = self.patient(payer.payer_id, sd)
        svcs = [
            s for s in self.b.services_for(payer) if payer.fee_mult is None or s.cpt in payer.gaps
        ]
        if not svcs:
            raise Skip()
        claim = self.b.new_claim(pid, payer.payer_id, sd, services=[self.rng.choice(svcs)])
        adj = self.b.adjudicate(claim, payer.payer_id)
        pr = pr_of(adj)
        if pr <= 0:
            raise Skip()
        copay = pr_of(adj, "3")
        if payer.pr_model == "copay":
            excess = pr  # payer ignored the copay it reported
            self.copay_at_visit(claim, copay)
        else:
            excess = money(pr / 2)  # coinsurance taken at half the rate
        adj[0].paid += excess
        rows = self.paid_by_era(claim, adj, days(self.b, claim.billed_date, 14, 30))
        if payer.pr_model != "copay":
            self.settle_patient(claim, pr, rows[0]["posted_date"])
        return Credit(
            claim,
            excess,
            PAYER_OVERPAYMENT,
            self.payer_action(payer.payer_id),
            payer.payer_id,
            "No fee-schedule row; payer paid more than its own reported allowed less "
            "the patient share it reported, and the patient paid that share.",
            [Fix(self.payer_action(payer.payer_id), excess, payer=payer.payer_id)],
        )

    def po_secondary_paid_as_primary(self, sd: date, mode: str) -> Credit:
        payer = self.payer(lambda p: bool(p.secondaries))
        sec = self.rng.choice([s for s, _ in payer.secondaries])
        claim, adj = self.era_adj_claim(payer, sd, secondary=sec)
        secp = self.b.payers[sec]
        pr = pr_of(adj)
        sec_adj = []
        for la in adj:
            ln = claim.lines[la.line_no - 1]
            allowed, _ = self.b.allowed_for(secp, ln, sd)
            sec_adj.append(LineAdj(la.line_no, la.charge, allowed, ZERO, [], ZERO, allowed))
        sec_paid = total(sec_adj, "paid")
        if sec_paid <= pr:
            raise Skip()
        first = days(self.b, claim.billed_date, 12, 28)
        second = days(self.b, first, 5, 25)
        if self.rng.random() < 0.5:
            first, second = second, first
        self.b.post_era(claim, payer.payer_id, adj, first)
        self.b.post_era(claim, sec, sec_adj, second)  # CLP02=1: no OA-23, no CAS posted
        excess = sec_paid - pr
        act = self.payer_action(sec)
        return Credit(
            claim,
            excess,
            PAYER_OVERPAYMENT,
            act,
            sec,
            "Secondary plan paid as if primary (no OA-23) instead of the primary's "
            "patient share; the excess over that share goes back to it.",
            [Fix(act, excess, payer=sec)],
        )

    def po_payer_not_billed(self, sd: date, mode: str) -> Credit:
        outsiders = [p for p in self.b.profile.payers if not p.primary and p.fee_mult is not None]
        stranger = self.rng.choice(outsiders)
        payer = self.payer(lambda p: p.payer_id != stranger.payer_id and p.type != "medicare")
        claim, adj = self.era_adj_claim(payer, sd, n_lines=1)
        copay_row = self.copay_at_visit(claim, pr_of(adj, "3"))
        paid_on = pay_primary(self.b, claim, adj, days(self.b, claim.billed_date, 12, 28))
        assert paid_on is not None
        owed = pr_of(adj) - (copay_row["amount"] if copay_row else ZERO)
        self.settle_patient(claim, owed, paid_on)
        sadj = self.b.adjudicate(claim, stranger.payer_id, copay=ZERO)
        when = days(self.b, paid_on, 10, 40)
        self.b.post_era(claim, stranger.payer_id, sadj, when, with_cas=False)
        amt = total(sadj, "paid")
        act = self.payer_action(stranger.payer_id)
        return Credit(
            claim,
            amt,
            PAYER_OVERPAYMENT,
            act,
            stranger.payer_id,
            "A plan the claim was never billed to (coverage ended) sent a payment; "
            "the claim was already settled by its real payer.",
            [Fix(act, amt, payer=stranger.payer_id)],
        )

    def po_sequestration_not_applied(self, sd: date, mode: str) -> Credit:
        payer = self.payer(lambda p: p.type == "medicare")
        sec = ""
        if payer.secondaries and self.rng.random() < 0.6:
            sec = self.rng.choice([s for s, _ in payer.secondaries])
        claim, adj = self.era_adj_claim(payer, sd, secondary=sec)
        seq = ZERO
        for la in adj:
            la.paid += la.seq  # the 835 carries CO-253 but the payment was not reduced
            seq += la.seq
        if seq <= 0:
            raise Skip()
        paid_on = self.paid_by_era(claim, adj, days(self.b, claim.billed_date, 12, 28))[0][
            "posted_date"
        ]
        if sec:
            pay_secondary(self.b, claim, adj, days(self.b, paid_on, 7, 20))
        else:
            self.settle_patient(claim, pr_of(adj), paid_on)
        act = self.payer_action(payer.payer_id)
        return Credit(
            claim,
            seq,
            PAYER_OVERPAYMENT,
            act,
            payer.payer_id,
            "Medicare reported CO-253 sequestration but paid the unreduced amount.",
            [Fix(act, seq, payer=payer.payer_id)],
        )

    def po_no_fee_schedule_overpaid(self, sd: date, mode: str) -> Credit:
        payer = self.payer(lambda p: p.fee_mult is None)
        claim, adj = self.era_adj_claim(payer, sd, copay=ZERO)
        la = adj[0]
        excess = money(la.allowed * D(str(self.rng.choice([0.1, 0.15, 0.25, 0.4, 0.5]))))
        la.paid += excess
        paid_on = self.paid_by_era(claim, adj, days(self.b, claim.billed_date, 18, 40))[0][
            "posted_date"
        ]
        self.settle_patient(claim, pr_of(adj), paid_on)
        act = self.payer_action(payer.payer_id)
        return Credit(
            claim,
            excess,
            PAYER_OVERPAYMENT,
            act,
            payer.payer_id,
            "Payer with no fee schedule paid a line above the allowed it reported.",
            [Fix(act, excess, payer=payer.payer_id)],
        )

    # ---- duplicates -------------------------------------------------------------------------
    def _settled_era_claim(self, payer: Payer, sd: date, n_lines: int | None = None):
        claim, adj = self.era_adj_claim(payer, sd, n_lines=n_lines)
        copay_row = self.copay_at_visit(claim, pr_of(adj, "3"))
        rows = self.paid_by_era(claim, adj, days(self.b, claim.billed_date, 12, 28))
        owed = pr_of(adj) - (copay_row["amount"] if copay_row else ZERO)
        self.settle_patient(claim, owed, rows[0]["posted_date"])
        pays = [r for r in rows if r["kind"] == "payment"]
        return claim, adj, rows, pays

    def dup_era_and_manual_same_trace(self, sd: date, mode: str) -> Credit:
        payer = self.payer(lambda p: p.era_prob >= 0.5)
        claim, _adj, _rows, pays = self._settled_era_claim(payer, sd)
        paid = sum((r["amount"] for r in pays), ZERO)
        if paid <= 0:
            raise Skip()
        when = self.b.clamp(days(self.b, pays[0]["posted_date"], 2, 25))
        if len(pays) == 1 and self.rng.random() < 0.3:
            line = pays[0]["line_no"]
        else:
            line = None
        dup = self.b.post(
            claim,
            "payment",
            "payer",
            paid,
            when,
            line_no=line,
            payer_id=payer.payer_id,
            trace=pays[0]["trace_number"],
            method="manual",
        )
        return Credit(
            claim,
            paid,
            DUPLICATE,
            "reverse_posting",
            "",
            "The 835 was auto-posted and the same trace was keyed again by hand at "
            "claim level without CARC rows on a later date.",
            [Fix("reverse_posting", paid, dup)],
        )

    def dup_era_posted_twice(self, sd: date, mode: str) -> Credit:
        payer = self.payer(lambda p: p.era_prob >= 0.5)
        claim, _adj, _rows, pays = self._settled_era_claim(payer, sd)
        when = self.b.clamp(days(self.b, pays[0]["posted_date"], 0, 12))
        dups = []
        for r in pays:
            dups.append(
                self.b.post(
                    claim,
                    "payment",
                    "payer",
                    r["amount"],
                    when,
                    line_no=r["line_no"],
                    payer_id=payer.payer_id,
                    allowed=r["allowed_amount"],
                    trace=r["trace_number"],
                    era_id=r["era_id"],
                    method="era",
                    in_remit=False,
                )
            )
        amt = sum((r["amount"] for r in dups), ZERO)
        if amt <= 0:
            raise Skip()
        return Credit(
            claim,
            amt,
            DUPLICATE,
            "reverse_posting",
            "",
            "The same 835 payment lines were posted a second time under the same "
            "remittance (re-import).",
            [Fix("reverse_posting", r["amount"], r) for r in dups],
        )

    def dup_era_and_lockbox_check(self, sd: date, mode: str) -> Credit:
        payer = self.payer(lambda p: p.era_prob >= 0.5)
        claim, _adj, _rows, pays = self._settled_era_claim(payer, sd)
        paid = sum((r["amount"] for r in pays), ZERO)
        if paid <= 0:
            raise Skip()
        when = self.b.clamp(days(self.b, pays[0]["posted_date"], 5, 35))
        method = (
            "lockbox"
            if self.b.profile.key == "practice_b"
            else self.rng.choice(["check", "manual"])
        )
        self.b.post(
            claim,
            "payment",
            "payer",
            paid,
            when,
            payer_id=payer.payer_id,
            trace=self.b.check_number(),
            method=method,
            by=self.b.profile.lockbox_user if method == "lockbox" else None,
        )
        act = self.payer_action(payer.payer_id)
        return Credit(
            claim,
            paid,
            DUPLICATE,
            act,
            payer.payer_id,
            "Payer paid by EFT with an 835 and again by paper check for the same "
            "service (two traces: money received twice).",
            [Fix(act, paid, payer=payer.payer_id)],
        )

    def dup_two_835_different_traces(self, sd: date, mode: str) -> Credit:
        payer = self.payer(lambda p: p.era_prob >= 0.5)
        claim, _adj, _rows, pays = self._settled_era_claim(payer, sd)
        paid = sum((r["amount"] for r in pays), ZERO)
        if paid <= 0:
            raise Skip()
        r2 = self.b.remit(payer.payer_id, days(self.b, pays[0]["posted_date"], 14, 50), fresh=True)
        for r in pays:
            self.b.post(
                claim,
                "payment",
                "payer",
                r["amount"],
                r2.payment_date,
                line_no=r["line_no"],
                payer_id=payer.payer_id,
                allowed=r["allowed_amount"],
                trace=r2.trace,
                era_id=r2.era_id,
                method="era",
            )
        act = self.payer_action(payer.payer_id)
        return Credit(
            claim,
            paid,
            DUPLICATE,
            act,
            payer.payer_id,
            "The payer processed the service twice and paid it on two 835s with different traces.",
            [Fix(act, paid, payer=payer.payer_id)],
        )

    def _patient_owing_claim(self, sd: date, lo: Decimal = FIFTEEN):
        """A claim after which the patient owes a share, billed on a statement."""
        payer = self.payer(
            lambda p: (
                p.pr_model in ("coins", "medicare", "copay")
                and not p.secondaries
                or p.pr_model == "coins"
            )
        )
        claim, adj = self.era_adj_claim(
            payer,
            sd,
            copay=ZERO,
            coins=payer.coins or D("0.2"),
            deductible=D(str(self.rng.choice([0, 0, 40, 90]))),
        )
        owed = pr_of(adj)
        if owed < lo:
            raise Skip()
        paid_on = pay_primary(self.b, claim, adj, days(self.b, claim.billed_date, 12, 28))
        assert paid_on is not None
        return payer, claim, adj, owed, paid_on

    def dup_patient_receipt_posted_twice(self, sd: date, mode: str) -> Credit:
        _payer, claim, _adj, owed, paid_on = self._patient_owing_claim(sd)
        when = self.b.clamp(days(self.b, paid_on, 14, 40))
        first = self.b.pay_patient(claim, owed, when)
        again = self.b.clamp(days(self.b, when, 0, 6))
        dup = self.b.post(
            claim,
            "payment",
            "patient",
            owed,
            again,
            trace=first["trace_number"],
            method=first["method"],
            by=self.b.biller(),
        )
        return Credit(
            claim,
            owed,
            DUPLICATE,
            "reverse_posting",
            "",
            "One patient receipt was posted twice (front desk, then from the deposit slip).",
            [Fix("reverse_posting", owed, dup)],
        )

    def dup_paper_eob_keyed_twice(self, sd: date, mode: str) -> Credit:
        payer = self.payer(lambda p: True)
        claim, adj = self.era_adj_claim(payer, sd, copay=ZERO)
        paid = total(adj, "paid")
        if paid <= 0:
            raise Skip()
        when = days(self.b, claim.billed_date, 14, 35)
        rows = self.b.post_manual_payer(
            claim, payer.payer_id, paid, total(adj, "co45") + total(adj, "seq"), when
        )
        self.settle_patient(claim, pr_of(adj), when)
        again = self.b.clamp(days(self.b, when, 1, 20))
        other = [u for u in self.b.profile.billers if u != rows[0]["posted_by"]]
        dup = self.b.post(
            claim,
            "payment",
            "payer",
            paid,
            again,
            payer_id=payer.payer_id,
            trace=rows[0]["trace_number"],
            method="manual",
            by=self.rng.choice(other),
        )
        return Credit(
            claim,
            paid,
            DUPLICATE,
            "reverse_posting",
            "",
            "A paper EOB/check was keyed twice by two billers (same check number).",
            [Fix("reverse_posting", paid, dup)],
        )

    def pc_patient_paid_twice_two_receipts(self, sd: date, mode: str) -> Credit:
        _payer, claim, _adj, owed, paid_on = self._patient_owing_claim(sd)
        when = self.b.clamp(days(self.b, paid_on, 14, 40))
        self.b.pay_patient(claim, owed, when, method="card")
        self.b.pay_patient(
            claim,
            owed,
            self.b.clamp(days(self.b, when, 2, 20)),
            method=self.rng.choice(
                ["check", "cash", "lockbox"]
                if self.b.profile.key == "practice_b"
                else ["check", "cash"]
            ),
        )
        act, comp = self.patient_action(mode, claim, owed)
        return Credit(
            claim,
            owed,
            PATIENT,
            act,
            "",
            "The patient really paid the statement twice (online card, then a mailed "
            "check): two receipts.",
            [Fix(act, owed)],
            companion=comp,
        )

    # ---- allowance errors -------------------------------------------------------------------
    def ae_contractual_too_large(self, sd: date, mode: str) -> Credit:
        payer = self.payer(lambda p: p.fee_mult is not None)
        claim, adj = self.era_adj_claim(payer, sd, need_fee_row=True, copay=ZERO)
        if any(not self.b.has_fee_row(payer.payer_id, ln.cpt) for ln in claim.lines):
            raise Skip()
        wo = total(adj, "co45") + total(adj, "seq")
        keyed = self._mis_keyed(wo)
        excess = keyed - wo
        when = days(self.b, claim.billed_date, 14, 35)
        rows = self.b.post_manual_payer(claim, payer.payer_id, total(adj, "paid"), keyed, when)
        self.settle_patient(claim, pr_of(adj), when)
        return Credit(
            claim,
            excess,
            ALLOWANCE,
            "correct_adjustment",
            "",
            "Contractual write-off keyed by hand larger than charge minus the contracted allowed.",
            [Fix("correct_adjustment", excess, rows[1])],
        )

    def _mis_keyed(self, amount: Decimal) -> Decimal:
        s = f"{amount:.2f}"
        whole, cents = s.split(".")
        if len(whole) >= 2 and self.rng.random() < 0.5:
            digits = list(whole)
            i = self.rng.randrange(len(digits) - 1)
            digits[i], digits[i + 1] = digits[i + 1], digits[i]
            cand = D("".join(digits) + "." + cents)
            if cand > amount:
                return cand
        return amount + money(self.rng.choice([D("5"), D("10"), D("12.5"), D("20"), D("40")]))

    def ae_pr_written_off_as_contractual(self, sd: date, mode: str) -> Credit:
        _payer, claim, adj, owed, paid_on = self._pr_claim_era(sd)
        return self._pr_writeoff(claim, adj, owed, paid_on)

    def _pr_claim_era(self, sd: date):
        payer = self.payer(
            lambda p: p.pr_model in ("coins", "copay", "medicare") and p.era_prob >= 0.5
        )
        claim, adj = self.era_adj_claim(payer, sd)
        owed = pr_of(adj)
        if owed <= 0:
            raise Skip()
        return payer, claim, adj, owed, days(self.b, claim.billed_date, 12, 28)

    def _pr_writeoff(self, claim: Claim, adj: list[LineAdj], owed: Decimal, when: date) -> Credit:
        b = self.b
        r = b.remit(claim.payer_id, when)
        copay = pr_of(adj, "3")
        if copay > 0:
            self.copay_at_visit(claim, copay)
        fixes = []
        variant = self.rng.random() < 0.5
        for la in adj:
            b.post(
                claim,
                "payment",
                "payer",
                la.paid,
                r.payment_date,
                line_no=la.line_no,
                payer_id=claim.payer_id,
                allowed=la.allowed,
                trace=r.trace,
                era_id=r.era_id,
                method="era",
            )
            if la.seq > 0:
                b.post(
                    claim,
                    "adjustment",
                    "payer",
                    la.seq,
                    r.payment_date,
                    line_no=la.line_no,
                    payer_id=claim.payer_id,
                    group="CO",
                    reason="253",
                    trace=r.trace,
                    era_id=r.era_id,
                    method="era",
                )
            if variant:  # the PR CAS rows were posted as write-offs
                b.post(
                    claim,
                    "adjustment",
                    "payer",
                    la.co45,
                    r.payment_date,
                    line_no=la.line_no,
                    payer_id=claim.payer_id,
                    group="CO",
                    reason="45",
                    trace=r.trace,
                    era_id=r.era_id,
                    method="era",
                )
                for code, amt in la.pr:
                    row = b.post(
                        claim,
                        "adjustment",
                        "payer",
                        amt,
                        r.payment_date,
                        line_no=la.line_no,
                        payer_id=claim.payer_id,
                        group="PR",
                        reason=code,
                        trace=r.trace,
                        era_id=r.era_id,
                        method="era",
                    )
                    fixes.append(Fix("correct_adjustment", amt, row))
            else:  # the contractual was taken as charge minus paid, folding in the PR
                row = b.post(
                    claim,
                    "adjustment",
                    "payer",
                    la.co45 + la.pr_total,
                    r.payment_date,
                    line_no=la.line_no,
                    payer_id=claim.payer_id,
                    group="CO",
                    reason="45",
                    trace=r.trace,
                    era_id=r.era_id,
                    method="era",
                    by=b.biller(),
                )
                for code, amt in la.pr:
                    b.post(
                        claim,
                        "responsibility",
                        "payer",
                        amt,
                        r.payment_date,
                        line_no=la.line_no,
                        payer_id=claim.payer_id,
                        group="PR",
                        reason=code,
                        trace=r.trace,
                        era_id=r.era_id,
                        method="era",
                    )
                if la.pr_total > 0:
                    fixes.append(Fix("correct_adjustment", la.pr_total, row))
        rest = owed - copay
        if rest > 0:
            self.settle_patient(claim, rest, r.payment_date)
        return Credit(
            claim,
            owed,
            ALLOWANCE,
            "correct_adjustment",
            "",
            "The patient's share was written off as a contractual/PR adjustment and "
            "the patient then paid it.",
            fixes,
        )

    def ae_adjustment_posted_twice(self, sd: date, mode: str) -> Credit:
        payer = self.payer(lambda p: p.era_prob >= 0.5)
        claim, _adj, rows, _pays = self._settled_era_claim(payer, sd)
        co = [r for r in rows if r["kind"] == "adjustment" and r["reason_code"] == "45"]
        if not co:
            raise Skip()
        target = self.rng.choice(co)
        when = self.b.clamp(days(self.b, target["posted_date"], 0, 20))
        if self.rng.random() < 0.5:
            dup = self.b.post(
                claim,
                "adjustment",
                "payer",
                target["amount"],
                when,
                line_no=target["line_no"],
                payer_id=payer.payer_id,
                group="CO",
                reason=self.rng.choice(["45", ""]),
                trace=target["trace_number"],
                method="manual",
            )
        else:
            dup = self.b.post(
                claim,
                "adjustment",
                "payer",
                target["amount"],
                when,
                line_no=target["line_no"],
                payer_id=payer.payer_id,
                group="CO",
                reason="45",
                trace=target["trace_number"],
                era_id=target["era_id"],
                method="era",
                in_remit=False,
            )
        amt = target["amount"]
        return Credit(
            claim,
            amt,
            ALLOWANCE,
            "correct_adjustment",
            "",
            "The same contractual adjustment was posted twice.",
            [Fix("correct_adjustment", amt, dup)],
        )

    def ae_small_balance_writeoff_then_paid(self, sd: date, mode: str) -> Credit:
        _payer, claim, _adj, owed, paid_on = self._patient_owing_claim(sd, lo=D("20"))
        rest = money(
            self.rng.choice(
                [D("1.5"), D("3.2"), D("4.75"), D("6.1"), D("8.4"), D("9.99"), D("12.3")]
            )
        )
        when = self.b.clamp(days(self.b, paid_on, 14, 30))
        self.b.pay_patient(claim, owed - rest, when)
        wo_day = self.b.clamp(days(self.b, when, 25, 45))
        wo = self.b.post(claim, "adjustment", "patient", rest, wo_day, method="manual")
        self.b.pay_patient(claim, rest, self.b.clamp(days(self.b, wo_day, 3, 20)))
        return Credit(
            claim,
            rest,
            ALLOWANCE,
            "correct_adjustment",
            "",
            "The practice wrote off the small remaining patient balance and the "
            "patient paid it anyway.",
            [Fix("correct_adjustment", rest, wo)],
        )

    def ae_courtesy_writeoff_then_paid(self, sd: date, mode: str) -> Credit:
        _payer, claim, _adj, owed, paid_on = self._patient_owing_claim(sd, lo=D("30"))
        wo_day = self.b.clamp(days(self.b, paid_on, 20, 40))
        wo = self.b.post(claim, "adjustment", "patient", owed, wo_day, method="manual")
        part = owed if self.rng.random() < 0.6 else money(owed * D("0.5"))
        self.b.pay_patient(claim, part, self.b.clamp(days(self.b, wo_day, 3, 25)))
        return Credit(
            claim,
            part,
            ALLOWANCE,
            "correct_adjustment",
            "",
            "A courtesy/hardship write-off of the patient balance, after which the "
            "patient paid (part of) it anyway.",
            [Fix("correct_adjustment", part, wo)],
        )

    def ae_denial_writeoff_then_paid(self, sd: date, mode: str) -> Credit:
        payer = self.payer(lambda p: p.pr_model == "none" and p.era_prob >= 0.5)
        claim, adj = self.era_adj_claim(payer, sd, n_lines=1)
        b = self.b
        r1 = b.remit(payer.payer_id, days(b, claim.billed_date, 12, 25))
        code = self.rng.choice(["16", "197", "252"])
        b.post(
            claim,
            "payment",
            "payer",
            ZERO,
            r1.payment_date,
            line_no=1,
            payer_id=payer.payer_id,
            group="CO",
            reason=code,
            trace=r1.trace,
            era_id=r1.era_id,
            method="era",
        )
        deny = b.post(
            claim,
            "adjustment",
            "payer",
            claim.charge,
            r1.payment_date,
            line_no=1,
            payer_id=payer.payer_id,
            group="CO",
            reason=code,
            trace=r1.trace,
            era_id=r1.era_id,
            method="era",
        )
        b.post_era(claim, payer.payer_id, adj, days(b, r1.payment_date, 25, 50))
        return Credit(
            claim,
            claim.charge,
            ALLOWANCE,
            "correct_adjustment",
            "",
            "A denial was written off in full; the payer then paid on appeal and the "
            "denial write-off was never reversed.",
            [Fix("correct_adjustment", claim.charge, deny)],
        )

    # ---- patient credits ---------------------------------------------------------------------
    def _copay_payer(self) -> Payer:
        return self.payer(lambda p: p.pr_model == "copay" and p.copay > 0)

    def _copay_overpaid(self, sd: date, mode: str, apply_prob: float, note: str) -> Credit:
        payer = self._copay_payer()
        claim, adj = self.era_adj_claim(payer, sd, n_lines=1)
        copay = pr_of(adj, "3")
        if copay <= 0:
            raise Skip()
        paid = copay + money(self.rng.choice([D("5"), D("10"), D("15"), D("20"), copay]))
        self.copay_at_visit(claim, paid)
        self.paid_by_era(claim, adj, days(self.b, claim.billed_date, 12, 28))
        amt = paid - copay
        act, comp = self.patient_action(mode, claim, amt, apply_prob)
        return Credit(claim, amt, PATIENT, act, "", note, [Fix(act, amt)], companion=comp)

    def pc_copay_overpaid_no_balance(self, sd: date, mode: str) -> Credit:
        return self._copay_overpaid(
            sd,
            mode,
            0.0,
            "Patient paid more at the visit than the copay the 835 assigned; no other balance.",
        )

    def pc_copay_overpaid_other_balance(self, sd: date, mode: str) -> Credit:
        return self._copay_overpaid(
            sd,
            mode,
            1.0,
            "Patient paid more at the visit than the copay the 835 "
            "assigned; another claim of theirs still has a balance.",
        )

    def pc_deductible_estimate_overpaid(self, sd: date, mode: str) -> Credit:
        payer = self.payer(lambda p: p.pr_model in ("coins", "medicare"))
        sec = ""
        claim, adj = self.era_adj_claim(
            payer, sd, secondary=sec, deductible=D(str(self.rng.choice([40, 65, 90, 120])))
        )
        pr = pr_of(adj)
        est = money(pr + self.rng.choice([D("25"), D("50"), D("60"), D("110")]))
        est = money((est / 10).to_integral_value() * 10 + 10)
        self.copay_at_visit(claim, est)
        self.paid_by_era(claim, adj, days(self.b, claim.billed_date, 12, 28))
        amt = est - pr
        act, comp = self.patient_action(mode, claim, amt)
        return Credit(
            claim,
            amt,
            PATIENT,
            act,
            "",
            "Patient paid a deductible estimate at the visit; the payer applied less "
            "deductible/coinsurance.",
            [Fix(act, amt)],
            companion=comp,
        )

    def pc_patient_paid_secondary_covered(self, sd: date, mode: str) -> Credit:
        payer = self.payer(lambda p: bool(p.secondaries))
        sec = self.rng.choice([s for s, _ in payer.secondaries])
        claim, adj = self.era_adj_claim(payer, sd, secondary=sec)
        pr = pr_of(adj)
        if pr <= 0:
            raise Skip()
        paid_on = self.paid_by_era(claim, adj, days(self.b, claim.billed_date, 12, 28))[0][
            "posted_date"
        ]
        self.b.pay_patient(claim, pr, self.b.clamp(days(self.b, paid_on, 5, 15)))
        pay_secondary(self.b, claim, adj, self.b.clamp(days(self.b, paid_on, 16, 35)))
        act, comp = self.patient_action(mode, claim, pr)
        return Credit(
            claim,
            pr,
            PATIENT,
            act,
            "",
            "Patient paid the primary's coinsurance, then the secondary covered it "
            "(legitimate OA-23 payment): the patient's money is the excess.",
            [Fix(act, pr)],
            companion=comp,
        )

    def pc_selfpay_prepayment(self, sd: date, mode: str) -> Credit:
        pid = self.patient("", sd)
        claim = self.b.new_claim(pid, "", sd, n_lines=1)
        disc = money(claim.charge * D("0.30"))
        self.b.post(claim, "adjustment", "patient", disc, sd, method="manual")
        owed = claim.charge - disc
        sessions = self.rng.choice([2, 3, 4, 5])
        prepaid = money(owed * sessions)
        self.b.pay_patient(claim, prepaid, sd)
        amt = prepaid - owed
        act, comp = self.patient_action(mode, claim, amt, 0.25)
        return Credit(
            claim,
            amt,
            PATIENT,
            act,
            "",
            "Self-pay patient prepaid a package of visits on the first visit's claim "
            "and stopped coming.",
            [Fix(act, amt)],
            companion=comp,
        )

    # ---- mixed / ambiguous -------------------------------------------------------------------
    def mix_dup_plus_copay(self, sd: date, mode: str) -> Credit:
        payer = self._copay_payer()
        if payer.era_prob < 0.5:
            raise Skip()
        claim, adj = self.era_adj_claim(payer, sd, n_lines=1)
        copay = pr_of(adj, "3")
        extra = money(self.rng.choice([D("5"), D("10"), D("15")]))
        self.copay_at_visit(claim, copay + extra)
        rows = self.paid_by_era(claim, adj, days(self.b, claim.billed_date, 12, 28))
        paid = total(adj, "paid")
        if paid <= extra:
            raise Skip()
        dup = self.b.post(
            claim,
            "payment",
            "payer",
            paid,
            self.b.clamp(days(self.b, rows[0]["posted_date"], 3, 20)),
            payer_id=payer.payer_id,
            trace=rows[0]["trace_number"],
            method="manual",
        )
        return Credit(
            claim,
            paid + extra,
            DUPLICATE,
            "reverse_posting",
            "",
            "ERA payment keyed again by hand (same trace) and the patient also overpaid "
            "the copay; the duplicate is the larger part.",
            [Fix("reverse_posting", paid, dup), Fix("refund_patient", extra)],
        )

    def mix_overpay_plus_copay(self, sd: date, mode: str) -> Credit:
        payer = self.payer(
            lambda p: p.fee_mult is not None and p.pr_model == "copay" and p.copay > 0
        )
        claim, adj = self.era_adj_claim(payer, sd, need_fee_row=True, n_lines=1)
        la = adj[0]
        copay = pr_of(adj, "3")
        w = money(la.allowed * D("1.25"))
        delta = min(w, la.charge) - la.allowed
        extra = money(self.rng.choice([D("5"), D("10")]))
        if delta <= extra:
            raise Skip()
        la.paid += delta
        self.copay_at_visit(claim, copay + extra)
        self.paid_by_era(
            claim,
            adj,
            days(self.b, claim.billed_date, 12, 28),
            reported_allowed={1: la.allowed + delta},
        )
        act = self.payer_action(payer.payer_id)
        return Credit(
            claim,
            delta + extra,
            PAYER_OVERPAYMENT,
            act,
            payer.payer_id,
            "Payer paid above the contract and the patient also overpaid the copay; "
            "the payer's excess is the larger part.",
            [Fix(act, delta, payer=payer.payer_id), Fix("refund_patient", extra)],
        )

    def amb_copay_and_writeoff_equal(self, sd: date, mode: str) -> Credit:
        payer = self.payer(
            lambda p: p.fee_mult is not None and p.pr_model == "copay" and p.copay > 0
        )
        claim, adj = self.era_adj_claim(payer, sd, need_fee_row=True, n_lines=1)
        if not self.b.has_fee_row(payer.payer_id, claim.lines[0].cpt):
            raise Skip()
        copay = pr_of(adj, "3")
        k = money(self.rng.choice([D("5"), D("10"), D("15"), D("20")]))
        self.copay_at_visit(claim, copay + k)
        when = days(self.b, claim.billed_date, 14, 35)
        self.b.post_manual_payer(
            claim,
            payer.payer_id,
            total(adj, "paid"),
            total(adj, "co45") + total(adj, "seq") + k,
            when,
        )
        return Credit(
            claim,
            k + k,
            "",
            "",
            "",
            "Patient overpaid the copay and the hand-keyed write-off is too large by "
            "the same amount: no principal cause.",
            [],
            ambiguous=True,
        )

    def amb_excess_equals_prior_payment(self, sd: date, mode: str) -> Credit:
        payer = self.payer(
            lambda p: p.fee_mult is not None and p.pr_model == "none" and p.era_prob >= 0.5
        )
        claim, adj = self.era_adj_claim(payer, sd, need_fee_row=True, n_lines=1)
        la = adj[0]
        if not self.b.has_fee_row(payer.payer_id, claim.lines[0].cpt) or la.allowed < 20:
            raise Skip()
        part = money(la.allowed / max(claim.lines[0].units, 2))
        r1 = self.b.remit(payer.payer_id, days(self.b, claim.billed_date, 12, 25), fresh=True)
        self.b.post(
            claim,
            "payment",
            "payer",
            part,
            r1.payment_date,
            line_no=1,
            payer_id=payer.payer_id,
            allowed=part,
            trace=r1.trace,
            era_id=r1.era_id,
            method="era",
        )
        self.b.post_era(claim, payer.payer_id, adj, days(self.b, r1.payment_date, 20, 45))
        act = self.payer_action(payer.payer_id)
        return Credit(
            claim,
            part,
            "",
            act,
            payer.payer_id,
            "A partial payment on one 835 and the full contracted payment on a "
            "second: the excess equals the first payment and also the amount above "
            "the contract (duplicate or overpayment, both go back to the payer).",
            [],
            ambiguous=True,
        )
