"""The two practice profiles: payers, plans, CPT mix, fee schedules, ids and volumes.

practice_a - a PT/OT clinic group with three locations; Medicare (2% sequestration,
CO-253) with Medicaid or Medigap secondaries, a Medicaid plan, two Medicare Advantage
plans (one sequesters by contract), three commercial plans, a workers' comp carrier and
an auto/no-fault carrier (neither has fee-schedule rows and their ERAs often carry no
allowed amount).  Mostly 835 posting, about one payment in ten keyed by hand.

practice_b - a speech, ABA and behavioral-health practice; Medicaid-heavy (a fee for
service plan that covers cost shares as secondary and an MCO that sends paper), three
commercial plans, TRICARE and a small Medicare book.  Every id keeps leading zeros.
About 15% of payer money is keyed by hand without CARCs or allowed amounts, and the
fee schedule has gaps: missing payer/CPT pairs, a modifier-specific row that does not
match unmodified lines, and rows that expired in 2026 with no successor.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from .postings import ZERO, money

D = Decimal


@dataclass(frozen=True)
class Payer:
    payer_id: str
    name: str
    payer_type: str
    allows_offset: bool | None
    refund_deadline_days: int | None
    fee_mult: Decimal | None  # multiplier on base rates for fee-schedule rows; None = none
    own_mult: Decimal  # what the payer really prices at when no row applies
    reports_allowed_pct: int = 100  # share of ERA payment rows carrying AMT*B6
    manual_pct: int = 3  # share of claims this payer settles on paper (keyed by hand)
    eft: bool = True
    weekday: int | None = None  # check-run weekday; None = every business day
    lag: tuple[int, int] = (12, 30)
    sequestration: bool = False
    secondary_rule: str = "full"  # full | lesser_of | cost_share
    charge_based: bool = False  # prices as a share of the charge (auto/no-fault)

    @property
    def offset(self) -> bool:
        return bool(self.allows_offset)

    def next_pay_day(self, d: date) -> date:
        while d.weekday() >= 5 or (self.weekday is not None and d.weekday() != self.weekday):
            d += timedelta(days=1)
        return d


@dataclass(frozen=True)
class FeeRow:
    payer_id: str
    cpt: str
    modifier: str
    allowed_per_unit: Decimal
    effective_from: date
    effective_to: date | None


@dataclass(frozen=True)
class Plan:
    kind: str
    primary: str  # '' = self-pay
    secondary: str = ""
    copay: Decimal = ZERO
    deductible: Decimal = ZERO  # annual
    coins: Decimal = ZERO  # share of allowed after deductible


@dataclass
class Patient:
    patient_id: str
    state: str
    plan: Plan
    switch_date: date | None = None
    plan_after: Plan | None = None
    discipline: str = ""
    provider_id: str = ""
    location_id: str = ""
    claims: list = field(default_factory=list)

    def plan_on(self, d: date) -> Plan:
        if self.switch_date and d >= self.switch_date:
            return self.plan_after
        return self.plan


@dataclass(frozen=True)
class Cpt:
    code: str
    charge_per_unit: Decimal
    base_rate: Decimal  # 2025 per-unit rate the fee multipliers apply to


class IdsA:
    """practice_a ids: letters and dashes, no significant leading zeros."""
    txn_start, eft_start, manual_eft_start = 100000, 1000000000, 3000000000
    check_start, remit_check_start, receipt_start, refund_start = 504000, 800000, 20000, 7000

    @staticmethod
    def claim(n: int, dos: date) -> str:
        return f"R{dos.year % 100:02d}-{n:06d}"

    @staticmethod
    def patient(n: int) -> str:
        return f"PA{n:05d}"

    @staticmethod
    def txn(n: int) -> str:
        return f"TX-{n:07d}"

    @staticmethod
    def era(n: int) -> str:
        return f"ERA-{n:06d}"

    @staticmethod
    def eft(n: int) -> str:
        return f"{n:010d}"

    @staticmethod
    def check(n: int) -> str:
        return f"{n:06d}"

    @staticmethod
    def receipt(n: int) -> str:
        return f"RC-{n:06d}"

    @staticmethod
    def refund(n: int) -> str:
        return f"AP-{n:05d}"


class IdsB:
    """practice_b ids: all digits with leading zeros (claim '000123450', patient '0004512')."""
    txn_start, eft_start, manual_eft_start = 1040, 88000, 7700000
    check_start, remit_check_start, receipt_start, refund_start = 8800, 500000, 45000, 120

    @staticmethod
    def claim(n: int, dos: date) -> str:
        return f"{n * 10:09d}"

    @staticmethod
    def patient(n: int) -> str:
        return f"{n:07d}"

    @staticmethod
    def txn(n: int) -> str:
        return f"{n:010d}"

    @staticmethod
    def era(n: int) -> str:
        return f"{n:08d}"

    @staticmethod
    def eft(n: int) -> str:
        return f"{n:012d}"

    @staticmethod
    def check(n: int) -> str:
        return f"{n:07d}"

    @staticmethod
    def receipt(n: int) -> str:
        return f"{n:08d}"

    @staticmethod
    def refund(n: int) -> str:
        return f"{n:06d}"


@dataclass
class Profile:
    key: str
    title: str
    payers: dict[str, Payer]
    cpts: dict[str, Cpt]
    fee_rows: list[FeeRow]
    plan_mix: list[tuple[int, str]]
    states: list[tuple[int, str]]
    locations: dict[str, list[str]]  # location -> providers
    disciplines: list[tuple[int, str]]
    ids: type
    claim_budget: int
    users_system: tuple[str, ...]
    users_billing: tuple[str, ...]
    users_front: tuple[str, ...]
    medicare_deductible: dict[int, Decimal]
    weights: dict[str, int]  # design name -> open instances at scale 1
    resolved_weights: dict[str, int]  # pattern name -> resolved 2025 instances at scale 1
    patient_start: int = 10000
    claim_start: int = 1000
    manual_carc_pct: int = 85  # manual postings that still carry CO-45 on the write-off
    manual_pr_pct: int = 30  # manual postings that key the PR rows from the paper EOB
    manual_claim_level_pct: int = 60  # manual postings keyed at claim level (no line_no)
    supplement: str = ""  # Medigap payer used as secondary to Medicare
    fee_index: dict = field(default_factory=dict)

    def __post_init__(self):
        for r in self.fee_rows:
            self.fee_index.setdefault((r.payer_id, r.cpt), []).append(r)

    def user(self, rng: random.Random, method: str) -> str:
        if method == "era":
            return rng.choice(self.users_system)
        if method in ("card", "cash", "check"):
            return rng.choice(self.users_front)
        return rng.choice(self.users_billing)

    def fee(self, payer_id: str, cpt: str, modifier: str, dos: date) -> Decimal | None:
        """Contracted allowed per unit by the contract's rule: payer, cpt, modifier
        (a blank row modifier matches any line) and date of service."""
        hits = [r for r in self.fee_index.get((payer_id, cpt), [])
                if (r.modifier == "" or r.modifier == modifier)
                and r.effective_from <= dos and (r.effective_to is None or dos <= r.effective_to)]
        if len(hits) > 1:
            raise AssertionError(f"overlapping fee rows {payer_id} {cpt} {modifier} {dos}")
        return hits[0].allowed_per_unit if hits else None

    def expired_fee(self, payer_id: str, cpt: str, modifier: str, dos: date) -> Decimal | None:
        hits = [r for r in self.fee_index.get((payer_id, cpt), [])
                if (r.modifier == "" or r.modifier == modifier)
                and r.effective_to is not None and r.effective_to < dos]
        return hits[-1].allowed_per_unit if hits else None

    def base_rate(self, cpt: str, dos: date) -> Decimal:
        b = self.cpts[cpt].base_rate
        return money(b * D("1.025")) if dos.year >= 2026 else b

    def payers_of_type(self, *types: str) -> list[str]:
        return [p.payer_id for p in self.payers.values() if p.payer_type in types]

    # ---- plans -------------------------------------------------------------------
    def make_plan(self, kind: str, rng: random.Random, avoid: str = "") -> Plan:
        P = self.payers

        def pick(*types, rule=None):
            ids = [p for p in self.payers_of_type(*types) if p != avoid]
            if rule:
                ids = [p for p in ids if rule(P[p])]
            return rng.choice(ids)

        if kind == "selfpay":
            return Plan(kind, "")
        if kind == "medicare_only":
            return Plan(kind, pick("medicare"), coins=D("0.20"))
        if kind == "medicare_medicaid":
            return Plan(kind, pick("medicare"), pick("medicaid", rule=lambda p: p.fee_mult is not None),
                        coins=D("0.20"))
        if kind == "medicare_supp":
            return Plan(kind, pick("medicare"), self.supplement, coins=D("0.20"))
        if kind == "medicaid":
            return Plan(kind, pick("medicaid"))
        if kind == "ma_copay":
            return Plan(kind, pick("medicare_advantage"), copay=D(rng.choice(("20", "30", "35", "40"))))
        if kind == "com_copay":
            return Plan(kind, pick("commercial"), copay=D(rng.choice(("25", "30", "40", "45", "50"))))
        if kind == "com_ded":
            return Plan(kind, pick("commercial"), deductible=D(rng.choice(("250", "500", "750", "1000"))),
                        coins=D(rng.choice(("0.10", "0.20", "0.20", "0.30"))))
        if kind == "com_medicaid":
            return Plan(kind, pick("commercial"), pick("medicaid", rule=lambda p: p.secondary_rule == "cost_share"),
                        copay=D(rng.choice(("20", "30", "40"))))
        if kind == "tricare":
            return Plan(kind, pick("tricare"), copay=D(rng.choice(("15", "25", "33"))))
        if kind == "wc":
            return Plan(kind, pick("workers_comp"))
        if kind == "auto":
            return Plan(kind, pick("other"))
        raise ValueError(kind)


def _rows(payer_id: str, mult: Decimal, cpts: dict[str, Cpt], codes, modifiers=("",),
          years=(2025, 2026), end_2026: date | None = None, bump_2026=D("1.025")) -> list[FeeRow]:
    out = []
    for code in codes:
        for mod in modifiers:
            for y in years:
                base = cpts[code].base_rate * (bump_2026 if y == 2026 else D("1"))
                rate = money(base * mult)
                frm = date(y, 1, 1)
                to = date(y, 12, 31) if y == 2025 else end_2026
                out.append(FeeRow(payer_id, code, mod, rate, frm, to))
    return out


def practice_a() -> Profile:
    cpts = {c.code: c for c in [
        Cpt("97110", D("62.00"), D("29.54")), Cpt("97112", D("68.00"), D("33.71")),
        Cpt("97140", D("58.00"), D("27.03")), Cpt("97530", D("72.00"), D("35.94")),
        Cpt("97116", D("60.00"), D("29.69")),
        Cpt("97161", D("185.00"), D("101.24")), Cpt("97162", D("215.00"), D("101.24")),
        Cpt("97163", D("245.00"), D("101.24")),
        Cpt("97165", D("185.00"), D("104.11")), Cpt("97166", D("215.00"), D("104.11")),
        Cpt("97167", D("245.00"), D("104.11")),
    ]}
    payers = {p.payer_id: p for p in [
        Payer("MCR-J15", "Medicare Part B (J15 MAC)", "medicare", True, None, D("1.00"), D("1.00"),
              sequestration=True, lag=(13, 18), manual_pct=0),
        Payer("MCD-OH", "Buckeye Medicaid Managed Care", "medicaid", False, 60, D("0.78"), D("0.78"),
              weekday=3, lag=(15, 35), secondary_rule="lesser_of", manual_pct=4),
        Payer("MA-SNR1", "Senior Choice Medicare Advantage", "medicare_advantage", True, None, D("1.00"),
              D("1.00"), weekday=1, lag=(14, 30), manual_pct=2),
        Payer("MA-CARE2", "CareFirst Advantage HMO", "medicare_advantage", False, 60, D("0.97"), D("0.97"),
              weekday=4, lag=(14, 30), sequestration=True, manual_pct=2),
        Payer("COM-BLU", "Blue Lakes PPO", "commercial", True, 365, D("1.18"), D("1.18"), weekday=2,
              lag=(12, 28), manual_pct=4),
        Payer("COM-UNI", "Unity Health Plans", "commercial", True, 180, D("1.25"), D("1.25"), weekday=0,
              lag=(12, 30), manual_pct=5, reports_allowed_pct=90),
        Payer("COM-AET", "Aegis Commercial & Medigap", "commercial", True, None, D("1.10"), D("1.16"),
              weekday=3, lag=(14, 35), manual_pct=6),
        Payer("WC-BWC", "Ohio Workers' Comp Managed Care", "workers_comp", False, None, None, D("1.45"),
              eft=False, weekday=2, lag=(30, 60), manual_pct=70, reports_allowed_pct=25),
        Payer("AUTO-NF", "Great Lakes Auto No-Fault", "other", False, None, None, D("0.85"), eft=False,
              weekday=4, lag=(30, 70), manual_pct=85, reports_allowed_pct=10, charge_based=True),
    ]}
    pt = ["97110", "97112", "97140", "97530", "97116", "97161", "97162", "97163"]
    ot = ["97110", "97112", "97140", "97530", "97165", "97166", "97167"]
    rows = []
    rows += _rows("MCR-J15", D("1.00"), cpts, pt, ("GP",))
    rows += _rows("MCR-J15", D("1.00"), cpts, [c for c in ot], ("GO",))
    codes = sorted(cpts)
    rows += _rows("MCD-OH", D("0.78"), cpts, codes)
    rows += _rows("MA-SNR1", D("1.00"), cpts, codes)
    rows += _rows("MA-CARE2", D("0.97"), cpts, codes)
    rows += _rows("COM-BLU", D("1.18"), cpts, codes)
    rows += _rows("COM-UNI", D("1.25"), cpts, codes)
    # Aegis: the 2026 contract rows expire 2026-06-30 while renegotiation drags on; after
    # that the plan prices at its own (higher) rate and no row governs.
    rows += _rows("COM-AET", D("1.10"), cpts, codes, end_2026=date(2026, 6, 30))
    weights = {
        "dup_era_posted_twice": 35, "dup_era_and_manual_same_trace": 26, "dup_eft_and_paper_check": 24,
        "dup_second_835_new_trace": 30, "dup_patient_receipt_posted_twice": 24,
        "patient_paid_twice_two_receipts": 28, "overpaid_above_fee_schedule": 30,
        "sequestration_not_applied": 32, "secondary_paid_as_primary": 20, "paid_by_payer_not_billed": 14,
        "paid_after_coverage_ended": 15, "paid_ignoring_reported_pr": 28, "manual_claim_level_overpaid": 14,
        "contractual_above_charge_minus_allowed": 30, "pr_written_off_as_contractual": 24,
        "contractual_posted_twice": 25, "patient_writeoff_then_paid": 18, "copay_above_assigned_pr": 42,
        "prepaid_estimate_above_pr": 30, "patient_paid_after_secondary": 24, "selfpay_paid_above_charge": 12,
        "missed_reversal_posting": 12, "dup_partially_recouped": 12, "mixed_era_repost_with_contractual": 10,
        "mixed_payer_over_and_copay_excess": 10, "mixed_sequestration_and_patient_excess": 8,
        # look-alikes
        "takeback_then_repay": 10, "dup_already_refunded": 8, "dup_recouped_by_takeback": 8,
        "dup_recouped_plb_wo_posted": 6, "dup_recouped_plb_wo_unposted": 6, "patient_installments": 10,
        "legit_oa23_secondary": 10, "two_lines_same_amount": 8, "interest_plb_l6": 6,
        "interest_carc225_in_payment": 6, "partial_recoupment_settled": 6, "transfer_between_claims": 8,
        "denial_co16_zero_pay": 10, "reversal_and_corrected_repay": 8, "medicare_sequestration_correct": 10,
        "no_fee_schedule_payment_correct": 10, "patient_deposit_applied_via_transfer": 6,
        "medicaid_secondary_writeoff": 8, "copay_at_visit_exact": 8, "denial_paid_on_appeal": 8,
        "refund_acknowledged_plb72": 6, "same_amount_two_claims_same_era": 6,
        "stale_fee_row_patient_excess": 8, "no_pr_patient_paid": 8, "installments_overshoot": 8,
        "sequestration_correct_patient_excess": 8, "plb_interest_posted_to_claim": 5,
        "second_payment_different_amount": 6, "manual_same_amount_no_trace": 6,
        "paid_full_allowed_no_pr_copay_collected": 6,
    }
    resolved = {k: v for k, v in weights.items() if k in PATTERN_NAMES}
    resolved.update({"sequestration_not_applied": 36, "copay_above_assigned_pr": 46,
                     "dup_era_posted_twice": 30, "paid_after_coverage_ended": 12})
    prof = Profile(
        key="practice_a", title="Lakeshore PT/OT group (3 locations)", payers=payers, cpts=cpts,
        fee_rows=rows,
        plan_mix=[(12, "medicare_only"), (5, "medicare_medicaid"), (8, "medicare_supp"), (10, "medicaid"),
                  (14, "ma_copay"), (22, "com_copay"), (17, "com_ded"), (4, "wc"), (3, "auto"),
                  (4, "selfpay")],
        states=[(78, "OH"), (8, "PA"), (6, "MI"), (5, "IN"), (3, "WV")],
        locations={"CLE-W": ["1588667701", "1588667719", "1730220458"],
                   "CLE-E": ["1043356120", "1043356138"],
                   "AKR": ["1962504417", "1962504425", "1467890122"]},
        disciplines=[(70, "PT"), (30, "OT")], ids=IdsA, claim_budget=7400,
        users_system=("era-autopost", "era-autopost", "era-batch2"),
        users_billing=("kbrooks", "tnguyen", "mrivera", "jpatel"),
        users_front=("frontdesk-w", "frontdesk-e", "frontdesk-akr"),
        medicare_deductible={2025: D("257.00"), 2026: D("283.00")},
        weights=weights, resolved_weights=resolved,
    )
    prof.supplement = "COM-AET"
    return prof


def practice_b() -> Profile:
    cpts = {c.code: c for c in [
        Cpt("92507", D("165.00"), D("62.15")), Cpt("92523", D("325.00"), D("128.40")),
        Cpt("97151", D("40.00"), D("24.75")), Cpt("97153", D("24.00"), D("14.20")),
        Cpt("97155", D("36.00"), D("21.60")), Cpt("90837", D("225.00"), D("121.30")),
        Cpt("90834", D("170.00"), D("91.75")), Cpt("90791", D("275.00"), D("140.60")),
    ]}
    payers = {p.payer_id: p for p in [
        Payer("00931", "State Medicaid Fee-for-Service", "medicaid", True, 60, D("1.00"), D("1.00"),
              weekday=2, lag=(14, 28), secondary_rule="cost_share", manual_pct=5, reports_allowed_pct=80),
        Payer("00412", "Garden Medicaid MCO", "medicaid", False, 60, D("1.04"), D("1.04"), eft=False,
              weekday=4, lag=(20, 45), manual_pct=40, reports_allowed_pct=60, secondary_rule="lesser_of"),
        Payer("00077", "Horizon Commercial PPO", "commercial", True, 180, D("1.45"), D("1.45"), weekday=1,
              lag=(12, 30), manual_pct=5),
        Payer("00150", "Meridian Health Plan", "commercial", False, None, D("1.30"), D("1.34"), weekday=3,
              lag=(15, 40), manual_pct=25, reports_allowed_pct=70),
        Payer("00602", "Keystone EAP & Behavioral", "commercial", True, 365, D("1.20"), D("1.27"),
              weekday=0, lag=(12, 30), manual_pct=12),
        Payer("00099", "TRICARE East", "tricare", False, None, D("1.15"), D("1.15"), lag=(10, 25),
              manual_pct=3),
        Payer("00018", "Medicare Part B (JL MAC)", "medicare", True, None, D("1.10"), D("1.10"),
              sequestration=True, lag=(13, 18), manual_pct=0),
    ]}
    codes = sorted(cpts)
    rows = []
    # Medicaid FFS: ABA codes priced per credential; 97153 row only for HN lines, so an
    # unmodified 97153 line has no row (the payer-reported allowed applies).
    rows += _rows("00931", D("1.00"), cpts, ["92507", "92523", "97151", "90837", "90834", "90791"])
    rows += _rows("00931", D("1.00"), cpts, ["97153"], ("HN",))
    rows += _rows("00931", D("1.00"), cpts, ["97155"], ("HO",))
    rows += _rows("00412", D("1.04"), cpts, codes)
    rows += _rows("00077", D("1.45"), cpts, [c for c in codes if c not in ("97151", "97155")])
    rows += _rows("00150", D("1.30"), cpts, [c for c in codes if c not in ("92523", "90791")])
    rows += _rows("00602", D("1.20"), cpts, [c for c in codes if c not in ("90837", "90834")])
    rows += _rows("00602", D("1.20"), cpts, ["90837", "90834"], end_2026=date(2026, 3, 31))
    rows += _rows("00099", D("1.15"), cpts, [c for c in codes if c != "97153"])
    rows += _rows("00099", D("1.15"), cpts, ["97153"], ("HN",))
    rows += _rows("00018", D("1.10"), cpts, ["92507", "92523", "90837", "90834", "90791"])
    weights = {
        "dup_era_posted_twice": 24, "dup_era_and_manual_same_trace": 38, "dup_eft_and_paper_check": 26,
        "dup_second_835_new_trace": 24, "dup_patient_receipt_posted_twice": 30,
        "patient_paid_twice_two_receipts": 34, "overpaid_above_fee_schedule": 22,
        "sequestration_not_applied": 10, "secondary_paid_as_primary": 24, "paid_by_payer_not_billed": 12,
        "paid_after_coverage_ended": 12, "paid_ignoring_reported_pr": 22, "manual_claim_level_overpaid": 30,
        "contractual_above_charge_minus_allowed": 24, "pr_written_off_as_contractual": 20,
        "contractual_posted_twice": 22, "patient_writeoff_then_paid": 22, "copay_above_assigned_pr": 46,
        "prepaid_estimate_above_pr": 40, "patient_paid_after_secondary": 30, "selfpay_paid_above_charge": 30,
        "missed_reversal_posting": 10, "dup_partially_recouped": 10, "mixed_era_repost_with_contractual": 8,
        "mixed_payer_over_and_copay_excess": 10, "mixed_sequestration_and_patient_excess": 4,
        "takeback_then_repay": 8, "dup_already_refunded": 8, "dup_recouped_by_takeback": 6,
        "dup_recouped_plb_wo_posted": 5, "dup_recouped_plb_wo_unposted": 5, "patient_installments": 12,
        "legit_oa23_secondary": 10, "two_lines_same_amount": 10, "interest_plb_l6": 5,
        "interest_carc225_in_payment": 5, "partial_recoupment_settled": 5, "transfer_between_claims": 10,
        "denial_co16_zero_pay": 12, "reversal_and_corrected_repay": 6, "medicare_sequestration_correct": 5,
        "no_fee_schedule_payment_correct": 12, "patient_deposit_applied_via_transfer": 10,
        "medicaid_secondary_writeoff": 6, "copay_at_visit_exact": 10, "denial_paid_on_appeal": 8,
        "refund_acknowledged_plb72": 5, "same_amount_two_claims_same_era": 8,
        "stale_fee_row_patient_excess": 8, "no_pr_patient_paid": 10, "installments_overshoot": 8,
        "sequestration_correct_patient_excess": 4, "plb_interest_posted_to_claim": 4,
        "second_payment_different_amount": 5, "manual_same_amount_no_trace": 8,
        "paid_full_allowed_no_pr_copay_collected": 5,
    }
    resolved = {k: v for k, v in weights.items() if k in PATTERN_NAMES}
    resolved.update({"selfpay_paid_above_charge": 24, "prepaid_estimate_above_pr": 46,
                     "manual_claim_level_overpaid": 26})
    return Profile(
        key="practice_b", title="Bright Path speech, ABA & behavioral health", payers=payers, cpts=cpts,
        fee_rows=rows,
        plan_mix=[(18, "medicaid"), (14, "medicaid"), (18, "com_copay"), (14, "com_ded"),
                  (8, "com_medicaid"), (10, "tricare"), (3, "medicare_only"), (2, "medicare_medicaid"),
                  (10, "selfpay")],
        states=[(82, "NJ"), (11, "NY"), (7, "PA")],
        locations={"001": ["0000771", "0000814", "0000902"], "002": ["0001123", "0001150", "0000068"]},
        disciplines=[(30, "SLP"), (35, "ABA"), (35, "BH")], ids=IdsB, claim_budget=6600,
        users_system=("0000sys835",), users_billing=("u0012", "u0047", "u0103"),
        users_front=("u0201", "u0202"),
        medicare_deductible={2025: D("257.00"), 2026: D("283.00")},
        weights=weights, resolved_weights=resolved, patient_start=4100, claim_start=12300,
        manual_carc_pct=40, manual_pr_pct=0, manual_claim_level_pct=80,
    )


PATTERN_NAMES = (
    "dup_era_posted_twice", "dup_era_and_manual_same_trace", "dup_eft_and_paper_check",
    "dup_second_835_new_trace", "dup_patient_receipt_posted_twice", "patient_paid_twice_two_receipts",
    "overpaid_above_fee_schedule", "sequestration_not_applied", "secondary_paid_as_primary",
    "paid_by_payer_not_billed", "paid_after_coverage_ended", "paid_ignoring_reported_pr",
    "manual_claim_level_overpaid", "contractual_above_charge_minus_allowed",
    "pr_written_off_as_contractual", "contractual_posted_twice", "patient_writeoff_then_paid",
    "copay_above_assigned_pr", "prepaid_estimate_above_pr", "patient_paid_after_secondary",
    "selfpay_paid_above_charge", "missed_reversal_posting", "dup_partially_recouped",
    "mixed_era_repost_with_contractual", "mixed_payer_over_and_copay_excess",
    "mixed_sequestration_and_patient_excess",
)

PROFILES = {"practice_a": practice_a, "practice_b": practice_b}
