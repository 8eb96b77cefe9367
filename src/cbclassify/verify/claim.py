"""One credit claim as the verification rules read it, and the words its statements use.

The rules read a claim's postings in posting order (posted date, then txn_id) and its lines
billed by the as-of date, both from the credit's ``ClaimBundle``, plus a few facts of the claim.
Intermediate results (accounts, parties, findings, the verdict's parts) are plain dicts
(``Row``) keyed like the columns of the verification's output.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from cbclassify.bundles import ClaimBundle, Line, Posting
from cbclassify.contract.money import dollars

Row = dict[str, Any]


@dataclass(frozen=True)
class CreditClaim:
    """A credit claim as of the verification date."""

    claim_id: str
    credit_amount_cents: int
    postings: tuple[Posting, ...]  # posted by the as-of date, by (posted_date, txn_id)
    lines: tuple[Line, ...]  # billed by the as-of date, in ledger order
    facts: Row  # charge, patient, primary/secondary payer, location, services (claim_facts)


def credit_claim(bundle: ClaimBundle) -> CreditClaim:
    """The claim of ``bundle`` as the verification reads it."""
    postings = tuple(sorted(bundle.postings, key=lambda p: (p.posted_date, p.txn_id)))
    return CreditClaim(
        bundle.claim_id,
        bundle.credit_amount_cents,
        postings,
        bundle.lines,
        claim_facts(bundle.lines),
    )


def claim_facts(lines: tuple[Line, ...]) -> Row:
    """Charge, patient, payers of the first line (by line_no), location, services text."""
    ordered = sorted(lines, key=lambda line: line.line_no)
    first = ordered[0]
    services = []
    for line in ordered:
        modifier = "" if line.modifier is None else "-" + line.modifier
        services.append(f"{line.cpt}{modifier} x{line.units}")
    return {
        "charge_amount_cents": sum(line.charge_amount_cents for line in ordered),
        "patient_id": first.patient_id,
        "primary_payer_id": first.payer_id,
        "secondary_payer_id": first.secondary_payer_id,
        "location_id": first.location_id,
        "services": ", ".join(services),
    }


def line_key(posting: Posting) -> int:
    """The posting's line number, 0 for a claim-level posting."""
    return 0 if posting.line_no is None else posting.line_no


def payer_key(posting: Posting) -> str:
    """The posting's payer, ``""`` for none."""
    return posting.payer_id or ""


def usd(cents: int | None) -> str:
    """Money in a sentence: ``$1,234.50``; ``?`` when unknown."""
    return "?" if cents is None else dollars(cents)


def day_text(day: date | None) -> str:
    """A date in a sentence: ISO text; ``?`` when unknown."""
    return "?" if day is None else day.isoformat()
