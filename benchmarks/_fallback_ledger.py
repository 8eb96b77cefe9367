"""A minimal vectorized ledger generator for the worklist benchmark.

Used only when ``cbclassify.synth`` is not available. It is NOT the project's synthetic practice:
no labelled sources, no realistic remittances; just the volume and shape the worklist reads
(~2.5 lines per claim, payer payments, contractual adjustments, responsibility rows, patient
payments, some overpayments, duplicates, reversals, refunds and transfers).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cbclassify.contract.ledger import Ledger

_PAYERS = pd.DataFrame(
    {
        "payer_id": [f"PY{i:02d}" for i in range(12)],
        "payer_name": [f"Payer {i:02d}" for i in range(12)],
        "payer_type": [
            "medicare",
            "medicaid",
            "medicare_advantage",
            "commercial",
            "commercial",
            "commercial",
            "commercial",
            "tricare",
            "workers_comp",
            "other",
            "commercial",
            "medicaid",
        ],
    }
)


def _lines(rng: np.random.Generator, n_lines: int) -> pd.DataFrame:
    per_claim = rng.choice([1, 2, 3, 4], size=n_lines, p=[0.2, 0.3, 0.3, 0.2])
    per_claim = per_claim[: np.searchsorted(np.cumsum(per_claim), n_lines) + 1]
    per_claim[-1] -= per_claim.sum() - n_lines
    n_claims = len(per_claim)
    claim_idx = np.repeat(np.arange(n_claims), per_claim)
    starts = np.cumsum(per_claim) - per_claim
    line_no = np.arange(n_lines) - np.repeat(starts, per_claim) + 1
    n_patients = max(1, n_claims // 8)
    patient = rng.integers(0, n_patients, n_claims)
    payer = rng.integers(0, len(_PAYERS) + 1, n_claims)  # last value = self-pay
    service = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 700, n_claims), "D")
    billed = service + pd.to_timedelta(rng.integers(1, 6, n_claims), "D")
    payer_ids = np.append(_PAYERS["payer_id"].to_numpy(), None)[payer]
    return pd.DataFrame(
        {
            "claim_id": pd.Series(claim_idx).map("CL{:08d}".format).to_numpy(),
            "line_no": line_no,
            "patient_id": pd.Series(patient[claim_idx]).map("PT{:07d}".format).to_numpy(),
            "payer_id": payer_ids[claim_idx],
            "location_id": pd.Series(rng.integers(0, 6, n_claims)[claim_idx]).map("LOC{}".format),
            "provider_id": pd.Series(rng.integers(0, 40, n_lines)).map("PRV{:02d}".format),
            "service_date": service[claim_idx],
            "cpt": rng.choice(["97110", "97140", "97530", "92507", "97153", "90837"], n_lines),
            "units": rng.integers(1, 5, n_lines),
            "charge_amount_cents": rng.integers(40, 400, n_lines) * 100,
            "billed_date": billed[claim_idx],
        }
    )


def _postings(rng: np.random.Generator, lines: pd.DataFrame) -> pd.DataFrame:
    n = len(lines)
    charge = lines["charge_amount_cents"].to_numpy()
    allowed = (charge * rng.uniform(0.45, 0.9, n)).astype("int64")
    patient_share = (allowed * rng.choice([0.0, 0.1, 0.2], n)).astype("int64")
    posted = lines["billed_date"] + pd.to_timedelta(rng.integers(10, 60, n), "D")
    base = {"claim_id": lines["claim_id"].to_numpy(), "line_no": lines["line_no"].to_numpy()}
    frames = [
        dict(
            base,
            kind="payment",
            source="payer",
            amount_cents=allowed - patient_share,
            posted_date=posted,
        ),
        dict(
            base,
            kind="adjustment",
            source="payer",
            amount_cents=charge - allowed,
            posted_date=posted,
            group_code="CO",
        ),
        dict(
            base,
            kind="responsibility",
            source="payer",
            amount_cents=patient_share,
            posted_date=posted,
            group_code="PR",
        ),
        dict(
            base,
            kind="payment",
            source="patient",
            amount_cents=patient_share,
            posted_date=posted + pd.to_timedelta(rng.integers(5, 90, n), "D"),
        ),
    ]
    # Overpayments / duplicates / reversals / refunds on a few percent of lines.
    extra = rng.random(n) < 0.06
    frames.append(
        dict(
            {k: v[extra] for k, v in base.items()},
            kind="payment",
            source="payer",
            amount_cents=(allowed - patient_share)[extra],
            posted_date=posted[extra] + pd.to_timedelta(30, "D"),
        )
    )
    back = extra & (rng.random(n) < 0.4)
    frames.append(
        dict(
            {k: v[back] for k, v in base.items()},
            kind="refund",
            source="payer",
            amount_cents=(allowed - patient_share)[back],
            posted_date=posted[back] + pd.to_timedelta(75, "D"),
        )
    )
    out = pd.concat([pd.DataFrame(f) for f in frames], ignore_index=True)
    out = out[(out["amount_cents"] != 0) | (out["kind"] != "responsibility")]
    payer_of_claim = lines.set_index(["claim_id", "line_no"])["payer_id"]
    out["payer_id"] = payer_of_claim.reindex(
        pd.MultiIndex.from_arrays([out["claim_id"], out["line_no"]])
    ).to_numpy()
    selfpay_rows = out["payer_id"].isna().to_numpy()
    out.loc[selfpay_rows, "source"] = "patient"
    out = out[~(selfpay_rows & (out["kind"] == "responsibility").to_numpy())]
    out["method"] = np.where(out["source"] == "payer", "era", "card")
    out["posted_by"] = "bench"
    out["txn_id"] = [f"TX{i:09d}" for i in range(len(out))]
    return out.reset_index(drop=True)


def fallback_ledger(n_lines: int, seed: int = 7) -> Ledger:
    """A ledger of ``n_lines`` claim lines built with numpy only."""
    rng = np.random.default_rng(seed)
    lines = _lines(rng, n_lines)
    txns = _postings(rng, lines)
    patients = pd.DataFrame({"patient_id": lines["patient_id"].unique(), "state": "PA"})
    return Ledger.from_frames(
        payers=_PAYERS, patients=patients, claim_lines=lines, transactions=txns
    )
