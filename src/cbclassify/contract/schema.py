"""Declarative schema of the ledger contract v1: tables, columns, types, keys, references.

This module is data only. Validation (``contract.validate``) and the loaders read it, the
docs (docs/ledger.md) describe it, and the writers format tables back from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from cbclassify.contract import enums

ColumnType = Literal["str", "money", "date", "int", "bool", "enum"]


@dataclass(frozen=True)
class Column:
    """One contract column."""

    name: str
    type: ColumnType
    required: bool = True  # False: the column may be absent or blank
    choices: tuple[str, ...] = ()  # for type "enum"
    positive: bool = False  # money/int that must be > 0
    non_negative: bool = False  # int that must be >= 0

    @property
    def memory_name(self) -> str:
        """Name in a loaded Ledger frame: money columns gain ``_cents``."""
        return f"{self.name}_cents" if self.type == "money" else self.name


@dataclass(frozen=True)
class Reference:
    """A foreign key: ``columns`` of this table must exist in ``target``'s ``target_columns``.

    Blank values are not checked (blank = not applicable).
    """

    columns: tuple[str, ...]
    target: str
    target_columns: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """One contract table."""

    name: str
    columns: tuple[Column, ...]
    required: bool
    key: tuple[str, ...] = ()
    references: tuple[Reference, ...] = field(default_factory=tuple)

    def column(self, name: str) -> Column:
        """The column called ``name``."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.name} has no column {name!r}")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def memory_names(self) -> tuple[str, ...]:
        return tuple(c.memory_name for c in self.columns)


def _c(
    name: str,
    type_: ColumnType,
    required: bool = True,
    *,
    choices: tuple[str, ...] = (),
    positive: bool = False,
    non_negative: bool = False,
) -> Column:
    return Column(name, type_, required, choices, positive, non_negative)


PAYERS = Table(
    "payers",
    (
        _c("payer_id", "str"),
        _c("payer_name", "str"),
        _c("payer_type", "enum", choices=enums.PAYER_TYPES),
        _c("refund_deadline_days", "int", required=False, positive=True),
        _c("allows_offset", "bool", required=False),
    ),
    required=True,
    key=("payer_id",),
)

FEE_SCHEDULE = Table(
    "fee_schedule",
    (
        _c("payer_id", "str"),
        _c("cpt", "str"),
        _c("modifier", "str", required=False),
        _c("allowed_per_unit", "money", non_negative=True),
        _c("effective_from", "date"),
        _c("effective_to", "date", required=False),
    ),
    required=False,
    references=(Reference(("payer_id",), "payers", ("payer_id",)),),
)

PATIENTS = Table(
    "patients",
    (_c("patient_id", "str"), _c("state", "str")),
    required=True,
    key=("patient_id",),
)

CLAIM_LINES = Table(
    "claim_lines",
    (
        _c("claim_id", "str"),
        _c("line_no", "int", positive=True),
        _c("patient_id", "str"),
        _c("payer_id", "str", required=False),
        _c("secondary_payer_id", "str", required=False),
        _c("location_id", "str"),
        _c("provider_id", "str"),
        _c("service_date", "date"),
        _c("cpt", "str"),
        _c("modifier", "str", required=False),
        _c("units", "int", positive=True),
        _c("charge_amount", "money", positive=True),
        _c("billed_date", "date"),
    ),
    required=True,
    key=("claim_id", "line_no"),
    references=(
        Reference(("patient_id",), "patients", ("patient_id",)),
        Reference(("payer_id",), "payers", ("payer_id",)),
        Reference(("secondary_payer_id",), "payers", ("payer_id",)),
    ),
)

TRANSACTIONS = Table(
    "transactions",
    (
        _c("txn_id", "str"),
        _c("claim_id", "str"),
        _c("line_no", "int", required=False, positive=True),
        _c("kind", "enum", choices=enums.TXN_KINDS),
        _c("source", "enum", choices=enums.TXN_SOURCES),
        _c("payer_id", "str", required=False),  # required when source = payer (validate)
        _c("amount", "money"),
        _c("group_code", "enum", required=False, choices=enums.GROUP_CODES),
        _c("reason_code", "str", required=False),
        _c("allowed_amount", "money", required=False),
        _c("trace_number", "str", required=False),
        _c("era_id", "str", required=False),
        _c("method", "enum", choices=enums.TXN_METHODS),
        _c("posted_date", "date"),
        _c("posted_by", "str"),
    ),
    required=True,
    key=("txn_id",),
    references=(
        Reference(("claim_id",), "claim_lines", ("claim_id",)),
        Reference(("claim_id", "line_no"), "claim_lines", ("claim_id", "line_no")),
        Reference(("payer_id",), "payers", ("payer_id",)),
        Reference(("era_id",), "remittances", ("era_id",)),
    ),
)

REMITTANCES = Table(
    "remittances",
    (
        _c("era_id", "str"),
        _c("payer_id", "str"),
        _c("trace_number", "str"),
        _c("payment_date", "date"),
        _c("total_paid", "money"),
        _c("method", "str"),
        _c("balanced", "bool"),
    ),
    required=False,
    key=("era_id",),
    references=(Reference(("payer_id",), "payers", ("payer_id",)),),
)

PROVIDER_ADJUSTMENTS = Table(
    "provider_adjustments",
    (
        _c("era_id", "str"),
        _c("reason_code", "str"),
        _c("reference", "str", required=False),
        _c("amount", "money"),
    ),
    required=False,
    references=(Reference(("era_id",), "remittances", ("era_id",)),),
)

RESOLUTIONS = Table(
    "resolutions",
    (
        _c("claim_id", "str"),
        _c("source", "enum", choices=enums.CREDIT_SOURCES),
        _c("action", "enum", choices=enums.ACTIONS),
        _c("amount", "money", positive=True),
        _c("resolved_date", "date"),
        _c("resolved_by", "str"),
        _c("identified_date", "date", required=False),
    ),
    required=False,
    references=(Reference(("claim_id",), "claim_lines", ("claim_id",)),),
)

#: All tables in load order (referenced tables first).
TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        PAYERS,
        FEE_SCHEDULE,
        PATIENTS,
        CLAIM_LINES,
        REMITTANCES,
        TRANSACTIONS,
        PROVIDER_ADJUSTMENTS,
        RESOLUTIONS,
    )
}

#: Scoring output columns, in order (docs/ledger.md, "Scoring output").
SCORE_COLUMNS: tuple[str, ...] = (
    "claim_id",
    "patient_id",
    "payer_id",
    "credit_amount",
    "predicted_source",
    "confidence",
    "p_payer_overpayment",
    "p_duplicate_payment",
    "p_allowance_error",
    "p_patient_credit",
    "verification",
    "verified_source",
    "explained_amount",
    "evidence",
    "recommended_action",
    "due_date",
    "top_reasons",
)
