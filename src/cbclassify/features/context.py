"""The patient's and the payer's history up to a credit's date.

The patient's balance and claim count come from its ``PatientHistory`` (every claim of the
patient, this one included, as the bundle defines its events); the payer's from the ledger's
``PayerHistory`` of the claim's primary payer: payer payments posted so far, the share of them
that were reversals, and the share paid above the allowed amount the payer itself reported.
Only what happened on or before the credit's date counts.
"""

from __future__ import annotations

import math
from datetime import date

from cbclassify.bundles import ClaimBundle, LedgerContext


def patient_context(bundle: ClaimBundle) -> dict[str, int]:
    """``patient_claim_count`` and ``patient_balance_cents`` as of the credit's date."""
    return {
        "patient_claim_count": bundle.patient.claim_count(bundle.as_of),
        "patient_balance_cents": bundle.patient.balance_cents(bundle.as_of),
    }


def payer_context(context: LedgerContext, payer_id: str | None, day: date) -> dict[str, float]:
    """``payer_history_*`` of ``payer_id`` as of ``day`` (the shares are NaN before its first
    payment)."""
    history = None if payer_id is None else context.payer_history.get(payer_id)
    payments, reversals, above = (0, 0, 0) if history is None else history.counts(day)
    count = float(payments)
    return {
        "payer_history_payment_count": count,
        "payer_history_reversal_share": reversals / count if count > 0 else math.nan,
        "payer_history_above_reported_share": above / count if count > 0 else math.nan,
    }
