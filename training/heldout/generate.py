"""Build one practice: base business, credit patterns (resolved in year 1, open in year 2),
look-alikes, resolutions, remittances; write the ledger folder and the truth file."""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from training.heldout.book import ZERO, Book, Claim, money
from training.heldout.flows import base_practice, days
from training.heldout.lookalikes import LookAlikes
from training.heldout.profiles import Profile
from training.heldout.scenarios import Credit, Fix, Skip

D = Decimal

# pattern name -> (weight in practice A, weight in practice B)
PATTERNS: dict[str, tuple[float, float]] = {
    "po_rate_above_contract": (1.4, 0.8),
    "po_pr_not_deducted": (1.0, 0.8),
    "po_secondary_paid_as_primary": (0.7, 1.3),
    "po_payer_not_billed": (0.6, 0.6),
    "po_sequestration_not_applied": (0.4, 1.4),
    "po_no_fee_schedule_overpaid": (0.5, 1.3),
    "dup_era_and_manual_same_trace": (1.3, 1.0),
    "dup_era_posted_twice": (0.9, 0.6),
    "dup_era_and_lockbox_check": (0.6, 1.3),
    "dup_two_835_different_traces": (1.1, 0.9),
    "dup_patient_receipt_posted_twice": (0.9, 0.7),
    "dup_paper_eob_keyed_twice": (0.5, 1.3),
    "pc_patient_paid_twice_two_receipts": (0.9, 0.8),
    "ae_contractual_too_large": (0.7, 1.1),
    "ae_pr_written_off_as_contractual": (0.9, 1.0),
    "ae_adjustment_posted_twice": (1.0, 0.9),
    "ae_small_balance_writeoff_then_paid": (0.7, 1.0),
    "ae_courtesy_writeoff_then_paid": (0.8, 0.6),
    "ae_denial_writeoff_then_paid": (1.1, 0.6),
    "pc_copay_overpaid_no_balance": (1.5, 0.8),
    "pc_copay_overpaid_other_balance": (1.0, 0.6),
    "pc_deductible_estimate_overpaid": (0.6, 1.0),
    "pc_patient_paid_secondary_covered": (0.6, 1.3),
    "pc_selfpay_prepayment": (0.6, 0.5),
    "mix_dup_plus_copay": (0.7, 0.5),
    "mix_overpay_plus_copay": (0.6, 0.5),
    "amb_copay_and_writeoff_equal": (0.4, 0.4),
    "amb_excess_equals_prior_payment": (0.4, 0.4),
}
RESOLVED_PER_WEIGHT = 16
OPEN_PER_WEIGHT = 11

LOOKALIKES = [
    "la_takeback_repay_later_remit",
    "la_takeback_repay_same_remit",
    "la_dup_recouped_plb",
    "la_dup_recouped_reversal",
    "la_installments_sum_to_balance",
    "la_oa23_secondary_legit",
    "la_two_lines_same_amount",
    "la_interest_plb_l6",
    "la_zero_balance_many_postings",
    "la_era_line_unmatched_keyed",
    "la_denial_then_paper_check",
    "la_primary_secondary_equal",
    "la_sequestration_applied",
    "la_small_balance_writeoff_no_payment",
    "la_adjustment_reversed_and_reposted",
    "la_no_fee_schedule_paid_full_charge",
    "la_one_receipt_two_claims",
    "la_copay_collected_payer_net",
    "la_manual_posting_balanced",
    "la_payment_misapplied_transferred",
    "la_two_claims_same_trace",
    "la_takeback_plb_then_repay",
    "la_patient_prepay_exact",
    "la_sequestration_secondary_rounding",
]
# look-alikes that are a pattern's credit already resolved before the as-of date
RESOLVED_LOOKALIKES = {
    "la_dup_refunded_before_asof": "dup_two_835_different_traces",
    "la_copay_refunded_before_asof": "pc_copay_overpaid_no_balance",
    "la_copay_applied_before_asof": "pc_copay_overpaid_other_balance",
    "la_double_adjustment_corrected_before_asof": "ae_adjustment_posted_twice",
    "la_overpayment_returned_before_asof": "po_rate_above_contract",
}
LOOKALIKE_OPEN = 9
LOOKALIKE_YEAR1 = 3

