"""One credit's claim facts and contracted allowed, over plain rows (single-claim path).

The same rules as ``history.claim_frame``, ``history.service_line_of`` and
``allowed.contracted_allowed``, for one credit's lines at a time.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from cbclassify.features.history import service_line_of

Row = dict[str, Any]

_SPEECH_CODES = frozenset({92507, 92508, 92521, 92522, 92523, 92524, 92526, 92610})


def _plain_ascii(text: str) -> bool:
    """Text whose comparisons behave the same in Python and in numpy's fixed-width strings."""
    return text.isascii() and "\x00" not in text


@lru_cache(maxsize=4096)
def _service_line_vectorized(cpt: str | None, modifier: str | None) -> str:
    series = pd.Series([cpt], dtype="string"), pd.Series([modifier], dtype="string")
    return str(service_line_of(*series)[0])


def service_line(cpt: str | None, modifier: str | None) -> str:
    """``history.service_line_of`` for one line: plain CPT digits here, anything else there."""
    if cpt is None or not (cpt.isdigit() and _plain_ascii(cpt)):
        return _service_line_vectorized(cpt, modifier)
    if modifier is not None and not _plain_ascii(modifier):
        return _service_line_vectorized(cpt, modifier)
    code = int(cpt)
    mod = "" if modifier is None else modifier.upper()
    if 97151 <= code <= 97158:
        return "aba"
    by_modifier = {"GN": "speech", "GO": "ot", "GP": "pt"}.get(mod)
    if by_modifier is not None:
        return by_modifier
    if code in _SPEECH_CODES:
        return "speech"
    if 90785 <= code <= 90899 or 96130 <= code <= 96139:
        return "behavioral_health"
    if 97161 <= code <= 97164:
        return "pt"
    return "ot" if 97165 <= code <= 97168 else "other"


_NO_LINES: Row = {
    "patient_id": None,
    "payer_id": None,
    "secondary_payer_id": None,
    "service_line": None,
    "charge_cents": 0,
    "units_total": None,
    "line_count": None,
    "first_service_date": None,
    "payer_type": None,
    "secondary_payer_type": None,
    "payer_allows_offset": 0.0,
}


def claim_facts(lines: list[Row], payers: dict[str, Row]) -> Row:
    """Patient, payers and their types, charge, units, line count, first service date
    (``history.claim_frame``) of one credit's billed lines."""
    if not lines:
        return dict(_NO_LINES)
    first = min(lines, key=lambda r: (r["line_no"] is None, r["line_no"] or 0))  # first on ties
    services = [r["service_date"] for r in lines if r["service_date"] is not None]
    payer_id, secondary = first["payer_id"], first["secondary_payer_id"]
    payer = payers.get(payer_id) if payer_id is not None else None
    second = payers.get(secondary) if secondary is not None else None
    return {
        "patient_id": first["patient_id"],
        "payer_id": payer_id,
        "secondary_payer_id": secondary,
        "service_line": service_line(first["cpt"], first["modifier"]),
        "charge_cents": sum(r["charge_amount_cents"] for r in lines if r["charge_amount_cents"] is not None),
        "units_total": sum(r["units"] for r in lines if r["units"] is not None),
        "line_count": len(lines),
        "first_service_date": min(services) if services else None,
        "payer_type": "self_pay" if payer_id is None else (payer or {}).get("payer_type"),
        "secondary_payer_type": None if second is None else second["payer_type"],
        "payer_allows_offset": 1.0 if payer is not None and payer["allows_offset"] else 0.0,
    }  # fmt: skip


def _upper(text: str) -> str:
    if _plain_ascii(text):
        return text.upper()
    return str(np.char.upper(np.array([text]))[0])


def _in_force(fee: Row, day: int | None) -> bool:
    start, end = fee["effective_from"], fee["effective_to"]
    if day is None or start is None or not start <= day:
        return False
    return end is None or day <= end


def contracted_allowed(lines: list[Row], schedule: dict[tuple[str, str], list[Row]]) -> Row:
    """``contracted_allowed_cents`` and ``covered_lines`` of one credit (None when no line has
    a fee-schedule row): per line the in-force row of its payer and CPT with the line's
    modifier (exact before blank, then the latest ``effective_from``; first row on a tie)."""
    best: dict[Any, tuple[tuple[int, int], int]] = {}
    for line in lines:
        if line["payer_id"] is None:
            continue
        line_mod = _upper(line["modifier"] or "")
        for fee in schedule.get((line["payer_id"], line["cpt"]), ()):
            if not _in_force(fee, line["service_date"]):
                continue
            fs_mod = fee["modifier"] or ""
            exact = fs_mod != "" and _upper(fs_mod) == line_mod
            if not (exact or fs_mod == ""):
                continue
            rank = (0 if exact else 1, -fee["effective_from"])
            key = line["line_no"]
            if key not in best or rank < best[key][0]:
                allowed = int(fee["allowed_per_unit_cents"]) * int(line["units"])
                best[key] = (rank, allowed)
    if not best:
        return {"contracted_allowed_cents": None, "covered_lines": None}
    return {
        "contracted_allowed_cents": sum(allowed for _, allowed in best.values()),
        "covered_lines": len(best),
    }


def schedule_index(fees: list[Row]) -> dict[tuple[str, str], list[Row]]:
    """Fee-schedule rows by (payer_id, cpt), in schedule order."""
    out: dict[tuple[str, str], list[Row]] = {}
    for fee in fees:
        out.setdefault((fee["payer_id"], fee["cpt"]), []).append(fee)
    return out
