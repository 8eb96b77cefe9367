"""A credit's claim facts and contracted allowed amount, from its billed lines.

The claim's parties are those of its first billed line (lowest ``line_no``, the first on a
tie); its discipline (``service_line``) comes from that line's CPT code and therapy modifier.
The contracted allowed of a line is ``allowed_per_unit x units`` from the fee-schedule row of
the line's primary payer and CPT whose effective dates cover the date of service and whose
modifier equals the line's (an exact modifier, compared without case, wins over a blank one,
which matches any; among equals the latest ``effective_from``, then the first row).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from cbclassify.bundles import FeeRow, Line, Payer

#: Values of one credit's claim facts (see ``claim_facts``).
Facts = dict[str, str | int | float | date | None]

_SPEECH_CODES = frozenset({92507, 92508, 92521, 92522, 92523, 92524, 92526, 92610})
_ABA_CATEGORY_III = frozenset({"0362T", "0373T"})
_MODIFIER_DISCIPLINES = {"GN": "speech", "GO": "ot", "GP": "pt"}


def _cpt_number(cpt: str) -> float | None:
    """The CPT code read as a number (``"97110"`` -> 97110.0), None when it is not one.

    The reading of ``pandas.to_numeric``: ASCII digits with an optional sign, decimal point,
    exponent and surrounding whitespace."""
    if not cpt.isascii() or "_" in cpt:
        return None
    try:
        return float(cpt)
    except ValueError:
        return None


def service_line(cpt: str, modifier: str | None) -> str:
    """The discipline of a claim line: aba, speech, ot, pt, behavioral_health or other.

    ABA codes (97151-97158, 0362T, 0373T) first; then the therapy modifier (GN speech, GO
    occupational, GP physical therapy); then speech-language codes, psychotherapy and
    psychological testing codes, and the PT and OT evaluation codes."""
    code = _cpt_number(cpt)
    if (code is not None and 97151 <= code <= 97158) or cpt in _ABA_CATEGORY_III:
        return "aba"
    by_modifier = _MODIFIER_DISCIPLINES.get("" if modifier is None else modifier.upper())
    if by_modifier is not None:
        return by_modifier
    if code is None:
        return "other"
    if code in _SPEECH_CODES:
        return "speech"
    if 90785 <= code <= 90899 or 96130 <= code <= 96139:
        return "behavioral_health"
    if 97161 <= code <= 97164:
        return "pt"
    return "ot" if 97165 <= code <= 97168 else "other"


_NO_LINES: Facts = {
    "patient_id": None,
    "payer_id": None,
    "secondary_payer_id": None,
    "service_line": None,
    "charge_amount_cents": 0,
    "units_total": None,
    "line_count": None,
    "first_service_date": None,
    "payer_type": None,
    "secondary_payer_type": None,
    "payer_allows_offset": 0.0,
}


def claim_facts(lines: Sequence[Line], payers: Mapping[str, Payer]) -> Facts:
    """Patient, payers and their types, discipline, charge, units, line count and first date
    of service of a credit's billed ``lines`` (no lines: no facts, charge 0)."""
    if not lines:
        return dict(_NO_LINES)
    first = min(lines, key=lambda line: line.line_no)
    payer = None if first.payer_id is None else payers.get(first.payer_id)
    second = None if first.secondary_payer_id is None else payers.get(first.secondary_payer_id)
    if first.payer_id is None:
        payer_type: str | None = "self_pay"
    else:
        payer_type = None if payer is None else payer.payer_type
    return {
        "patient_id": first.patient_id,
        "payer_id": first.payer_id,
        "secondary_payer_id": first.secondary_payer_id,
        "service_line": service_line(first.cpt, first.modifier),
        "charge_amount_cents": sum(line.charge_amount_cents for line in lines),
        "units_total": sum(line.units for line in lines),
        "line_count": len(lines),
        "first_service_date": min(line.service_date for line in lines),
        "payer_type": payer_type,
        "secondary_payer_type": None if second is None else second.payer_type,
        "payer_allows_offset": 1.0 if payer is not None and payer.allows_offset else 0.0,
    }


def _in_force(fee: FeeRow, day: date) -> bool:
    return fee.effective_from <= day and (fee.effective_to is None or day <= fee.effective_to)


def contracted_allowed(
    lines: Sequence[Line], schedule: Mapping[tuple[str, str], Sequence[FeeRow]]
) -> dict[str, int | None]:
    """``contracted_allowed_cents`` summed over the lines with a fee-schedule row, and
    ``covered_lines``, their count (both None when no line has one)."""
    best: dict[int, tuple[tuple[int, int], int]] = {}
    for line in lines:
        if line.payer_id is None:
            continue
        line_modifier = (line.modifier or "").upper()
        for fee in schedule.get((line.payer_id, line.cpt), ()):
            if not _in_force(fee, line.service_date):
                continue
            fee_modifier = fee.modifier or ""
            exact = fee_modifier != "" and fee_modifier.upper() == line_modifier
            if not (exact or fee_modifier == ""):
                continue
            rank = (0 if exact else 1, -fee.effective_from.toordinal())
            known = best.get(line.line_no)
            if known is None or rank < known[0]:
                best[line.line_no] = (rank, fee.allowed_per_unit_cents * line.units)
    if not best:
        return {"contracted_allowed_cents": None, "covered_lines": None}
    return {
        "contracted_allowed_cents": sum(allowed for _, allowed in best.values()),
        "covered_lines": len(best),
    }
