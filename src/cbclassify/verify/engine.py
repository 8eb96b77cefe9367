"""``verify_credits``: run every rule for every credit and decide a verdict per credit."""

from __future__ import annotations

import pandas as pd

from cbclassify.contract.ledger import Ledger
from cbclassify.verify.accounts import patient_accounts, payer_accounts, uncoded_sequestration
from cbclassify.verify.allowed import governing_allowed
from cbclassify.verify.duplicates import find_duplicates
from cbclassify.verify.findings import allocate, patterns
from cbclassify.verify.parties import claim_frame, party_totals
from cbclassify.verify.prepare import Workset, build_workset, dollars
from cbclassify.verify.statements import component_statements
from cbclassify.verify.textops import join_by, unique_tokens
from cbclassify.verify.verdict import SOURCE_WORDS, decide, summarize_components, summarize_parties

RESULT_COLUMNS = [
    "claim_id",
    "credit_cents",
    "verification",
    "verified_source",
    "explained_cents",
    "evidence",
    "components",
    "statement",
    "disagreement",
    "review_reason",
    "predicted_source",
    "confirmed_rule",
    "confirmed_action",
    "confirmed_payer_id",
]


def verify_credits(
    ledger: Ledger,
    credits: pd.DataFrame,
    as_of: object = None,
    predicted: pd.Series | pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Verify every credit against the ledger, for every source.

    Args:
        ledger: the practice's ledger (memory frames).
        credits: ``cbclassify.balances.credit_balances(ledger, as_of)`` (claim_id, credit_cents).
        as_of: the date the credits are verified on (default: the ledger's latest posting).
        predicted: optional predicted source per claim_id (a Series indexed by claim_id, or a
            frame with claim_id and predicted_source columns).

    Returns:
        One row per credit: claim_id, credit_cents, verification, verified_source (NA unless
        confirmed), explained_cents, evidence (';'-joined txn_ids), components (list of dicts:
        source, rule, action, payer_id, amount_cents, txn_ids, statement), statement,
        disagreement, review_reason (NA when confirmed and agreeing), predicted_source,
        confirmed_rule / confirmed_action / confirmed_payer_id (what ``resolve`` acts on).
    """
    ws = build_workset(ledger, credits, as_of)
    if ws.credits.empty:
        return _empty_result()
    txns, groups = find_duplicates(ws.txns)
    txns["uncoded_seq"] = uncoded_sequestration(txns, ws.sequestering_payers)
    ws = Workset(**{**ws.__dict__, "txns": txns})
    accounts = payer_accounts(txns, ws.claims)
    allowed = governing_allowed(ws.lines, ws.fee_schedule, txns)
    patient = patient_accounts(txns, ws.credits["claim_id"])
    claims = claim_frame(ws, accounts, patient, allowed)
    parties = party_totals(claims, accounts)
    pats = patterns(groups, txns, parties)
    refunds = accounts.set_index(accounts["claim_id"] + "|" + accounts["payer_id"])["refund_cents"]
    comps, full = allocate(pats, parties, refunds)
    payer_names = ws.payers.set_index("payer_id")["payer_name"]
    comps["statement"] = component_statements(comps, claims, accounts, groups, payer_names)
    comps["txn_ids"] = _evidence_ids(comps, accounts, patient)
    outside = comps[comps["party"] == ""].groupby("claim_id")["amount_cents"].sum()
    verdict = decide(
        ws.credits,
        summarize_components(comps),
        summarize_parties(parties, full),
        outside,
        ws.plb_recoveries,
        predicted,
    )
    return _assemble(verdict, comps)


def _evidence_ids(comps: pd.DataFrame, accounts: pd.DataFrame, patient: pd.DataFrame) -> pd.Series:
    """Party remainders rest on the party's postings: the payer's or the patient's."""
    ids = comps["txn_ids"].fillna("").astype("string")
    by_payer = accounts.set_index(accounts["claim_id"] + "|" + accounts["payer_id"])["txn_ids"]
    payer_ids = (
        (comps["claim_id"] + "|" + comps["payer_id"].fillna("")).map(by_payer).astype("string")
    )
    pat_ids = (
        comps["claim_id"].map(patient.set_index("claim_id")["patient_txn_ids"]).astype("string")
    )
    is_patient = comps["party"] == "patient"
    fill = payer_ids.where(~is_patient, pat_ids).fillna("").astype("string")
    return ids.where(ids != "", fill)


def _assemble(verdict: pd.DataFrame, comps: pd.DataFrame) -> pd.DataFrame:
    ordered = comps.sort_values(
        ["claim_id", "amount_cents"], ascending=[True, False], kind="stable"
    )
    records = ordered[
        ["claim_id", "source", "rule", "action", "payer_id", "amount_cents", "txn_ids", "statement"]
    ]
    lists: dict[str, list[dict]] = {}
    for rec in records.to_dict("records"):
        claim = rec.pop("claim_id")
        rec = {k: (None if v is pd.NA else v) for k, v in rec.items()}
        rec["amount_cents"] = int(rec["amount_cents"])
        rec["txn_ids"] = [t for t in (rec["txn_ids"] or "").split(";") if t]
        lists.setdefault(claim, []).append(rec)
    out = verdict.copy()
    out["components"] = out["claim_id"].map(lambda c: lists.get(c, []))
    evidence = unique_tokens(join_by(ordered["claim_id"], ordered["txn_ids"]))
    out["evidence"] = out["claim_id"].map(evidence).astype("string").fillna("")
    texts = join_by(ordered["claim_id"], ordered["statement"], " ")
    short = verdict["short_words"].fillna("")
    tail = (
        " Shortfalls elsewhere on the claim ("
        + short
        + ") leave a credit of "
        + dollars(out["credit_cents"])
        + "."
    )
    tail = tail.where((short != "") & (out["verification"] == "confirmed"), "")
    out["statement"] = (
        _headline(out) + out["claim_id"].map(texts).astype("string").fillna("") + tail
    )
    out["statement"] = out["statement"].str.strip()
    return out[RESULT_COLUMNS].reset_index(drop=True)


def _headline(v: pd.DataFrame) -> pd.Series:
    credit = dollars(v["credit_cents"])
    source = v["verified_source"].map(SOURCE_WORDS).fillna("")
    head = pd.Series("", index=v.index, dtype="string")
    head = head.mask(
        v["verification"] == "confirmed", "Confirmed " + source + " of " + credit + ". "
    )
    head = head.mask(v["verification"] == "partial", "Partly explained credit of " + credit + ". ")
    head = head.mask(
        v["verification"] == "refuted", "Prediction refuted for the credit of " + credit + ". "
    )
    head = head.mask(
        v["verification"] == "inconclusive",
        "Credit of " + credit + " not verifiable from the ledger. ",
    )
    reason = v["review_reason"].fillna("")
    tail = (reason + ". ").where((reason != "") & (v["verification"] != "confirmed"), "")
    return head + tail


def _empty_result() -> pd.DataFrame:
    cols = {c: pd.Series([], dtype="string") for c in RESULT_COLUMNS}
    cols["credit_cents"] = pd.Series([], dtype="int64")
    cols["explained_cents"] = pd.Series([], dtype="Int64")
    cols["disagreement"] = pd.Series([], dtype=bool)
    cols["components"] = pd.Series([], dtype=object)
    return pd.DataFrame(cols)
