"""Page view models: badges (source, confidence, verification, due date, state) and a claim's
ledger history as one readable timeline with a running balance.

The running balance applies the contract's balance rule with its own constants
(``BALANCE_REDUCING_KINDS``): charges raise the balance, payments, adjustments and transfers
lower it, refunds raise it, responsibility rows do not move it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from api.web.formatting import label, percent, usd
from cbclassify.contract.enums import BALANCE_REDUCING_KINDS
from cbclassify.contract.money import cents_or_none
from cbclassify.store.case_queries import OPEN_STATES

#: Short readings of the claim adjustment reason codes seen most in therapy billing.
CARC_TITLES = {
    "1": "Deductible",
    "2": "Coinsurance",
    "3": "Co-payment",
    "16": "Claim lacks information",
    "18": "Exact duplicate claim/service",
    "22": "May be covered by another payer (coordination of benefits)",
    "23": "Impact of prior payer adjudication",
    "29": "Time limit for filing expired",
    "45": "Charge exceeds fee schedule / contracted amount",
    "50": "Not medically necessary",
    "96": "Non-covered charge",
    "97": "Included in another service (bundled)",
    "204": "Service not covered by the benefit plan",
    "253": "Sequestration",
}


@dataclass(frozen=True)
class Badge:
    """A short status label: its words, a tone (CSS class) and a longer description."""

    text: str
    tone: str
    title: str = ""


_SOURCE_TONES = {
    "payer_overpayment": "src-payer",
    "duplicate_payment": "src-duplicate",
    "allowance_error": "src-allowance",
    "patient_credit": "src-patient",
}
_VERIFICATION_TONES = {
    "confirmed": ("ok", "✓"),
    "partial": ("caution", "◐"),
    "refuted": ("danger", "✕"),
    "inconclusive": ("muted", "?"),
}
_STATE_TONES = {
    "open": "neutral",
    "in_review": "info",
    "action_proposed": "warning",
    "approved": "ok",
    "done": "muted",
    "on_hold": "caution",
    "reopened": "info",
}


def source_badge(source: str | None) -> Badge:
    """The predicted (or verified) source."""
    if not source:
        return Badge("No prediction", "muted", "no model prediction stored for this credit")
    return Badge(label(source), _SOURCE_TONES.get(source, "neutral"))


def confidence_badge(confidence: float | None) -> Badge:
    """The model's probability of its predicted source, graded high / medium / low."""
    if confidence is None:
        return Badge("—", "muted", "no model prediction")
    if confidence >= 0.8:
        tone, word = "ok", "high"
    elif confidence >= 0.5:
        tone, word = "caution", "medium"
    else:
        tone, word = "danger", "low"
    return Badge(percent(confidence), tone, f"{word} confidence")


def verification_badge(verification: str | None) -> Badge:
    """What the ledger facts say about the credit."""
    if not verification:
        return Badge("Not verified", "muted", "no verification stored")
    tone, mark = _VERIFICATION_TONES.get(verification, ("muted", ""))
    return Badge(f"{mark} {label(verification)}".strip(), tone)


def state_badge(state: str) -> Badge:
    """Where the case stands in the workflow."""
    return Badge(label(state), _STATE_TONES.get(state, "neutral"))


def due_badge(due: date | None, state: str, today: date) -> Badge:
    """Overdue / due today / due within 7, 14, 30 days / later, for cases still open."""
    if state not in OPEN_STATES:
        return Badge("Closed", "muted", "no deadline for a closed case")
    if due is None:
        return Badge("No due date", "muted")
    days = (due - today).days
    when = due.strftime("%b %d, %Y")
    if days < 0:
        return Badge(f"Overdue {-days} d", "danger", f"was due {when}")
    if days == 0:
        return Badge("Due today", "danger", when)
    if days <= 7:
        return Badge(f"Due in {days} d", "warning", when)
    if days <= 14:
        return Badge(f"Due in {days} d", "caution", when)
    if days <= 30:
        return Badge(f"Due in {days} d", "info", when)
    return Badge(f"Due {due.strftime('%b %d')}", "neutral", when)


