"""README written next to a generated data set: patterns, profiles, readings, counts."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

PATTERN_TEXT = {
    "po_rate_above_contract": "Payer paid at a rate above the contracted fee schedule (it reports "
    "the higher allowed, or the contract allowed); the practice's write-off follows the contract.",
    "po_pr_not_deducted": "No fee-schedule row (plan/code gap): the payer paid more than its own "
    "reported allowed less the patient share it reported (copay ignored, or coinsurance taken at "
    "half rate), and the patient paid that share.",
    "po_secondary_paid_as_primary": "The secondary paid as primary (no OA-23) more than the "
    "primary's patient share; the excess goes back to the secondary.",
    "po_payer_not_billed": "A plan the claim was never billed to (coverage ended) paid a claim "
    "already settled by its real payer.",
    "po_sequestration_not_applied": "Medicare's 835 reports CO-253 but the payment was not "
    "reduced by it.",
    "po_no_fee_schedule_overpaid": "Workers' comp / auto / EAP / TRICARE (no fee-schedule rows): "
    "paid a line above the allowed it reported.",
    "dup_era_and_manual_same_trace": "ERA auto-posted; the same trace keyed again by hand "
    "(claim level or line level, no CARC/PR rows, no allowed, another posted date).",
    "dup_era_posted_twice": "The same 835 payment lines posted twice under the same era_id.",
    "dup_era_and_lockbox_check": "Paid by EFT/835 and again by paper check (lockbox or keyed), "
    "two traces: money received twice.",
    "dup_two_835_different_traces": "Paid on two 835s with different traces.",
    "dup_patient_receipt_posted_twice": "One patient receipt number posted twice.",
    "dup_paper_eob_keyed_twice": "One paper check/EOB keyed twice by two billers (same check "
    "number), manual both times.",
    "pc_patient_paid_twice_two_receipts": "The patient really paid twice (two receipts, two "
    "methods).",
    "ae_contractual_too_large": "Hand-keyed contractual write-off larger than charge minus the "
    "contracted allowed (transposed digits or wrong amount).",
    "ae_pr_written_off_as_contractual": "The 835's PR amounts posted as write-offs (group PR "
    "adjustments, or a CO-45 of charge minus paid), and the patient then paid them.",
    "ae_adjustment_posted_twice": "The same CO-45 adjustment posted twice (keyed again, or the "
    "835 adjustment re-posted).",
    "ae_small_balance_writeoff_then_paid": "Practice small-balance write-off (patient side, no "
    "CARC), then the patient paid anyway.",
    "ae_courtesy_writeoff_then_paid": "Courtesy/hardship write-off of the patient balance, then "
    "the patient paid all or half of it.",
    "ae_denial_writeoff_then_paid": "Denial (CO-16/197/252) written off in full, then paid on "
    "appeal; the denial write-off never reversed.",
    "pc_copay_overpaid_no_balance": "Patient paid more at the visit than the 835's copay; no "
    "other open balance.",
    "pc_copay_overpaid_other_balance": "Same, and another claim of the patient still has a "
    "balance.",
    "pc_deductible_estimate_overpaid": "Patient paid a deductible estimate; the payer applied "
    "less.",
    "pc_patient_paid_secondary_covered": "Patient paid the coinsurance, then the secondary paid "
    "it (legitimate OA-23).",
    "pc_selfpay_prepayment": "Self-pay patient prepaid a package of visits on one claim.",
    "mix_dup_plus_copay": "Hand-keyed duplicate of the ERA payment (same trace) plus a smaller "
    "copay overpayment; principal: duplicate.",
    "mix_overpay_plus_copay": "Payment above contract plus a smaller copay overpayment; "
    "principal: payer overpayment.",
    "amb_copay_and_writeoff_equal": "Copay overpaid and hand-keyed write-off too large by the same "
    "amount: no principal (ambiguous, labels blank).",
    "amb_excess_equals_prior_payment": "A partial payment on one 835 then the full contracted "
    "payment on another: the excess equals the first payment and the amount above the contract "
    "(ambiguous source; both readings send the money back to that payer).",
}

LOOKALIKE_TEXT = {
    "la_takeback_repay_later_remit": "Wrong-rate payment taken back (CLP02=22, payment and CO-45 "
    "negated) and re-paid on a later 835.",
    "la_takeback_repay_same_remit": "Same, reversal and corrected payment in one 835.",
    "la_dup_recouped_plb": "Paid twice on two 835s; recouped by PLB WO on a later 835, the "
    "negative posted by hand on the claim.",
    "la_dup_recouped_reversal": "Paid twice; recouped by a negative payment on a later 835.",
    "la_installments_sum_to_balance": "Deductible balance paid in 3-5 near-equal installments.",
    "la_oa23_secondary_legit": "Secondary paid the primary's patient share with OA-23.",
    "la_two_lines_same_amount": "Two lines, same code/units, same payment on one 835.",
    "la_interest_plb_l6": "Late payment; prompt-pay interest on the remittance as PLB L6.",
    "la_zero_balance_many_postings": "Denial at 0.00, payment, reversal, re-payment, copay, two "
    "patient payments: zero balance.",
    "la_era_line_unmatched_keyed": "835 matched line 1 only; line 2 keyed by hand from the same "
    "trace at claim level.",
    "la_denial_then_paper_check": "835 denial at 0.00 (CO-16), then paid by paper check.",
    "la_primary_secondary_equal": "50% coinsurance: the secondary's OA-23 payment equals the "
    "primary's payment.",
    "la_sequestration_applied": "Medicare with CO-253 applied correctly.",
    "la_small_balance_writeoff_no_payment": "Small balance written off; never paid.",
    "la_adjustment_reversed_and_reposted": "Mis-keyed write-off reversed and re-posted within days.",
    "la_no_fee_schedule_paid_full_charge": "Workers' comp/auto/EAP paid the full charge by check.",
    "la_one_receipt_two_claims": "One card receipt for two visits' copays, split across two "
    "claims with the same receipt number (a truth row per claim).",
    "la_copay_collected_payer_net": "Copay at the visit; payer paid allowed less copay.",
    "la_manual_posting_balanced": "Paper EOB keyed at claim level without CARC; zero balance.",
    "la_payment_misapplied_transferred": "Payer check posted on the wrong visit and moved by "
    "transfer (a truth row per claim).",
    "la_two_claims_same_trace": "Two weekly visits paid the same amount on one 835 (a truth row "
    "per claim).",
    "la_takeback_plb_then_repay": "Payment recovered by PLB WO, then the same amount paid again "
    "on a new 835.",
    "la_patient_prepay_exact": "Patient estimate exactly equal to the payer's patient share.",
    "la_sequestration_secondary_rounding": "Deductible month: the supplement's OA-23 payment is "
    "larger than Medicare's.",
    "la_dup_refunded_before_asof": "Two-835 duplicate refunded/offset before the as-of date "
    "(resolutions row present).",
    "la_copay_refunded_before_asof": "Copay overpayment refunded before the as-of date.",
    "la_copay_applied_before_asof": "Copay overpayment transferred to the patient's other open "
    "claim before the as-of date.",
    "la_double_adjustment_corrected_before_asof": "Adjustment posted twice, corrected before the "
    "as-of date.",
    "la_overpayment_returned_before_asof": "Payment above contract returned (refund or offset) "
    "before the as-of date.",
}

READINGS = """\
## Readings taken where the contract is silent

