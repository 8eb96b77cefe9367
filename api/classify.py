"""Classify-on-demand: request rows -> a validated in-memory ledger -> score_ledger."""

from __future__ import annotations

import logging
from typing import Any

import pandas as pd

from api.errors import ApiError
from api.schemas_classify import ClaimBalance, ClassifiedCredit, ClassifyIn, ClassifyOut
from cbclassify.balances import resolve_as_of
from cbclassify.bundles import PatientGroups, billed_claim_bundles
from cbclassify.contract.enums import CREDIT_SOURCES
from cbclassify.contract.errors import LedgerValidationError
from cbclassify.contract.ledger import Ledger
from cbclassify.contract.money import format_cents
from cbclassify.contract.schema import TABLES
from cbclassify.contract.validate_issues import FIRST_DATA_LINE
from cbclassify.contract.validate_rows import ledger_from_rows
from cbclassify.resolve.policy import Policy
from cbclassify.scoring import score_groups
from cbclassify.service.champion import LoadedModel

log = logging.getLogger("cbclassify.api")


def request_tables(body: ClassifyIn) -> dict[str, list[dict[str, Any]]]:
    """The request's rows per contract table (typed values, contract column names); optional
    tables without rows are left out, as a ledger folder without their files."""
    tables: dict[str, list[dict[str, Any]]] = {}
    for name, table in TABLES.items():
        rows = getattr(body, name, None)
        if name == "resolutions" or (not rows and not table.required):
            continue
        tables[name] = [vars(r) for r in rows or []]  # a row model's fields by name
    return tables


def request_ledger(body: ClassifyIn) -> Ledger:
    """The validated ledger of the request (``ledger_from_rows``: the rules and messages of a
    ledger file); a problem answers 422 naming the request field (``transactions[2].amount``)."""
    try:
        return ledger_from_rows(request_tables(body))
    except LedgerValidationError as err:
        issues = _field_issues(err)
        first = issues[0]
        message = f"{first['field']}: {first['message']}"
        raise ApiError(422, "invalid_ledger", message, field=first["field"], issues=issues) from err


def _field_issues(err: LedgerValidationError) -> list[dict[str, Any]]:
    """Validation issues named by request field: ``transactions[2].amount``."""
    out = []
    for issue in err.issues[:200]:
        where = issue.file
        if issue.row is not None:
            where += f"[{issue.row - FIRST_DATA_LINE}]"
        if issue.column:
            where += f".{issue.column}"
        out.append({"field": where, "message": issue.message})
    return out


def classify(body: ClassifyIn, model: LoadedModel, policy: Policy | None = None) -> ClassifyOut:
    """Balances of the claims sent, and every credit classified, verified and explained."""
    ledger = request_ledger(body)
    when = resolve_as_of(ledger, body.as_of)
    context, claims = billed_claim_bundles(ledger, when.date())
    credits = [b for b in claims if b.credit_amount_cents > 0]
    groups = PatientGroups.of_bundles(ledger, context, credits)
    return ClassifyOut(
        as_of=when.date(),
        model_version=f"{model.ref.name} v{model.ref.version}",
        balances=[
            ClaimBalance(
                claim_id=b.claim_id,
                balance=format_cents(b.balance_cents),
                credit=b.balance_cents <= -1,
            )
            for b in claims
        ],
        credits=[_credit(r) for r in score_groups(groups, model.predictor, policy)],
    )


def warm_up(model: LoadedModel) -> None:
    """Build what the first request would otherwise build: the model's SHAP explainer tables
    and the shipped resolution policy (both cached for the model's life)."""
    from cbclassify.explain.reasons import explainer_for
    from cbclassify.resolve import default_policy

    default_policy()
    try:
        explainer_for(model.predictor, class_names=CREDIT_SOURCES)
    except Exception as err:  # noqa: BLE001 - warming must never stop the model from serving
        log.info("no explainer to warm up: %s", type(err).__name__)


def _blank(value: Any) -> bool:
    return value is None or (not isinstance(value, list | dict) and bool(pd.isna(value)))


def _credit(row: dict[str, Any]) -> ClassifiedCredit:
    def text(name: str) -> str | None:
        return None if _blank(row.get(name)) else str(row[name])

    return ClassifiedCredit(
        claim_id=str(row["claim_id"]),
        credit_amount=format_cents(row["credit_amount_cents"]),
        predicted_source=str(row["predicted_source"]),
        confidence=float(row["confidence"]),
        probabilities={s: float(row[f"p_{s}"]) for s in CREDIT_SOURCES},
        verification=text("verification"),
        verified_source=text("verified_source"),
        explained_amount=(
            None
            if _blank(row.get("explained_amount_cents"))
            else format_cents(int(row["explained_amount_cents"]))
        ),
        evidence=[e for e in (text("evidence") or "").split(";") if e],
        recommended_action=text("recommended_action"),
        due_date=None if _blank(row.get("due_date")) else pd.Timestamp(row["due_date"]).date(),
        explanation=[e for e in (text("top_reasons") or "").split(";") if e],
    )