@dataclass(frozen=True)
class HistoryRow:
    """One line of a claim's history: a charge (claim line) or a posted transaction."""

    anchor: str
    day: str
    kind: str
    line_no: str
    party: str
    detail: str
    amount_cents: int | None
    effect_cents: int
    balance_cents: int
    carc: str
    carc_title: str
    trace_number: str
    era_id: str
    method: str
    posted_by: str
    evidence: bool


def _effect(kind: str, cents: int) -> int:
    if kind in BALANCE_REDUCING_KINDS:
        return -cents
    return cents if kind == "refund" else 0


_NO_POSTING = {
    "carc": "",
    "carc_title": "",
    "trace_number": "",
    "era_id": "",
    "method": "",
    "posted_by": "",
    "evidence": False,
}


def _charge_row(line: Mapping[str, Any]) -> tuple[str, int, dict[str, Any]]:
    """A claim line as a charge on its billed date."""
    cents = cents_or_none(line.get("charge_amount")) or 0
    line_no = str(line.get("line_no", ""))
    modifier = f"-{line['modifier']}" if line.get("modifier") else ""
    what = f"CPT {line.get('cpt', '')}{modifier} × {line.get('units') or '1'}"
    row = {
        **_NO_POSTING,
        "anchor": f"line-{line_no}",
        "kind": "charge",
        "line_no": line_no,
        "party": line.get("payer_id") or "",
        "amount_cents": cents,
        "effect_cents": cents,
        "detail": f"{what}, service {line.get('service_date', '')}",
    }
    return str(line.get("billed_date") or line.get("service_date") or ""), 0, row


def _txn_row(txn: Mapping[str, Any], evidence: set[str]) -> tuple[str, int, dict[str, Any]]:
    """A posted transaction on its posted date."""
    kind = str(txn.get("kind") or "")
    cents = cents_or_none(txn.get("amount")) or 0
    group, reason = txn.get("group_code") or "", txn.get("reason_code") or ""
    allowed = cents_or_none(txn.get("allowed_amount"))
    row = {
        "anchor": f"txn-{txn.get('txn_id', '')}",
        "kind": kind,
        "line_no": str(txn.get("line_no") or ""),
        "party": (txn.get("payer_id") or "") if txn.get("source") == "payer" else "Patient",
        "amount_cents": cents,
        "effect_cents": _effect(kind, cents),
        "detail": f"allowed {usd(allowed)}" if allowed is not None else "",
        "carc": f"{group}-{reason}" if group and reason else (group or reason),
        "carc_title": CARC_TITLES.get(reason, ""),
        "trace_number": txn.get("trace_number") or "",
        "era_id": txn.get("era_id") or "",
        "method": txn.get("method") or "",
        "posted_by": txn.get("posted_by") or "",
        "evidence": txn.get("txn_id") in evidence,
    }
    return str(txn.get("posted_date") or ""), 1, row


def history_rows(history: Mapping[str, Any] | None, evidence: Iterable[str]) -> list[HistoryRow]:
    """Charges and postings in date order (charges first on a day) with the running balance;
    rows whose txn_id is in ``evidence`` are flagged."""
    if not history:
        return []
    wanted = set(evidence)
    keyed = [_charge_row(line) for line in history.get("claim_lines", [])]
    keyed += [_txn_row(txn, wanted) for txn in history.get("transactions", [])]
    ordered = sorted(enumerate(keyed), key=lambda item: (item[1][0], item[1][1], item[0]))
    rows, balance = [], 0
    for _, (when, _, values) in ordered:
        balance += values["effect_cents"]
        rows.append(HistoryRow(day=when, balance_cents=balance, **values))
    return rows
