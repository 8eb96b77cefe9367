"""Parse one 835 transaction set (ST..SE) into a ``Remittance``. Pure: segments in, values out.

The 835 loops are read in order: header (BPR, TRN, DTM*405), 1000A payer (N1*PR, N4, REF*2U),
1000B payee (N1*PE, N4), 2000 (LX), 2100 claim (CLP, CAS, NM1, DTM), 2110 service (SVC, DTM, CAS,
AMT*B6), and the trailer (PLB). Segments the contract does not need are skipped. A segment that
cannot be read (an amount that is not a number, a CAS outside a claim...) raises
``RemittanceError`` naming its position; the caller reports it and skips this set only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from cbclassify.contract.enums import GROUP_CODES
from cbclassify.x12.model import (
    Adjustment,
    ClaimPayment,
    Finding,
    ProviderAdjustment,
    Remittance,
    ServiceLine,
)
from cbclassify.x12.tokenize import Segment
from cbclassify.x12.values import ValueFormatError, parse_amount, parse_date, parse_units

CAS_TRIPLETS = 6
PLB_PAIRS = 6


class RemittanceError(ValueError):
    """A transaction set that cannot be converted; ``segment`` is the 1-based position."""

    def __init__(self, segment: int, message: str) -> None:
        self.segment = segment
        super().__init__(message)


class _Builder:
    """Reads the segments of one set in order and fills a Remittance."""

    def __init__(self, remittance: Remittance) -> None:
        self.r = remittance
        self.party = ""  # N101 of the current 1000 loop ("PR", "PE"), "" after LX/CLP
        self.claim: ClaimPayment | None = None
        self.service: ServiceLine | None = None
        self.seen: set[str] = set()
        self.bpr_date_text = ""
        self.production_date_text = ""

    def warn(self, seg: Segment, code: str, message: str) -> None:
        self.r.findings.append(
            Finding(self.r.file, seg.index, self.r.st_control, "warning", code, message)
        )

    def amount(self, seg: Segment, position: int, required: bool = True) -> int:
        """Element ``position`` of ``seg`` as cents (blank -> 0 unless required)."""
        text = seg.get(position)
        name = f"{seg.id}{position:02d}"
        if not text:
            if required:
                raise RemittanceError(seg.index, f"{name} (amount) is missing")
            return 0
        try:
            cents, rounded = parse_amount(text)
        except ValueFormatError as exc:
            raise RemittanceError(seg.index, f"{name}: {exc}") from exc
        if rounded:
            self.warn(seg, "sub_cent", f"{name} {text!r} has digits below the cent: rounded")
        return cents

    def date(self, seg: Segment, position: int) -> dt.date | None:
        """Element ``position`` as a date, or None (with a warning) when it is not one."""
        try:
            return parse_date(seg.get(position))
        except ValueFormatError as exc:
            self.warn(seg, "bad_date", f"{seg.id}{position:02d}: {exc}; ignored")
            return None


def _bpr(b: _Builder, seg: Segment) -> None:
    total = b.amount(seg, 2)
    b.r.total_paid_cents = -total if seg.get(3).upper() == "D" else total
    b.r.method = seg.get(4).upper()
    if not b.r.method:
        raise RemittanceError(seg.index, "BPR04 (payment method) is missing")
    b.bpr_date_text = seg.get(16)


def _trn(b: _Builder, seg: Segment) -> None:
    if "TRN" in b.seen:
        return
    b.r.trace_number = seg.get(2)
    b.r.originator_id = seg.get(3)


def _dtm(b: _Builder, seg: Segment) -> None:
    qualifier = seg.get(1)
    if b.claim is None:
        if qualifier == "405":
            b.production_date_text = seg.get(2)
        return
    value = b.date(seg, 2)
    if value is None:
        return
    target = b.service.dates if b.service is not None else b.claim.dates
    target.setdefault(qualifier, value)


def _n1(b: _Builder, seg: Segment) -> None:
    b.party = seg.get(1).upper()
    if b.party == "PR":
        b.r.payer_name, b.r.payer_n104 = seg.get(2), seg.get(4)
    elif b.party == "PE":
        b.r.payee_name, b.r.payee_id = seg.get(2), seg.get(4)


def _n4(b: _Builder, seg: Segment) -> None:
    if b.claim is None and b.party == "PR":
        b.r.payer_state = seg.get(2).upper()
    elif b.claim is None and b.party == "PE":
        b.r.payee_state = seg.get(2).upper()


def _ref(b: _Builder, seg: Segment) -> None:
    if b.claim is None and b.party == "PR" and seg.get(1).upper() == "2U":
        b.r.payer_ref_2u = seg.get(2)


def _lx(b: _Builder, seg: Segment) -> None:
    b.party = ""


def _clp(b: _Builder, seg: Segment) -> None:
    b.party, b.service = "", None
    claim_id = seg.get(1)
    if not claim_id:
        raise RemittanceError(seg.index, "CLP01 (patient control number) is missing")
    b.claim = ClaimPayment(
        segment=seg.index,
        claim_id=claim_id,
        status=seg.get(2),
        charge_cents=b.amount(seg, 3),
        paid_cents=b.amount(seg, 4),
        patient_resp_cents=b.amount(seg, 5, required=False),
        filing_indicator=seg.get(6).upper(),
        payer_claim_number=seg.get(7),
    )
    b.r.claims.append(b.claim)


def _cas(b: _Builder, seg: Segment) -> None:
    if b.claim is None:
        raise RemittanceError(seg.index, "CAS outside a claim (no CLP before it)")
    group = seg.get(1).upper()
    if group not in GROUP_CODES:
        raise RemittanceError(seg.index, f"CAS01 group code {group!r} is not one of {GROUP_CODES}")
    target = b.service.adjustments if b.service is not None else b.claim.adjustments
    for i in range(CAS_TRIPLETS):
        reason_pos = 2 + 3 * i
        reason = seg.get(reason_pos)
        if not reason and not seg.get(reason_pos + 1):
            continue
        if not reason:
            raise RemittanceError(seg.index, f"CAS{reason_pos:02d} reason code is missing")
        target.append(Adjustment(group, reason, b.amount(seg, reason_pos + 1), seg.index))


def _nm1(b: _Builder, seg: Segment) -> None:
    if b.claim is None:
        return
    entity = seg.get(1).upper()
    if entity == "QC":
        b.claim.member_id = seg.get(9)
    elif entity == "82":
        b.claim.rendering_provider_id = seg.get(9)


def _procedure(b: _Builder, seg: Segment) -> tuple[str, ...]:
    """SVC01 components, recovering a component separator other than ISA16 (reported)."""
    parts = seg.composite(1)
    if len(parts) == 1 and len(parts[0]) > 3 and parts[0][:2].isalpha():
        separator = parts[0][2]
        if not separator.isalnum() and not separator.isspace():
            b.warn(
                seg,
                "svc_separator",
                f"SVC01 uses {separator!r} between its components although ISA16 is "
                f"{seg.delimiters.sub_element!r}; read with {separator!r}",
            )
            parts = tuple(p.strip() for p in parts[0].split(separator))
    return parts


def _svc(b: _Builder, seg: Segment) -> None:
    if b.claim is None:
        raise RemittanceError(seg.index, "SVC outside a claim (no CLP before it)")
    parts = _procedure(b, seg)
    try:
        units, adjusted = parse_units(seg.get(5))
    except ValueFormatError as exc:
        raise RemittanceError(seg.index, f"SVC05: {exc}") from exc
    if adjusted and not b.claim.is_reversal:
        b.warn(seg, "units", f"SVC05 units {seg.get(5)!r} read as {units}")
    b.service = ServiceLine(
        segment=seg.index,
        qualifier=parts[0] if parts else "",
        procedure=parts[1] if len(parts) > 1 else "",
        modifiers=tuple(m for m in parts[2:6] if m),
        charge_cents=b.amount(seg, 2),
        paid_cents=b.amount(seg, 3),
        units=units,
    )
    if not b.service.usable:
        b.warn(seg, "svc_no_procedure", "SVC01 names no procedure code: claim posted from CLP")
    b.claim.services.append(b.service)


def _amt(b: _Builder, seg: Segment) -> None:
    if b.service is not None and seg.get(1).upper() == "B6":
        b.service.allowed_cents = b.amount(seg, 2)


def _plb(b: _Builder, seg: Segment) -> None:
    b.claim, b.service = None, None
    for i in range(PLB_PAIRS):
        position = 3 + 2 * i
        parts = seg.composite(position)
        if not parts and not seg.get(position + 1):
            continue
        if not parts or not parts[0]:
            raise RemittanceError(seg.index, f"PLB{position:02d} adjustment reason is missing")
        reference = parts[1] if len(parts) > 1 else ""
        amount = b.amount(seg, position + 1)
        b.r.provider_adjustments.append(ProviderAdjustment(parts[0], reference, amount, seg.index))


# fmt: off
HANDLERS: dict[str, Callable[[_Builder, Segment], None]] = {
    "BPR": _bpr, "TRN": _trn, "DTM": _dtm, "N1": _n1, "N4": _n4, "REF": _ref, "LX": _lx,
    "CLP": _clp, "CAS": _cas, "NM1": _nm1, "SVC": _svc, "AMT": _amt, "PLB": _plb,
}
# fmt: on


def parse_transaction_set(remittance: Remittance, body: list[Segment]) -> Remittance:
    """Fill ``remittance`` (envelope fields already set) from the segments between ST and SE."""
    builder = _Builder(remittance)
    for seg in body:
        handler = HANDLERS.get(seg.id)
        if handler is not None:
            handler(builder, seg)
            builder.seen.add(seg.id)
    _finish(builder, body)
    return remittance


def _finish(b: _Builder, body: list[Segment]) -> None:
    r = b.r
    st_index = r.st_segment
    if "BPR" not in b.seen:
        raise RemittanceError(st_index, "no BPR segment (payment total): not an 835 payment")
    if not r.trace_number:
        raise RemittanceError(st_index, "no TRN02 trace number")
    if not r.payer_id:
        raise RemittanceError(st_index, "no payer identification (N1*PR, REF*2U or TRN03)")
    r.payment_date = _payment_date(b, body)
    for claim in r.claims:
        _correct_reversal_sign(b, claim)


def _payment_date(b: _Builder, body: list[Segment]) -> dt.date:
    bpr = next(s for s in body if s.id == "BPR")
    if b.bpr_date_text:
        try:
            return parse_date(b.bpr_date_text)
        except ValueFormatError as exc:
            problem = f"BPR16 {exc}"
    else:
        problem = "BPR16 (payment date) is missing"
    try:
        production = parse_date(b.production_date_text)
    except ValueFormatError as exc:
        raise RemittanceError(bpr.index, f"{problem}, and no valid DTM*405 either") from exc
    b.warn(bpr, "payment_date", f"{problem}: payment date taken from DTM*405")
    return production


def _correct_reversal_sign(b: _Builder, claim: ClaimPayment) -> None:
    """A CLP02=22 reversal whose amounts arrive positive is negated as a whole (reported)."""
    if not claim.is_reversal:
        return
    positive = claim.charge_cents > 0 or (claim.charge_cents == 0 and claim.paid_cents > 0)
    if not positive:
        return
    claim.negate_amounts()
    b.r.findings.append(
        Finding(
            b.r.file,
            claim.segment,
            b.r.st_control,
            "warning",
            "reversal_sign",
            "CLP02=22 reversal sent with positive amounts: all its amounts were negated",
        )
    )
