"""Random hand-made ledgers (hypothesis): claims of two patients with arbitrary lines,
postings and fee-schedule rows (ties, modifiers in any case, closed ranges), duplicates and
reversals, payments of unknown payers, late billing; and credits on them."""

from __future__ import annotations

import numpy as np
import pandas as pd
from feature_ledgers import LedgerBuilder
from hypothesis import strategies as st

from cbclassify.contract.ledger import Ledger

DAYS = ("2024-12-20", "2025-01-06", "2025-01-20", "2025-02-01", "2025-02-15", "2025-03-01")
AS_OF = st.sampled_from(DAYS[2:] + ("2025-06-01",) * 3) | st.sampled_from(DAYS)
CPTS = ("97110", "97112", "97153", "92507", "90837", "97161", "97166", "0362T", "G0283")
MODIFIERS = (None, "GP", "gp", "GO", "GN", "59")
KINDS = ("payment", "payment", "payment", "adjustment", "responsibility", "refund", "transfer")
PAYERS = ("P1", "P2", "P3", "PX", None)  # PX is not in the payers table
AMOUNTS = st.sampled_from([2000, 5000, 8000, -5000, 0]) | st.integers(-20000, 60000)


def _lines(draw: st.DrawFn, b: LedgerBuilder, claim: str, mixed_patients: bool) -> None:
    patient, payer = draw(st.sampled_from(["A", "B"])), draw(st.sampled_from(PAYERS))
    for line_no in range(1, draw(st.integers(1, 3)) + 1):
        service = draw(st.sampled_from(DAYS[:4]))
        b.line(
            claim,
            draw(st.sampled_from(["A", "B", patient]))
            if mixed_patients and line_no > 1
            else patient,
            payer,
            draw(st.integers(1000, 50000)),
            service_date=service,
            cpt=draw(st.sampled_from(CPTS[:3]) | st.sampled_from(CPTS)),
            modifier=draw(st.sampled_from(MODIFIERS)),
            units=draw(st.integers(1, 4)),
            line_no=line_no,
            secondary=draw(st.sampled_from([None, "P2", "P3"])),
            billed_date=draw(st.sampled_from([service, service, "2025-02-10", "2025-03-05"])),
        )


def _postings(draw: st.DrawFn, b: LedgerBuilder, claim: str) -> None:
    """Arbitrary postings, mostly by the claim's payer; some repeat an earlier one (a
    duplicate, maybe from another ERA or day) or reverse it."""
    billed = next(r["payer_id"] for r in b.lines if r["claim_id"] == claim)
    payers = st.sampled_from([billed, billed]) | st.sampled_from(PAYERS)
    for _ in range(draw(st.integers(0, 12))):
        again = [t for t in b.txns if t["claim_id"] == claim]
        if again and draw(st.booleans()):
            t = dict(draw(st.sampled_from(again)))
            t["txn_id"] = f"T{len(b.txns) + 1}"
            change = draw(st.sampled_from(["none", "era", "trace", "date", "reverse"]))
            if change == "reverse":
                t["amount_cents"] = -t["amount_cents"]
            elif change != "none":
                key = {"era": "era_id", "trace": "trace_number", "date": "posted_date"}[change]
                t[key] = draw(
                    st.sampled_from(
                        {
                            "era": [None, "E1", "E2"],
                            "trace": [None, "T1", "T2"],
                            "date": list(DAYS),
                        }[change]
                    )
                )
            b.txns.append(t)
            continue
        source = draw(st.sampled_from(["payer", "payer", "patient"]))
        b.txn(
            claim,
            draw(st.sampled_from(KINDS)),
            draw(AMOUNTS),
            draw(st.sampled_from(DAYS)),
            source=source,
            payer_id=draw(payers) if source == "payer" else None,
            line_no=draw(st.sampled_from([1, 2, None])),
            group=draw(st.sampled_from([None, "CO", "PR", "OA", "CR"])),
            reason=draw(st.sampled_from([None, "45", "2", "3", "253", "23", "129", " 45"])),
            allowed=draw(st.sampled_from([None, 0, 5000, 10000])),
            trace=draw(st.sampled_from([None, "T1", "T2"])),
            era=draw(st.sampled_from([None, "E1", "E2"])),
        )


@st.composite
def random_ledgers(draw: st.DrawFn, mixed_patients: bool = True) -> Ledger:
    """Claims of two patients with arbitrary lines, postings and fee-schedule rows (ties,
    modifiers in any case, closed ranges), payments of unknown payers, late billing; with
    ``mixed_patients`` a claim's later lines may name the other patient."""
    b = LedgerBuilder().payer("P1", "commercial", offset=True).payer("P2", "medicare")
    b.payer("P3", "medicaid", offset=False).patient("A").patient("B")
    for _ in range(draw(st.integers(0, 8))):
        b.fee(
            draw(st.sampled_from(PAYERS[:3])),
            draw(st.sampled_from(CPTS[:3])),
            draw(st.sampled_from([1000, 2500, 4000])),
            draw(st.sampled_from(DAYS[:4])),
            end=draw(st.sampled_from([None, "2025-01-31", "2025-06-30"])),
            modifier=draw(st.sampled_from(MODIFIERS)),
        )
    for n in range(draw(st.integers(1, 4))):
        _lines(draw, b, f"C{n}", mixed_patients)
        _postings(draw, b, f"C{n}")
    return b.build()


@st.composite
def credits_for(draw: st.DrawFn, ledger: Ledger) -> pd.DataFrame:
    claims = sorted(set(ledger.claim_lines["claim_id"])) * 3 + ["CX"]  # CX: an unknown claim
    n = draw(st.integers(1, 6))
    return pd.DataFrame(
        {
            "claim_id": [draw(st.sampled_from(claims)) for _ in range(n)],
            "as_of_date": [pd.Timestamp(draw(AS_OF)) for _ in range(n)],
        },
        index=np.arange(n) * 7 + draw(st.integers(0, 5)),
    )
