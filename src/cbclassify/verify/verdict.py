"""From findings to one verdict per credit: confirmed, partial, refuted or inconclusive.

* confirmed: the findings name one source and one action, and they account for the whole
  credit to the cent. Where every party is known, the accounting identity holds by
  construction and a known shortfall elsewhere (a patient who has not paid a copay yet) may
  absorb part of the finding; where a party is unknown, the findings must equal the credit
  exactly and nothing may be short.
* refuted: the predicted source's facts are absent although the data they need is present.
* partial: findings exist but cover part of the credit, several sources, or several actions.
* inconclusive: the data needed is missing (the reason says which).
A payer that already took its money back at remittance level (PLB WO) blocks a refund.
"""

from __future__ import annotations

from collections.abc import Iterable

from cbclassify.verify.claim import Row, usd

SHORT_WORDS = {
    "primary": "payer {payer} paid",
    "secondary": "secondary payer {payer} paid",
    "not_billed": "payer {payer}",
    "writeoffs": "write-offs",
    "primary_and_writeoffs": "payer {payer} payments and write-offs",
    "patient": "the patient's payments (responsibility not yet paid)",
}
SOURCE_WORDS = {
    "payer_overpayment": "payer overpayment",
    "duplicate_payment": "duplicate payment",
    "allowance_error": "allowance error",
    "patient_credit": "patient credit",
}

_PAYER_ROLES = ("primary", "secondary", "not_billed", "primary_and_writeoffs")
_RECOUPED = (
    "the payer already recovered this money at remittance level (PLB WO): "
    "post the recoupment instead of refunding"
)


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def summarize_components(comps: list[Row]) -> Row:
    """Positive total, distinct sources and actions, first finding's facts, words."""
    if not comps:
        return {
            "pos_cents": 0,
            "n_sources": 0,
            "n_actions": 0,
            "unattributed": False,
            "top_source": None,
            "top_rule": None,
            "top_payer": None,
            "top_action": None,
            "found_words": None,
            "sources": None,
        }
    src = [c["source"] if c["source"] is not None else "?" for c in comps]
    act = [
        f"{c['action'] if c['action'] is not None else '?'}|"
        f"{(c['payer_id'] or '') if c['action'] == 'payer_return' else ''}"
        for c in comps
    ]
    by_source: dict[str, int] = {}
    for s, c in zip(src, comps, strict=True):
        by_source[s] = by_source.get(s, 0) + c["amount_cents"]
    words = [f"{SOURCE_WORDS.get(s, 'unattributed')} {usd(v)}" for s, v in by_source.items()]
    return {
        "pos_cents": sum(c["amount_cents"] for c in comps),
        "n_sources": len(set(src)),
        "n_actions": len(set(act)),
        "unattributed": any(c["source"] is None or c["action"] is None for c in comps),
        "top_source": src[0],
        "top_rule": next((c["rule"] for c in comps if c["rule"] is not None), None),
        "top_payer": next((c["payer_id"] for c in comps if c["payer_id"] is not None), None),
        "top_action": next((c["action"] for c in comps if c["action"] is not None), None),
        "found_words": ", ".join(words),
        "sources": "|".join(by_source),
    }


def summarize_parties(parties: list[Row], full: dict[str, int | None]) -> Row:
    """Unknown parties with their reasons, known shortfalls, which kinds of party are known."""
    unknown_reasons, short_words = [], []
    short_cents = 0
    for p in parties:
        unknown = p["total_cents"] is None
        total = full.get(p["party"])
        short = total if not unknown and total is not None and total < 0 else 0
        short_cents += short
        if unknown and p["unknown_reason"] != "":
            unknown_reasons.append(p["unknown_reason"])
        if short < 0:
            template = SHORT_WORDS.get(p["role"], "postings")
            head, sep, tail = template.partition("{payer}")
            named = (
                head + (p["payer_id"] if p["payer_id"] is not None else "?") + tail
                if sep
                else template
            )
            short_words.append(f"{named} short by {usd(-short)}")
    payer_rows = [p for p in parties if p["role"] in _PAYER_ROLES]
    wo_rows = [p for p in parties if p["role"] in ("writeoffs", "primary_and_writeoffs")]
    patient = [p for p in parties if p["role"] == "patient"]
    return {
        "any_unknown": any(p["total_cents"] is None for p in parties),
        "short_cents": short_cents,
        "unknown_reasons": "; ".join(_unique(unknown_reasons)) or None,
        "short_words": "; ".join(short_words) or None,
        "payer_known": all(p["total_cents"] is not None for p in payer_rows),
        "writeoffs_known": all(p["total_cents"] is not None for p in wo_rows),
        "patient_known": patient[0]["total_cents"] is not None if patient else False,
    }


