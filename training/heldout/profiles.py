"""Two practice profiles for the held-out generator.

Practice A: a behavioral-health / ABA group (Ohio, some Kentucky and West Virginia), heavy in Medicaid
managed care and commercial plans with visit copays, a little TRICARE and Medicare psychotherapy,
an EAP with no fee schedule. ERA-first, about 10% of payer money keyed by hand from paper EOBs.

Practice B: a rural PT/OT/speech practice (Pennsylvania with New York and Ohio borders), heavy in
Medicare + supplemental (Medigap), Medicare Advantage, Medicaid, workers' comp and auto (no fee
schedule rows for those), paper checks through a bank lockbox; about 15% of payer money keyed by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

D = Decimal
NO_MONEY = Decimal(0)


@dataclass(frozen=True)
class Payer:
    payer_id: str
    name: str
    type: str
    weight: float  # share of claims where it is primary
    fee_mult: Decimal | None  # contract = base rate x mult; None = no fee schedule rows at all
    reported_pct: Decimal  # payer-reported allowed as a share of charge where no fee row applies
    pr_model: str  # none | copay | coins | medicare
    copay: Decimal = NO_MONEY
    coins: Decimal = NO_MONEY
    era_prob: float = 0.9
    deadline: int | None = None
    offset: bool | None = None
    gaps: frozenset[str] = frozenset()  # CPTs with no fee-schedule row
    secondaries: tuple[tuple[str, float], ...] = ()
    remit_method: str = "ACH"
    primary: bool = True  # False: only ever secondary, or never billed (a plan the patient left)


@dataclass(frozen=True)
class Service:
    cpt: str
    modifiers: tuple[str, ...]
    units: tuple[int, int]
    charge_per_unit: Decimal
    base_rate: Decimal  # contracted allowed per unit at fee_mult 1.00 (year 1)
    weight: float


@dataclass
class Profile:
    key: str
    asof: date
    year1: int
    states: list[tuple[str, float]]
    locations: list[str]
    providers: list[str]
    era_user: str
    billers: list[str]
    front: list[str]
    lockbox_user: str
    manual_method: list[tuple[str, float]]
    manual_rate: float
    payers: list[Payer]
    services: list[Service]
    lines_per_claim: list[tuple[int, float]]
    patient_methods: list[tuple[str, float]]
    year2_fee_change: dict[str, Decimal] = field(default_factory=dict)
    base_claims: int = 3400
    claims_per_patient: tuple[int, int] = (4, 14)

    def claim_id(self, n: int, year: int) -> str:
        if self.key == "practice_a":
            return f"BH-{year % 100:02d}-{n:06d}"
        return f"{n:010d}"

    def patient_id(self, n: int) -> str:
        if self.key == "practice_a":
            return f"pt-{n:05d}"
        return f"{n:07d}"

    def txn_id(self, n: int) -> str:
        if self.key == "practice_a":
            return f"T{n:07d}"
        return f"00{n:08d}"

    def era_id(self, n: int) -> str:
        if self.key == "practice_a":
            return f"ERA-{n:05d}"
        return f"835_{n:06d}"

    def receipt(self, n: int) -> str:
        if self.key == "practice_a":
            return f"R-{n:06d}"
        return f"rc{n:07d}"


PRACTICE_A = Profile(
    key="practice_a",
    asof=date(2026, 11, 30),
    year1=2025,
    states=[("OH", 0.82), ("KY", 0.11), ("WV", 0.07)],
    locations=["LOC-01", "LOC-02", "loc-03"],
    providers=["bcba-03", "bcba-11", "BCBA-17", "lpcc-02", "lisw-08", "psyd-01"],
    era_user="era_import",
    billers=["biller1", "biller3", "ar_lead"],
    front=["front_desk1", "front_desk2"],
    lockbox_user="biller1",
    manual_method=[("manual", 0.85), ("check", 0.15)],
    manual_rate=0.10,
    payers=[
        Payer(
            "mcoCare01",
            "Buckeye-area Medicaid plan 1",
            "medicaid",
            0.22,
            D("1.00"),
            D("0.5"),
            "none",
            era_prob=0.93,
            offset=True,
        ),
        Payer(
            "mcoCare02",
            "Medicaid plan 2",
            "medicaid",
            0.15,
            D("0.97"),
            D("0.5"),
            "none",
            era_prob=0.9,
            offset=True,
        ),
        Payer(
            "MCO-Unity",
            "Medicaid plan 3",
            "medicaid",
            0.10,
            D("1.02"),
            D("0.5"),
            "none",
            era_prob=0.88,
            offset=True,
            gaps=frozenset({"97156"}),
        ),
        Payer(
            "MCD-OH",
            "State Medicaid fee-for-service",
            "medicaid",
            0.06,
            D("0.92"),
            D("0.45"),
            "none",
            era_prob=0.95,
            offset=True,
            primary=True,
        ),
        Payer(
            "COMM-blu7",
            "Commercial plan B7",
            "commercial",
            0.16,
            D("1.25"),
            D("0.6"),
            "copay",
            copay=D("30"),
            coins=D("0.10"),
            era_prob=0.9,
            deadline=365,
            offset=True,
            secondaries=(("mcoCare01", 0.12),),
        ),
        Payer(
            "comm-AET3",
            "Commercial plan A3",
            "commercial",
            0.11,
            D("1.30"),
            D("0.62"),
            "copay",
            copay=D("25"),
            coins=D("0.20"),
            era_prob=0.88,
            deadline=180,
            offset=False,
            gaps=frozenset({"97156", "90847"}),
            secondaries=(("mcoCare02", 0.10),),
        ),
        Payer(
            "Comm-UHX",
            "Commercial plan U",
            "commercial",
            0.09,
            D("1.18"),
            D("0.58"),
            "coins",
            coins=D("0.20"),
            era_prob=0.9,
            deadline=365,
            offset=True,
        ),
        Payer(
            "TRI-east",
            "TRICARE region contractor",
            "tricare",
            0.05,
            None,
            D("0.55"),
            "copay",
            copay=D("33"),
            era_prob=0.92,
            offset=False,
        ),
        Payer(
            "MCR-J15",
            "Medicare Part B (MAC)",
            "medicare",
            0.04,
            D("0.95"),
            D("0.5"),
            "medicare",
            coins=D("0.20"),
            era_prob=0.98,
            offset=True,
            secondaries=(("MCD-OH", 0.5),),
        ),
        Payer(
            "eap-0042",
            "Employee assistance program",
            "other",
            0.02,
            None,
            D("0.65"),
            "none",
            era_prob=0.3,
            offset=False,
            remit_method="CHK",
        ),
        Payer(
            "comm-OLD4",
            "Commercial plan (terminated coverage)",
            "commercial",
            0.0,
            D("1.20"),
            D("0.6"),
            "copay",
            copay=D("20"),
            deadline=365,
            offset=False,
            primary=False,
        ),
    ],
    services=[
        Service("97153", ("HM", "HN"), (8, 24), D("32.00"), D("15.60"), 0.40),
        Service("97155", ("HO",), (4, 8), D("45.00"), D("22.40"), 0.12),
        Service("97156", ("HO",), (2, 4), D("45.00"), D("21.10"), 0.06),
        Service("97151", ("HO", "HP"), (8, 16), D("40.00"), D("20.30"), 0.03),
        Service("90837", ("", "95"), (1, 1), D("210.00"), D("118.00"), 0.17),
        Service("90834", ("", "95"), (1, 1), D("160.00"), D("88.50"), 0.12),
        Service("90791", ("",), (1, 1), D("250.00"), D("150.20"), 0.04),
        Service("90847", ("",), (1, 1), D("180.00"), D("101.30"), 0.06),
    ],
    lines_per_claim=[(1, 0.72), (2, 0.24), (3, 0.04)],
    patient_methods=[("card", 0.7), ("cash", 0.1), ("check", 0.2)],
    year2_fee_change={"medicaid": D("1.015"), "commercial": D("1.03"), "medicare": D("0.972")},
    base_claims=2300,
)


PRACTICE_B = Profile(
    key="practice_b",
    asof=date(2026, 10, 30),
    year1=2025,
    states=[("PA", 0.86), ("NY", 0.09), ("OH", 0.05)],
    locations=["L001", "L002"],
    providers=["PT-04", "pt-09", "PT-12", "OT-02", "ot-05", "SLP-01", "PTA-07"],
    era_user="SYSTEM",
    billers=["bev.b", "dale_ar", "Office2"],
    front=["FRONT", "front-2"],
    lockbox_user="LOCKBOX",
    manual_method=[("lockbox", 0.6), ("check", 0.25), ("manual", 0.15)],
    manual_rate=0.15,
    payers=[
        Payer(
            "MCR-JL",
            "Medicare Part B (MAC)",
            "medicare",
            0.34,
            D("1.00"),
            D("0.45"),
            "medicare",
            coins=D("0.20"),
            era_prob=0.97,
            offset=True,
            secondaries=(("MDG-001", 0.55), ("00788", 0.15), ("MCD-PA", 0.08)),
        ),
        Payer(
            "MA-hmk2",
            "Medicare Advantage plan",
            "medicare_advantage",
            0.14,
            D("0.98"),
            D("0.45"),
            "copay",
            copay=D("40"),
            era_prob=0.92,
            offset=True,
            gaps=frozenset({"97530", "92523"}),
        ),
        Payer(
            "MCD-PA",
            "State Medicaid",
            "medicaid",
            0.10,
            D("0.74"),
            D("0.35"),
            "none",
            era_prob=0.9,
            offset=True,
        ),
        Payer(
            "00431",
            "Commercial plan 431",
            "commercial",
            0.12,
            D("1.22"),
            D("0.55"),
            "copay",
            copay=D("45"),
            coins=D("0.0"),
            era_prob=0.85,
            deadline=365,
            offset=True,
            secondaries=(("MCD-PA", 0.06),),
        ),
        Payer(
            "00517",
            "Commercial plan 517",
            "commercial",
            0.07,
            D("1.15"),
            D("0.55"),
            "coins",
            coins=D("0.20"),
            era_prob=0.8,
            deadline=180,
            offset=False,
            gaps=frozenset({"97535"}),
        ),
        Payer(
            "WC-0077",
            "Workers' comp carrier 77",
            "workers_comp",
            0.09,
            None,
            D("0.80"),
            "none",
            era_prob=0.25,
            offset=False,
            remit_method="CHK",
        ),
        Payer(
            "wc-0112",
            "Workers' comp carrier 112",
            "workers_comp",
            0.05,
            None,
            D("0.72"),
            "none",
            era_prob=0.5,
            offset=False,
            remit_method="CHK",
        ),
        Payer(
            "AUTO-031",
            "Auto insurer (PIP)",
            "other",
            0.06,
            None,
            D("0.90"),
            "none",
            era_prob=0.15,
            deadline=None,
            offset=False,
            remit_method="CHK",
        ),
        Payer(
            "MDG-001",
            "Medicare supplement (Medigap)",
            "commercial",
            0.0,
            None,
            D("0.45"),
            "none",
            era_prob=0.9,
            deadline=365,
            offset=False,
            primary=False,
        ),
        Payer(
            "00788",
            "Retiree supplemental plan",
            "commercial",
            0.0,
            None,
            D("0.45"),
            "none",
            era_prob=0.7,
            deadline=180,
            offset=True,
            primary=False,
        ),
        Payer(
            "00399",
            "Commercial plan 399 (coverage ended)",
            "commercial",
            0.0,
            D("1.10"),
            D("0.5"),
            "coins",
            coins=D("0.2"),
            deadline=365,
            offset=False,
            primary=False,
        ),
    ],
    services=[
        Service("97110", ("GP",), (1, 4), D("62.00"), D("28.90"), 0.26),
        Service("97140", ("GP",), (1, 2), D("58.00"), D("27.30"), 0.16),
        Service("97112", ("GP",), (1, 3), D("66.00"), D("32.80"), 0.12),
        Service("97530", ("GP", "GO"), (1, 3), D("70.00"), D("34.90"), 0.12),
        Service("97116", ("GP",), (1, 2), D("60.00"), D("28.70"), 0.05),
        Service("97161", ("GP",), (1, 1), D("185.00"), D("100.60"), 0.05),
        Service("97165", ("GO",), (1, 1), D("190.00"), D("102.40"), 0.03),
        Service("97535", ("GO",), (1, 3), D("64.00"), D("33.10"), 0.06),
        Service("92507", ("GN",), (1, 1), D("150.00"), D("78.20"), 0.12),
        Service("92523", ("GN",), (1, 1), D("260.00"), D("175.30"), 0.03),
    ],
    lines_per_claim=[(1, 0.25), (2, 0.40), (3, 0.28), (4, 0.07)],
    patient_methods=[("check", 0.45), ("cash", 0.15), ("card", 0.30), ("lockbox", 0.10)],
    year2_fee_change={
        "medicare": D("0.972"),
        "medicare_advantage": D("0.975"),
        "medicaid": D("1.0"),
        "commercial": D("1.025"),
    },
    base_claims=2500,
)

PROFILES = {"practice_a": PRACTICE_A, "practice_b": PRACTICE_B}
