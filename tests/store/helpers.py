"""Small builders shared by the store tests."""

from __future__ import annotations

from datetime import date

import pandas as pd
from argon2 import PasswordHasher, profiles

from cbclassify.store.accounts import create_practice, create_user
from cbclassify.store.cases import ActingUser
from cbclassify.store.db import Database
from cbclassify.store.ingest import CASE_COLUMNS, AnalysedLedger
from cbclassify.store.models_auth import User

PASSWORD = "correct horse battery"


def cheap_hasher() -> PasswordHasher:
    """Argon2 with the cheapest parameters: tests check behaviour, not hashing cost."""
    return PasswordHasher.from_parameters(profiles.CHEAPEST)


def acting(user: User) -> ActingUser:
    """The store's view of a user."""
    return ActingUser(user.id, user.username, user.role_names, user.practice_ids)


def seed_practices_and_users(db: Database) -> dict[str, ActingUser]:
    """Practices A and B; billers/managers on A, a biller on B."""
    with db.transaction() as s:
        create_practice(s, "a", "Practice A", refund_threshold_cents=50_000)
        create_practice(s, "b", "Practice B")
        users = {
            "biller": create_user(s, "bill", PASSWORD, ["biller"], ["a"]),
            "manager": create_user(s, "max", PASSWORD, ["manager"], ["a"]),
            "manager2": create_user(s, "mia", PASSWORD, ["manager"], ["a"]),
            "biller_b": create_user(s, "bea", PASSWORD, ["biller"], ["b"]),
        }
        return {k: acting(u) for k, u in users.items()}


def analysed(as_of: date, credits: dict[str, int], **overrides: object) -> AnalysedLedger:
    """An analysed ledger with one credit per claim id (amount in cents)."""
    rows = []
    for claim_id, cents in credits.items():
        row: dict[str, object] = {c: None for c in CASE_COLUMNS}
        row.update(
            claim_id=claim_id,
            patient_id=f"P-{claim_id}",
            payer_id="AETNA",
            payer_type="commercial",
            location_id="L1",
            credit_amount_cents=cents,
            credit_since=as_of,
            predicted_source="patient_credit",
            confidence=0.9,
            probabilities={"patient_credit": 0.9, "payer_overpayment": 0.1},
            verification="confirmed",
            verified_source="patient_credit",
            explained_amount_cents=cents,
            evidence=["T1"],
            recommended_action="refund_patient",
            due_date=date(2025, 6, 1),
            top_reasons=["patient paid twice"],
            ledger_history={"claim_lines": [], "transactions": []},
        )
        row.update(overrides)
        rows.append(row)
    return AnalysedLedger(as_of=as_of, cases=pd.DataFrame(rows, columns=list(CASE_COLUMNS)))