def decide(
    credit: int,
    cs: Row,
    ps: Row,
    recouped_keys: frozenset[tuple[str, str]],
    claim_id: str,
    pred: str | None,
    *,
    rivals: tuple[str, ...] = (),
    confirm_ledger_source: bool = False,
) -> Row:
    """The verdict of one credit from its components' and parties' summaries (see module
    docstring); ``recouped_keys``: (claim, payer) pairs the payer recovered by PLB WO.
    ``rivals``: other sources that explain the same amount equally (never confirmed: the
    verdict is inconclusive, naming every candidate). When the ledger proves a source other
    than ``pred``, the verdict is refuted with the ledger's source (``ledger_source``,
    ``ledger_amount_cents``) and no action, unless ``confirm_ledger_source`` (the policy switch
    ``verification.confirm_ledger_source``) confirms the ledger's source instead."""
    pos, short = cs["pos_cents"], ps["short_cents"]
    all_known = not ps["any_unknown"]
    adds_up = pos + short == credit
    single = cs["n_sources"] == 1 and cs["n_actions"] == 1 and not cs["unattributed"]
    covered = pos >= credit
    confirm = single and ((adds_up and covered) if all_known else (pos == credit and short == 0))
    recouped = bool(recouped_keys) and (
        (claim_id, cs["top_payer"] or "") in recouped_keys and cs["top_action"] == "payer_return"
    )
    confirm = confirm and not recouped
    proven = cs["top_source"] if confirm else None
    candidates = (str(proven), *rivals) if confirm and rivals else ()
    confirm = confirm and not candidates
    overruled = confirm and pred is not None and pred != proven and not confirm_ledger_source
    confirm = confirm and not overruled
    sources = (cs["sources"] or "").split("|")
    found = (pred if pred is not None else "-") in sources or (
        "?" in sources and pred in ("payer_overpayment", "allowance_error")
    )
    checkable = {
        "payer_overpayment": ps["payer_known"],
        "allowance_error": ps["writeoffs_known"],
        "patient_credit": ps["patient_known"],
    }.get(pred or "", True)
    refuted = overruled or (
        not confirm and not candidates and pred is not None and not found and checkable
    )
    partial = not confirm and not refuted and not candidates and pos > 0
    status = (
        "confirmed"
        if confirm
        else "refuted"
        if refuted
        else "partial"
        if partial
        else "inconclusive"
    )
    verified = cs["top_source"] if confirm else None
    v = {
        **cs,
        **ps,
        "credit_amount_cents": credit,
        "verification": status,
        "verified_source": verified,
        "explained_amount_cents": credit if confirm else min(pos, credit),
        "predicted_source": pred,
        "disagreement": confirm and pred is not None and pred != verified,
        "confirmed_rule": cs["top_rule"] if confirm else None,
        "confirmed_payer_id": cs["top_payer"] if confirm else None,
        "confirmed_action": cs["top_action"] if confirm else None,
        "ledger_source": proven if overruled else None,
        "ledger_amount_cents": credit if overruled else None,
        "candidates": "|".join(candidates) if candidates else None,
    }
    v["review_reason"] = _reason(v, all_known, adds_up, single, recouped)
    return v


