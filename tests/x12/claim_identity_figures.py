"""Claim-identity figures over a folder of 835 files (issue 14, failure 11; docs/x12.md).

- ``files``: 835 files read (files with at least one remittance);
- ``files_differing``: files where one payer repeats a CLP01 with another NM1*QC member id or
  another CLP07 outside a reversal/correction pair (a reversal, CLP02 = 22, and the next CLP of
  that CLP01 from that payer are left out);
- per way of ingesting (each file alone, all files as one batch, the files one after another
  into one ledger as the service does): ``claims``, ``merged`` (ledger claims that received CLPs
  of one payer with two member ids) and ``paid_over_charge`` (claims whose payments exceed their
  charge).

Counted from the 835 text and the converted ledger, not from the claim_split findings, so the
figures mean the same on code with or without claim identity::

    PYTHONPATH=src:. python tests/x12/claim_identity_figures.py ../shared/testdata/x12
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from cbclassify.contract.ledger import Ledger
from cbclassify.x12 import Remittance, convert_remittances, read_835

#: (payer_id, NM1*QC member id) of each CLP loop, keyed like ``ConversionResult.claim_ids``.
Who = dict[tuple[str, int], tuple[str, str]]


def read_folder(folder: Path) -> list[tuple[str, list[Remittance]]]:
    """(file name, remittances) of every visible file that holds an 835 set, in name order."""
    out = []
    for path in sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")):
        parsed = read_835(path.read_text(encoding="utf-8", errors="replace"), path.name)
        if parsed.remittances:
            out.append((path.name, parsed.remittances))
    return out


def differing_identity(remittances: Sequence[Remittance]) -> bool:
    """One payer repeats a CLP01 with another member id or CLP07 (reversal pairs left out)."""
    seen: dict[tuple[str, str], tuple[set[str], set[str]]] = {}
    after_reversal: set[tuple[str, str]] = set()
    for rem in remittances:
        for claim in rem.claims:
            key = (rem.payer_id, claim.claim_id)
            if claim.is_reversal:
                after_reversal.add(key)
                continue
            if key in after_reversal:  # the correction of a reversal
                after_reversal.discard(key)
                continue
            members, numbers = seen.setdefault(key, (set(), set()))
            members.update({claim.member_id} - {""})
            numbers.update({getattr(claim, "payer_claim_number", "")} - {""})  # CLP07
    return any(len(m) > 1 or len(n) > 1 for m, n in seen.values())


def ledger_figures(
    ledger: Ledger,
    claim_of: dict[tuple[str, int], str],
    who: dict[tuple[str, int], tuple],
    duplicates: set[str],
) -> dict[str, int]:
    """claims, merged (one payer, two member ids on one claim), paid_over_charge (payments of
    duplicate ERAs, ``duplicates``, left out: a re-sent ERA is a true double payment)."""
    members: dict[tuple[str, str], set[str]] = {}
    for key, claim_id in claim_of.items():
        payer, member = who[key]
        if member:
            members.setdefault((claim_id, payer), set()).add(member)
    merged = {claim_id for (claim_id, _), m in members.items() if len(m) > 1}
    charge = ledger.claim_lines.groupby("claim_id")["charge_amount_cents"].sum()
    txns = ledger.transactions
    paid = (
        txns[(txns["kind"] == "payment") & ~txns["era_id"].isin(list(duplicates))]
        .groupby("claim_id")["amount_cents"]
        .sum()
    )
    over = sum(1 for claim_id, cents in paid.items() if cents > charge.get(claim_id, 0))
    return {"claims": len(charge), "merged": len(merged), "paid_over_charge": over}


def _convert(remittances: Sequence[Remittance], existing: Ledger | None) -> tuple:
    """(ledger, claim id and (payer, member id) of each CLP loop, duplicate era_ids)."""
    result = convert_remittances(remittances, existing)
    loops = [(conv, claim) for conv in result.converted for claim in conv.remittance.claims]
    who = {(conv.era_id, c.segment): (conv.payer_id, c.member_id) for conv, c in loops}
    # code before claim identity had no claim_ids: every CLP posted to its CLP01
    claim_of = getattr(result, "claim_ids", None) or {
        (conv.era_id, c.segment): c.claim_id for conv, c in loops
    }
    duplicates = {conv.era_id for conv in result.converted if conv.duplicate_of is not None}
    return result.ledger, claim_of, who, duplicates


def figures(folder: Path) -> dict[str, int]:
    """The figures named in the module docstring."""
    files = read_folder(folder)
    out = {"files": len(files), "files_differing": sum(differing_identity(r) for _, r in files)}
    alone = {"claims": 0, "merged": 0, "paid_over_charge": 0}
    for _, remittances in files:
        for name, value in ledger_figures(*_convert(remittances, None)).items():
            alone[name] += value
    batch = ledger_figures(*_convert([r for _, rems in files for r in rems], None))
    ledger: Ledger | None = None
    claim_of: dict[tuple[str, int], str] = {}
    who_all: dict[tuple[str, int], tuple] = {}
    duplicates: set[str] = set()
    for _, remittances in files:
        ledger, claims, who, dups = _convert(remittances, ledger)
        claim_of, who_all, duplicates = claim_of | claims, who_all | who, duplicates | dups
    sequential = ledger_figures(ledger, claim_of, who_all, duplicates) if ledger else alone
    for mode, values in (("alone", alone), ("batch", batch), ("sequential", sequential)):
        out |= {f"{mode}_{name}": value for name, value in values.items()}
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    args = parser.parse_args(argv)
    for name, value in figures(args.folder).items():
        print(f"{name}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
