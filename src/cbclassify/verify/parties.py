"""The four rules as accounting: how much each party holds above what it is owed.

With G the governing allowed, PR the patient responsibility a payer assigned, S its
sequestration (CO-253) and C the charge, a claim settles when

* the primary payer kept ``G - PR1 - S1``           (payer overpayment above that),
* the secondary kept (or wrote off) ``PR1 - PR2 - S2`` (above that: it paid as primary),
* a payer the claim was not billed to kept nothing   (all of it: paid a claim not billed to it),
* contractual write-offs are ``C - G``               (allowance error above that),
* the patient paid (or had written off) the responsibility of the last payer that adjudicated
  (patient credit above that).

These expectations add up to C, so the parties' excesses plus the duplicates set aside add up
to the credit exactly whenever every party is known. A party is unknown when a fact it needs is
missing (no fee schedule and no payer-reported allowed; a manual posting without responsibility
rows); the rest of the claim can still be settled by the pattern rules (duplicates, a payer not
billed, responsibility written off as contractual, a patient paying twice). Where the allowed
amount is unknown, the primary payer and the write-offs together are still known (G cancels
out): ``net1 + PR1 + S1 + write-offs - C``; that excess cannot be split between payer
overpayment and allowance error, so its default source is None (``unsplit``).
"""

from __future__ import annotations

from cbclassify.verify.claim import CreditClaim, Row

_ROLE_FIELDS = (
    "net_cents",
    "pr_cents",
    "seq_cents",
    "writeoff_cents",
    "adjudicated",
    "pr_known",
    "payer_id",
)
_NO_PR_PRIMARY = "the primary payer's payment was posted manually without patient responsibility"
_NO_ALLOWED = "no fee schedule row and no payer-reported allowed amount"


def claim_row(claim: CreditClaim, accounts: list[Row], patient: Row, allowed: Row) -> Row:
    """The facts the party totals need: the claim's facts, its allowed amount, the patient's
    account and the primary (``p1_``) and secondary (``p2_``) payers' accounts."""
    c: Row = {
        "claim_id": claim.claim_id,
        "credit_amount_cents": claim.credit_amount_cents,
        **claim.facts,
        **allowed,
        **patient,
    }
    for role, prefix in (("primary", "p1_"), ("secondary", "p2_")):
        row = next((a for a in accounts if a["role"] == role), None)
        for name in _ROLE_FIELDS:
            value = None if row is None else row[name]
            if name in ("adjudicated", "pr_known"):
                value = bool(value)
            elif name != "payer_id":
                value = value or 0
            c[prefix + name] = value
    c["writeoff_cents"] = c["p1_writeoff_cents"]
    full = (
        c["allowed_cents"] is not None
        and c["p1_net_cents"] + c["p1_seq_cents"] == c["allowed_cents"]
    )
    c["p1_paid_in_full"] = c["p1_adjudicated"] and not c["p1_pr_known"] and full
    c["p1_above_full"] = above_full_allowed(c)
    c["p1_pr_known"] = c["p1_pr_known"] or c["p1_paid_in_full"] or c["p1_above_full"]
    c["p2_paid_in_full"] = secondary_paid_in_full(c)
    c["p2_pr_known"] = c["p2_pr_known"] or c["p2_paid_in_full"]
    c["self_pay"] = c["primary_payer_id"] is None
    c["has_secondary"] = c["secondary_payer_id"] is not None
    return c


def secondary_paid_in_full(c: Row) -> bool:
    """A secondary posted by hand without responsibility rows (a paper EOB, no OA-23 or PR
    codes) whose payments, write-offs and sequestration equal exactly the patient's share the
    primary left (known, above zero): it covered the whole share, so it left the patient
    nothing (its own responsibility is 0: whatever it assigned would have lowered what it
    paid)."""
    owed = c["p1_pr_cents"]
    return bool(
        c["secondary_payer_id"] is not None
        and c["p2_adjudicated"]
        and not c["p2_pr_known"]
        and c["p1_adjudicated"]
        and c["p1_pr_known"]
        and owed > 0
        and c["p2_net_cents"] + c["p2_writeoff_cents"] + c["p2_seq_cents"] == owed
    )


def above_full_allowed(c: Row) -> bool:
    """The primary posted no patient responsibility (a paper EOB keyed by hand) but kept more
    than the whole allowed amount (less sequestration), and the patient paid nothing and had
    nothing written off: whatever responsibility the payer meant, it holds at least
    ``net + S - G`` above what it owed (responsibility only lowers what it owed) and the
    patient holds nothing, so its excess is read with no responsibility (a responsibility the
    patient has not paid would only be a shortfall elsewhere). Not with a secondary that
    adjudicated (its share depends on the primary's responsibility)."""
    allowed = c["allowed_cents"]
    return bool(
        c["p1_adjudicated"]
        and not c["p1_pr_known"]
        and allowed is not None
        and c["p1_net_cents"] + c["p1_seq_cents"] > allowed
        and c["patient_net_cents"] == 0
        and c["patient_writeoff_cents"] == 0
        and not (c["secondary_payer_id"] is not None and c["p2_adjudicated"])
    )


def _party(
    c: Row,
    party: str,
    payer_id: str | None,
    role: str,
    total: int | None,
    source: str | None,
    rule: str,
    reason: str,
) -> Row:
    return {
        "claim_id": c["claim_id"],
        "party": party,
        "payer_id": payer_id,
        "role": role,
        "total_cents": total,
        "default_source": source,
        "default_rule": rule,
        "unknown_reason": reason,
    }


