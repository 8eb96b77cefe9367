"""How values read on the pages: money as $1,234.56, dates, percentages, and words for the
codes of the contract and the workflow (sources, actions, states, verification, audit actions)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from cbclassify.contract.money import cents_or_none, dollars

SOURCE_LABELS = {
    "payer_overpayment": "Payer overpayment",
    "duplicate_payment": "Duplicate payment",
    "allowance_error": "Allowance error",
    "patient_credit": "Patient credit",
}
ACTION_LABELS = {
    "refund_payer": "Refund the payer",
    "payer_offset": "Payer offset (recoupment)",
    "reverse_posting": "Reverse the duplicate posting",
    "correct_adjustment": "Correct the adjustment",
    "refund_patient": "Refund the patient",
    "apply_to_balance": "Apply to the patient's other balance",
}
STATE_LABELS = {
    "open": "Open",
    "in_review": "In review",
    "action_proposed": "Action proposed",
    "approved": "Approved",
    "done": "Done",
    "on_hold": "On hold",
    "reopened": "Reopened",
}
VERIFICATION_LABELS = {
    "confirmed": "Confirmed",
    "partial": "Partly explained",
    "refuted": "Refuted",
    "inconclusive": "Inconclusive",
}
HOLD_LABELS = {
    "payer_decision": "Waiting for the payer's decision",
    "investigation": "Good-faith investigation (clock suspended)",
    "other": "Other",
}
COMMAND_LABELS = {
    "start_review": "Started review",
    "propose": "Proposed an action",
    "withdraw": "Withdrew the proposal",
    "approve": "Approved",
    "reject": "Rejected",
    "hold": "Put on hold",
    "release": "Released the hold",
    "complete": "Marked done",
    "reopen": "Reopened",
}
AUDIT_LABELS = {
    **{f"case.{k}": v for k, v in COMMAND_LABELS.items()},
    "case.override": "Overrode the recommendation",
    "case.read": "Viewed case details",
    "case.assign": "Assigned the case",
    "auth.login": "Signed in",
    "auth.login_failed": "Failed sign-in",
    "auth.logout": "Signed out",
    "batch.ingest": "Ingested a ledger",
    "export.audit": "Exported the audit trail",
    "export.resolutions": "Exported resolutions",
    "document.refund_letter": "Prepared a refund letter",
    "document.patient_refund_form": "Prepared a patient refund request",
    "user.create": "Added a user",
    "user.update": "Changed a user",
    "user.deactivate": "Deactivated a user",
    "user.password_reset": "Reset a password",
    "user.revoke_credentials": "Revoked a user's sessions and tokens",
    "token.revoke": "Revoked an API token",
    "export.worklist": "Exported the worklist",
}
ROLE_LABELS = {
    "biller": "biller",
    "manager": "manager",
    "data_scientist": "data scientist",
    "auditor": "auditor",
    "admin": "administrator",
}
_ALL_LABELS = {
    **SOURCE_LABELS,
    **ACTION_LABELS,
    **STATE_LABELS,
    **VERIFICATION_LABELS,
    **HOLD_LABELS,
}


def label(code: object) -> str:
    """Words for a code (``payer_overpayment`` -> ``Payer overpayment``); blank -> an em dash."""
    if code is None or code == "":
        return "—"
    text = str(code)
    return _ALL_LABELS.get(text) or text.replace("_", " ").capitalize()


def audit_label(action: str) -> str:
    """Words for an audit action (``case.approve`` -> ``Approved``)."""
    return AUDIT_LABELS.get(action) or action.replace(".", ": ").replace("_", " ")


def usd(cents: int | None) -> str:
    """``contract.money.dollars`` as the pages show it: ``-3000`` -> ``−$30.00`` (a true minus
    sign), blank -> an em dash."""
    text = dollars(cents)
    if not text:
        return "—"
    return "\u2212" + text[1:] if text.startswith("-") else text


def usd_text(text: object) -> str:
    """Contract money text as dollars (``"-30.00"`` -> ``−$30.00``)."""
    cents = cents_or_none(text)
    return usd(cents) if cents is not None else "—"


def day(value: date | datetime | str | None) -> str:
    """A date as ``Jul 29, 2026`` (ISO text accepted); blank -> an em dash."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10]).strftime("%b %d, %Y")
        except ValueError:
            return value
    return value.strftime("%b %d, %Y")


def moment(value: datetime | str | None) -> str:
    """A UTC timestamp as ``2026-11-28 14:05:09 UTC``."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M:%S UTC")
        except ValueError:
            return value
    return value.strftime("%Y-%m-%d %H:%M:%S UTC")


def local_moment(value: datetime | str | None, zone: str) -> str:
    """A UTC timestamp in the local time zone ``zone`` (IANA name) as
    ``2026-11-28 09:05:09 EST``; blank or unreadable -> an em dash."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return "—"
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M:%S %Z")


def percent(value: float | None) -> str:
    """A probability as a whole percentage (``0.923`` -> ``92%``)."""
    return "—" if value is None else f"{round(value * 100)}%"
