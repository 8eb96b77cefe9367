"""Claim lines, patients and line matching for claims that an 835 reports.

A claim the ledger does not hold yet gets its lines from one of its CLP occurrences in the batch
(the first that is not a reversal, else the first): one line per usable SVC (CPT and first
modifier from SVC01, units SVC05, charge |SVC02|), or one claim-level line (cpt ``CLAIM``,
charge |CLP03|) when the claim has no usable SVC. Every SVC posting is then matched to a line of
its claim (the new lines, or the ledger's own lines) by CPT, modifier and service date.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import pandas as pd

from cbclassify.x12.codes import LATER_PAYER_STATUSES
from cbclassify.x12.model import ClaimPayment, Remittance, ServiceLine

CLAIM_LEVEL_CPT = "CLAIM"
_PSEUDONYM = re.compile(r"PT-[0-9a-f]{16}")
Row = dict[str, Any]  # one contract row: column -> value of that column's type
#: ``warn(remittance, segment, code, message)`` records a finding.
Warn = Callable[[Remittance, int, str, str], None]


@dataclass(frozen=True)
class Occurrence:
    """One CLP loop of a claim, with the remittance it came in, its payer and the ledger claim
    id it posts to (CLP01, or CLP01 with a suffix: ``x12.identity``)."""

    remittance: Remittance
    claim: ClaimPayment
    payer_id: str
    claim_id: str


@dataclass(frozen=True)
class LineKey:
    """What a posting is matched on."""

    line_no: int
    cpt: str
    modifier: str
    service_date: dt.date | None


def service_date_of(svc: ServiceLine | None, claim: ClaimPayment) -> dt.date | None:
    """DTM*472 (service date) or DTM*150 (period start) of the line, else the claim's
    DTM*232 (statement from) or DTM*233 (statement to)."""
    if svc is not None:
        for qualifier in ("472", "150"):
            if qualifier in svc.dates:
                return svc.dates[qualifier]
    for qualifier in ("232", "233"):
        if qualifier in claim.dates:
            return claim.dates[qualifier]
    return None


def patient_pseudonym(payer_id: str, member_id: str, claim_id: str, key: bytes = b"") -> str:
    """A stable pseudonymous patient id: a hash of payer + NM1*QC member id (never a name).

    Without a member id, the claim is its own patient (a hash of the claim id). With ``key``
    the hash is an HMAC, so ids cannot be recomputed from a member id without the key.
    """
    basis = f"member|{payer_id}|{member_id}" if member_id else f"claim|{claim_id}"
    if key:
        digest = hmac.new(key, basis.encode(), hashlib.sha256).hexdigest()
    else:
        digest = hashlib.sha256(basis.encode()).hexdigest()
    return f"PT-{digest[:16]}"


def is_pseudonym(patient_id: str) -> bool:
    """True for an id ``patient_pseudonym`` makes (not one from a practice-management export)."""
    return _PSEUDONYM.fullmatch(patient_id) is not None


def template_occurrence(occurrences: Sequence[Occurrence]) -> Occurrence:
    """The occurrence a new claim's lines come from: the first non-reversal, else the first."""
    return next((o for o in occurrences if not o.claim.is_reversal), occurrences[0])


def payer_roles(occurrences: Sequence[Occurrence]) -> tuple[str | None, str | None]:
    """(payer_id, secondary_payer_id) for a new claim from how each payer processed it."""
    primary = next(
        (
            o.payer_id
            for o in occurrences
            if o.claim.status not in LATER_PAYER_STATUSES and not o.claim.is_reversal
        ),
        None,
    )
    later = next((o.payer_id for o in occurrences if o.claim.status in LATER_PAYER_STATUSES), None)
    if primary is None and later is None:
        primary = occurrences[0].payer_id  # only reversals: the reversing payer had paid
    return primary, (later if later != primary else None)