def party_rows(c: Row, accounts: list[Row]) -> list[Row]:
    """Every party of the claim with its excess (``total_cents``, None when unknown), its
    default source and rule, and the reason when unknown."""
    unsplit = not c["self_pay"] and c["allowed_cents"] is None and c["p1_adjudicated"]
    out = []
    if not unsplit and not c["self_pay"]:
        out.append(_primary(c))
    if c["has_secondary"]:
        out.append(_secondary(c))
    out.extend(_unbilled(c, a) for a in accounts if a["role"] == "not_billed")
    if not unsplit:
        out.append(_writeoffs(c))
    if unsplit:
        out.append(_unsplit(c))
    out.append(_patient(c))
    return out


def _primary(c: Row) -> Row:
    g = c["allowed_cents"]
    adjudicated = c["p1_adjudicated"]
    owed = (g or 0) - c["p1_pr_cents"] - c["p1_seq_cents"]
    excess = c["p1_net_cents"] - owed if adjudicated else c["p1_net_cents"]
    no_pr = adjudicated and not c["p1_pr_known"]
    no_allowed = adjudicated and g is None
    reason = _NO_PR_PRIMARY if no_pr else _NO_ALLOWED if no_allowed else ""
    payer = c["primary_payer_id"]
    return _party(
        c,
        f"payer:{payer}",
        payer,
        "primary",
        None if no_pr or no_allowed else excess,
        "payer_overpayment",
        "above_full_allowed" if c["p1_above_full"] else "above_allowed",
        reason,
    )


def _secondary(c: Row) -> Row:
    adjudicated = c["p2_adjudicated"]
    owed = c["p1_pr_cents"] - c["p2_pr_cents"] - c["p2_seq_cents"]
    held = c["p2_net_cents"] + c["p2_writeoff_cents"]
    excess = held - owed if adjudicated else held
    no_primary = adjudicated and not (c["p1_adjudicated"] and c["p1_pr_known"])
    no_pr = adjudicated and not c["p2_pr_known"]
    reason = (
        "the secondary payer paid but the primary's patient responsibility is not known"
        if no_primary
        else "the secondary payer's payment was posted manually without patient responsibility"
        if no_pr
        else ""
    )
    payer = c["secondary_payer_id"]
    return _party(
        c,
        f"payer:{payer}",
        payer,
        "secondary",
        None if no_primary or no_pr else excess,
        "payer_overpayment",
        "secondary_excess",
        reason,
    )


def _unbilled(c: Row, a: Row) -> Row:
    held = a["net_cents"] + a["writeoff_cents"] + a["seq_cents"]
    undeclared = a["n_oa23"] > 0
    reason = (
        "a payer paid as secondary (OA-23) but the claim names no such secondary payer"
        if undeclared
        else ""
    )
    return _party(
        c,
        f"payer:{a['payer_id']}",
        a["payer_id"],
        "not_billed",
        None if undeclared else held,
        "payer_overpayment",
        "not_billed",
        reason,
    )


def _writeoffs(c: Row) -> Row:
    g = c["allowed_cents"]
    pending = not c["self_pay"] and not c["p1_adjudicated"]
    expected = 0 if c["self_pay"] or pending else c["charge_amount_cents"] - (g or 0)
    excess = c["writeoff_cents"] - expected
    unknown_allowed = not c["self_pay"] and not pending and g is None
    unknown_pending = pending and c["writeoff_cents"] != 0
    reason = (
        _NO_ALLOWED
        if unknown_allowed
        else "write-offs were posted before the primary payer adjudicated"
        if unknown_pending
        else ""
    )
    return _party(
        c,
        "writeoffs",
        c["primary_payer_id"],
        "writeoffs",
        None if unknown_allowed or unknown_pending else excess,
        "allowance_error",
        "above_contract",
        reason,
    )


def patient_responsibility_row(c: Row) -> tuple[int, bool, str]:
    """(responsibility cents, known, reason-if-unknown): the last adjudicating payer's PR rows;
    a self-pay claim's patient owes the charge."""
    sec_done = c["has_secondary"] and c["p2_adjudicated"]
    prim_done = not c["self_pay"] and c["p1_adjudicated"]
    if c["self_pay"]:
        return c["charge_amount_cents"], True, ""
    if sec_done:
        resp, known = c["p2_pr_cents"], c["p2_pr_known"]
    elif prim_done:
        resp, known = c["p1_pr_cents"], c["p1_pr_known"]
    else:
        return 0, False, "the payer has not adjudicated the claim yet"
    reason = (
        ""
        if known
        else ("the payer's payment was posted manually without patient responsibility rows")
    )
    return resp, known, reason


def _patient(c: Row) -> Row:
    resp, known, reason = patient_responsibility_row(c)
    excess = c["patient_net_cents"] + c["patient_writeoff_cents"] - resp
    return _party(
        c,
        "patient",
        None,
        "patient",
        excess if known else None,
        "patient_credit",
        "above_responsibility",
        reason,
    )


def _unsplit(c: Row) -> Row:
    excess = (
        c["p1_net_cents"]
        + c["p1_pr_cents"]
        + c["p1_seq_cents"]
        + c["writeoff_cents"]
        - c["charge_amount_cents"]
    )
    payer = c["primary_payer_id"]
    return _party(
        c,
        f"payer_writeoffs:{payer}",
        payer,
        "primary_and_writeoffs",
        excess if c["p1_pr_known"] else None,
        None,
        "unsplit",
        "" if c["p1_pr_known"] else _NO_PR_PRIMARY,
    )
