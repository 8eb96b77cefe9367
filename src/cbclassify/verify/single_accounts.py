"""What each party holds on one claim, and its excess, over plain rows.

The same accounting as ``verify.accounts`` (payer and patient accounts), ``verify.allowed``
(governing allowed amount) and ``verify.parties`` (claim facts and party totals); read those
modules for the rules. Tested equal to them in tests/verify/test_single.py.
"""

from __future__ import annotations

from cbclassify.verify.accounts import PR_NAMES
from cbclassify.verify.prepare import PRIOR_PAYER_CARC, SEQUESTRATION_CARC
from cbclassify.verify.single_rows import ClaimRows, Row

_ZERO_FIELDS = ("paid_cents", "moved_cents", "refund_cents", "pr_cents", "seq_cents",
                "writeoff_cents", "n_pay", "n_era_pay", "n_pr", "n_oa23", "n_negative",
                *(f"pr_{n}_cents" for n in PR_NAMES.values()))  # fmt: skip


def _new_account(claim_id: str, payer_id: str) -> Row:
    account: Row = {"claim_id": claim_id, "payer_id": payer_id, **dict.fromkeys(_ZERO_FIELDS, 0)}
    account.update(last_pay_date=None, first_pay_date=None, txn_ids="")
    return account


def payer_accounts_rows(claim: ClaimRows) -> list[Row]:
    """One account per payer that posted anything or was billed (``payer_accounts``)."""
    accounts: dict[str, Row] = {}
    ids: dict[str, list[str]] = {}
    for t in claim.txns:
        if t["extra"] or t["source"] != "payer":
            continue
        a = accounts.get(t["payer_key"]) or accounts.setdefault(
            t["payer_key"], _new_account(claim.claim_id, t["payer_key"])
        )
        ids.setdefault(t["payer_key"], []).append(t["txn_id"])
        _post(a, t)
    out = list(accounts.values())
    for account in out:
        account["txn_ids"] = ";".join(ids[account["payer_id"]])
    facts = claim.facts
    for billed in (facts["primary_payer_id"], facts["secondary_payer_id"]):
        if billed is not None and billed not in accounts:
            out.append(_new_account(claim.claim_id, billed))
    for a in out:
        a["net_cents"] = a["paid_cents"] + a["moved_cents"] - a["refund_cents"]
        a["adjudicated"] = a["n_pay"] > 0
        a["pr_known"] = a["n_era_pay"] > 0 or a["n_pr"] > 0
        a["role"] = (
            "primary" if a["payer_id"] == facts["primary_payer_id"]
            else "secondary" if a["payer_id"] == facts["secondary_payer_id"]
            else "not_billed"
        )  # fmt: skip
    return out


def _post(a: Row, t: Row) -> None:
    kind, amount, reason = t["kind"], t["amount_cents"], t["reason_code"] or ""
    is_pay = kind == "payment"
    is_seq = kind == "adjustment" and (reason == SEQUESTRATION_CARC or t["uncoded_seq"])
    if is_pay:
        a["paid_cents"] += amount
        a["n_pay"] += 1
        a["n_era_pay"] += t["era_id"] is not None
        a["n_oa23"] += reason == PRIOR_PAYER_CARC
        a["n_negative"] += amount < 0
        day = t["posted_date"]
        a["last_pay_date"] = day if a["last_pay_date"] is None else max(a["last_pay_date"], day)
        a["first_pay_date"] = day if a["first_pay_date"] is None else min(a["first_pay_date"], day)
    elif kind == "transfer":
        a["moved_cents"] += amount
    elif kind == "refund":
        a["refund_cents"] += amount
    elif kind == "responsibility":
        a["pr_cents"] += amount
        a["n_pr"] += 1
        if reason in PR_NAMES:
            a[f"pr_{PR_NAMES[reason]}_cents"] += amount
    elif is_seq:
        a["seq_cents"] += amount
    elif kind == "adjustment":
        a["writeoff_cents"] += amount


