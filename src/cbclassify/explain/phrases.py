"""The phrase of every feature in ``cbclassify.features.specs`` (registered on import).

``tests/explain/test_reasons.py`` checks that every feature name has one here, so a new
feature must come with its phrase.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cbclassify.explain.templates import (
    carc_template,
    category_words,
    counted,
    flag,
    register_template,
    repeated,
    signed,
)

CARC_CODES_WITH_PHRASES: tuple[str, ...] = (
    "1",
    "2",
    "3",
    "18",
    "22",
    "23",
    "45",
    "94",
    "97",
    "129",
    "253",
)


def _payer_type(value: Any, row: Mapping[str, Any]) -> str:
    text = str(value)
    if text == "self_pay":
        return "self-pay claim (no payer billed)"
    return f"primary payer is {category_words(text)}"


def _secondary_type(value: Any, row: Mapping[str, Any]) -> str:
    text = str(value)
    return (
        "no secondary payer"
        if text in {"none", ""}
        else f"secondary payer is {category_words(text)}"
    )


def _gap(value: Any, row: Mapping[str, Any]) -> str:
    n = round(float(value))
    return "two payer payments on the same day" if n == 0 else f"two payer payments {n} days apart"


_FORMATS: dict[str, tuple[str, str | None]] = {
    # name: (format, phrase when the value is not available)
    "credit_amount_usd": ("credit balance of {usd}", None),
    "charge_usd": ("claim charge of {usd}", None),
    "credit_share_of_charge": ("credit is {pct} of the claim's charge", None),
    "units_total": ("{n} units billed", None),
    "claim_age_days": ("first service {days} ago", None),
    "service_line": ("{text} claim", "discipline unknown"),
    "payer_paid_usd": ("payers paid {usd} net on this claim", None),
    "payer_reversal_usd": ("payer reversals of {usd}", None),
    "primary_payer_paid_usd": ("primary payer paid {usd}", "no primary payer billed"),
    "secondary_payer_paid_usd": ("secondary payer paid {usd}", "no secondary payer"),
    "unbilled_payer_paid_usd": ("{usd} paid by a payer this claim was not billed to", None),
    "payer_paid_manual_usd": ("{usd} of payer payments posted by hand", None),
    "payer_paid_era_usd": ("{usd} of payer payments posted from remittances (ERA)", None),
    "contracted_allowed_usd": ("contracted allowed amount {usd}", "no fee-schedule rate on file"),
    "fee_schedule_coverage": ("{pct} of lines have a fee-schedule rate", None),
    "reported_allowed_usd": (
        "payer-reported allowed amount {usd}",
        "payer reported no allowed amount",
    ),
    "allowed_usd": ("allowed amount {usd}", "allowed amount unknown"),
    "patient_responsibility_usd": (
        "patient responsibility of {usd} (deductible, coinsurance, copay)",
        "patient responsibility unknown",
    ),
    "sequestration_usd": ("sequestration reduction of {usd} (CO-253)", None),
    "payer_expected_usd": (
        "primary payer owed {usd} (allowed less patient share)",
        "what the payer owed is unknown",
    ),
    "payer_paid_over_allowed_ratio": (
        "payers paid {pct} of the allowed amount",
        "allowed amount unknown",
    ),
    "payer_excess_share_of_credit": (
        "primary payer's excess over what it owed is {pct} of the credit",
        "payer excess unknown",
    ),
    "patient_paid_usd": ("patient paid {usd}", None),
    "patient_excess_share_of_credit": (
        "patient's overpayment is {pct} of the credit",
        "patient overpayment unknown",
    ),
    "identical_patient_payment_usd": ("{usd} in repeated identical patient payments", None),
    "identical_payer_payment_usd": ("{usd} in repeated identical payer payments", None),
    "identical_payment_net_of_reversals_usd": (
        "{usd} of repeated payer payments not reversed",
        None,
    ),
    "duplicate_share_of_credit": ("repeated payments are {pct} of the credit", None),
    "adjustment_usd": ("write-offs of {usd}", None),
    "contractual_adjustment_usd": ("contractual write-offs of {usd}", None),
    "patient_writeoff_usd": ("patient-side write-offs of {usd}", None),
    "co45_adjustment_usd": ("CO-45 (charge above fee schedule) write-offs of {usd}", None),
    "pr_coded_adjustment_usd": ("{usd} of patient responsibility (group PR) written off", None),
    "identical_adjustment_usd": ("{usd} in repeated identical write-offs", None),
    "writeoff_excess_share_of_credit": (
        "excess write-off is {pct} of the credit",
        "write-off excess unknown",
    ),
    "refund_usd": ("refunds of {usd} already posted", None),
    "transfer_in_usd": ("{usd} transferred in from other claims", None),
    "transfer_out_usd": ("{usd} transferred out to other claims", None),
    "manual_posting_share": ("{pct} of postings made by hand", None),
    "days_service_to_first_payer_payment": (
        "first payer payment {days} after service",
        "no payer payment yet",
    ),
    "days_first_to_last_payer_payment": (
        "{days} between the first and last payer payments",
        "no payer payment yet",
    ),
    "days_since_last_posting": ("last posting {days} ago", "no postings"),
    "payer_history_reversal_share": (
        "payer reversed {pct} of its payments in this ledger",
        "self-pay claim",
    ),
    "payer_history_above_reported_share": (
        "{pct} of this payer's payments exceeded its allowed amount",
        "self-pay claim",
    ),
    "paper_payer_payment_share": (
        "{pct} of payer payments arrived on paper (check, lockbox)",
        "no payer payment",
    ),
    "manual_on_remittance_trace_share_of_credit": (
        "hand postings under an already posted remittance's trace are {pct} of the credit",
        None,
    ),
    "repeated_payer_payment_share_of_credit": (
        "repeated payer payments (line or claim level) are {pct} of the credit",
        None,
    ),
    "repeat_days_apart": ("a payer payment was repeated {days} later", "no payer payment repeated"),
    "line_paid_again_share_of_credit": (
        "later payments on lines paid under two traces are {pct} of the credit",
        None,
    ),
    "patient_writeoff_share_of_credit": ("patient-side write-offs are {pct} of the credit", None),
    "patient_paid_after_writeoff_share_of_credit": (
        "patient payments made after a patient write-off are {pct} of the credit",
        None,
    ),
    "adjustment_repeated_share_of_credit": ("repeated write-offs are {pct} of the credit", None),
    "credit_share_of_allowed": ("credit is {pct} of the allowed amount", "allowed amount unknown"),
    "payer_excess_share_of_allowed": (
        "primary payer's excess is {pct} of the allowed amount",
        "allowed amount unknown",
    ),
    "primary_writeoff_excess_share_of_credit": (
        "primary payer's write-offs above charge minus allowed are {pct} of the credit",
        "allowed amount unknown",
    ),
    "secondary_excess_share_of_credit": (
        "secondary payer covered {pct} of the credit beyond the patient's share",
        "no secondary payer",
    ),
    "responsibility_covered_twice_share_of_credit": (
        "the patient's share was paid by the secondary payer and by the patient: {pct} of the credit",
        "no secondary payer",
    ),
    "unbilled_payer_share_of_credit": (
        "payments by a payer this claim was not billed to are {pct} of the credit",
        None,
    ),
    "sequestration_share_of_credit": ("sequestration (CO-253) is {pct} of the credit", None),
    "patient_minus_payer_excess_share": (
        "patient's excess minus payer's excess is {pct} of the credit",
        None,
    ),
    "refund_share_of_credit": ("refunds already posted are {pct} of the credit", None),
    "payer_reversal_share_of_credit": ("payer reversals are {pct} of the credit", None),
    "payer_duplicate_evidence_share_of_credit": (
        "a payer payment posted twice (any form) explains {pct} of the credit",
        None,
    ),
    "duplicate_minus_writeoff_share": (
        "repeated payments explain {pct} more of the credit than write-offs do",
        "no repeated payment",
    ),
}

_TEMPLATES: dict[str, Any] = {
    "line_count": counted("claim line"),
    "payer_type": _payer_type,
    "secondary_payer_type": _secondary_type,
    "payer_allows_offset": flag("payer may recoup by offset", "payer does not recoup by offset"),
    "payer_payment_count": counted("payer payment", " on this claim", zero="no payer payments"),
    "payer_reversal_count": counted("payer reversal", zero="no payer reversals or recoupments"),
    "paying_payer_count": counted("payer", " paid this claim", zero="no payer paid this claim"),
    "distinct_era_count": counted(
        "remittance", " with payments on this claim", zero="no remittance payments"
    ),
    "distinct_trace_count": counted(
        "distinct check/EFT trace number", zero="no payer trace numbers"
    ),
    "responsibility_known": flag(
        "the payer reported the patient's share",
        "the patient's share is unknown (hand posting without responsibility)",
    ),
    "primary_paid_minus_expected_usd": signed(
        "primary payer paid {abs} more than it owed",
        "primary payer paid {abs} less than it owed",
        "primary payer paid exactly what it owed",
    ),
    "payer_paid_minus_contracted_allowed_usd": signed(
        "payers paid {abs} above the contracted allowed",
        "payers paid {abs} below the contracted allowed",
        "payers paid exactly the contracted allowed",
    ),
    "payer_paid_minus_reported_allowed_usd": signed(
        "payers paid {abs} above the payer-reported allowed",
        "payers paid {abs} below the payer-reported allowed",
        "payers paid exactly the payer-reported allowed",
    ),
    "reported_minus_contracted_allowed_usd": signed(
        "payer-reported allowed is {abs} above the contracted rate",
        "payer-reported allowed is {abs} below the contracted rate",
        "payer-reported allowed matches the contracted rate",
    ),
    "patient_payment_count": counted("patient payment", zero="no patient payments"),
    "patient_paid_minus_responsibility_usd": signed(
        "patient paid {abs} more than their responsibility",
        "patient paid {abs} less than their responsibility",
        "patient paid exactly their responsibility",
    ),
    "patient_paid_before_payer_count": counted(
        "patient payment",
        " collected before the payer paid",
        zero="no patient payment before the payer paid",
    ),
    "identical_patient_payment_count": repeated(
        "patient payment", "identical_patient_payment_usd", "no repeated patient payments"
    ),
    "identical_patient_same_receipt_count": counted(
        "patient payment",
        " posted twice under one receipt number",
        zero="no patient receipt posted twice",
    ),
    "identical_payer_payment_count": repeated(
        "payer payment", "identical_payer_payment_usd", "no repeated payer payments"
    ),
    "identical_same_trace_count": counted(
        "repeated payment",
        " with the same trace number (posted twice)",
        zero="no payment posted twice under one trace number",
    ),
    "identical_same_era_count": counted(
        "repeated payment",
        " from the same remittance (ERA posted twice)",
        zero="no remittance posted twice",
    ),
    "identical_distinct_trace_count": counted(
        "repeated payment",
        " under another trace number (paid twice)",
        zero="no payment repeated under another trace number",
    ),
    "identical_manual_and_era_count": counted(
        "payment",
        " posted both by hand and from the ERA",
        zero="no payment posted both by hand and from the ERA",
    ),
    "adjustment_count": counted("write-off posting", zero="no write-offs"),
    "adjustment_reversal_count": counted("write-off correction", zero="no write-off corrections"),
    "identical_adjustment_count": repeated(
        "identical write-off", "identical_adjustment_usd", "no repeated write-offs"
    ),
    "contractual_minus_expected_usd": signed(
        "contractual write-offs exceed charge minus allowed by {abs}",
        "contractual write-offs are {abs} under charge minus allowed",
        "contractual write-offs equal charge minus allowed",
    ),
    "posting_count": counted("posting", " on this claim"),
    "cr_group_count": counted("correction/reversal (CR) posting", zero="no CR postings"),
    "oa_group_count": counted("other-adjustment (OA) posting", zero="no OA postings"),
    "min_days_between_payer_payments": _gap,
    "patient_claim_count": counted("claim", " for this patient"),
    "patient_other_claims_balance_usd": signed(
        "patient owes {abs} on other claims",
        "patient's other claims carry {abs} of credit",
        "patient's other claims are settled",
    ),
    "payer_history_payment_count": counted("payment", " by this payer in the ledger"),
    "credit_matches_payer_payment": flag(
        "credit equals one of the payer's own payments",
        "credit equals none of the payer's payments",
    ),
    "credit_matches_remittance_total": flag(
        "credit equals what one remittance paid on this claim",
        "credit equals no remittance's total on this claim",
    ),
    "credit_matches_patient_payment": flag(
        "credit equals one of the patient's payments",
        "credit equals none of the patient's payments",
    ),
    "credit_matches_adjustment": flag(
        "credit equals one write-off posting", "credit equals no single write-off"
    ),
    "credit_matches_patient_writeoff": flag(
        "credit equals the patient-side write-off", "credit differs from any patient write-off"
    ),
    "credit_matches_sequestration": flag(
        "credit equals the sequestration (CO-253) the payer reported",
        "credit differs from the sequestration",
    ),
    "credit_matches_responsibility": flag(
        "credit equals the patient's share the payer reported",
        "credit differs from the patient's share",
    ),
    "payer_excess_matches_payment": flag(
        "payer's excess equals one of its own payments (paid twice)",
        "payer's excess equals none of its payments",
    ),
    "manual_payer_payment_count": counted(
        "payer payment", " posted by hand", zero="no payer payment posted by hand"
    ),
    "claim_level_payer_payment_count": counted(
        "payer payment", " posted at claim level", zero="no claim-level payer payment"
    ),
    "uncoded_payer_payment_count": counted(
        "payer payment",
        " without allowed amount, CARC or PR rows",
        zero="every payer payment has its codes",
    ),
    "manual_on_remittance_trace_count": counted(
        "hand posting",
        " under the trace of a remittance already posted",
        zero="no hand posting repeats a remittance's trace",
    ),
    "repeated_payer_payment_any_level_count": counted(
        "payer payment",
        " repeating an earlier one (line or claim level)",
        zero="no payer payment repeated",
    ),
    "repeat_same_trace": flag(
        "the repeat has the same trace (one payment posted twice)",
        "the repeat has another trace (money received twice)",
    ),
    "repeat_posting_form_differs": flag(
        "the repeat was posted another way (ERA, by hand or on paper)",
        "the repeat was posted the same way",
    ),
    "line_paid_under_two_traces_count": counted(
        "claim line",
        " paid by the payer under two traces",
        zero="no line paid under two traces",
    ),
    "adjustment_repeated_any_code_count": counted(
        "write-off",
        " repeating an earlier amount",
        zero="no write-off repeated",
    ),
}


_MISSING: dict[str, str] = {
    "min_days_between_payer_payments": "fewer than two payer payments",
    "payer_type": "payer type unknown",
    "secondary_payer_type": "no secondary payer",
    "responsibility_known": "the patient's share is unknown",
    "patient_other_claims_balance_usd": "patient has no other claims",
    "repeat_same_trace": "no payer payment repeated",
    "repeat_posting_form_differs": "no payer payment repeated",
    "payer_excess_matches_payment": "what the payer owed is unknown",
}
_registered = False


def register_all() -> None:
    """Register the phrase of every known feature once (templates registered earlier by the
    caller under the same name are kept)."""
    global _registered
    if _registered:
        return
    for name, (fmt, missing) in _FORMATS.items():
        register_template(name, fmt, missing, replace=False)
    for name, template in _TEMPLATES.items():
        register_template(name, template, _MISSING.get(name), replace=False)
    for code in CARC_CODES_WITH_PHRASES:
        register_template(f"carc_{code}_count", carc_template(code), replace=False)
    _registered = True
