"""Turn parsed 835 remittances into ledger contract tables, merged into an existing ledger.

Pure: remittances (from ``x12.envelope.read_835``) and an optional existing ``Ledger`` in, a new
``Ledger`` plus findings out. The existing ledger's payers, patients and claim lines are kept;
only what is new is added; transactions, remittances and provider adjustments are appended.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from cbclassify.contract.ledger import Ledger, coerce_frame, empty_frame
from cbclassify.contract.money import format_cents
from cbclassify.x12 import lines as lines_mod
from cbclassify.x12.codes import payer_type_for
from cbclassify.x12.identity import (
    ClaimIdentities,
    ClaimKey,
    ClaimOccurrence,
    HeldClaim,
    assign_claim_ids,
    id_part,
)
from cbclassify.x12.model import Finding, Remittance, Severity
from cbclassify.x12.postings import PostingContext, remittance_transactions

Row = dict[str, object]


@dataclass(frozen=True)
class ConvertOptions:
    """Choices the user can make (CLI options)."""

    posted_by: str = "era-import"
    default_state: str | None = None  # patients' state when the payee has no N4 state
    id_key: bytes = b""  # HMAC key for patient pseudonyms (blank: plain SHA-256)


@dataclass(frozen=True)
class ConvertedRemittance:
    """One converted ST set: its era_id and what a summary needs."""

    era_id: str
    remittance: Remittance
    payer_id: str
    duplicate_of: str | None  # era_id (or "ledger") holding the same payer + trace number


@dataclass
class ConversionResult:
    """The merged ledger, the new rows alone (memory names), and the findings.

    ``claim_ids``: the ledger claim id of every CLP loop, by (era_id, CLP segment position).
    """

    ledger: Ledger
    new_rows: dict[str, pd.DataFrame]
    converted: list[ConvertedRemittance]
    findings: list[Finding] = field(default_factory=list)
    claim_ids: dict[ClaimKey, str] = field(default_factory=dict)


def era_id_for(remittance: Remittance, used: set[str]) -> str:
    """``ISA13-GS06-ST02-TRN02``; ``~2``, ``~3``... appended when already used (identical sets,
    or the same file ingested again)."""
    parts = (
        remittance.interchange_control,
        remittance.group_control,
        remittance.st_control,
        remittance.trace_number,
    )
    base = "-".join(id_part(p) for p in parts if p.strip())
    candidate, n = base, 1
    while candidate in used:
        n += 1
        candidate = f"{base}~{n}"
    used.add(candidate)
    return candidate


class _Batch:
    """Collects rows and findings while converting one batch."""

    def __init__(self, existing: Ledger, options: ConvertOptions) -> None:
        self.existing = existing
        self.options = options
        self.findings: list[Finding] = []
        self.rows: dict[str, list[Row]] = {
            name: []
            for name in (
                "payers",
                "patients",
                "claim_lines",
                "transactions",
                "remittances",
                "provider_adjustments",
            )
        }
        self.known_payers = set(existing.payers["payer_id"].dropna())
        self.known_patients = set(existing.patients["patient_id"].dropna())
        self.state_warned: set[int] = set()

    def find(
        self, rem: Remittance, segment: int | None, severity: Severity, code: str, message: str
    ) -> None:
        self.findings.append(Finding(rem.file, segment, rem.st_control, severity, code, message))

    def warn(self, rem: Remittance, segment: int, code: str, message: str) -> None:
        self.find(rem, segment, "warning", code, message)


def _money(cents: int) -> str:
    return format_cents(cents)


def _register(batch: _Batch, remittances: Sequence[Remittance]) -> list[ConvertedRemittance]:
    """era_ids, duplicate-ERA and balancing findings, remittance/PLB/payer rows."""
    existing = batch.existing.remittances
    used = set(existing["era_id"].dropna())
    traces: dict[tuple[str, str], str] = {
        (str(p), str(t)): "ledger" for p, t in zip(existing["payer_id"], existing["trace_number"])
    }
    converted = []
    for rem in remittances:
        payer_id, era_id = rem.payer_id, era_id_for(rem, used)
        key = (payer_id, rem.trace_number)
        duplicate_of = traces.get(key)
        traces.setdefault(key, era_id)
        if duplicate_of is not None:
            where = "an ERA already in the ledger" if duplicate_of == "ledger" else duplicate_of
            batch.find(
                rem,
                rem.st_segment,
                "warning",
                "duplicate_era",
                f"duplicate ERA: same payer and trace number {rem.trace_number} as "
                f"{where}; converted as {era_id}",
            )
        if not rem.balanced:
            expected = rem.claim_paid_cents - rem.plb_cents
            batch.find(
                rem,
                rem.st_segment,
                "warning",
                "unbalanced",
                f"remittance does not balance: BPR02 {_money(rem.total_paid_cents)} but "
                f"claim payments {_money(rem.claim_paid_cents)} - PLB "
                f"{_money(rem.plb_cents)} = {_money(expected)} (difference "
                f"{_money(rem.total_paid_cents - expected)}); converted as received",
            )
        _remittance_rows(batch, rem, era_id, payer_id)
        converted.append(ConvertedRemittance(era_id, rem, payer_id, duplicate_of))
    return converted


def _remittance_rows(batch: _Batch, rem: Remittance, era_id: str, payer_id: str) -> None:
    assert rem.payment_date is not None  # set by the parser
    batch.rows["remittances"].append(
        {
            "era_id": era_id,
            "payer_id": payer_id,
            "trace_number": rem.trace_number,
            "payment_date": pd.Timestamp(rem.payment_date),
            "total_paid_cents": rem.total_paid_cents,
            "method": rem.method or pd.NA,
            "balanced": rem.balanced,
        }
    )
    for plb in rem.provider_adjustments:
        batch.rows["provider_adjustments"].append(
            {
                "era_id": era_id,
                "reason_code": plb.reason,
                "reference": plb.reference or pd.NA,
                "amount_cents": plb.amount_cents,
            }
        )
    if payer_id not in batch.known_payers:
        batch.known_payers.add(payer_id)
        batch.rows["payers"].append(
            {
                "payer_id": payer_id,
                "payer_name": rem.payer_name or payer_id,
                "payer_type": payer_type_for(c.filing_indicator for c in rem.claims),
            }
        )


def _patient_state(batch: _Batch, rem: Remittance) -> str:
    """Payee N4 state, else the --state default, else the payer's N4 state (reported)."""
    if rem.payee_state:
        return rem.payee_state
    if batch.options.default_state:
        return batch.options.default_state.upper()
    if id(rem) not in batch.state_warned:
        batch.state_warned.add(id(rem))
        if rem.payer_state:
            batch.warn(
                rem,
                rem.st_segment,
                "patient_state",
                f"payee has no N4 state: patients' state taken from the payer's N4 "
                f"({rem.payer_state}); use --state to set the practice's state",
            )
        else:
            batch.find(
                rem,
                rem.st_segment,
                "error",
                "patient_state",
                "no payee or payer N4 state: patients' state unknown; use --state",
            )
    return rem.payer_state


