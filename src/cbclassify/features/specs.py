"""The feature catalogue: stable, human-readable names, their kind and what each one means.

Explanations show these names and descriptions to billers, so a name never changes meaning;
a new feature gets a new name. ``FEATURE_NAMES`` is the column order of the feature frame.
Kinds: ``usd`` (dollars, float), ``count``, ``days``, ``ratio``, ``flag`` (0/1), ``category``.

No feature measures time up to the as-of date itself (claim age, days since the last posting):
labelled credits are seen on their identification date and open credits on the scoring date,
so such a feature would differ between training and serving for the same facts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FeatureKind = Literal["usd", "count", "days", "ratio", "flag", "category"]

#: CARC codes whose presence on the claim is a feature (``carc_<code>_count``).
CARC_CODES: tuple[str, ...] = ("1", "2", "3", "18", "22", "23", "45", "94", "97", "129", "253")


@dataclass(frozen=True)
class FeatureSpec:
    """One model feature."""

    name: str
    kind: FeatureKind
    description: str


def _f(name: str, kind: FeatureKind, description: str) -> FeatureSpec:
    return FeatureSpec(name, kind, description)


_CLAIM = (
    _f("credit_amount_usd", "usd", "credit balance on the claim as of the date"),
    _f("charge_usd", "usd", "total charge of the claim"),
    _f("credit_share_of_charge", "ratio", "credit amount divided by the claim's charge"),
    _f("line_count", "count", "claim lines"),
    _f("units_total", "count", "units billed on all lines"),
    _f("service_line", "category", "discipline of the claim (PT, OT, speech, ABA, behavioral)"),
    _f("payer_type", "category", "type of the primary payer billed (self_pay when none)"),
    _f("secondary_payer_type", "category", "type of the secondary payer (none when none)"),
    _f("payer_allows_offset", "flag", "the primary payer may recoup by offset"),
)
_PAYER_PAYMENTS = (
    _f("payer_paid_usd", "usd", "net payer payments on the claim (reversals subtracted)"),
    _f("payer_payment_count", "count", "positive payer payments"),
    _f("payer_reversal_count", "count", "negative payer payments (reversals, recoupments)"),
    _f("payer_reversal_usd", "usd", "amount of payer reversals"),
    _f("primary_payer_paid_usd", "usd", "net payments by the primary payer billed"),
    _f("secondary_payer_paid_usd", "usd", "net payments by the secondary payer"),
    _f("unbilled_payer_paid_usd", "usd", "net payments by a payer the claim was not billed to"),
    _f("paying_payer_count", "count", "distinct payers that paid the claim"),
    _f("payer_paid_manual_usd", "usd", "payer payments posted by hand (no remittance)"),
    _f("payer_paid_era_usd", "usd", "payer payments posted from a remittance (ERA)"),
    _f("distinct_era_count", "count", "distinct remittances (era_id) with payments on the claim"),
    _f("distinct_trace_count", "count", "distinct check/EFT trace numbers of payer payments"),
)
_ALLOWED = (
    _f(
        "contracted_allowed_usd",
        "usd",
        "contracted allowed (fee schedule by date, modifier, units)",
    ),
    _f("fee_schedule_coverage", "ratio", "share of claim lines with a fee-schedule row"),
    _f("reported_allowed_usd", "usd", "allowed amount the primary payer reported"),
    _f("allowed_usd", "usd", "allowed amount used: contracted where known, else reported"),
    _f("patient_responsibility_usd", "usd", "patient responsibility the payers reported"),
    _f("responsibility_known", "flag", "responsibility is known (rows present or ERA posting)"),
    _f("sequestration_usd", "usd", "sequestration reductions (CO-253)"),
    _f("payer_expected_usd", "usd", "what the primary payer owed: allowed less responsibility"),
    _f("primary_paid_minus_expected_usd", "usd", "primary payer paid minus what it owed"),
    _f("payer_paid_minus_contracted_allowed_usd", "usd", "payer paid minus contracted allowed"),
    _f("payer_paid_minus_reported_allowed_usd", "usd", "payer paid minus payer-reported allowed"),
    _f("reported_minus_contracted_allowed_usd", "usd", "payer-reported minus contracted allowed"),
    _f("payer_paid_over_allowed_ratio", "ratio", "payer paid divided by the allowed amount"),
    _f(
        "payer_excess_share_of_credit", "ratio", "primary payer's excess over what it owed / credit"
    ),
)
_PATIENT = (
    _f("patient_paid_usd", "usd", "net patient payments on the claim"),
    _f("patient_payment_count", "count", "positive patient payments"),
    _f("patient_paid_minus_responsibility_usd", "usd", "patient paid minus their responsibility"),
    _f("patient_excess_share_of_credit", "ratio", "patient's excess over responsibility / credit"),
    _f("patient_paid_before_payer_count", "count", "patient payments posted before any payer paid"),
    _f("identical_patient_payment_count", "count", "extra patient payments of an identical amount"),
    _f("identical_patient_payment_usd", "usd", "amount of extra identical patient payments"),
    _f(
        "identical_patient_same_receipt_count",
        "count",
        "extra identical patient payments, same receipt",
    ),
)
_DUPLICATES = (
    _f("identical_payer_payment_count", "count", "extra payer payments of an identical amount"),
    _f("identical_payer_payment_usd", "usd", "amount of extra identical payer payments"),
    _f("identical_payment_net_of_reversals_usd", "usd", "identical extra payments not reversed"),
    _f("identical_same_trace_count", "count", "extra identical payments sharing a trace number"),
    _f(
        "identical_same_era_count",
        "count",
        "extra identical payments sharing a remittance (era_id)",
    ),
    _f("identical_distinct_trace_count", "count", "extra identical payments with another trace"),
    _f("identical_manual_and_era_count", "count", "identical payments posted both by hand and ERA"),
    _f("duplicate_share_of_credit", "ratio", "identical extra payments (net) / credit"),
)
_ADJUSTMENTS = (
    _f("adjustment_usd", "usd", "all write-offs (adjustments) on the claim"),
    _f("adjustment_count", "count", "adjustment postings"),
    _f("contractual_adjustment_usd", "usd", "payer-side (contractual) write-offs"),
    _f("patient_writeoff_usd", "usd", "patient-side write-offs (small balance, self-pay)"),
    _f("co45_adjustment_usd", "usd", "CO-45 (charge exceeds fee schedule) write-offs"),
    _f("pr_coded_adjustment_usd", "usd", "adjustments coded as patient responsibility (group PR)"),
    _f("adjustment_reversal_count", "count", "negative adjustments (corrections)"),
    _f("identical_adjustment_count", "count", "extra adjustments identical in amount and code"),
    _f("identical_adjustment_usd", "usd", "amount of extra identical adjustments"),
    _f("contractual_minus_expected_usd", "usd", "contractual write-offs minus (charge - allowed)"),
    _f("writeoff_excess_share_of_credit", "ratio", "contractual write-off excess / credit"),
)
_OTHER = (
    _f("refund_usd", "usd", "refunds already posted on the claim"),
    _f("transfer_in_usd", "usd", "money transferred in from other claims"),
    _f("transfer_out_usd", "usd", "money transferred out to other claims"),
    _f("posting_count", "count", "all postings on the claim"),
    _f("manual_posting_share", "ratio", "share of postings made by hand (no remittance)"),
    _f("cr_group_count", "count", "postings with CAS group CR (corrections and reversals)"),
    _f("oa_group_count", "count", "postings with CAS group OA"),
    *(_f(f"carc_{code}_count", "count", f"postings with CARC {code}") for code in CARC_CODES),
)
_TIMING = (
    _f("days_service_to_first_payer_payment", "days", "days from service to first payer payment"),
    _f("days_first_to_last_payer_payment", "days", "days between first and last payer payment"),
    _f("min_days_between_payer_payments", "days", "shortest gap between two payer payments"),
)
_CONTEXT = (
    _f("patient_claim_count", "count", "claims of the patient billed by the as-of date"),
    _f("patient_other_claims_balance_usd", "usd", "net balance of the patient's other claims"),
    _f(
        "payer_history_payment_count", "count", "payments by the primary payer in the ledger so far"
    ),
    _f("payer_history_reversal_share", "ratio", "share of the primary payer's payments reversed"),
    _f("payer_history_above_reported_share", "ratio", "share of its payments above its allowed"),
)

_SIGNATURES = (
    _f("credit_matches_payer_payment", "flag", "credit equals one of the payers' own payments"),
    _f(
        "credit_matches_remittance_total",
        "flag",
        "credit equals the total one trace/remittance paid on the claim",
    ),
    _f("credit_matches_patient_payment", "flag", "credit equals one of the patient's payments"),
    _f("credit_matches_adjustment", "flag", "credit equals one write-off (adjustment) posting"),
    _f("credit_matches_patient_writeoff", "flag", "credit equals the patient-side write-off"),
    _f("credit_matches_sequestration", "flag", "credit equals the sequestration (CO-253)"),
    _f("credit_matches_responsibility", "flag", "credit equals the patient's share (PR rows)"),
    _f("payer_excess_matches_payment", "flag", "payer's excess equals one of its own payments"),
    _f("paper_payer_payment_share", "ratio", "share of payer payments received on paper"),
    _f("manual_payer_payment_count", "count", "payer payments posted by hand (no remittance)"),
    _f("claim_level_payer_payment_count", "count", "payer payments posted at claim level"),
    _f(
        "uncoded_payer_payment_count",
        "count",
        "payer payments without allowed amount, CARC or PR rows",
    ),
    _f(
        "manual_on_remittance_trace_count",
        "count",
        "hand postings under the trace of a remittance already posted",
    ),
    _f(
        "manual_on_remittance_trace_share_of_credit",
        "ratio",
        "hand postings under a posted remittance's trace / credit",
    ),
    _f(
        "repeated_payer_payment_any_level_count",
        "count",
        "payer payments repeating an earlier one (line or claim level)",
    ),
    _f(
        "repeated_payer_payment_share_of_credit",
        "ratio",
        "repeated payer payments (any level) / credit",
    ),
    _f("repeat_same_trace", "flag", "the repeated payment has the same trace (posted twice)"),
    _f("repeat_posting_form_differs", "flag", "repeat posted another way (ERA/hand/paper)"),
    _f("repeat_days_apart", "days", "days between a payment and its repeat"),
    _f(
        "line_paid_under_two_traces_count",
        "count",
        "claim lines paid by one payer under two traces",
    ),
    _f(
        "line_paid_again_share_of_credit",
        "ratio",
        "later payments on lines paid under two traces / credit",
    ),
    _f("patient_writeoff_share_of_credit", "ratio", "patient-side write-offs / credit"),
    _f(
        "patient_paid_after_writeoff_share_of_credit",
        "ratio",
        "patient payments on or after a patient write-off / credit",
    ),
    _f(
        "adjustment_repeated_any_code_count",
        "count",
        "write-offs repeating an earlier amount (any code or level)",
    ),
    _f("adjustment_repeated_share_of_credit", "ratio", "repeated write-offs / credit"),
    _f("credit_share_of_allowed", "ratio", "credit divided by the allowed amount"),
    _f("payer_excess_share_of_allowed", "ratio", "primary payer's excess / allowed amount"),
    _f(
        "primary_writeoff_excess_share_of_credit",
        "ratio",
        "primary payer's write-offs above charge minus allowed / credit",
    ),
    _f(
        "secondary_excess_share_of_credit",
        "ratio",
        "secondary payer's payments and write-offs above the patient's share / credit",
    ),
    _f(
        "responsibility_covered_twice_share_of_credit",
        "ratio",
        "patient's share paid by the secondary payer and by the patient too / credit",
    ),
    _f(
        "unbilled_payer_share_of_credit",
        "ratio",
        "payments by a payer the claim was not billed to / credit",
    ),
    _f("sequestration_share_of_credit", "ratio", "sequestration (CO-253) / credit"),
    _f(
        "patient_minus_payer_excess_share",
        "ratio",
        "patient's excess share of the credit minus the payers' (excess, unbilled, secondary)",
    ),
    _f("refund_share_of_credit", "ratio", "refunds already posted / credit"),
    _f("payer_reversal_share_of_credit", "ratio", "payer reversals / credit"),
    _f(
        "payer_duplicate_evidence_share_of_credit",
        "ratio",
        "largest share of the credit a payer payment posted twice explains, in any form",
    ),
    _f(
        "duplicate_minus_writeoff_share",
        "ratio",
        "duplicate-payment share of the credit minus the excess or repeated write-off share",
    ),
)

FEATURE_SPECS: tuple[FeatureSpec, ...] = (
    *_CLAIM,
    *_PAYER_PAYMENTS,
    *_ALLOWED,
    *_PATIENT,
    *_DUPLICATES,
    *_ADJUSTMENTS,
    *_OTHER,
    *_TIMING,
    *_CONTEXT,
    *_SIGNATURES,
)
FEATURE_NAMES: tuple[str, ...] = tuple(s.name for s in FEATURE_SPECS)
CATEGORICAL_FEATURES: tuple[str, ...] = tuple(s.name for s in FEATURE_SPECS if s.kind == "category")
NUMERIC_FEATURES: tuple[str, ...] = tuple(s.name for s in FEATURE_SPECS if s.kind != "category")
SIGNATURE_NAMES: tuple[str, ...] = tuple(s.name for s in _SIGNATURES)
SPEC_BY_NAME: dict[str, FeatureSpec] = {s.name: s for s in FEATURE_SPECS}
