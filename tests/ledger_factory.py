"""A tiny, valid, hand-checked ledger for tests in any folder.

Import it as ``from ledger_factory import tiny_ledger, tiny_raw_tables`` (``tests/`` is on
``sys.path`` through its conftest). The ledger, all dates in 2024, as-of 2024-03-01:

- payers: ``M1`` medicare, ``C1`` commercial (allows_offset true, refund_deadline_days 30);
- patients: ``PT1`` (PA), ``PT2`` (NJ);
- ``CL1`` (PT1, M1, 2 lines: 120.00 + 60.00) paid from remittance ``E1``; line 1 ends at 0.00,
  line 2 at +2.00 (deductible still owed) -> claim balance +2.00;
- ``CL2`` (PT2, C1, 150.00): payer 100.00, CO-45 30.00, copay 20.00 paid twice by the patient
  -> an open credit balance of 20.00 (balance -20.00);
- ``CL3`` (PT1, self-pay, 200.00): paid twice (credit 200.00 from 2024-02-10), refunded
  2024-03-01 -> 0.00; ``resolutions`` has its patient_credit/refund_patient row, identified
  2024-02-15 (when the credit existed);
- one remittance ``E1`` (balanced: 80.00 + 48.00 - (-0.50) interest = 128.50), one PLB row,
  three fee-schedule rows.

``tiny_ledger()`` returns the typed ``Ledger``; ``tiny_raw_tables()`` the same tables as the
text frames a reader produces (contract column names, blanks as ""), for validation tests.
"""

from __future__ import annotations

import pandas as pd

from cbclassify.contract.ledger import Ledger
from cbclassify.contract.money import parse_money
from cbclassify.contract.schema import TABLES
from cbclassify.ledger_io.write import to_contract_frame


def _cents(text: object) -> int | None:
    return parse_money(text) if isinstance(text, str) and text else None


def _dates(values: list[str]) -> pd.Series:
    return pd.to_datetime(pd.Series(values).replace("", None), format="%Y-%m-%d")


def _payers() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "payer_id": ["M1", "C1"],
            "payer_name": ["Medicare Part B", "Acme Health"],
            "payer_type": ["medicare", "commercial"],
            "refund_deadline_days": [None, 30],
            "allows_offset": [None, True],
        }
    )


def _patients() -> pd.DataFrame:
    return pd.DataFrame({"patient_id": ["PT1", "PT2"], "state": ["PA", "NJ"]})


def _claim_lines() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "claim_id": ["CL1", "CL1", "CL2", "CL3"],
            "line_no": [1, 2, 1, 1],
            "patient_id": ["PT1", "PT1", "PT2", "PT1"],
            "payer_id": ["M1", "M1", "C1", None],
            "secondary_payer_id": [None, None, None, None],
            "location_id": ["LOC1"] * 4,
            "provider_id": ["PR1", "PR1", "PR2", "PR3"],
            "service_date": _dates(["2024-01-05", "2024-01-05", "2024-01-08", "2024-01-09"]),
            "cpt": ["97110", "97140", "92507", "90837"],
            "modifier": ["GP", None, "GN", None],
            "units": [2, 1, 1, 1],
            "charge_amount_cents": [_cents(v) for v in ("120.00", "60.00", "150.00", "200.00")],
            "billed_date": _dates(["2024-01-06", "2024-01-06", "2024-01-09", "2024-01-09"]),
        }
    )


