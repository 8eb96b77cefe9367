"""Static reference data for synthetic practices: procedures, payers, payer mixes, plans.

Rates are Medicare-like allowed amounts per unit in cents (2025 magnitudes, rounded); each payer
pays a multiple of them. Payer names are fictitious. Everything here is data: no randomness.
"""

from __future__ import annotations

from dataclasses import dataclass

DISCIPLINES: tuple[str, ...] = ("pt", "ot", "speech", "aba", "bh")

#: Probability of a claim having 1, 2, 3 or 4 lines, per discipline.
LINES_PER_CLAIM: dict[str, tuple[float, float, float, float]] = {
    "pt": (0.02, 0.18, 0.45, 0.35),
    "ot": (0.05, 0.25, 0.45, 0.25),
    "speech": (0.40, 0.60, 0.0, 0.0),
    "aba": (0.30, 0.45, 0.25, 0.0),
    "bh": (0.75, 0.25, 0.0, 0.0),
}
#: Mean visits per patient (episode of care) and days between visits, per discipline.
VISITS_PER_PATIENT: dict[str, int] = {"pt": 12, "ot": 12, "speech": 20, "aba": 70, "bh": 16}
VISIT_INTERVAL_DAYS: dict[str, int] = {"pt": 4, "ot": 5, "speech": 7, "aba": 2, "bh": 9}


@dataclass(frozen=True)
class Procedure:
    """A billable procedure of one discipline."""

    cpt: str
    discipline: str
    evaluation: bool
    weight: float  # relative frequency among the discipline's treatment (or evaluation) codes
    units: tuple[int, int]  # inclusive range of units per line
    modifiers: tuple[tuple[str, float], ...]  # line modifier choices with probabilities
    base_rate_cents: int  # Medicare-like allowed per unit
    fee_by_modifier: bool = True  # fee-schedule rows per modifier (False: one blank-modifier row)


def _p(
    cpt: str,
    disc: str,
    ev: bool,
    w: float,
    units: tuple[int, int],
    mods: tuple[tuple[str, float], ...],
    rate: int,
    by_mod: bool = True,
) -> Procedure:
    return Procedure(cpt, disc, ev, w, units, mods, rate, by_mod)


_GP, _GO, _GN = (("GP", 1.0),), (("GO", 1.0),), (("GN", 1.0),)
_HO, _HN_HO = (("HO", 1.0),), (("HN", 0.75), ("HO", 0.25))
_BH, _BH_FAMILY = (("", 0.85), ("95", 0.15)), (("", 0.90), ("95", 0.10))
# fmt: off
PROCEDURES: tuple[Procedure, ...] = (
    # cpt, discipline, evaluation, weight, units, modifiers, base rate, fee rows by modifier
    _p("97161", "pt", True, 1, (1, 1), _GP, 10300),
    _p("97162", "pt", True, 1, (1, 1), _GP, 10300),
    _p("97163", "pt", True, 1, (1, 1), _GP, 10300),
    _p("97110", "pt", False, 0.35, (1, 4), _GP, 2950),
    _p("97140", "pt", False, 0.20, (1, 2), _GP, 2700),
    _p("97112", "pt", False, 0.20, (1, 2), _GP, 3350),
    _p("97530", "pt", False, 0.25, (1, 3), _GP, 3600),
    _p("97165", "ot", True, 1, (1, 1), _GO, 10500),
    _p("97166", "ot", True, 1, (1, 1), _GO, 10500),
    _p("97167", "ot", True, 1, (1, 1), _GO, 10500),
    _p("97530", "ot", False, 0.35, (1, 3), _GO, 3600),
    _p("97535", "ot", False, 0.25, (1, 2), _GO, 3200),
    _p("97110", "ot", False, 0.20, (1, 3), _GO, 2950),
    _p("97140", "ot", False, 0.20, (1, 2), _GO, 2700),
    _p("92523", "speech", True, 1, (1, 1), _GN, 19000),
    _p("92507", "speech", False, 0.70, (1, 1), _GN, 7700),
    _p("92526", "speech", False, 0.30, (1, 1), _GN, 8200),
    _p("97151", "aba", True, 1, (8, 24), _HO, 2900),
    _p("97153", "aba", False, 0.60, (8, 24), _HN_HO, 1950),
    _p("97155", "aba", False, 0.25, (2, 8), _HO, 2800),
    _p("97156", "aba", False, 0.15, (2, 6), _HO, 2700),
    _p("90791", "bh", True, 1, (1, 1), _BH, 17500, False),
    _p("90834", "bh", False, 0.45, (1, 1), _BH, 10500, False),
    _p("90837", "bh", False, 0.35, (1, 1), _BH, 15500, False),
    _p("90846", "bh", False, 0.20, (1, 1), _BH_FAMILY, 10300, False),
)
# fmt: on
#: Allowed-rate multiplier by line modifier (ABA: master's-level HO above bachelor's-level HN).
MODIFIER_RATE: dict[str, float] = {"HO": 1.2}
#: Practice chargemaster: charge per unit = this multiple of the base rate, rounded up to dollars.
CHARGE_MULTIPLE = 1.9