def _reason(v: Row, all_known: bool, adds_up: bool, single: bool, recouped: bool) -> str | None:
    status = v["verification"]
    found = v["found_words"] or ""
    unknown = v["unknown_reasons"] or ""
    credit = usd(v["credit_amount_cents"])
    reason = ""
    if status == "partial":
        reason = f"facts found: {found} for a credit of {credit}"
        if v["n_sources"] > 1:
            reason = f"several sources: {found}"
        if v["n_sources"] == 1 and v["n_actions"] > 1:
            reason = f"one source needs several actions: {found}"
        if v["pos_cents"] > v["credit_amount_cents"] and v["short_cents"] < 0:
            reason = (
                f"facts found: {found}; shortfalls elsewhere on the claim "
                f"{usd(-v['short_cents'])} leave a credit of {credit}"
            )
    if status == "refuted":
        reason = f"no {SOURCE_WORDS.get(v['predicted_source'], '')} facts in the ledger" + (
            f"; found {found}" if found != "" else ""
        )
    if status == "inconclusive":
        reason = f"data missing: {unknown}" if unknown != "" else "no rule accounts for the credit"
    if all_known and not adds_up and status != "confirmed":
        reason = "the postings do not add up to the credit; review the ledger"
    if status == "partial" and unknown != "":
        reason = f"{reason}; data missing: {unknown}"
    if recouped and single:
        reason = _RECOUPED
    if v["ledger_source"] is not None:
        reason = (
            f"model predicted {SOURCE_WORDS.get(v['predicted_source'], '')}; the ledger "
            f"proves {SOURCE_WORDS.get(v['ledger_source'], '')} of {credit} instead "
            f"({v['top_rule']}): no action until a biller decides"
        )
    if v["candidates"] is not None:
        words = " and ".join(SOURCE_WORDS.get(c, c) for c in v["candidates"].split("|"))
        reason = f"the ledger explains {credit} equally as {words}: a biller decides"
    if v["disagreement"]:
        reason = (
            f"model predicted {SOURCE_WORDS.get(v['predicted_source'], '')}; the ledger "
            f"confirms {SOURCE_WORDS.get(v['verified_source'], '')}"
        )
    return reason or None


def assemble(v: Row, comps: list[Row]) -> Row:
    """Components (largest first), evidence (their txn_ids, first seen first) and the
    statement: a headline, the components' sentences, and the shortfalls a confirmed credit
    absorbed."""
    ordered = sorted(comps, key=lambda c: -c["amount_cents"])
    components = []
    for c in ordered:
        components.append(
            {
                "source": c["source"],
                "rule": c["rule"],
                "action": c["action"],
                "payer_id": c["payer_id"],
                "amount_cents": int(c["amount_cents"]),
                "txn_ids": [t for t in (c["txn_ids"] or "").split(";") if t],
                "statement": c["statement"],
            }
        )
    tokens = ";".join(c["txn_ids"] for c in ordered if c["txn_ids"] is not None).split(";")
    evidence = ";".join(_unique(t for t in tokens if t != ""))
    texts = " ".join(c["statement"] for c in ordered if c["statement"] is not None)
    short = v["short_words"] or ""
    tail = ""
    if short != "" and v["verification"] == "confirmed":
        tail = (
            f" Shortfalls elsewhere on the claim ({short}) leave a credit of "
            f"{usd(v['credit_amount_cents'])}."
        )
    return {
        "components": components,
        "evidence": evidence,
        "statement": (_headline(v) + texts + tail).strip(),
    }


def _headline(v: Row) -> str:
    credit = usd(v["credit_amount_cents"])
    status = v["verification"]
    head = {
        "confirmed": f"Confirmed {SOURCE_WORDS.get(v['verified_source'], '')} of {credit}. ",
        "partial": f"Partly explained credit of {credit}. ",
        "refuted": f"Prediction refuted for the credit of {credit}. ",
        "inconclusive": f"Credit of {credit} not verifiable from the ledger. ",
    }[status]
    reason = v["review_reason"] or ""
    return head + (f"{reason}. " if reason != "" and status != "confirmed" else "")
