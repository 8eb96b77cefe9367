"""A hand-built 20-claim practice with a planted poster, for exact root-cause numbers.

Payers ``P1`` (Alpha Health, commercial: claims C01-C10) and ``P2`` (Beta Medicare: C11-C20);
location L1 for odd claims, L2 for even; CPT 97110 on every claim, plus 97140 on C01, C06,
C11, C16. Every claim: a payer payment of 60.00 and a CO-45 write-off of 40.00 from an ERA,
posted by ``era-autopost`` on 2024-03-01. User ``fd-03`` posts a
manual CO-45 write-off on C01-C08 (a second, wrong one of 10.00 on C01-C04, the allowance
errors); ``biller2`` posts a manual payer payment on C15-C20. Credits: allowance_error on
C01-C04 (evidence: fd-03's write-offs), duplicate_payment on C11 and C12 (evidence: the ERA
payments).
"""

from __future__ import annotations

import pandas as pd

from cbclassify.contract.ledger import Ledger

CLAIMS = [f"C{i:02d}" for i in range(1, 21)]


def _txn(
    txn_id,
    claim,
    kind,
    amount,
    posted_by,
    era,
    method,
    date,
    group=None,
    reason=None,
    source="payer",
):  # type: ignore[no-untyped-def]
    payer = "P1" if int(claim[1:]) <= 10 else "P2"
    return {
        "txn_id": txn_id,
        "claim_id": claim,
        "line_no": 1,
        "kind": kind,
        "source": source,
        "payer_id": payer if source == "payer" else None,
        "amount_cents": amount,
        "group_code": group,
        "reason_code": reason,
        "allowed_amount_cents": None,
        "trace_number": f"TR{claim}",
        "era_id": era,
        "method": method,
        "posted_date": pd.Timestamp(date),
        "posted_by": posted_by,
    }


def planted_ledger() -> Ledger:
    lines = []
    txns = []
    for i, claim in enumerate(CLAIMS, start=1):
        payer = "P1" if i <= 10 else "P2"
        common = {
            "patient_id": f"PT{i:02d}",
            "payer_id": payer,
            "secondary_payer_id": None,
            "location_id": "L1" if i % 2 else "L2",
            "provider_id": "PRV1",
            "modifier": None,
            "units": 1,
            "service_date": pd.Timestamp("2024-01-10"),
            "billed_date": pd.Timestamp("2024-01-11"),
        }
        lines.append(
            {
                "claim_id": claim,
                "line_no": 1,
                "cpt": "97110",
                "charge_amount_cents": 10000,
                **common,
            }
        )
        if i in (1, 6, 11, 16):
            lines.append(
                {
                    "claim_id": claim,
                    "line_no": 2,
                    "cpt": "97140",
                    "charge_amount_cents": 2000,
                    **common,
                }
            )
        txns.append(
            _txn(
                f"{claim}-P",
                claim,
                "payment",
                6000,
                "era-autopost",
                f"E{claim}",
                "era",
                "2024-03-01",
            )
        )
        txns.append(
            _txn(
                f"{claim}-A",
                claim,
                "adjustment",
                4000,
                "era-autopost",
                f"E{claim}",
                "era",
                "2024-03-01",
                "CO",
                "45",
            )
        )
        if i <= 8:
            txns.append(
                _txn(
                    f"{claim}-F",
                    claim,
                    "adjustment",
                    1000 if i <= 4 else 500,
                    "fd-03",
                    None,
                    "manual",
                    "2024-03-05",
                    "CO",
                    "45",
                )
            )
        if i >= 15:
            txns.append(
                _txn(f"{claim}-B", claim, "payment", 1500, "biller2", None, "manual", "2024-03-06")
            )
    payers = pd.DataFrame(
        {
            "payer_id": ["P1", "P2"],
            "payer_name": ["Alpha Health", "Beta Medicare"],
            "payer_type": ["commercial", "medicare"],
        }
    )
    patients = pd.DataFrame({"patient_id": [f"PT{i:02d}" for i in range(1, 21)], "state": "PA"})
    return Ledger.from_frames(
        payers=payers,
        patients=patients,
        claim_lines=pd.DataFrame(lines),
        transactions=pd.DataFrame(txns),
    )


def planted_credits() -> pd.DataFrame:
    """The credit events of the planted practice (verified, with evidence)."""
    rows = [(c, "allowance_error", f"{c}-F") for c in CLAIMS[:4]]
    rows += [(c, "duplicate_payment", f"{c}-P") for c in ("C11", "C12")]
    return pd.DataFrame(
        {
            "claim_id": [r[0] for r in rows],
            "source": [r[1] for r in rows],
            "basis": "verified",
            "credit_amount_cents": 1000,
            "date": pd.Timestamp("2024-03-10"),
            "evidence": [r[2] for r in rows],
        }
    )