#: txn_id, claim, line, kind, source, payer, amount, group, reason, allowed, trace, era, method,
#: posted_date
# fmt: off
_TXNS = [
    ("T01", "CL1", 1, "payment", "payer", "M1", "80.00", "", "", "100.00", "TRN1", "E1", "era", "2024-01-20"),
    ("T02", "CL1", 1, "adjustment", "payer", "M1", "20.00", "CO", "45", "", "TRN1", "E1", "era", "2024-01-20"),
    ("T03", "CL1", 1, "responsibility", "payer", "M1", "20.00", "PR", "2", "", "TRN1", "E1", "era", "2024-01-20"),
    ("T04", "CL1", 1, "payment", "patient", "", "20.00", "", "", "", "R100", "", "card", "2024-01-25"),
    ("T05", "CL1", 2, "payment", "payer", "M1", "48.00", "", "", "50.00", "TRN1", "E1", "era", "2024-01-20"),
    ("T06", "CL1", 2, "adjustment", "payer", "M1", "10.00", "CO", "45", "", "TRN1", "E1", "era", "2024-01-20"),
    ("T07", "CL1", 2, "responsibility", "payer", "M1", "2.00", "PR", "1", "", "TRN1", "E1", "era", "2024-01-20"),
    ("T08", "CL2", 1, "payment", "payer", "C1", "100.00", "", "", "120.00", "CHK100", "", "check", "2024-01-30"),
    ("T09", "CL2", 1, "adjustment", "payer", "C1", "30.00", "CO", "45", "", "CHK100", "", "manual", "2024-01-30"),
    ("T10", "CL2", 1, "responsibility", "payer", "C1", "20.00", "PR", "3", "", "CHK100", "", "manual", "2024-01-30"),
    ("T11", "CL2", None, "payment", "patient", "", "20.00", "", "", "", "R200", "", "cash", "2024-01-08"),
    ("T12", "CL2", None, "payment", "patient", "", "20.00", "", "", "", "R201", "", "card", "2024-02-02"),
    ("T13", "CL3", 1, "payment", "patient", "", "200.00", "", "", "", "R300", "", "card", "2024-01-09"),
    ("T14", "CL3", 1, "payment", "patient", "", "200.00", "", "", "", "R301", "", "card", "2024-02-10"),
    ("T15", "CL3", 1, "refund", "patient", "", "200.00", "", "", "", "RF1", "", "card", "2024-03-01"),
]
# fmt: on


def _transactions() -> pd.DataFrame:
    names = [
        "txn_id",
        "claim_id",
        "line_no",
        "kind",
        "source",
        "payer_id",
        "amount",
        "group_code",
        "reason_code",
        "allowed_amount",
        "trace_number",
        "era_id",
        "method",
        "posted_date",
    ]
    frame = pd.DataFrame(_TXNS, columns=names).replace("", None)
    frame["amount_cents"] = frame.pop("amount").map(_cents)
    frame["allowed_amount_cents"] = frame.pop("allowed_amount").map(_cents)
    frame["posted_date"] = _dates(frame["posted_date"].tolist())
    frame["posted_by"] = "biller1"
    return frame


def _remittances() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "era_id": ["E1"],
            "payer_id": ["M1"],
            "trace_number": ["TRN1"],
            "payment_date": _dates(["2024-01-19"]),
            "total_paid_cents": [12850],
            "method": ["ACH"],
            "balanced": [True],
        }
    )


def _provider_adjustments() -> pd.DataFrame:
    return pd.DataFrame(
        {"era_id": ["E1"], "reason_code": ["L6"], "reference": [None], "amount_cents": [-50]}
    )


def _fee_schedule() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "payer_id": ["M1", "M1", "C1"],
            "cpt": ["97110", "97140", "92507"],
            "modifier": ["GP", None, None],
            "allowed_per_unit_cents": [5000, 5000, 12000],
            "effective_from": _dates(["2024-01-01", "2023-01-01", "2024-01-01"]),
            "effective_to": _dates(["", "2023-12-31", ""]),
        }
    )


def _resolutions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "claim_id": ["CL3"],
            "source": ["patient_credit"],
            "action": ["refund_patient"],
            "amount_cents": [20000],
            "resolved_date": _dates(["2024-03-01"]),
            "resolved_by": ["manager1"],
            "identified_date": _dates(["2024-02-15"]),
        }
    )


def tiny_ledger() -> Ledger:
    """The tiny valid ledger described in the module docstring (typed, memory names)."""
    return Ledger.from_frames(
        payers=_payers(),
        patients=_patients(),
        claim_lines=_claim_lines(),
        transactions=_transactions(),
        remittances=_remittances(),
        provider_adjustments=_provider_adjustments(),
        fee_schedule=_fee_schedule(),
        resolutions=_resolutions(),
    )


def tiny_raw_tables(ledger: Ledger | None = None) -> dict[str, pd.DataFrame]:
    """Contract text frames (blanks as "") of ``ledger`` (default ``tiny_ledger()``), every
    column as pandas ``string``: what ``ledger_io`` hands to ``contract.validate``."""
    source = ledger if ledger is not None else tiny_ledger()
    return {
        name: to_contract_frame(table, source.table(name)).astype("string")
        for name, table in TABLES.items()
    }
