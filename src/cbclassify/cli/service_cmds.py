"""The service on the command line: ``serve``, ``db upgrade``, ``practices add``, ``users add``,
``users password``, ``users deactivate``, ``users token``, ``ingest-ledger``, ``export-resolutions``, ``audit verify`` and ``audit export``.

Every command works on the application database of ``Settings`` (``CBCLASSIFY_DATABASE_URL``,
default: SQLite in the data directory).
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from cbclassify.cli.options import BAD_INPUT, as_timestamp, date_option, fail
from cbclassify.settings import Settings, get_settings

if TYPE_CHECKING:  # imported where used: the CLI starts without the database layer
    from cbclassify.store.audit import AuditActor
    from cbclassify.store.db import Database

users_app = typer.Typer(help="Users and their API tokens.", no_args_is_help=True)
practices_app = typer.Typer(help="Client practices.", no_args_is_help=True)
db_app = typer.Typer(help="The application database.", no_args_is_help=True)


def _fail(message: str, code: int = BAD_INPUT) -> NoReturn:
    fail(message, code)


@contextmanager
def _database(settings: Settings, migrate: bool = True) -> Iterator[Database]:
    """The application database, upgraded to the current schema when ``migrate``."""
    from cbclassify.store.db import Database
    from cbclassify.store.migrate import is_at_head, upgrade

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database.from_url(settings.resolved_database_url)
    try:
        if migrate:
            upgrade(db.engine)
        elif not is_at_head(db.engine):
            _fail("the database schema is not current: run `cbclassify db upgrade`")
        yield db
    finally:
        db.dispose()


def _cli_actor() -> AuditActor:
    from cbclassify.store.audit import AuditActor

    return AuditActor(None, f"cli:{getpass.getuser()}")


def serve_command(
    host: Annotated[
        str, typer.Option(help="address to bind (loopback unless told otherwise)")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, max=32, help="worker processes (each loads the model)")
    ] = 1,
    migrate: Annotated[bool, typer.Option(help="upgrade the database schema first")] = True,
) -> None:
    """Run the API (uvicorn): /api/v1, interactive docs at /api/v1/docs."""
    settings = get_settings()
    if migrate:
        with _database(settings):
            pass  # upgrade once here, not in every worker
    os.environ["CBCLASSIFY_AUTO_MIGRATE"] = "false"
    from api.server import run_service

    run_service(host, port, workers)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or upgrade the database schema (Alembic migrations shipped with the package)."""
    from cbclassify.store.migrate import current_revision

    with _database(get_settings()) as db:
        typer.echo(f"database at revision {current_revision(db.engine)}")


def _cents(text: str | None) -> int | None:
    from cbclassify.contract.money import MoneyFormatError, parse_money

    if text is None:
        return None
    try:
        return parse_money(text)
    except MoneyFormatError as err:
        raise typer.BadParameter(str(err), param_hint="--refund-threshold") from None


@practices_app.command("add")
def practices_add(
    code: Annotated[str, typer.Argument(help="short lowercase code, e.g. sunrise-pt")],
    name: Annotated[str, typer.Option(help="display name")],
    refund_threshold: Annotated[
        str | None, typer.Option(help="refunds above this need approval, e.g. 250.00")
    ] = None,
) -> None:
    """Create a client practice."""
    from cbclassify.store.accounts import create_practice
    from cbclassify.store.audit import append_audit
    from cbclassify.store.errors import StoreError

    with _database(get_settings()) as db:
        try:
            with db.transaction() as s:
                practice = create_practice(s, code, name, _cents(refund_threshold))
                append_audit(
                    s,
                    _cli_actor(),
                    "practice.create",
                    practice_id=practice.id,
                    after={"code": code, "name": name},
                )
        except StoreError as err:
            _fail(str(err))
    typer.echo(f"practice {code} created")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return typer.prompt("password", hide_input=True, confirmation_prompt=True)


@users_app.command("add")
def users_add(
    username: str,
    role: Annotated[
        list[str],
        typer.Option(
            "--role", help="biller, manager, data_scientist, auditor or admin (repeatable)"
        ),
    ],
    practice: Annotated[
        list[str] | None, typer.Option("--practice", help="practice code granted (repeatable)")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option(help="read the password from standard input")
    ] = False,
) -> None:
    """Create a user (e.g. the first admin: ``cbclassify users add alice --role admin``)."""
    from cbclassify.store.accounts import create_user
    from cbclassify.store.audit import append_audit
    from cbclassify.store.errors import StoreError

    password = _password(password_stdin)
    with _database(get_settings()) as db:
        try:
            with db.transaction() as s:
                user = create_user(s, username, password, role, practice or [])
                append_audit(
                    s,
                    _cli_actor(),
                    "user.create",
                    after={
                        "user_id": user.id,
                        "username": user.username,
                        "roles": sorted(role),
                        "practices": sorted(practice or []),
                    },
                )
        except StoreError as err:
            _fail(str(err))
    typer.echo(f"user {user.username} created with role(s) {', '.join(sorted(set(role)))}")