@dataclass(frozen=True)
class PayerSpec:
    """One payer of the synthetic practice and how it behaves."""

    payer_id: str
    name: str
    payer_type: str
    refund_deadline_days: int | None
    allows_offset: bool | None
    rate_mult: float  # allowed = base rate x this
    era_share: float  # share of its adjudications that arrive as an 835 (else paper check)
    fee_coverage: str  # "full", "gaps" or "none" (no fee-schedule rows at all)
    lag_days: int  # typical days from billing to adjudication
    run_weekday: int  # weekday of its payment runs (Monday = 0)
    eft: bool  # ACH/EFT (True) or paper checks
    sequestration: bool  # applies the 2% CO-253 reduction
    change_month: int  # months after the practice's start when its rates change


# fmt: off
PAYERS: tuple[PayerSpec, ...] = (
    # id, name, type, refund_deadline_days, allows_offset,
    #     rate_mult, era_share, fee_coverage, lag_days, run_weekday, eft, sequestration, change_month
    PayerSpec("MCR-JL", "Medicare Part B (Jurisdiction L)", "medicare", None, True,
              1.00, 0.99, "gaps", 16, 1, True, True, 12),
    PayerSpec("MCD-FFS", "State Medicaid Fee-for-Service", "medicaid", None, False,
              0.72, 0.97, "gaps", 30, 3, True, False, 6),
    PayerSpec("MCD-KMC", "Keystone Medicaid Managed Care", "medicaid", 60, True,
              0.78, 0.98, "full", 24, 4, True, False, 12),
    PayerSpec("MA-HRZ", "Horizon Senior Advantage", "medicare_advantage", 60, True,
              1.00, 0.99, "full", 20, 2, True, True, 12),
    PayerSpec("MA-SLV", "Silverline Medicare Advantage", "medicare_advantage", None, False,
              0.97, 0.95, "gaps", 25, 0, True, False, 12),
    PayerSpec("COM-SUM", "Summit Health Plan", "commercial", 180, True,
              1.30, 0.98, "full", 18, 1, True, False, 9),
    PayerSpec("COM-CAS", "Cascade Mutual Insurance", "commercial", None, True,
              1.12, 0.96, "full", 21, 3, True, False, 6),
    PayerSpec("COM-KEY", "Keystone Benefits", "commercial", 90, False,
              1.40, 0.95, "gaps", 25, 4, True, False, 12),
    PayerSpec("COM-PRA", "Prairie Health Cooperative", "commercial", None, False,
              1.05, 0.90, "gaps", 30, 2, True, False, 7),
    PayerSpec("COM-TPA", "Lakeshore Benefit Administrators", "commercial", 30, False,
              1.20, 0.70, "none", 28, 0, False, False, 99),
    PayerSpec("TRI-E", "TRICARE East", "tricare", None, False,
              0.95, 0.97, "full", 22, 2, True, False, 12),
    PayerSpec("WC-SF", "State Workers' Compensation Fund", "workers_comp", 45, False,
              1.45, 0.35, "none", 35, 3, False, False, 99),
    PayerSpec("OTH-PIP", "Liberty Auto PIP", "other", None, None,
              1.60, 0.25, "none", 40, 4, False, False, 99),
)
# fmt: on
SELF_PAY = "SELF"
#: Payers with which a discipline is never billed (ABA is not a Medicare benefit; injury lines).
INCOMPATIBLE: dict[str, tuple[str, ...]] = {
    "aba": ("medicare", "medicare_advantage", "workers_comp", "other"),
    "speech": ("workers_comp", "other"),
    "bh": ("other",),
}
SEQUESTRATION_BP = 200  # 2% of the payer's share (CO-253)

