"""``cbclassify audit verify`` and ``audit export``: the tamper-evident trail on the command line."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from cbclassify.cli.options import date_option
from cbclassify.cli.service_cmds import _cli_actor, _database, _fail
from cbclassify.settings import get_settings

audit_app = typer.Typer(help="The tamper-evident audit trail.", no_args_is_help=True)


@audit_app.command("checkpoint")
def audit_checkpoint(
    out: Annotated[
        Path | None, typer.Option(help="also write the checkpoint (JSON) to this file")
    ] = None,
) -> None:
    """Print the chain head (seq and hash) as JSON, to keep outside the database (a ticket, a
    write-once store); `audit verify --checkpoint FILE` later proves nothing before it changed."""
    from cbclassify.store.audit import current_head

    with _database(get_settings(), migrate=False) as db, db.read_session() as s:
        head = current_head(s)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(head.to_json() + "\n", encoding="utf-8")
    typer.echo(head.to_json())


@audit_app.command("verify")
def audit_verify(
    checkpoint: Annotated[
        Path | None,
        typer.Option(help="a file written by `audit checkpoint`: detect truncation or rewrite"),
    ] = None,
) -> None:
    """Recompute the hash chain; exit 1 and name every edited, deleted or cut-off row (and,
    with --checkpoint, any row up to the checkpoint that is gone or rewritten)."""
    from cbclassify.store.audit import CheckpointError, parse_checkpoint, verify_chain

    kept = None
    if checkpoint is not None:
        try:
            kept = parse_checkpoint(checkpoint.read_text(encoding="utf-8"), str(checkpoint))
        except (OSError, UnicodeDecodeError) as err:
            _fail(f"{checkpoint}: cannot read the checkpoint ({type(err).__name__})")
        except CheckpointError as err:
            _fail(str(err))
    with _database(get_settings(), migrate=False) as db, db.read_session() as s:
        report = verify_chain(s, kept)
    if not report.ok:
        for problem in report.problems:
            typer.echo(f"TAMPERED: {problem}", err=True)
        _fail(f"audit trail FAILED verification ({len(report.problems)} problem(s))", 1)
    typer.echo(
        f"audit trail intact: {report.rows_checked} row(s), head {report.head_seq} "
        f"{report.head_hash}"
        + (f"; matches checkpoint at row {kept.seq}" if kept is not None else "")
    )


@audit_app.command("export")
def audit_export(
    out: Annotated[Path, typer.Option(help="CSV to write")],
    case: Annotated[int | None, typer.Option(help="one case's trail")] = None,
    practice: Annotated[str | None, typer.Option(help="one practice's rows (code)")] = None,
    date_from: Annotated[
        date | None, date_option("--from", help="first day YYYY-MM-DD (UTC)")
    ] = None,
    date_to: Annotated[date | None, date_option("--to", help="last day YYYY-MM-DD (UTC)")] = None,
) -> None:
    """Export audit rows (one case, a practice, and/or a date range) as CSV."""
    from cbclassify.service.exports import write_audit_csv
    from cbclassify.store.accounts import practice_by_code
    from cbclassify.store.audit import append_audit
    from cbclassify.store.audit_queries import audit_events
    from cbclassify.store.errors import NotFound

    start, end = date_from, date_to
    with _database(get_settings(), migrate=False) as db, db.transaction() as s:
        try:
            ids = [practice_by_code(s, practice).id] if practice else None
        except NotFound as err:
            _fail(str(err))
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", encoding="utf-8", newline="") as handle:
            rows = write_audit_csv(audit_events(s, ids, case_id=case, start=start, end=end), handle)
        append_audit(
            s,
            _cli_actor(),
            "export.audit",
            case_id=case,
            details={
                "practice": practice,
                "from": start and start.isoformat(),
                "to": end and end.isoformat(),
                "rows": rows,
            },
        )
    typer.echo(f"{rows} audit row(s) written to {out}")