def _held_claims(batch: _Batch, clp01s: set[str]) -> dict[str, HeldClaim]:
    """The ledger's claims under the batch's CLP01s (bare or split ``CLP01~...``), in order."""
    lines = batch.existing.claim_lines
    ids = lines["claim_id"].astype(str)
    wanted = ids.isin(list(clp01s)) | ids.str.rsplit("~", n=1).str[0].isin(list(clp01s))
    lines, ids = lines[wanted], ids[wanted]
    charges = lines["charge_amount_cents"].groupby(ids, sort=False).sum()
    procedures: dict[str, set[str]] = {}
    for claim_id, cpt in zip(ids, lines["cpt"].astype(str), strict=True):
        codes = procedures.setdefault(claim_id, set())
        if cpt != lines_mod.CLAIM_LEVEL_CPT:
            codes.add(cpt)
    first = lines.assign(claim_id=ids).drop_duplicates("claim_id")
    held: dict[str, HeldClaim] = {}
    key = batch.options.id_key
    for row in first.itertuples(index=False):
        claim_id, patient = str(row.claim_id), str(row.patient_id)
        payers = frozenset(p for p in (row.payer_id, row.secondary_payer_id) if isinstance(p, str))
        own = lines_mod.patient_pseudonym("", "", claim_id, key)  # no member id was known
        member_based = lines_mod.is_pseudonym(patient) and patient != own
        held[claim_id] = HeldClaim(
            claim_id,
            patient if member_based else "",
            payers,
            int(charges[claim_id]),
            frozenset(procedures[claim_id]),
        )
    return held


def _identities(batch: _Batch, converted: Sequence[ConvertedRemittance]) -> ClaimIdentities:
    """The ledger claim id of every CLP loop (a repeated CLP01 may be another claim)."""
    key = batch.options.id_key
    occurrences = [
        ClaimOccurrence(
            conv.era_id,
            conv.payer_id,
            conv.remittance,
            claim,
            lines_mod.patient_pseudonym(conv.payer_id, claim.member_id, "", key)
            if claim.member_id
            else "",
        )
        for conv in converted
        for claim in conv.remittance.claims
    ]
    held = _held_claims(batch, {occ.claim.claim_id for occ in occurrences})
    identities = assign_claim_ids(occurrences, held)
    batch.findings.extend(identities.findings)
    return identities