def _change_user(
    username: str, *, action: str, password: str | None = None, is_active: bool | None = None
) -> None:
    """Apply ``service.accounts.update_user`` to the user called ``username`` (or fail)."""
    from cbclassify.service.accounts import update_user
    from cbclassify.store.accounts import find_user
    from cbclassify.store.errors import StoreError

    with _database(get_settings()) as db:
        try:
            with db.transaction() as s:
                user = find_user(s, username)
                if user is None:
                    _fail(f"no user {username!r}")
                    return
                update_user(
                    s, _cli_actor(), user.id, password=password, is_active=is_active, action=action
                )
        except StoreError as err:
            _fail(str(err))


@users_app.command("password")
def users_password(
    username: str,
    password_stdin: Annotated[
        bool, typer.Option(help="read the password from standard input")
    ] = False,
) -> None:
    """Set a new password (prompted); every session and API token of the user is revoked."""
    password = _password(password_stdin)
    _change_user(username, password=password, action="user.password_reset")
    typer.echo(f"password of {username} changed; their sessions and API tokens are revoked")


@users_app.command("deactivate")
def users_deactivate(username: str) -> None:
    """Deactivate a user and revoke every session and API token of theirs."""
    _change_user(username, is_active=False, action="user.deactivate")
    typer.echo(f"user {username} deactivated; their sessions and API tokens are revoked")


@users_app.command("token")
def users_token(
    username: str,
    name: Annotated[str, typer.Option(help="what the token is for")] = "cli",
) -> None:
    """Issue an API token for a user and print it once (store it safely)."""
    from cbclassify.store.accounts import find_user, issue_token
    from cbclassify.store.audit import append_audit

    with _database(get_settings()) as db, db.transaction() as s:
        user = find_user(s, username)
        if user is None:
            _fail(f"no user {username!r}")
            return
        token, plaintext = issue_token(s, user, name)
        append_audit(
            s, _cli_actor(), "token.create", after={"token_id": token.id, "user_id": user.id}
        )
    typer.echo(plaintext)


def ingest_ledger_command(
    ledger_dir: Annotated[
        Path, typer.Argument(help="the ledger folder (contract CSV/Parquet files)")
    ],
    practice: Annotated[str, typer.Option(help="the practice's code")],
    as_of: Annotated[
        date | None,
        date_option("--as-of", help="as-of date YYYY-MM-DD (default: latest posting)"),
    ] = None,
    model: Annotated[bool, typer.Option(help="classify with the champion model")] = True,
) -> None:
    """Ingest a ledger folder into the store as the practice's cases (idempotent)."""
    from cbclassify.contract.errors import LedgerValidationError
    from cbclassify.service.champion import load_champion
    from cbclassify.service.ingest import ingest_ledger_folder
    from cbclassify.store.errors import NotFound

    settings = get_settings()
    loaded = None
    if model:
        try:
            loaded = load_champion(settings)
        except Exception as err:  # noqa: BLE001 - continue without predictions, say so
            typer.echo(
                f"no champion model ({type(err).__name__}): storing without predictions", err=True
            )
    with _database(settings) as db:
        try:
            summary = ingest_ledger_folder(
                db, settings, practice, ledger_dir, loaded, _cli_actor(), as_of=as_timestamp(as_of)
            )
        except LedgerValidationError as err:
            _fail(str(err))
        except NotFound as err:
            _fail(f"{err}: create it with `cbclassify practices add`")
    typer.echo(
        f"batch {summary.batch_id} (as of {summary.as_of}): {summary.n_credits} credit(s), "
        f"{summary.n_new} new case(s), {summary.n_updated} updated, "
        f"{summary.n_cleared} no longer in credit"
    )


def export_resolutions_command(
    practice: Annotated[str, typer.Option(help="the practice's code")],
    out: Annotated[Path, typer.Option(help="CSV to write (contract resolutions columns)")],
) -> None:
    """Write the practice's done cases as contract ``resolutions`` rows (labels for training)."""
    from cbclassify.service.exports import write_resolutions_csv
    from cbclassify.store.accounts import practice_by_code
    from cbclassify.store.audit import append_audit
    from cbclassify.store.case_queries import resolutions_frame
    from cbclassify.store.errors import NotFound

    with _database(get_settings(), migrate=False) as db, db.transaction() as s:
        try:
            found = practice_by_code(s, practice)
        except NotFound as err:
            _fail(str(err))
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", encoding="utf-8", newline="") as handle:
            rows = write_resolutions_csv(resolutions_frame(s, found.id), handle)
        append_audit(
            s, _cli_actor(), "export.resolutions", practice_id=found.id, details={"rows": rows}
        )
    typer.echo(f"{rows} resolution(s) written to {out}")


def register(app: typer.Typer) -> None:
    """Add the service commands to the ``cbclassify`` app."""
    from cbclassify.cli.service_audit import audit_app

    app.command("serve")(serve_command)
    app.command("ingest-ledger")(ingest_ledger_command)
    app.command("export-resolutions")(export_resolutions_command)
    app.add_typer(users_app, name="users")
    app.add_typer(audit_app, name="audit")  # cbclassify.cli.service_audit
    app.add_typer(practices_app, name="practices")
    app.add_typer(db_app, name="db")