TRUTH_COLUMNS = [
    "claim_id",
    "pattern",
    "is_credit_at_asof",
    "credit_amount",
    "expected_source",
    "expected_action",
    "responsible_payer_id",
    "ambiguous",
    "lookalike",
    "resolved",
    "note",
]


@dataclass
class Practice:
    book: Book
    truth: list[dict]


def _n(base: float, scale: float) -> int:
    return max(1, round(base * scale))


class Builder:
    def __init__(self, profile: Profile, seed: int, scale: float):
        self.rng = random.Random(f"heldout-{profile.key}-{seed}")
        self.book = Book(profile, self.rng)
        self.scale = scale
        self.sc = LookAlikes(self.book)
        self.truth: list[dict] = []
        self.which = 0 if profile.key == "practice_a" else 1

    # ---- windows ---------------------------------------------------------------------------
    def sd_year1(self) -> date:
        y = self.book.profile.year1
        return date(y, 2, 20) + timedelta(days=self.rng.randint(0, 240))

    def sd_year2(self, earliest_days: int = 230, latest_days: int = 75) -> date:
        return self.book.asof - timedelta(days=self.rng.randint(latest_days, earliest_days))

    # ---- running -----------------------------------------------------------------------------
    def build(self) -> Practice:
        base_practice(self.book, _n(self.book.profile.base_claims, self.scale))
        for name, weights in PATTERNS.items():
            w = weights[self.which]
            if not name.startswith("amb_"):
                for _ in range(_n(RESOLVED_PER_WEIGHT * w, self.scale)):
                    self.resolved_credit(name)
            for _ in range(_n(OPEN_PER_WEIGHT * w, self.scale)):
                self.open_credit(name)
        for name in LOOKALIKES:
            for _ in range(_n(LOOKALIKE_OPEN, self.scale)):
                self.lookalike(name, self.sd_year2())
            for _ in range(_n(LOOKALIKE_YEAR1, self.scale)):
                self.lookalike(name, self.sd_year1())
        for name, pattern in RESOLVED_LOOKALIKES.items():
            for _ in range(_n(LOOKALIKE_OPEN, self.scale)):
                self.resolved_lookalike(name, pattern)
        self.ensure_asof_posting()
        self.renumber()
        return Practice(self.book, self.truth)

    # ---- ids in the order a practice would have issued them ------------------------------------
    def renumber(self) -> None:
        """Scenarios are built one after another; a practice issues patient, claim, receipt and
        remittance numbers in time order. Renumber so that no id betrays how a claim was made."""
        b = self.book
        prof = b.profile
        created = {cid: i for i, cid in enumerate(b.claims)}
        first_seen: dict[str, date] = {}
        for c in b.claims.values():
            first_seen[c.patient_id] = min(
                first_seen.get(c.patient_id, c.service_date), c.service_date
            )
        pats = sorted(b.patients, key=lambda p: (first_seen.get(p, b.asof), p))
        p_start = 1000 if prof.key == "practice_b" else 1
        pmap = {old: prof.patient_id(p_start + i) for i, old in enumerate(pats)}
        claims = sorted(b.claims.values(), key=lambda c: (c.billed_date, created[c.claim_id]))
        c_start = 40000 if prof.key == "practice_b" else 1
        cmap = {
            c.claim_id: prof.claim_id(c_start + i, c.service_date.year)
            for i, c in enumerate(claims)
        }
        eras = sorted(b.remits.values(), key=lambda r: (r.payment_date, r.era_id))
        emap = {r.era_id: prof.era_id(200 + i) for i, r in enumerate(eras)}
        receipts: dict[str, date] = {}
        for t in sorted(b.txns, key=lambda t: t["posted_date"]):
            if t["source"] == "patient" and t["kind"] == "payment" and t["amount"] > 0:
                receipts.setdefault(t["trace_number"], t["posted_date"])
        rmap = {old: prof.receipt(5000 + i) for i, old in enumerate(receipts)}

        b.patients = {pmap[k]: v for k, v in b.patients.items()}
        new_claims = {}
        for c in claims:
            c.claim_id = cmap[c.claim_id]
            c.patient_id = pmap[c.patient_id]
            new_claims[c.claim_id] = c
        b.claims = new_claims
        for r in eras:
            r.era_id = emap[r.era_id]
        b.remits = {r.era_id: r for r in eras}
        b.extra_remit = {emap[k]: v for k, v in b.extra_remit.items()}
        for t in b.txns:
            t["claim_id"] = cmap[t["claim_id"]]
            if t["era_id"]:
                t["era_id"] = emap[t["era_id"]]
            if t["source"] == "patient" and t["trace_number"] in rmap:
                t["trace_number"] = rmap[t["trace_number"]]
        for p in b.plb:
            p["era_id"] = emap[p["era_id"]]
            p["reference"] = cmap.get(p["reference"], p["reference"])
        for r in b.resolutions:
            r["claim_id"] = cmap[r["claim_id"]]
        for r in self.truth:
            r["claim_id"] = cmap[r["claim_id"]]
        b._cache = None

    def attempt(self, fn, *args):
        """Run a scenario; when it finds the practice has no fitting mix, undo what it posted."""
        for _ in range(12):
            mark = self.book.mark()
            try:
                return fn(*args)
            except Skip:
                self.book.rollback(mark)
        return None

    def open_credit(self, name: str) -> None:
        fn = getattr(self.sc, name)
        credit = self.attempt(lambda: fn(self.sd_year2(), "open"))
        if credit is None:
            return
        self.truth.append(self.truth_row(name, credit, is_credit=True, resolved=False))

    def resolved_credit(self, name: str) -> None:
        fn = getattr(self.sc, name)
        credit = self.attempt(lambda: fn(self.sd_year1(), "resolved"))
        if credit is None:
            return
        formed = self.last_posting(credit.claim)
        ident = days(self.book, formed, 5, 40)
        when = days(self.book, ident, 3, 40)
        self.resolve(credit, ident, when)
        self.truth.append(self.truth_row(name, credit, is_credit=False, resolved=True))

    def resolved_lookalike(self, name: str, pattern: str) -> None:
        fn = getattr(self.sc, pattern)
        credit = self.attempt(lambda: fn(self.sd_year2(240, 120), "resolved"))
        if credit is None:
            return
        formed = self.last_posting(credit.claim)
        ident = min(days(self.book, formed, 3, 15), self.book.asof - timedelta(days=12))
        when = min(days(self.book, ident, 2, 10), self.book.asof - timedelta(days=8))
        self.resolve(credit, ident, when)
        row = self.truth_row(name, credit, is_credit=False, resolved=True)
        row.update(
            lookalike="true",
            credit_amount="0.00",
            expected_source="",
            expected_action="",
            responsible_payer_id="",
            note=credit.note.rstrip(".") + f"; resolved ({credit.action}) before the as-of date.",
        )
        self.truth.append(row)

    def lookalike(self, name: str, sd: date) -> None:
        fn = getattr(self.sc, name)
        la = self.attempt(lambda: fn(sd))
        if la is None:
            return
        for c in la.claims:
            self.truth.append(
                {
                    "claim_id": c.claim_id,
                    "pattern": name,
                    "is_credit_at_asof": "false",
                    "credit_amount": "0.00",
                    "expected_source": "",
                    "expected_action": "",
                    "responsible_payer_id": "",
                    "ambiguous": "false",
                    "lookalike": "true",
                    "resolved": "false",
                    "note": la.note,
                }
            )

    def truth_row(self, name: str, credit: Credit, *, is_credit: bool, resolved: bool) -> dict:
        return {
            "claim_id": credit.claim.claim_id,
            "pattern": name,
            "is_credit_at_asof": "true" if is_credit else "false",
            "credit_amount": f"{credit.amount:.2f}",
            "expected_source": credit.source,
            "expected_action": credit.action,
            "responsible_payer_id": credit.payer,
            "ambiguous": "true" if credit.ambiguous else "false",
            "lookalike": "false",
            "resolved": "true" if resolved else "false",
            "note": credit.note,
        }

    def last_posting(self, claim: Claim) -> date:
        return max(t["posted_date"] for t in self.book.txns if t["claim_id"] == claim.claim_id)

    # ---- resolving a credit (the biller's work after identifying it) ---------------------------
    def resolve(self, credit: Credit, ident: date, when: date) -> None:
        b = self.book
        when = b.clamp(when)
        last = when
        for fix in credit.fixes:
            last = max(last, self.apply_fix(credit, fix, when))
        b.resolutions.append(
            {
                "claim_id": credit.claim.claim_id,
                "source": credit.source,
                "action": credit.action,
                "amount": credit.amount,
                "resolved_date": last,
                "resolved_by": b.biller(),
                "identified_date": ident,
            }
        )

    def apply_fix(self, credit: Credit, fix: Fix, when: date) -> date:
        b = self.book
        c = credit.claim
        ref = fix.ref
        if fix.action in ("reverse_posting", "correct_adjustment"):
            assert ref is not None
            b.post(
                c,
                ref["kind"],
                ref["source"],
                -fix.amount,
                when,
                line_no=ref["line_no"],
                payer_id=ref["payer_id"],
                group=ref["group_code"],
                reason=ref["reason_code"],
                trace=ref["trace_number"],
                method="manual",
            )
            return when
        if fix.action == "refund_payer":
            b.post(
                c,
                "refund",
                "payer",
                fix.amount,
                when,
                payer_id=fix.payer,
                trace=b.check_number(),
                method="check",
            )
            return when
        if fix.action == "payer_offset":
            r = b.remit(fix.payer, when)
            if self.rng.random() < 0.5:
                b.post(
                    c,
                    "payment",
                    "payer",
                    -fix.amount,
                    r.payment_date,
                    payer_id=fix.payer,
                    trace=r.trace,
                    era_id=r.era_id,
                    method="era",
                )
            else:
                b.plb.append(
                    {
                        "era_id": r.era_id,
                        "reason_code": "WO",
                        "reference": c.claim_id,
                        "amount": fix.amount,
                    }
                )
                b.post(
                    c,
                    "payment",
                    "payer",
                    -fix.amount,
                    r.payment_date,
                    payer_id=fix.payer,
                    trace=r.trace,
                    method="manual",
                )
            return r.payment_date
        if fix.action == "refund_patient":
            b.post(
                c,
                "refund",
                "patient",
                fix.amount,
                when,
                method=(m := self.rng.choice(["check", "check", "card"])),
                trace=b.check_number() if m == "check" else f"CR{b.next('card_refund', 300):05d}",
            )
            return when
        if fix.action == "apply_to_balance":
            comp = credit.companion
            assert comp is not None
            b.post(c, "transfer", "patient", -fix.amount, when, method="manual")
            b.post(comp, "transfer", "patient", fix.amount, when, method="manual")
            rest = b.balance(comp.claim_id, when)
            pay_day = days(b, when, 15, 45)
            if rest > 0 and pay_day <= b.asof and self.rng.random() < 0.5:
                b.pay_patient(comp, rest, pay_day)
            return when
        raise ValueError(fix.action)

    def ensure_asof_posting(self) -> None:
        """The ledger's default as-of date is its latest posted date: make it the profile's."""
        b = self.book
        if any(t["posted_date"] == b.asof for t in b.txns):
            return
        pid = b.new_patient()
        payer = next(p for p in b.profile.payers if p.primary and p.pr_model == "none")
        c = b.new_claim(pid, payer.payer_id, b.asof - timedelta(days=1), n_lines=1)
        b.post(
            c,
            "payment",
            "payer",
            money(c.charge * D("0.4")),
            b.asof,
            payer_id=payer.payer_id,
            trace=b.check_number(),
            method="manual",
        )