def new_claim_lines(occurrences: Sequence[Occurrence], patient_id: str, warn: Warn) -> list[Row]:
    """Contract claim_lines rows for a claim the ledger does not hold (may be empty: reported)."""
    tmpl = template_occurrence(occurrences)
    rem, claim = tmpl.remittance, tmpl.claim
    payer_id, secondary_id = payer_roles(occurrences)
    location_id = rem.payee_id or rem.payee_name or "unknown"
    base: Row = {
        "claim_id": tmpl.claim_id,
        "patient_id": patient_id,
        "payer_id": payer_id if payer_id is not None else pd.NA,
        "secondary_payer_id": secondary_id if secondary_id is not None else pd.NA,
        "location_id": location_id,
        "provider_id": claim.rendering_provider_id or location_id,
    }
    specs: list[tuple[ServiceLine | None, str, str, int, int]] = []
    for usable in claim.usable_services:
        if usable.charge_cents == 0:
            warn(rem, usable.segment, "zero_charge", "SVC02 charge is 0.00: no claim line for it")
            continue
        modifier = usable.modifiers[0] if usable.modifiers else ""
        specs.append((usable, usable.procedure, modifier, usable.units, abs(usable.charge_cents)))
    if not specs and claim.charge_cents != 0:
        specs.append((None, CLAIM_LEVEL_CPT, "", 1, abs(claim.charge_cents)))
    assert rem.payment_date is not None  # set by the parser
    rows: list[Row] = []
    for line_no, (svc, cpt, modifier, units, charge) in enumerate(specs, start=1):
        service_date = service_date_of(svc, claim)
        if service_date is None:
            service_date = rem.payment_date
            warn(
                rem,
                svc.segment if svc else claim.segment,
                "no_service_date",
                "no DTM*472/150/232/233: service date set to the payment date",
            )
        billed = claim.dates.get("050", service_date)
        rows.append(
            base
            | {
                "line_no": line_no,
                "service_date": pd.Timestamp(service_date),
                "cpt": cpt,
                "modifier": modifier or pd.NA,
                "units": units,
                "charge_amount_cents": charge,
                "billed_date": pd.Timestamp(billed),
            }
        )
    return rows


def line_keys(rows: Sequence[Row] | pd.DataFrame) -> list[LineKey]:
    """Matching keys of a claim's lines (new rows or the ledger's frame)."""
    records = (
        cast(list[Row], rows.to_dict("records")) if isinstance(rows, pd.DataFrame) else list(rows)
    )
    keys = []
    for r in records:
        date = r["service_date"]
        keys.append(
            LineKey(
                line_no=int(r["line_no"]),
                cpt=str(r["cpt"]),
                modifier="" if pd.isna(r["modifier"]) else str(r["modifier"]),
                service_date=None if pd.isna(date) else pd.Timestamp(date).date(),
            )
        )
    return keys


def _match_rank(key: LineKey, modifier: str, date: dt.date | None) -> int:
    """0 = CPT+modifier+date, 1 = CPT+modifier, 2 = CPT+date, 3 = CPT only (CPT checked apart)."""
    same_modifier, same_date = key.modifier == modifier, key.service_date == date
    if same_modifier and same_date:
        return 0
    if same_modifier:
        return 1
    return 2 if same_date else 3


def match_services(lines: Sequence[LineKey], claim: ClaimPayment) -> list[int | None]:
    """For each usable SVC of ``claim``, the line_no it posts to (None: claim level).

    Tried in order, each line used once per CLP: CPT+modifier+date, CPT+modifier, CPT+date, CPT;
    among equals, the lowest line number.
    """
    used: set[int] = set()
    result: list[int | None] = []
    for svc in claim.usable_services:
        modifier = svc.modifiers[0] if svc.modifiers else ""
        date = service_date_of(svc, claim)
        candidates = [
            (_match_rank(k, modifier, date), k.line_no)
            for k in lines
            if k.line_no not in used and k.cpt == svc.procedure
        ]
        found = min(candidates)[1] if candidates else None
        if found is not None:
            used.add(found)
        result.append(found)
    return result
