"""Bundles: each credit's claim rows, cut at its date, for the per-claim rules.

``credit_bundles`` builds the ``LedgerContext`` and every credit's ``ClaimBundle`` in one
grouping pass (a request's straight from its rows); ``map_patient_groups`` applies a per-claim
function to every bundle across processes, by patient group.
"""

from cbclassify.bundles.build import (
    Credits,
    assemble,
    billed_claim_bundles,
    credit_bundles,
    credit_inputs,
)
from cbclassify.bundles.claim import NO_PATIENT, ClaimBundle, PatientHistory
from cbclassify.bundles.context import LedgerContext, PayerHistory, ledger_context
from cbclassify.bundles.pool import PatientGroups, map_patient_groups
from cbclassify.bundles.rows import FeeRow, Line, Payer, Posting

__all__ = [
    "NO_PATIENT",
    "ClaimBundle",
    "Credits",
    "FeeRow",
    "LedgerContext",
    "Line",
    "PatientGroups",
    "PatientHistory",
    "Payer",
    "PayerHistory",
    "Posting",
    "assemble",
    "billed_claim_bundles",
    "credit_bundles",
    "credit_inputs",
    "ledger_context",
    "map_patient_groups",
]