_COM = ("COM-SUM", "COM-CAS", "COM-KEY", "COM-PRA", "COM-TPA")


@dataclass(frozen=True)
class PayerMix:
    """Named mix: patient weights per payer (and self-pay) and claim weights per discipline."""

    name: str
    payers: dict[str, float]
    disciplines: dict[str, float]


def _spread(ids: tuple[str, ...], total: float, shares: tuple[float, ...]) -> dict[str, float]:
    return {pid: total * s for pid, s in zip(ids, shares, strict=True)}


_COM_SHARES = (0.30, 0.25, 0.20, 0.15, 0.10)
PAYER_MIXES: dict[str, PayerMix] = {
    "default": PayerMix(
        "default",
        {
            "MCR-JL": 0.16,
            "MCD-FFS": 0.07,
            "MCD-KMC": 0.06,
            "MA-HRZ": 0.06,
            "MA-SLV": 0.04,
            **_spread(_COM, 0.40, _COM_SHARES),
            "TRI-E": 0.04,
            "WC-SF": 0.04,
            "OTH-PIP": 0.03,
            SELF_PAY: 0.06,
        },
        {"pt": 0.42, "ot": 0.16, "speech": 0.12, "aba": 0.10, "bh": 0.20},
    ),
    "medicare_heavy": PayerMix(
        "medicare_heavy",
        {
            "MCR-JL": 0.42,
            "MCD-FFS": 0.04,
            "MCD-KMC": 0.03,
            "MA-HRZ": 0.14,
            "MA-SLV": 0.08,
            **_spread(_COM, 0.17, _COM_SHARES),
            "TRI-E": 0.04,
            "WC-SF": 0.03,
            "OTH-PIP": 0.02,
            SELF_PAY: 0.03,
        },
        {"pt": 0.55, "ot": 0.22, "speech": 0.14, "aba": 0.01, "bh": 0.08},
    ),
    "commercial_heavy": PayerMix(
        "commercial_heavy",
        {
            "MCR-JL": 0.07,
            "MCD-FFS": 0.03,
            "MCD-KMC": 0.03,
            "MA-HRZ": 0.03,
            "MA-SLV": 0.02,
            **_spread(_COM, 0.66, _COM_SHARES),
            "TRI-E": 0.04,
            "WC-SF": 0.03,
            "OTH-PIP": 0.02,
            SELF_PAY: 0.07,
        },
        {"pt": 0.40, "ot": 0.12, "speech": 0.12, "aba": 0.14, "bh": 0.22},
    ),
    "medicaid_aba": PayerMix(
        "medicaid_aba",
        {
            "MCR-JL": 0.02,
            "MCD-FFS": 0.30,
            "MCD-KMC": 0.27,
            "MA-HRZ": 0.01,
            "MA-SLV": 0.01,
            **_spread(_COM, 0.28, _COM_SHARES),
            "TRI-E": 0.06,
            "WC-SF": 0.005,
            "OTH-PIP": 0.005,
            SELF_PAY: 0.04,
        },
        {"pt": 0.05, "ot": 0.12, "speech": 0.20, "aba": 0.55, "bh": 0.08},
    ),
}

#: Cost-sharing plan kinds of a patient's primary coverage.
PLAN_NONE, PLAN_COPAY, PLAN_DEDCOINS, PLAN_HDHP = 0, 1, 2, 3
MEDICARE_DEDUCTIBLE_CENTS = 25_700
MEDICARE_COINS_BP = 2_000

#: Practice locations (id, state) and the neighbouring states some patients live in.
LOCATIONS: tuple[tuple[str, str], ...] = (
    ("LOC-PHL1", "PA"),
    ("LOC-PHL2", "PA"),
    ("LOC-CHR", "NJ"),
    ("LOC-WIL", "DE"),
    ("LOC-LAN", "PA"),
    ("LOC-TRE", "NJ"),
    ("LOC-ALL", "PA"),
    ("LOC-NEW", "DE"),
)
NEIGHBOUR_STATES: tuple[str, ...] = ("NY", "MD", "OH", "PA", "NJ")
