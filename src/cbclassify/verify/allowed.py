"""The allowed amount that governs a claim: contracted (fee schedule) first, payer-reported second.

Per line: the primary payer's fee-schedule row for the line's CPT, modifier (a blank modifier on
the schedule matches any; an exact match wins) and date of service, times units, capped at the
line's charge (payers pay the lesser of charge and allowed). Where no schedule row applies, the
allowed amount the payer reported on its latest payment for the line (835 AMT*B6). A line the
payer denied (reported allowed 0) has allowed 0. A claim's allowed is known when every line's is.
"""

from __future__ import annotations

import pandas as pd

ALLOWED_COLUMNS = ["claim_id", "allowed_cents", "allowed_basis", "contracted_cents"]


def governing_allowed(
    lines: pd.DataFrame, fee_schedule: pd.DataFrame, txns: pd.DataFrame
) -> pd.DataFrame:
    """One row per claim: allowed_cents (Int64, NA if unknown), allowed_basis (``contract``,
    ``payer``, ``mixed`` or NA), contracted_cents (Int64: schedule amount where every line
    has one)."""
    per_line = lines[["claim_id", "line_no", "payer_id", "cpt", "modifier", "units"]].copy()
    per_line["charge_cents"] = lines["charge_amount_cents"].astype("int64")
    per_line = per_line.merge(
        _contracted(lines, fee_schedule), on=["claim_id", "line_no"], how="left"
    )
    reported = _reported(txns, lines)
    per_line = per_line.merge(reported, on=["claim_id", "line_no"], how="left")
    denied = per_line["reported_cents"].eq(0).fillna(False)
    contract = per_line["contract_cents"].where(~denied, 0)
    capped = contract.where(
        contract.isna() | (contract <= per_line["charge_cents"]), per_line["charge_cents"]
    )
    allowed = capped.fillna(per_line["reported_cents"]).astype("Int64")
    basis = pd.Series("payer", index=per_line.index, dtype="string")
    basis = basis.where(capped.isna(), "contract").where(allowed.notna(), pd.NA)
    per_line = per_line.assign(allowed_cents=allowed, basis=basis, capped=capped)
    grouped = per_line.groupby("claim_id", sort=False)
    out = pd.DataFrame(
        {
            "allowed_cents": grouped["allowed_cents"].sum(min_count=1),
            "n_known": grouped["allowed_cents"].count(),
            "n_lines": grouped.size(),
            "n_contract": grouped["capped"].count(),
            "basis_kinds": grouped["basis"].nunique(),
            "basis_first": grouped["basis"].first(),
        }
    )
    known = out["n_known"] == out["n_lines"]
    out["allowed_cents"] = out["allowed_cents"].astype("Int64").where(known, pd.NA)
    out["allowed_basis"] = (
        out["basis_first"]
        .where(out["basis_kinds"] == 1, "mixed")
        .where(known, pd.NA)
        .astype("string")
    )
    contracted = grouped["capped"].sum(min_count=1).astype("Int64")
    out["contracted_cents"] = contracted.where(out["n_contract"] == out["n_lines"], pd.NA)
    out = out.reset_index()
    return _claim_level_fallback(out, txns, lines)[ALLOWED_COLUMNS]


def _contracted(lines: pd.DataFrame, fee_schedule: pd.DataFrame) -> pd.DataFrame:
    """Per line, the schedule's allowed_per_unit x units (NA where no row applies)."""
    cols = ["claim_id", "line_no", "payer_id", "cpt", "modifier", "units", "service_date"]
    base = lines[cols]
    if fee_schedule.empty:
        return base[["claim_id", "line_no"]].assign(contract_cents=pd.Series(pd.NA, dtype="Int64"))
    fs = fee_schedule.rename(columns={"modifier": "fs_modifier"})
    cand = base.merge(fs, on=["payer_id", "cpt"], how="inner")
    in_force = (cand["effective_from"] <= cand["service_date"]) & (
        cand["effective_to"].isna() | (cand["service_date"] <= cand["effective_to"])
    )
    exact = cand["fs_modifier"].notna() & (cand["fs_modifier"] == cand["modifier"]).fillna(False)
    cand = cand[in_force & (cand["fs_modifier"].isna() | exact)].assign(exact=exact)
    cand = cand.sort_values(["exact", "effective_from"], ascending=[False, False], kind="stable")
    best = cand.drop_duplicates(["claim_id", "line_no"])
    best = best.assign(
        contract_cents=(best["allowed_per_unit_cents"] * best["units"]).astype("Int64")
    )
    out = base[["claim_id", "line_no"]].merge(
        best[["claim_id", "line_no", "contract_cents"]], on=["claim_id", "line_no"], how="left"
    )
    return out


def _primary_payments(txns: pd.DataFrame, lines: pd.DataFrame) -> pd.DataFrame:
    """Surviving (non-extra) non-negative payments of each claim's primary payer."""
    primary = lines.drop_duplicates("claim_id")[["claim_id", "payer_id"]]
    pay = txns[(txns["kind"] == "payment") & (txns["source"] == "payer") & ~txns["extra"]]
    pay = pay[pay["amount_cents"] >= 0]
    return pay.merge(primary, on=["claim_id", "payer_id"], how="inner")


def _reported(txns: pd.DataFrame, lines: pd.DataFrame) -> pd.DataFrame:
    """Per line, the allowed amount on the primary payer's latest payment for that line."""
    pay = _primary_payments(txns, lines)
    pay = pay[pay["allowed_amount_cents"].notna() & pay["line_no"].notna()]
    latest = pay.drop_duplicates(["claim_id", "line_no"], keep="last")
    return latest[["claim_id", "line_no", "allowed_amount_cents"]].rename(
        columns={"allowed_amount_cents": "reported_cents"}
    )


def _claim_level_fallback(
    out: pd.DataFrame, txns: pd.DataFrame, lines: pd.DataFrame
) -> pd.DataFrame:
    """Claims paid at claim level (blank line_no) with a reported allowed and no schedule."""
    pay = _primary_payments(txns, lines)
    pay = pay[pay["allowed_amount_cents"].notna() & pay["line_no"].isna()]
    if pay.empty:
        return out
    latest = pay.drop_duplicates("claim_id", keep="last").set_index("claim_id")
    claim_allowed = out["claim_id"].map(latest["allowed_amount_cents"]).astype("Int64")
    use = out["allowed_cents"].isna() & claim_allowed.notna()
    out.loc[use, "allowed_cents"] = claim_allowed[use]
    out.loc[use, "allowed_basis"] = "payer"
    return out