# ---- writing ---------------------------------------------------------------------------------
def _fmt(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, Decimal):
        return f"{v:.2f}"
    if isinstance(v, date):
        return v.isoformat()
    return str(v)


def _write(path: Path, columns: list[str], rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(columns)
        for r in rows:
            w.writerow([_fmt(r.get(c)) for c in columns])


def remittance_rows(book: Book) -> list[dict]:
    paid: dict[str, Decimal] = {}
    for t in book.txns:
        if (
            t["era_id"]
            and t["kind"] == "payment"
            and t["source"] == "payer"
            and t["txn_id"] not in book.not_in_remit
        ):
            paid[t["era_id"]] = paid.get(t["era_id"], ZERO) + t["amount"]
    plb: dict[str, Decimal] = {}
    for p in book.plb:
        plb[p["era_id"]] = plb.get(p["era_id"], ZERO) + p["amount"]
    totals: dict[str, Decimal] = {}
    for eid in sorted(book.remits):
        tot = paid.get(eid, ZERO) + book.extra_remit.get(eid, ZERO) - plb.get(eid, ZERO)
        if tot < 0:  # more taken back than paid: the rest is carried forward
            book.plb.append({"era_id": eid, "reason_code": "FB", "reference": "", "amount": tot})
            tot = ZERO
        totals[eid] = tot
    rng = random.Random(f"remit-{book.profile.key}-{len(book.txns)}")
    paying = [eid for eid, tot in totals.items() if tot > 0]
    unbalanced = set(rng.sample(paying, k=min(2, len(paying))))
    rows = []
    for eid, tot in totals.items():
        r = book.remits[eid]
        if eid in unbalanced:  # the payer's BPR total disagrees with its own claims
            tot += D("0.01") * rng.randint(1, 40)
        rows.append(
            {
                "era_id": eid,
                "payer_id": r.payer_id,
                "trace_number": r.trace,
                "payment_date": r.payment_date,
                "total_paid": tot,
                "method": "NON" if tot == 0 else r.method,
                "balanced": eid not in unbalanced,
            }
        )
    return rows


def write_practice(practice: Practice, folder: Path) -> None:
    b = practice.book
    folder.mkdir(parents=True, exist_ok=True)
    _write(
        folder / "payers.csv",
        ["payer_id", "payer_name", "payer_type", "refund_deadline_days", "allows_offset"],
        [
            {
                "payer_id": p.payer_id,
                "payer_name": p.name,
                "payer_type": p.type,
                "refund_deadline_days": p.deadline,
                "allows_offset": p.offset,
            }
            for p in b.profile.payers
        ],
    )
    _write(
        folder / "fee_schedule.csv",
        ["payer_id", "cpt", "modifier", "allowed_per_unit", "effective_from", "effective_to"],
        b.fee_rows,
    )
    _write(
        folder / "patients.csv",
        ["patient_id", "state"],
        [{"patient_id": k, "state": v} for k, v in b.patients.items()],
    )
    lines = []
    for c in b.claims.values():
        for ln in c.lines:
            lines.append(
                {
                    "claim_id": c.claim_id,
                    "line_no": ln.line_no,
                    "patient_id": c.patient_id,
                    "payer_id": c.payer_id,
                    "secondary_payer_id": c.secondary_id,
                    "location_id": c.location,
                    "provider_id": c.provider,  # type: ignore[attr-defined]
                    "service_date": c.service_date,
                    "cpt": ln.cpt,
                    "modifier": ln.modifier,
                    "units": ln.units,
                    "charge_amount": ln.charge,
                    "billed_date": c.billed_date,
                }
            )
    _write(
        folder / "claim_lines.csv",
        [
            "claim_id",
            "line_no",
            "patient_id",
            "payer_id",
            "secondary_payer_id",
            "location_id",
            "provider_id",
            "service_date",
            "cpt",
            "modifier",
            "units",
            "charge_amount",
            "billed_date",
        ],
        lines,
    )
    remits = remittance_rows(b)
    # renumber postings in posting order, as a practice-management export would
    order = sorted(range(len(b.txns)), key=lambda i: (b.txns[i]["posted_date"], i))
    txns = []
    for n, i in enumerate(order, start=1):
        t = dict(b.txns[i])
        t["txn_id"] = b.profile.txn_id(n + (100 if b.profile.key == "practice_b" else 0))
        txns.append(t)
    _write(
        folder / "transactions.csv",
        [
            "txn_id",
            "claim_id",
            "line_no",
            "kind",
            "source",
            "payer_id",
            "amount",
            "group_code",
            "reason_code",
            "allowed_amount",
            "trace_number",
            "era_id",
            "method",
            "posted_date",
            "posted_by",
        ],
        txns,
    )
    _write(
        folder / "remittances.csv",
        ["era_id", "payer_id", "trace_number", "payment_date", "total_paid", "method", "balanced"],
        remits,
    )
    _write(
        folder / "provider_adjustments.csv", ["era_id", "reason_code", "reference", "amount"], b.plb
    )
    _write(
        folder / "resolutions.csv",
        [
            "claim_id",
            "source",
            "action",
            "amount",
            "resolved_date",
            "resolved_by",
            "identified_date",
        ],
        b.resolutions,
    )


def write_truth(practice: Practice, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    _write(path, TRUTH_COLUMNS, practice.truth)


def build_practice(profile: Profile, seed: int, scale: float) -> Practice:
    return Builder(profile, seed, scale).build()
