"""All variants by name, hard-case kinds and the mixed pairs."""

from __future__ import annotations

import numpy as np

from cbclassify.synth import catalog as cat
from cbclassify.synth import inject_allowance as A
from cbclassify.synth import inject_duplicate as D
from cbclassify.synth import inject_overpayment as O
from cbclassify.synth import inject_patient as P
from cbclassify.synth.variants import (
    ACT_CORRECT,
    ACT_PATIENT,
    ACT_PAYER,
    ACT_REVERSE,
    Facts,
    Variant,
    era,
)


def _paid(f: Facts) -> np.ndarray:
    return (f.pay >= 1000) & ~f.has_sec


VARIANTS: tuple[Variant, ...] = (
    Variant(
        "era_posted_twice",
        "duplicate_payment",
        ACT_REVERSE,
        lambda f: _paid(f) & era(f),
        D.era_posted_twice,
        True,
    ),
    Variant(
        "paid_twice_two_remits", "duplicate_payment", ACT_PAYER, _paid, D.paid_twice_two_remits
    ),
    Variant(
        "manual_repost_of_era",
        "duplicate_payment",
        ACT_REVERSE,
        lambda f: _paid(f) & era(f),
        D.manual_repost_of_era,
        True,
    ),
    Variant(
        "receipt_posted_twice",
        "duplicate_payment",
        ACT_REVERSE,
        lambda f: ((f.tos > 0) | (f.stmt > 0)) & ~f.has_sec,
        D.receipt_posted_twice,
    ),
    Variant(
        "paid_above_contract",
        "payer_overpayment",
        ACT_PAYER,
        lambda f: f.o1_target & ~f.has_sec,
        O.paid_above_contract,
    ),
    Variant(
        "paid_above_reported_allowed",
        "payer_overpayment",
        ACT_PAYER,
        lambda f: (f.allowed > 0) & ~f.has_sec,
        O.paid_above_reported_allowed,
    ),
    Variant(
        "cob_secondary_as_primary",
        "payer_overpayment",
        ACT_PAYER,
        lambda f: f.sec_commercial & (f.sec_allowed * 8 // 10 >= f.pr + 500),
        O.cob_secondary_as_primary,
    ),
    Variant(
        "paid_not_billed",
        "payer_overpayment",
        ACT_PAYER,
        lambda f: (f.allowed > 0) & ~f.has_sec,
        O.paid_not_billed,
    ),
    Variant(
        "sequestration_not_applied",
        "payer_overpayment",
        ACT_PAYER,
        lambda f: f.seq_payer & (f.seq > 0) & era(f) & ~f.has_sec,
        O.sequestration_not_applied,
        True,
    ),
    Variant(
        "co45_above_contract",
        "allowance_error",
        ACT_CORRECT,
        lambda f: (f.allowed > 0) & ~f.has_sec,
        A.co45_above_contract,
    ),
    Variant(
        "pr_written_off",
        "allowance_error",
        ACT_CORRECT,
        lambda f: (f.pr > 0) & ((f.tos > 0) | (f.stmt > 0)) & ~f.has_sec,
        A.pr_written_off,
    ),
    Variant(
        "adjustment_posted_twice",
        "allowance_error",
        ACT_CORRECT,
        lambda f: (f.co45 > 0) & ~f.has_sec,
        A.adjustment_posted_twice,
    ),
    Variant(
        "copay_over_pr",
        "patient_credit",
        ACT_PATIENT,
        lambda f: (f.plan != cat.PLAN_NONE) & ~f.has_sec,
        P.copay_over_pr,
    ),
    Variant(
        "patient_paid_twice",
        "patient_credit",
        ACT_PATIENT,
        lambda f: ((f.tos > 0) | (f.stmt > 0)) & ~f.has_sec,
        P.patient_paid_twice,
    ),
    Variant(
        "prepaid_payer_paid_full",
        "patient_credit",
        ACT_PATIENT,
        lambda f: (f.pr == 0) & (f.allowed > 0) & ~f.has_sec,
        P.prepaid_payer_paid_full,
    ),
    Variant(
        "paid_before_secondary",
        "patient_credit",
        ACT_PATIENT,
        lambda f: f.sec_commercial & (f.pr > 0),
        P.paid_before_secondary,
    ),
)
BY_NAME: dict[str, Variant] = {v.name: v for v in VARIANTS}
VARIANT_NAMES: tuple[str, ...] = tuple(BY_NAME)

#: Relative frequency of each ordinary (not hard) variant among injected credits.
WEIGHTS: dict[str, float] = {
    "era_posted_twice": 0.08,
    "paid_twice_two_remits": 0.08,
    "manual_repost_of_era": 0.05,
    "receipt_posted_twice": 0.04,
    "paid_above_contract": 0.08,
    "paid_above_reported_allowed": 0.06,
    "cob_secondary_as_primary": 0.05,
    "paid_not_billed": 0.04,
    "sequestration_not_applied": 0.05,
    "co45_above_contract": 0.09,
    "pr_written_off": 0.07,
    "adjustment_posted_twice": 0.06,
    "copay_over_pr": 0.10,
    "patient_paid_twice": 0.07,
    "prepaid_payer_paid_full": 0.04,
    "paid_before_secondary": 0.04,
}

HARD_NONE, HARD_MANUAL_NO_CARC, HARD_NO_FEE_SCHEDULE, HARD_MIXED = 0, 1, 2, 3
HARD_KINDS: tuple[str, ...] = ("", "manual_no_carc", "no_fee_schedule", "mixed")
#: Variants a hard case of each kind is built from (mixed: pairs, the fixed-amount one first).
HARD_VARIANTS: dict[int, tuple[tuple[str, ...], ...]] = {
    HARD_MANUAL_NO_CARC: (
        ("co45_above_contract",),
        ("adjustment_posted_twice",),
        ("paid_above_contract",),
        ("paid_twice_two_remits",),
    ),
    HARD_NO_FEE_SCHEDULE: (
        ("paid_above_reported_allowed",),
        ("co45_above_contract",),
        ("paid_twice_two_remits",),
    ),
    HARD_MIXED: (
        ("era_posted_twice", "copay_over_pr"),
        ("paid_twice_two_remits", "co45_above_contract"),
        ("paid_above_reported_allowed", "copay_over_pr"),
        ("adjustment_posted_twice", "paid_above_reported_allowed"),
        ("patient_paid_twice", "paid_not_billed"),
        ("manual_repost_of_era", "co45_above_contract"),
    ),
}
