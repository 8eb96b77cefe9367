"""Builders for the web tests (a distinct module name so it never shadows another test helper):
a tiny real LightGBM champion, a seeded database with a small synthetic practice, and HTML
checks."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from fastapi.testclient import TestClient

from cbclassify.features import CATEGORICAL_FEATURES, FEATURE_NAMES, NUMERIC_FEATURES
from cbclassify.service.champion import LoadedModel
from cbclassify.service.ingest import ingest_ledger_folder
from cbclassify.settings import Settings
from cbclassify.store.accounts import create_practice, create_user, practice_by_code
from cbclassify.store.audit import SYSTEM
from cbclassify.store.base import utcnow
from cbclassify.store.db import Database
from cbclassify.store.ingest import CASE_COLUMNS, AnalysedLedger, ModelRef, ingest_cases
from cbclassify.store.migrate import upgrade

PASSWORD = "web-test-password-1"

#: The ``sign_in`` fixture: sign the test client in as the named user.
SignIn = Callable[[str], TestClient]
_LOGIN_CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


def post_login(client: Any, data: dict[str, str]) -> Any:
    """POST the sign-in form as a browser does: GET ``/login`` first (its ``cbc_login`` cookie
    and the form's login-CSRF token), then post ``data`` with that token."""
    # Fetched without the session cookie: a signed-in browser is sent on, not shown the form.
    login_cookie = client.cookies.get("cbc_login")
    form = client.get("/login", headers={"cookie": f"cbc_login={login_cookie or ''}"})
    found = _LOGIN_CSRF.search(form.text)
    assert found, "the sign-in form carries no csrf_token"
    return client.post("/login", data={**data, "csrf_token": found.group(1)})


PRACTICE, OTHER, EMPTY = "sunrise", "harbor", "empty"
#: username -> (roles, practice codes)
USERS = {
    "bill": (["biller"], [PRACTICE, EMPTY]),
    "max": (["manager"], [PRACTICE]),
    "mia": (["manager"], [PRACTICE]),
    "ada": (["auditor"], [PRACTICE]),
    "dan": (["data_scientist"], [PRACTICE]),
    "root": (["admin"], []),
    "hal": (["biller"], [OTHER]),
}


def tiny_champion() -> LoadedModel:
    """A small LightGBM credit-source model fitted on random features (about a second)."""
    from cbclassify.model.config import TrainingConfig
    from cbclassify.model.fit import fit_lightgbm

    rng = np.random.default_rng(11)
    n = 300
    frame = pd.DataFrame({c: rng.normal(size=n) for c in NUMERIC_FEATURES})
    for name in CATEGORICAL_FEATURES:
        frame[name] = pd.array(
            rng.choice(np.array(["a", "b", None], dtype=object), n), dtype="string"
        )
    y = rng.integers(0, 4, n)
    config = TrainingConfig.model_validate(
        {
            "lightgbm": {"num_boost_round": 10, "early_stopping_rounds": 5},
            "search": {"num_leaves": [7], "learning_rate": [0.3], "min_data_in_leaf": [10]},
        }
    )
    x = frame[list(FEATURE_NAMES)]
    model, _ = fit_lightgbm(x.iloc[:220], y[:220], x.iloc[220:], y[220:], config)
    return LoadedModel(
        model,
        ModelRef("cbclassify-credit-source", "1", "run-web"),
        "models:/cbclassify-credit-source/1",
        utcnow(),
    )


def write_small_practice(folder: Path, claims: int = 450, seed: int = 5) -> Path:
    """A small synthetic therapy practice ledger (a few dozen credits)."""
    from cbclassify.synth import SynthConfig, generate_practice, write_practice

    practice = generate_practice(SynthConfig(claims=claims, seed=seed, credit_rate=0.2))
    write_practice(practice, folder)
    return folder


def _other_practice_cases() -> AnalysedLedger:
    """Two hand-made credits for the second practice (never visible to the first's users)."""
    rows = []
    for claim_id, cents in (("HARBOR-001", 45_000), ("HARBOR-002", 7_500)):
        row: dict[str, object] = {c: None for c in CASE_COLUMNS}
        row.update(
            claim_id=claim_id,
            patient_id="HP-1",
            payer_id="HARBOR-PAYER",
            payer_type="commercial",
            location_id="HARBOR-LOC",
            credit_amount_cents=cents,
            credit_since=date(2026, 1, 5),
            verification="confirmed",
            verified_source="payer_overpayment",
            explained_amount_cents=cents,
            evidence=[],
            recommended_action="refund_payer",
            due_date=date(2026, 3, 1),
            top_reasons=[],
            ledger_history={"claim_lines": [], "transactions": []},
        )
        rows.append(row)
    return AnalysedLedger(date(2026, 1, 31), pd.DataFrame(rows, columns=list(CASE_COLUMNS)))


def seed_database(db_path: Path, data_dir: Path, ledger_dir: Path, model: LoadedModel) -> None:
    """Migrate, create three practices and the users, ingest the synthetic ledger (scored by
    the model) into the first practice and two cases into the second; the third stays empty."""
    settings = Settings(data_dir=data_dir, database_url=f"sqlite:///{db_path}")
    db = Database.from_url(settings.resolved_database_url)
    try:
        upgrade(db.engine)
        with db.transaction() as s:
            create_practice(s, PRACTICE, "Sunrise Therapy")
            create_practice(s, OTHER, "Harbor Speech")
            create_practice(s, EMPTY, "Westside Rehab (no credits)")
            for name, (roles, codes) in USERS.items():
                create_user(s, name, PASSWORD, roles, codes)
            ingest_cases(
                s,
                practice_by_code(s, OTHER),
                _other_practice_cases(),
                kind="ledger",
                content_sha256="harbor",
                actor=SYSTEM,
            )
        ingest_ledger_folder(db, settings, PRACTICE, ledger_dir, model, SYSTEM)
    finally:
        db.dispose()


@dataclass
class Control:
    """A form control found in a page."""

    tag: str
    attrs: dict[str, str]
    labelled_by_wrapper: bool


class ControlCollector(HTMLParser):
    """Collects form controls, label targets and whether a control sits inside a <label>."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[Control] = []
        self.label_for: set[str] = set()
        self.ids: set[str] = set()
        self._label_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "label":
            self._label_depth += 1
            if values.get("for"):
                self.label_for.add(values["for"])
        if tag in ("input", "select", "textarea"):
            self.controls.append(Control(tag, values, self._label_depth > 0))

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self._label_depth = max(self._label_depth - 1, 0)


def unlabelled_controls(html: str) -> list[str]:
    """Visible form controls that have neither a <label for>, a wrapping label, nor an
    aria-label / aria-labelledby pointing at an element that exists."""
    parser = ControlCollector()
    parser.feed(html)
    missing = []
    for c in parser.controls:
        if c.attrs.get("type") in ("hidden", "submit", "button", "reset"):
            continue
        if c.labelled_by_wrapper or c.attrs.get("aria-label"):
            continue
        if c.attrs.get("id") in parser.label_for:
            continue
        labelled_by = c.attrs.get("aria-labelledby", "").split()
        if labelled_by and all(i in parser.ids for i in labelled_by):
            continue
        missing.append(f"<{c.tag} name={c.attrs.get('name')!r} id={c.attrs.get('id')!r}>")
    return missing


def csrf_of(html: str) -> str:
    """The CSRF token embedded in a page's forms."""
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def version_of(html: str) -> int:
    """The case version the page's forms carry."""
    found = re.search(r'name="version" value="(\d+)"', html)
    assert found, "no case version in the page"
    return int(found.group(1))


def first_confirmed_case(settings: Settings, actions: tuple[str, ...]) -> Any:
    """The seeded practice's first confirmed case (by number) recommending one of ``actions``."""
    from sqlalchemy import select

    from cbclassify.store.models_auth import Practice
    from cbclassify.store.models_cases import CreditCase

    db = Database.from_url(settings.resolved_database_url)
    try:
        with db.read_session() as s:
            pid = s.scalar(select(Practice.id).where(Practice.code == PRACTICE))
            found = s.scalars(
                select(CreditCase)
                .where(
                    CreditCase.practice_id == pid,
                    CreditCase.verification == "confirmed",
                    CreditCase.recommended_action.in_(actions),
                )
                .order_by(CreditCase.id)
            ).first()
            assert found is not None
            return found
    finally:
        db.dispose()
