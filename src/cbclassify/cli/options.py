"""Option types and exits shared by every command: one date format, one way to fail.

Exit codes of every ``cbclassify`` command: 0 done; 1 bad input (an invalid ledger, a file that
failed, a record that does not exist) or a partial failure; 2 a usage error, raised by Typer
itself (an unknown option, a missing argument, an option value in the wrong form such as
``--as-of 30/06/2026``).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, NoReturn

import pandas as pd
import typer

#: The only date form the command line accepts (ISO 8601 calendar date).
DATE_FORMAT = "YYYY-MM-DD"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

#: Exit code of bad input or a partial failure (2 is left to Typer's usage errors).
BAD_INPUT = 1


def parse_iso_date(value: str | date) -> date:
    """A calendar date written ``YYYY-MM-DD`` (nothing else: no ``30/06/2026``, no
    ``2026-6-30``, no ``20260630``). Another form is a usage error naming the option (exit 2)."""
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if _ISO_DATE.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:  # e.g. 2026-02-30
            pass
    raise typer.BadParameter(f"expected a date {DATE_FORMAT} such as 2026-06-30, got {value!r}")


def date_option(*names: str, help: str) -> Any:
    """A ``typer.Option`` taking a ``YYYY-MM-DD`` date (see ``parse_iso_date``)."""
    return typer.Option(*names, parser=parse_iso_date, metavar="DATE", help=help)


def as_timestamp(value: date | None) -> pd.Timestamp | None:
    """A parsed date option as the midnight Timestamp the library takes (None stays None)."""
    return None if value is None else pd.Timestamp(value)


def fail(message: str, code: int = BAD_INPUT) -> NoReturn:
    """Print ``message`` on standard error and exit with ``code`` (bad input: 1)."""
    typer.echo(message, err=True)
    raise typer.Exit(code)
