"""``cbclassify ingest-835``: X12 835 files -> a ledger folder (created, or merged into).

The file-I/O edge of ``cbclassify.x12``: reads the files, converts them, writes the ledger through
``cbclassify.ledger_io.write_ledger`` after checking it in a scratch folder, and prints a summary a
biller can act on. Exits 1 when a file (or part of one) failed, after converting the rest and
listing the files that failed; 0 only when everything converted.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path
from typing import Annotated

import typer

from cbclassify.cli.options import BAD_INPUT, fail
from cbclassify.contract.errors import LedgerValidationError
from cbclassify.contract.ledger import Ledger
from cbclassify.contract.schema import TABLES
from cbclassify.ledger_io import read_ledger, write_ledger
from cbclassify.ledger_io.write import LedgerFormat
from cbclassify.x12 import (
    ConversionResult,
    ConvertOptions,
    FileResult,
    convert_remittances,
    read_835,
)
from cbclassify.x12.summary import format_summary

log = logging.getLogger(__name__)


def expand_inputs(inputs: list[Path]) -> list[Path]:
    """Files as given; for a folder, the visible files directly inside it, sorted by name."""
    files: list[Path] = []
    for path in inputs:
        if path.is_dir():
            files.extend(
                p for p in sorted(path.iterdir()) if p.is_file() and not p.name.startswith(".")
            )
        else:
            files.append(path)
    return files


def read_text(path: Path) -> str:
    """File content as text: UTF-8 (with or without BOM), else Latin-1 (X12 is ASCII)."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def read_files(files: list[Path]) -> list[FileResult]:
    """Parse every file; an unreadable file is a finding, never an abort."""
    results = []
    for path in files:
        try:
            text = read_text(path)
        except OSError as exc:
            result = FileResult(str(path))
            result.add(None, None, "error", "unreadable", f"cannot read the file: {exc.strerror}")
            results.append(result)
            continue
        results.append(read_835(text, str(path)))
    return results


def ledger_files(folder: Path) -> list[Path]:
    """The contract table files already in ``folder``."""
    if not folder.is_dir():
        return []
    names = {f"{t}.{ext}" for t in TABLES for ext in ("csv", "parquet")}
    return sorted(p for p in folder.iterdir() if p.name in names)


def read_existing(folder: Path) -> Ledger | None:
    """The ledger already in ``folder`` (validated), or None when there is none."""
    if not ledger_files(folder):
        return None
    return read_ledger(folder)


def write_checked(ledger: Ledger, out: Path, fmt: LedgerFormat) -> None:
    """Write to a scratch folder beside ``out``, read it back through the contract validation,
    then move the files into ``out``: a ledger that does not validate never replaces one."""
    scratch = out.parent / f".{out.name}.ingest-835.tmp"
    shutil.rmtree(scratch, ignore_errors=True)
    try:
        written = write_ledger(ledger, scratch, fmt)
        read_ledger(scratch)
        out.mkdir(parents=True, exist_ok=True)
        for path in written:
            other = out / f"{path.stem}.{'parquet' if fmt == 'csv' else 'csv'}"
            if other.exists():
                other.unlink()
            os.replace(path, out / path.name)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


_FORMATS: dict[str, LedgerFormat] = {"csv": "csv", "parquet": "parquet"}


def _format_of(out: Path, requested: str | None) -> LedgerFormat:
    if requested:
        return _FORMATS[requested]  # checked by ingest_835
    if any(p.suffix == ".parquet" for p in ledger_files(out)):
        return "parquet"
    return "csv"


def ingest_835(
    inputs: Annotated[list[Path], typer.Argument(help="835 files, or folders of them.")],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Ledger folder to create or merge into.")
    ],
    fmt: Annotated[
        str | None,
        typer.Option("--format", help="csv or parquet (default: as the ledger, else csv)."),
    ] = None,
    state: Annotated[
        str | None, typer.Option("--state", help="Patients' state when the payee has no N4 state.")
    ] = None,
    id_key: Annotated[
        str | None,
        typer.Option(
            "--id-key",
            envvar="CBCLASSIFY_PATIENT_ID_KEY",
            help="Secret key for patient pseudonyms (HMAC); keep it for later runs.",
        ),
    ] = None,
    posted_by: Annotated[str, typer.Option(help="posted_by of the new postings.")] = "era-import",
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List every warning.")] = False,
) -> None:
    """Convert X12 835 remittance advice (5010 and 4010) into the ledger at --out."""
    if fmt not in (None, "csv", "parquet"):
        raise typer.BadParameter("must be csv or parquet", param_hint="--format")
    if state is not None and (len(state) != 2 or not state.isalpha()):
        raise typer.BadParameter("a two-letter US state, e.g. PA", param_hint="--state")
    missing = [str(p) for p in inputs if not p.exists()]
    if missing:
        raise typer.BadParameter(f"not found: {', '.join(missing)}", param_hint="FILE_OR_DIR")
    files = expand_inputs(inputs)
    results = read_files(files)
    try:
        existing = read_existing(out)
    except LedgerValidationError as exc:
        fail(f"The ledger in {out} does not validate; nothing was converted.\n{exc}")
    options = ConvertOptions(
        posted_by=posted_by, default_state=state, id_key=(id_key or "").encode()
    )
    remittances = [r for res in results for r in res.remittances]
    conversion: ConversionResult = convert_remittances(remittances, existing, options)
    written_to = None
    if conversion.converted:
        chosen = _format_of(out, fmt)
        try:
            write_checked(conversion.ledger, out, chosen)
        except LedgerValidationError as exc:
            fail(f"The converted ledger does not validate; {out} was not changed.\n{exc}")
        written_to = f"{out} ({chosen})"
    log.info("ingest-835: %d files, %d remittances", len(files), len(conversion.converted))
    typer.echo(format_summary(results, conversion, written_to, existing is not None, verbose))
    failed = failed_files(results, conversion)
    if failed:
        typer.echo(
            f"{len(failed)} of {len(files)} file(s) failed, wholly or in part (see the errors "
            f"above): {', '.join(failed)}",
            err=True,
        )
    if failed or not conversion.converted:
        raise typer.Exit(BAD_INPUT)


def failed_files(results: list[FileResult], conversion: ConversionResult) -> list[str]:
    """The files with an error finding (a part that was not converted), in input order."""
    erred = {
        f.file
        for f in [*(f for r in results for f in r.findings), *conversion.findings]
        if f.severity == "error"
    }
    return [r.file for r in results if r.file in erred]


def register(app: typer.Typer) -> None:
    """Add ``ingest-835`` to the cbclassify app."""
    app.command("ingest-835")(ingest_835)
