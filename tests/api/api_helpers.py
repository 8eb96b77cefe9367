"""Builders for the API tests (a distinct module name: ``tests/api`` is not a package, so it
cannot shadow the ``api`` package under test)."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from fastapi.testclient import TestClient
from store.helpers import PASSWORD, analysed

from cbclassify.features import CATEGORICAL_FEATURES, FEATURE_NAMES, NUMERIC_FEATURES
from cbclassify.ledger_io import write_ledger
from cbclassify.service.champion import LoadedModel
from cbclassify.store.accounts import create_practice, create_user, issue_token, practice_by_code
from cbclassify.store.audit import SYSTEM
from cbclassify.store.base import utcnow
from cbclassify.store.ingest import ModelRef, ingest_cases
from cbclassify.store.models_cases import CreditCase

ROLES = ("biller", "manager", "data_scientist", "auditor", "admin")


def tiny_champion() -> LoadedModel:
    """Fit a small LightGBM model on random, learnable features (seconds, once per session)."""
    from cbclassify.model.config import TrainingConfig
    from cbclassify.model.fit import fit_lightgbm

    rng = np.random.default_rng(7)
    n = 400
    frame = pd.DataFrame({c: rng.normal(size=n) for c in NUMERIC_FEATURES})
    for name in CATEGORICAL_FEATURES:
        frame[name] = pd.array(
            rng.choice(np.array(["a", "b", None], dtype=object), n), dtype="string"
        )
    y = rng.integers(0, 4, n)
    config = TrainingConfig.model_validate(
        {
            "lightgbm": {"num_boost_round": 20, "early_stopping_rounds": 5},
            "search": {"num_leaves": [7], "learning_rate": [0.2], "min_data_in_leaf": [10]},
        }
    )
    x = frame[list(FEATURE_NAMES)]
    model, _ = fit_lightgbm(x.iloc[:300], y[:300], x.iloc[300:], y[300:], config)
    ref = ModelRef("cbclassify-credit-source", "3", "run-abc")
    return LoadedModel(model, ref, "models:/cbclassify-credit-source/3", utcnow())


@dataclass
class World:
    """Seeded users and cases: ``headers[role]`` authenticates as that role on practice a."""

    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    user_ids: dict[str, int] = field(default_factory=dict)
    token_ids: dict[str, int] = field(default_factory=dict)
    case_a: int = 0  # a payer-overpayment credit of 800.00 on practice a
    case_a_small: int = 0  # a patient credit of 120.00 on practice a
    case_b: int = 0  # a case on practice b


def seed_world(client: TestClient) -> World:
    """Practices, a user and token per role, and three cases (see World)."""
    db = client.app.state.service.db  # type: ignore[attr-defined]
    world = World()
    with db.transaction() as s:
        create_practice(s, "a", "Practice A")
        create_practice(s, "b", "Practice B")
        users = {role: create_user(s, role, PASSWORD, [role], ["a"]) for role in ROLES}
        users["manager2"] = create_user(s, "manager2", PASSWORD, ["manager"], ["a"])
        users["biller_b"] = create_user(s, "biller_b", PASSWORD, ["biller", "manager"], ["b"])
        for name, user in users.items():
            token, plaintext = issue_token(s, user, "tests")
            world.headers[name] = {"Authorization": f"Bearer {plaintext}"}
            world.user_ids[name], world.token_ids[name] = user.id, token.id
        as_of = date.today()
        overpaid = analysed(
            as_of,
            {"CLM-1": 80_000},
            predicted_source="payer_overpayment",
            verified_source="payer_overpayment",
            recommended_action="refund_payer",
            patient_id="PAT-1",
        )
        small = analysed(as_of, {"CLM-2": 12_000})
        both = type(small)(as_of, pd.concat([overpaid.cases, small.cases], ignore_index=True))
        ingest_cases(
            s, practice_by_code(s, "a"), both, kind="ledger", content_sha256="x", actor=SYSTEM
        )
        ingest_cases(
            s,
            practice_by_code(s, "b"),
            analysed(as_of, {"CLM-9": 5_000}),
            kind="ledger",
            content_sha256="z",
            actor=SYSTEM,
        )
    with db.read_session() as s:
        ids = {c.claim_id: c.id for c in s.query(CreditCase)}
    world.case_a, world.case_a_small, world.case_b = ids["CLM-1"], ids["CLM-2"], ids["CLM-9"]
    return world


def ledger_zip(tmp: Path, ledger: object, *, mutate: dict[str, str] | None = None) -> bytes:
    """A zip of the ledger's CSV files; ``mutate`` replaces whole files' text by table name."""
    folder = tmp / "zip-src"
    write_ledger(ledger, folder)  # type: ignore[arg-type]
    for table, text in (mutate or {}).items():
        (folder / f"{table}.csv").write_text(text, encoding="utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for path in sorted(folder.iterdir()):
            zf.write(path, f"ledger/{path.name}")
    return buffer.getvalue()


def seed_practice_ledger(client: Any, world: World, code: str = "a") -> None:
    """Upload a complete ledger for practice ``code``: the merge base its 835s are merged into
    (the seeded batches of ``World`` keep no ledger snapshot, so an 835 alone is refused 409)."""
    import tempfile

    from ledger_factory import tiny_ledger

    with tempfile.TemporaryDirectory() as tmp:
        data = ledger_zip(Path(tmp), tiny_ledger())
    r = client.post(
        f"/api/v1/practices/{code}/ledgers",
        files={"file": ("ledger.zip", data, "application/zip")},
        headers=world.headers["biller"],
    )
    assert r.status_code == 201, r.text
