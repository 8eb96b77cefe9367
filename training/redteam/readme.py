"""DIR/README.md: what was generated, per practice, and the readings taken."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from .lookalikes import LOOKALIKES
from .patterns import PATTERNS
from .profiles import PROFILES, practice_a, practice_b

READINGS = """\
## Readings of the contract taken here

* **Fee schedule governs, by date of service.** A row applies when payer and CPT match, its
  modifier is blank or equals the line's, and the date of service lies in
  [effective_from, effective_to]. Where no row applies (workers' comp, auto, practice_b's
  gaps, a 97153 line without HN against an HN-only row, an expired row) the payer-reported
  allowed applies; a payer paying above an *expired* row is not an overpayment.
* **835 vs manual.** On an 835 posting no PR rows means the patient owes 0; on a manual
  posting PR is unknown, so no manual-posting credit here depends on a PR the ledger cannot
  show (manual overpayments are above the full contracted allowed).
* **Same trace = no money moved twice.** An 835 posted twice, or the same EFT keyed by hand
  with its trace, or a skipped CLP02=22 reversal (the corrected claim was posted, the
  reversal in the same 835 was not) is `duplicate_payment / reverse_posting`. A different
  trace (paper check after EFT, a second 835) is money received twice: payer action.
* **PLB WO not posted to the claim.** The payer already has its money back at remittance
  level, but the contract's balance rule reads claim postings only, so the claim stays a
  credit. No recommended action is right (refunding would pay twice); the fix is to post the
  recovery. Truth: credit, blank source and action, note.
* **PLB L6 interest also keyed as a claim payment** (same trace as the 835): read as the same
  money counted twice -> duplicate_payment / reverse_posting, marked ambiguous.
* **Patient paid and the secondary paid the same patient share**: the secondary owed that
  share under COB and paid it correctly (OA-23), so the patient's money is the excess ->
  patient_credit, whichever was posted first.
* **Small-balance write-off then the patient paid**: the write-off is undone
  (allowance_error / correct_adjustment), not a patient refund.
* **apply_to_balance**: "another claim with a positive balance" is read literally (any other
  claim of the patient whose date of service has passed and whose balance is > 0 on the
  date). Where the only such claims still wait for a payer, the row is marked ambiguous.
  For 2025 labels the rule is read on the identified date; identified dates were chosen
  where reading claims from their service date or from their billed date gives the same set.
* **Mixed credits**: label = the component with the larger amount; the resolving postings
  fix every component.
* **Remittances**: `balanced` is true for every 835 as received; the ledger's postings
  disagree with a remittance only where the ledger double-posted or skipped a row. Those
  remittances are listed in `truth/<practice>_remittance_exceptions.csv`. A takeback that
  leaves an 835 negative is carried with PLB FB (negative here, positive on the payer's
  next 835).
"""


def write_readme(out: Path, results: list, seed: int, scale: float) -> None:
    profs = {"practice_a": practice_a(), "practice_b": practice_b()}
    lines = [f"# Red-team ledgers (seed {seed}, scale {scale})", "",
             "Independent test data: two practices, each a ledger folder per the ledger contract v1, "
             "with the truth kept outside the ledgers in `truth/`.", "",
             "As-of date: 2026-11-30 (the last posted date). Dates of service 2025-01-02..2026-10-30. "
             "Credits identified in 2025 are resolved in the ledger (a `resolutions` row plus the "
             "postings that resolved them); credits that arose in 2026 are open.", ""]
    for res in results:
        p = profs[res.key]
        cnt = Counter()
        for row in res.truth:
            if "companion claim" in row["note"]:
                continue
            cnt[(row["pattern"], row["mode"])] += 1
        credits = sum(1 for r in res.truth if r["is_credit_at_asof"] == "true")
        lines += [f"## {res.key}: {p.title}", "", (PROFILES[res.key].__doc__ or "").strip() or
                  _profile_doc(res.key), "",
                  f"* claims: {res.claims}; open credits: {credits}; resolved 2025 credits: "
                  f"{sum(1 for r in res.truth if r['resolved'] == 'true')}; remittance exceptions: "
                  f"{len(res.exceptions)}",
                  "* payers: " + ", ".join(f"{x.payer_id} ({x.payer_type}, offset={'yes' if x.offset else 'no'})"
                                           for x in p.payers.values()), "",
                  "| design | kind | open (2026) | of which credits | resolved (2025) |", "|---|---|---|---|---|"]
        cred = Counter(r["pattern"] for r in res.truth if r["is_credit_at_asof"] == "true")
        for d in PATTERNS:
            lines.append(f"| {d.name} | credit pattern | {cnt[(d.name, 'open')]} | {cred[d.name]} | "
                         f"{cnt[(d.name, 'resolved')]} |")
        for d in LOOKALIKES:
            lines.append(f"| {d.name} | look-alike | {cnt[(d.name, 'open')]} | {cred[d.name]} | |")
        labels = Counter((r["expected_source"] or "(none)", r["expected_action"] or "(none)", r["resolved"])
                         for r in res.truth if r["is_credit_at_asof"] == "true" or r["resolved"] == "true")
        lines += ["", "| source | action | open credits | resolved 2025 |", "|---|---|---|---|"]
        for src, act in sorted({(a, b) for a, b, _ in labels}):
            lines.append(f"| {src} | {act} | {labels[(src, act, 'false')]} | {labels[(src, act, 'true')]} |")
        amb = sum(1 for r in res.truth if r["ambiguous"] == "true")
        lines += ["", f"Rows marked ambiguous: {amb} (both readings in the note).", ""]
    lines += [READINGS, "## Truth columns", "",
              "claim_id, pattern, is_credit_at_asof, credit_amount, expected_source, expected_action, "
              "responsible_payer_id, ambiguous, lookalike, resolved, note, plus patient_id, payer_id, components "
              "(source:amount of each cause), identified_date, resolved_date, resolved_amount, mode.", ""]
    (out / "README.md").write_text("\n".join(lines), encoding="utf-8")


def _profile_doc(key: str) -> str:
    from . import profiles
    doc = profiles.__doc__ or ""
    parts = doc.split("\n\n")
    for part in parts:
        if part.strip().startswith(key):
            return " ".join(part.split())
    return ""