def _claim_lines(
    batch: _Batch, converted: Sequence[ConvertedRemittance], claim_ids: dict[ClaimKey, str]
) -> tuple[dict[str, list[lines_mod.LineKey]], set[str]]:
    """New claim lines and patients; returns line keys per claim and the claims with no line."""
    occurrences: dict[str, list[lines_mod.Occurrence]] = {}
    for conv in converted:
        for claim in conv.remittance.claims:
            claim_id = claim_ids[(conv.era_id, claim.segment)]
            occurrences.setdefault(claim_id, []).append(
                lines_mod.Occurrence(conv.remittance, claim, conv.payer_id, claim_id)
            )
    held = batch.existing.claim_lines
    held = held[held["claim_id"].isin(list(occurrences))]
    keys: dict[str, list[lines_mod.LineKey]] = {
        str(cid): lines_mod.line_keys(frame) for cid, frame in held.groupby("claim_id", sort=False)
    }
    unposted: set[str] = set()
    for claim_id, occs in occurrences.items():
        if claim_id in keys:
            continue
        tmpl = lines_mod.template_occurrence(occs)
        patient_id = lines_mod.patient_pseudonym(
            tmpl.payer_id, tmpl.claim.member_id, claim_id, batch.options.id_key
        )
        rows = lines_mod.new_claim_lines(occs, patient_id, batch.warn)
        if not rows:
            unposted.add(claim_id)
            batch.find(
                tmpl.remittance,
                tmpl.claim.segment,
                "error",
                "no_charge",
                "claim has no charge (CLP03 and SVC02 are 0): no claim line can be made, "
                "its postings were not converted",
            )
            continue
        batch.rows["claim_lines"].extend(rows)
        keys[claim_id] = lines_mod.line_keys(rows)
        if patient_id not in batch.known_patients:
            batch.known_patients.add(patient_id)
            state = _patient_state(batch, tmpl.remittance)
            batch.rows["patients"].append({"patient_id": patient_id, "state": state})
    return keys, unposted


def _transactions(
    batch: _Batch,
    converted: Sequence[ConvertedRemittance],
    claim_ids: dict[ClaimKey, str],
    keys: dict[str, list[lines_mod.LineKey]],
    unposted: set[str],
) -> None:
    for conv in converted:
        rem = conv.remittance
        ids = {claim.segment: claim_ids[(conv.era_id, claim.segment)] for claim in rem.claims}
        numbers: dict[int, list[int | None]] = {}
        for claim in rem.claims:
            if ids[claim.segment] in unposted:
                continue
            numbers[claim.segment] = lines_mod.match_services(keys[ids[claim.segment]], claim)
            for svc, line_no in zip(claim.usable_services, numbers[claim.segment], strict=True):
                if line_no is None:
                    batch.warn(
                        rem,
                        svc.segment,
                        "unmatched_line",
                        "SVC matches no line of the claim in the ledger: posted at claim level",
                    )
        skip = frozenset(segment for segment, cid in ids.items() if cid in unposted)
        assert rem.payment_date is not None  # set by the parser
        ctx = PostingContext(
            conv.era_id,
            conv.payer_id,
            rem.trace_number,
            rem.payment_date,
            batch.options.posted_by,
        )
        batch.rows["transactions"].extend(remittance_transactions(rem, ctx, ids, numbers, skip))


def convert_remittances(
    remittances: Sequence[Remittance],
    existing: Ledger | None = None,
    options: ConvertOptions | None = None,
) -> ConversionResult:
    """Convert ``remittances`` (in batch order) and merge them into ``existing``."""
    base = existing if existing is not None else Ledger.from_frames()
    batch = _Batch(base, options or ConvertOptions())
    converted = _register(batch, remittances)
    identities = _identities(batch, converted)
    keys, unposted = _claim_lines(batch, converted, identities.claim_ids)
    _transactions(batch, converted, identities.claim_ids, keys, unposted)
    new_rows = {
        name: coerce_frame(name, pd.DataFrame(rows)) if rows else empty_frame(name)
        for name, rows in batch.rows.items()
    }
    merged = base
    for name, frame in new_rows.items():
        if len(frame):
            held = base.table(name)
            combined = pd.concat([held, frame], ignore_index=True) if len(held) else frame
            merged = merged.with_table(name, coerce_frame(name, combined))
    return ConversionResult(merged, new_rows, converted, batch.findings, identities.claim_ids)
