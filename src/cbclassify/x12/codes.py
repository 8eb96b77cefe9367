"""X12 code readings the conversion relies on (documented in docs/x12.md)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

#: CLP06 claim filing indicator -> contract payer_type. Codes not listed map to "other".
FILING_INDICATOR_PAYER_TYPE: dict[str, str] = {
    "MA": "medicare",  # Medicare Part A
    "MB": "medicare",  # Medicare Part B
    "MC": "medicaid",  # Medicaid
    "16": "medicare_advantage",  # HMO Medicare Risk (Medicare Advantage)
    "CH": "tricare",  # CHAMPUS / TRICARE
    "WC": "workers_comp",  # Workers' compensation health claim
    "CI": "commercial",  # Commercial insurance company
    "BL": "commercial",  # Blue Cross / Blue Shield
    "HM": "commercial",  # Health maintenance organization
    "12": "commercial",  # Preferred provider organization (PPO)
    "13": "commercial",  # Point of service (POS)
    "14": "commercial",  # Exclusive provider organization (EPO)
    "15": "commercial",  # Indemnity insurance
    "17": "commercial",  # Dental maintenance organization
}

#: CLP02 claim statuses paid as secondary or tertiary: OA-23 there restates the prior payer.
SECONDARY_STATUSES: frozenset[str] = frozenset({"2", "3"})
#: CLP02 statuses in which the remitting payer acted as a later payer (20/21: forwarded).
LATER_PAYER_STATUSES: frozenset[str] = frozenset({"2", "3", "20", "21"})
REVERSAL_STATUS = "22"
#: CAS group whose rows are the payer's statement of patient responsibility.
RESPONSIBILITY_GROUP = "PR"


def payer_type_for(filing_indicators: Iterable[str]) -> str:
    """The payer type most of a remittance's claims point to (ties: the first seen)."""
    types = [FILING_INDICATOR_PAYER_TYPE.get(code.upper(), "other") for code in filing_indicators]
    if not types:
        return "other"
    counts = Counter(types)
    best = max(counts.values())
    return next(t for t in types if counts[t] == best)
