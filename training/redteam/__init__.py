"""Independent red-team test data for a therapy-practice credit-balance product.

Written from the ledger contract and billing knowledge only, never from the product's
code, so that its labels are a second opinion on the product's accounting.

The accounting view taken
-------------------------
* A claim's balance is the contract's rule and nothing else: charges minus payments,
  adjustments and transfers, plus refunds; responsibility (PR) rows move nothing.
* Every ordinary claim is adjudicated line by line (fee-schedule allowed by date of
  service, modifier and units; else the payer's own price, reported on the ERA where the
  payer reports it) so that paid + CO-45 + CO-253 + PR = charge, and the patient or a
  secondary (OA-23 on the payment row) covers PR.  Ordinary claims therefore end at zero,
  or positive while the payer, the patient or an appeal is pending.
* A credit arises only from a designed cause.  The truth of a credit is its principal
  cause (the larger amount where two causes share it) with the contract's action:
  payer money -> payer_offset if the payer allows offset else refund_payer; one
  trace/receipt posted twice -> reverse_posting; write-off too large -> correct_adjustment;
  patient money -> apply_to_balance if the patient has another claim with a positive
  balance on the as-of date else refund_patient.
* After generation every claim's balance is recomputed and the set of credits must equal
  the truth's credits to the cent; 2025 credits carry a `resolutions` row and the postings
  that resolved them, and must be zero at the as-of date.

Entry points: ``generate(out_dir, seed, scale)`` and ``python -m training.redteam``.
"""
from __future__ import annotations

from pathlib import Path

from .build import run_practice
from .profiles import PROFILES
from .readme import write_readme


def generate(out_dir: Path, seed: int, scale: float = 1.0) -> list:
    """Write DIR/practice_a, DIR/practice_b (ledgers), DIR/truth/*.csv and DIR/README.md."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    results = [run_practice(PROFILES[k](), seed, scale, out_dir) for k in ("practice_a", "practice_b")]
    write_readme(out_dir, results, seed, scale)
    return results