def patient_account_row(claim: ClaimRows) -> Row:
    """The patient's net payments, write-offs, evidence and last activity (``patient_accounts``)."""
    out: Row = {"patient_paid_cents": 0, "patient_moved_cents": 0, "patient_refund_cents": 0,
                "patient_writeoff_cents": 0, "last_patient_date": None}  # fmt: skip
    names = {"payment": "patient_paid_cents", "transfer": "patient_moved_cents",
             "refund": "patient_refund_cents", "adjustment": "patient_writeoff_cents"}  # fmt: skip
    ids = []
    for t in claim.txns:
        if t["extra"] or t["source"] != "patient":
            continue
        if t["kind"] in names:
            out[names[t["kind"]]] += t["amount_cents"]
        last = out["last_patient_date"]
        out["last_patient_date"] = t["posted_date"] if last is None else max(last, t["posted_date"])
        ids.append(t["txn_id"])
    out["patient_net_cents"] = (
        out["patient_paid_cents"] + out["patient_moved_cents"] - out["patient_refund_cents"]
    )
    out["patient_txn_ids"] = ";".join(ids)
    return out


def governing_allowed_row(claim: ClaimRows, fee_schedule: list[Row], fee_empty: bool) -> Row:
    """allowed_cents, allowed_basis, contracted_cents of the claim (``governing_allowed``)."""
    primary = claim.lines[0]["payer_id"]  # the claim's first line in ledger order
    pays = [t for t in claim.txns
            if t["kind"] == "payment" and t["source"] == "payer" and not t["extra"]
            and t["amount_cents"] >= 0 and t["payer_id"] == primary
            and t["allowed_amount_cents"] is not None]  # fmt: skip
    reported: dict[int, int] = {
        t["line_no"]: t["allowed_amount_cents"] for t in pays if t["line_no"] is not None
    }  # fmt: skip  (latest wins)
    allowed, basis, capped = [], [], []
    for line in claim.lines:
        charge = int(line["charge_amount_cents"])
        contract = None if fee_empty else _contracted(line, fee_schedule)
        rep = reported.get(line["line_no"])
        if rep == 0:
            contract = 0
        cap = contract if contract is None or contract <= charge else charge
        value = cap if cap is not None else rep
        allowed.append(value)
        capped.append(cap)
        basis.append(None if value is None else ("contract" if cap is not None else "payer"))
    known = all(v is not None for v in allowed)
    kinds = {b for b in basis if b is not None}
    first_basis = next((b for b in basis if b is not None), None)
    out: Row = {
        "allowed_cents": sum(allowed) if known else None,
        "allowed_basis": (first_basis if len(kinds) == 1 else "mixed") if known else None,
        "contracted_cents": sum(capped) if all(c is not None for c in capped) else None,
    }
    claim_level = [t for t in pays if t["line_no"] is None]
    if out["allowed_cents"] is None and claim_level:
        out["allowed_cents"] = claim_level[-1]["allowed_amount_cents"]
        out["allowed_basis"] = "payer"
    return out


def _contracted(line: Row, fee_schedule: list[Row]) -> int | None:
    """The schedule's allowed per unit x units of the best row in force (exact modifier first,
    then the latest effective date)."""
    best = None
    for f in fee_schedule:
        if f["payer_id"] != line["payer_id"] or f["cpt"] != line["cpt"]:
            continue
        day = line["service_date"]
        if not (
            f["effective_from"] <= day and (f["effective_to"] is None or day <= f["effective_to"])
        ):
            continue
        exact = f["modifier"] is not None and f["modifier"] == line["modifier"]
        if f["modifier"] is not None and not exact:
            continue
        rank = (exact, f["effective_from"])
        if best is None or rank > best[0]:
            best = (rank, f)
    return None if best is None else int(best[1]["allowed_per_unit_cents"]) * int(line["units"])
