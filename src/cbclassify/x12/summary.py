"""The ``ingest-835`` summary, in words a biller understands. Pure: results in, text out.

No patient or claim identifiers are printed: positions (file, segment, ST control number) are
enough to find a problem in the file.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from cbclassify.contract.money import dollars
from cbclassify.x12.convert import ConversionResult
from cbclassify.x12.envelope import FileResult
from cbclassify.x12.model import Finding

#: Plain-language titles of warning codes.
WARNING_TITLES: dict[str, str] = {
    "svc_separator": "SVC01 composite uses another separator than ISA16 (read with it)",
    "svc_no_procedure": "SVC01 without a procedure code (claim posted at claim level)",
    "units": "service units not a whole positive number (rounded)",
    "payment_date": "payment date missing or invalid in BPR16 (DTM*405 used)",
    "bad_date": "invalid dates (ignored)",
    "sub_cent": "amounts with digits below the cent (rounded)",
    "reversal_sign": "reversals sent with positive amounts (negated)",
    "se_count": "SE01 segment count does not match the set",
    "se_control": "SE02 does not match ST02",
    "outside_set": "segments outside any transaction set (ignored)",
    "patient_state": "patients' state taken from the payer's address",
    "no_service_date": "no service date (payment date used)",
    "zero_charge": "service lines with a 0.00 charge (no claim line)",
    "unmatched_line": "postings with no matching claim line (posted at claim level)",
    "claim_split": "repeated CLP01 of another claim (converted as a separate claim)",
}


def _lines(title: str, findings: Sequence[Finding]) -> list[str]:
    if not findings:
        return []
    return [f"{title} ({len(findings)}):"] + [f"  - {f}" for f in findings]


def _warning_lines(warnings: Sequence[Finding], verbose: bool) -> list[str]:
    if not warnings:
        return []
    if verbose:
        return _lines("Warnings (converted with the reading described)", warnings)
    by_code: dict[str, list[Finding]] = defaultdict(list)
    for finding in warnings:
        by_code[finding.code].append(finding)
    out = [f"Warnings ({len(warnings)}; converted with the reading described; -v lists all):"]
    for code, items in by_code.items():
        files = len({f.file for f in items})
        first = items[0].where()
        out.append(
            f"  - {WARNING_TITLES.get(code, code)}: {len(items)} in {files} file(s), "
            f"first at {first}"
        )
    return out


def format_summary(
    results: Sequence[FileResult],
    conversion: ConversionResult,
    written_to: str | None,
    merged: bool,
    verbose: bool = False,
) -> str:
    """The whole summary text."""
    findings = [f for r in results for f in r.findings] + conversion.findings
    errors = [f for f in findings if f.severity == "error"]
    unbalanced = [f for f in findings if f.code == "unbalanced"]
    duplicates = [f for f in findings if f.code == "duplicate_era"]
    warnings = [f for f in findings if f.severity == "warning" and f not in unbalanced + duplicates]
    new = conversion.new_rows
    txns = new["transactions"]
    payments = int(txns.loc[txns["kind"] == "payment", "amount_cents"].sum()) if len(txns) else 0
    bpr = sum(c.remittance.total_paid_cents for c in conversion.converted)
    plb = sum(c.remittance.plb_cents for c in conversion.converted)
    claims = set(conversion.claim_ids.values())
    files_with = sum(1 for r in results if r.remittances)
    out = [
        f"Files read: {len(results)} ({files_with} with 835 remittances converted).",
        (
            f"Remittances (ERAs) converted: {len(conversion.converted)}; claims: {len(claims)}; "
            f"postings: {len(txns)}."
        ),
        (
            f"Payments posted: {dollars(payments)}; provider-level adjustments (PLB): "
            f"{dollars(plb)}; total paid per BPR: {dollars(bpr)}."
        ),
        (
            f"Unbalanced remittances: {len(unbalanced)}; duplicate ERAs: {len(duplicates)}; "
            f"errors (not converted): {len(errors)}."
        ),
    ]
    out += _lines("Unbalanced remittances (converted as received, balanced=false)", unbalanced)
    out += _lines(
        "Duplicate ERAs (same payer and trace number; converted, not rejected)", duplicates
    )
    out += _lines("Errors (these parts were not converted)", errors)
    out += _warning_lines(warnings, verbose)
    if written_to:
        counts = ", ".join(f"{len(frame)} {name.replace('_', ' ')}" for name, frame in new.items())
        verb = "merged into" if merged else "written to"
        out.append(f"Ledger {verb} {written_to}: added {counts}.")
    else:
        out.append("Nothing could be converted: no ledger was written.")
    return "\n".join(out)