1. **Principal cause.** Where two causes share one credit, the label is the larger one (contract),
   and `expected_action` is the principal's action. `resolutions.amount` is the whole credit; the
   minor part is resolved by its own posting in the same resolution (e.g. the copay excess of a
   `mix_dup_plus_copay` is refunded to the patient beside the duplicate's reversal).
2. **Ambiguous.** Two causes of equal amount (`amb_copay_and_writeoff_equal`): `ambiguous=true`,
   source and action blank (a careful biller would need the EOB and the patient's receipt).
   `amb_excess_equals_prior_payment`: source blank, but `expected_action` and
   `responsible_payer_id` are filled, because both readings (duplicate with two traces, or
   overpayment above contract) send the same money back to the same payer.
3. **What the payer owed.** Contracted allowed (fee-schedule row by date of service, modifier,
   units) less the 835's patient responsibility less sequestration; the payer-reported allowed
   only where no row applies (gaps, workers' comp, auto, EAP, TRICARE, the supplements).
4. **Rate above contract.** The practice's system writes off charge minus the *contract* allowed
   even when the payer's 835 reports a higher allowed; the credit is the payer's excess.
5. **Sequestration not applied.** The 835 carries CO-253 but the payment was not reduced: payer
   overpayment (Medicare owed the reduced amount), not an allowance error.
6. **Secondary paid as primary.** The secondary owed the primary's patient share (PR); what it
   paid above that goes back to the secondary (`responsible_payer_id` is the secondary).
7. **Payer not billed.** The payment of a plan the claim was never billed to is posted as a payment
   row only (no CAS rows); all of it goes back to that plan.
8. **Offset or refund.** `payer_offset` iff the responsible payer's `allows_offset` is true, else
   `refund_payer`. Medicare, Medicaid and Medicare Advantage allow offset here; some commercial
   plans do, workers' comp, auto, EAP, TRICARE and the Medigap plan do not.
9. **Duplicates.** Same trace (ERA re-keyed by hand, ERA re-posted under the same era_id, paper
   check keyed twice, one patient receipt posted twice) = posting made twice: `reverse_posting`,
   no responsible payer. Two traces (two 835s; 835/EFT plus paper check) = money received twice:
   payer action. A patient who paid twice with two receipts = `patient_credit`.
10. **Patient credit action.** `apply_to_balance` iff the same patient has another claim with a
    positive balance on the as-of date (for resolved credits: on the identified date), else
    `refund_patient`. Scenario patients are otherwise settled, so the rule is decided by the
    scenario alone.
11. **Write-off then payment** (small-balance, courtesy, denial written off then paid on appeal,
    PR written off then paid by the patient): `allowance_error` / `correct_adjustment`, per issue 13.
12. **Patient paid what the secondary then covered:** `patient_credit` (the OA-23 payment is right).
13. **Truth amounts.** `credit_amount` is the credit on the as-of date for open credits, the
    credit on the identified date for resolved ones (`resolved=true`, `is_credit_at_asof=false`),
    and 0.00 with blank labels for non-credit look-alikes, including look-alikes that were credits
    resolved before the as-of date (their label is in resolutions.csv).
14. **Resolving postings.** refund: a `refund` row; offset: either a negative payment on a later
    835 of that payer (CLP02=22) or a PLB WO on a later 835 with the practice's hand-posted
    negative payment on the claim (era_id blank, that 835's trace); reverse_posting /
    correct_adjustment: the negated row, posted by hand; apply_to_balance: `transfer` -X here and
    +X on the patient's open claim.
15. **Remittances "as received".** `total_paid` excludes rows re-posted under the same era_id and
    includes 835 money the practice keyed by hand (an unmatched line); where takebacks exceed the
    payments, a PLB FB row carries the rest forward and the total is 0.00 (`NON`). Two remittances
    per practice arrive unbalanced (`balanced=false`), unrelated to any credit.
16. **Hand postings.** A paper EOB keyed by hand: claim-level payment and write-off, group `CO` or
    blank, no reason code, no allowed, no PR rows; trace = check number; method `manual`,
    `check` or `lockbox`. Small-balance and courtesy write-offs: `adjustment`, source `patient`,
    no group/reason.
17. **As-of date.** The latest posted date (practice A 2026-11-30, practice B 2026-10-30); a
    posting is made on that date so the default as-of matches.
18. **Payer errors as remitted.** Where a payer overpaid by its own mistake (copay ignored,
    coinsurance at half rate, CO-253 reported but not taken), the 835's CAS/PR rows and its
    payment do not add up to the charge: that mismatch is the error, posted as received.
19. **Scenario isolation.** Each scenario has its own patient (with 0-6 settled earlier visits
    on the same plan); ids are reissued in time order after generation, so no id, receipt number
    or remittance number tells a scenario claim from ordinary business.
"""

PROFILES = """\
## Practices

**practice_a**: behavioral health / ABA group (OH with KY, WV). Payers: three Medicaid managed-care
plans and state Medicaid (no patient share), three commercial plans (visit copays $25-30, 10-20%
coinsurance), TRICARE (copay, no fee schedule), a little Medicare psychotherapy (with Medicaid as
secondary), an EAP (paper checks, no fee schedule), and a commercial plan whose coverage ended
(never billed). Codes 97153 (HM/HN), 97155, 97156, 97151, 90837/90834 (95 telehealth), 90791,
90847; 1-3 lines. Ids: claims `BH-25-000123`, patients `pt-00042`, payers mixed case
(`mcoCare01`, `COMM-blu7`, `comm-AET3`). About 12% of payer payments keyed by hand (`manual`,
`check`). Fee-schedule gaps: 97156 for one Medicaid plan and one commercial plan, 90847 for that
commercial plan.

**practice_b**: rural PT/OT/speech practice (PA with NY, OH). Payers: Medicare Part B (34%, with a
Medigap plan, a retiree plan or Medicaid as secondary), Medicare Advantage (copay $40), Medicaid,
two commercial plans, two workers' comp carriers and an auto insurer (no fee-schedule rows, paper
checks through a bank lockbox), and a plan whose coverage ended. Codes 97110, 97140, 97112, 97530,
97116, 97161, 97165, 97535, 92507, 92523 with GP/GO/GN (and 59); 1-4 lines. Ids: claims
`0000040123`, patients `0001234`, payers `00431`, `MCR-JL`, `wc-0112`. About 14-15% of payer payments
keyed by hand (`lockbox`, `check`, `manual`). Fee-schedule gaps: 97530 and 92523 for the Medicare
Advantage plan, 97535 for one commercial plan.

Both: year 1 = 2025 (credits resolved by billers: `resolutions` rows with `identified_date`, the
resolving postings after it), year 2 = 2026 (credits open on the as-of date). Fee schedules change
on 2026-01-01 (Medicare -2.8%). Medicare 20% coinsurance and 2% sequestration (CO-253); deductibles
early in the year; copays collected at the visit; statements, installments, small-balance
write-offs; some patient balances still open on the as-of date.
"""


INTRO = (
    "Written by `python -m training.heldout --out DIR --seed N [--scale S]` from billing "
    "knowledge and the ledger contract only (not from the product's code). Two ledger folders "
    "(`practice_a/`, `practice_b/`), and `truth/<practice>.csv`: one row per claim made "
    "special (every credit pattern and every look-alike, open or resolved). Claims without a "
    "truth row are ordinary business and never carry a credit on the as-of date."
)


def _counts(practice) -> dict[str, Counter]:
    out: dict[str, Counter] = {}
    for r in practice.truth:
        c = out.setdefault(r["pattern"], Counter())
        if r["is_credit_at_asof"] == "true":
            c["open"] += 1
        elif r["resolved"] == "true":
            c["resolved"] += 1
        else:
            c["other"] += 1
    return out


def write_readme(path: Path, practices: dict, seed: int, scale: float) -> None:
    counts = {k: _counts(p) for k, p in practices.items()}
    keys = list(practices)
    lines = [
        f"# Held-out practices (seed {seed}, scale {scale})",
        "",
        INTRO,
        "",
        PROFILES,
        "## Credit patterns",
        "",
        "Counts: open credits on the as-of date / resolved in year 1.",
        "",
        "| pattern | what happened | " + " | ".join(f"{k} open/resolved" for k in keys) + " |",
        "|---|---|" + "---|" * len(keys),
    ]
    for name, text in PATTERN_TEXT.items():
        cells = [
            f"{counts[k].get(name, Counter())['open']}/{counts[k].get(name, Counter())['resolved']}"
            for k in keys
        ]
        lines.append(f"| `{name}` | {text} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## Look-alikes (no credit on the as-of date; must not be confirmed)",
        "",
        "Counts: truth rows (claims).",
        "",
        "| look-alike | what happened | " + " | ".join(keys) + " |",
        "|---|---|" + "---|" * len(keys),
    ]
    for name, text in LOOKALIKE_TEXT.items():
        cells = [str(sum(counts[k].get(name, Counter()).values())) for k in keys]
        lines.append(f"| `{name}` | {text} | " + " | ".join(cells) + " |")
    totals = []
    for k, p in practices.items():
        t = p.truth
        n_open = sum(r["is_credit_at_asof"] == "true" for r in t)
        n_res = sum(r["resolved"] == "true" and r["lookalike"] == "false" for r in t)
        n_la = sum(r["lookalike"] == "true" for r in t)
        totals.append(
            f"- {k}: {len(p.book.claims)} claims, {n_open} open credits, {n_res} "
            f"resolved credits, {n_la} look-alike rows, "
            f"{len(p.book.resolutions)} resolutions rows."
        )
    lines += ["", "## Totals", "", *totals, "", READINGS]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
