"""The last step of ``make demo``: load the synthetic practice into the service's database,
create demo users with fresh random passwords (printed once) and serve the product locally.

``serve_demo(data_dir, ledger_dir, host, port)`` does it all and blocks while serving;
``prepare_demo`` is the part before serving (idempotent: a second run reuses the practice and
users, re-ingests the ledger as a new batch of the same cases and issues new passwords).
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from cbclassify.service.accounts import update_user
from cbclassify.service.champion import LoadedModel, load_champion
from cbclassify.service.ingest import ingest_ledger_folder
from cbclassify.settings import Settings
from cbclassify.store.accounts import (
    create_practice,
    create_user,
    find_practice,
    find_user,
)
from cbclassify.store.audit import AuditActor, append_audit
from cbclassify.store.db import Database
from cbclassify.store.ingest import BatchSummary
from cbclassify.store.migrate import upgrade
from cbclassify.store.models_auth import Practice

DEMO_PRACTICE_CODE = "demo-therapy"
DEMO_PRACTICE_NAME = "Demo Therapy Group"
#: username -> roles; every demo user but the admin is granted the demo practice.
DEMO_USERS: dict[str, tuple[str, ...]] = {
    "biller": ("biller",),
    "manager": ("manager",),
    "auditor": ("auditor",),
    "data_scientist": ("data_scientist",),
    "admin": ("admin",),
}
DEMO_ACTOR = AuditActor(None, "demo")


@dataclass(frozen=True)
class DemoSetup:
    """What ``prepare_demo`` did: the practice, the batch, the model used, the passwords."""

    practice_code: str
    batch: BatchSummary
    model_version: str | None
    model_note: str | None
    passwords: dict[str, str]


def _practice(session: Session, code: str, name: str) -> Practice:
    found = find_practice(session, code)
    if found is not None:
        return found
    practice = create_practice(session, code, name)
    append_audit(
        session,
        DEMO_ACTOR,
        "practice.create",
        practice_id=practice.id,
        after={"code": code, "name": name},
    )
    return practice


def _demo_users(db: Database, code: str) -> dict[str, str]:
    """Create (or reset) the demo users with new random passwords; returns name -> password."""
    passwords = {name: secrets.token_urlsafe(12) for name in DEMO_USERS}
    with db.transaction() as s:
        _practice(s, code, DEMO_PRACTICE_NAME)
        for name, roles in DEMO_USERS.items():
            grants = [] if roles == ("admin",) else [code]
            user = find_user(s, name)
            if user is None:
                user = create_user(s, name, passwords[name], roles, grants)
                action = "user.create"
            else:  # new password: the earlier demo sessions and tokens are revoked
                update_user(
                    s,
                    DEMO_ACTOR,
                    user.id,
                    roles=roles,
                    practices=grants,
                    is_active=True,
                    password=passwords[name],
                    action="user.password_reset",
                )
                continue
            append_audit(
                s,
                DEMO_ACTOR,
                action,
                after={
                    "user_id": user.id,
                    "username": name,
                    "roles": list(roles),
                    "practices": grants,
                },
            )
    return passwords


def _champion(
    settings: Settings, loader: Callable[[Settings], LoadedModel]
) -> tuple[LoadedModel | None, str | None]:
    try:
        return loader(settings), None
    except Exception as err:  # noqa: BLE001 - the demo still works, without predictions
        return (
            None,
            f"no champion model ({type(err).__name__}): cases are verified but not predicted",
        )


def prepare_demo(
    settings: Settings,
    ledger_dir: Path,
    *,
    report_html: Path | None = None,
    model_loader: Callable[[Settings], LoadedModel] | None = None,
) -> DemoSetup:
    """Migrate the database, ingest ``ledger_dir`` as the demo practice (scored by the champion
    when there is one; ``model_loader`` defaults to the MLflow champion), create the demo users
    and publish the manager's report if given."""
    from api.web.routes_manage import report_file

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    model, note = _champion(settings, model_loader or load_champion)
    db = Database.from_url(settings.resolved_database_url)
    try:
        upgrade(db.engine)
        passwords = _demo_users(db, DEMO_PRACTICE_CODE)
        batch = ingest_ledger_folder(
            db, settings, DEMO_PRACTICE_CODE, ledger_dir, model, DEMO_ACTOR
        )
    finally:
        db.dispose()
    if report_html is not None and report_html.is_file():
        target = report_file(settings, DEMO_PRACTICE_CODE)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(report_html, target)
    version = f"{model.ref.name} v{model.ref.version}" if model else None
    return DemoSetup(DEMO_PRACTICE_CODE, batch, version, note, passwords)


def credentials_text(setup: DemoSetup, url: str) -> str:
    """The lines printed once: where to go and who can sign in with which password."""
    width = max(len(n) for n in setup.passwords)
    lines = [
        (
            f"cbclassify is serving {DEMO_PRACTICE_NAME} ({setup.batch.n_credits} credit balances) "
            f"at {url}"
        ),
        setup.model_note or f"Predictions by {setup.model_version}.",
        "Sign in as (passwords are shown only now; a new run issues new ones):",
        *[
            f"  {name:<{width}}  {password}   ({', '.join(DEMO_USERS[name])})"
            for name, password in setup.passwords.items()
        ],
        (
            "Try: sign in as biller, open a case and propose its action; sign in as manager to "
            "approve it; sign in as auditor to see both in the audit trail. Stop with Ctrl+C."
        ),
    ]
    return "\n".join(lines)


def serve_demo(
    data_dir: Path,
    ledger_dir: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    report_html: Path | None = None,
) -> None:
    """Prepare the demo database under ``data_dir`` and serve the product until Ctrl+C."""
    import uvicorn

    from api.app import create_app

    settings = Settings(data_dir=data_dir)
    setup = prepare_demo(settings, ledger_dir, report_html=report_html)
    print(credentials_text(setup, f"http://{host}:{port}/"), flush=True)
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")
