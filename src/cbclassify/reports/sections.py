"""The report's sections, each built from already-computed inputs and never empty: a section
whose input is missing says so and what would fill it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cbclassify.contract.money import dollars
from cbclassify.explain import Explanation, global_importance, reasons_in_words, typical_rows
from cbclassify.explain.templates import words
from cbclassify.reports import figures as F
from cbclassify.reports import tables as T


@dataclass
class Table:
    """A small table: caption, header and already-formatted cells."""

    caption: str
    columns: list[str]
    rows: list[list[str]]


@dataclass
class Section:
    """One section: a lead sentence (always), then figures, tables and bullet points."""

    id: str
    title: str
    lead: str
    figures: list[tuple[str, str]] = field(default_factory=list)  # (data URI, alt text)
    tables: list[Table] = field(default_factory=list)
    items: list[str] = field(default_factory=list)


def _rows(frame: pd.DataFrame, formats: dict[str, Any]) -> list[list[str]]:
    return [
        [formats.get(c, str)(v) for c, v in zip(frame.columns, row)]
        for row in frame.itertuples(index=False)
    ]


def _pct(v: float) -> str:
    return f"{v:.0%}"


def overview(credits: pd.DataFrame, as_of: pd.Timestamp) -> Section:
    day = as_of.strftime("%Y-%m-%d")
    if credits.empty:
        return Section(
            "overview",
            "Open credit balances",
            f"No open credit balances as of {day}: nothing to refund, apply or correct.",
        )
    table = T.by_source(credits)
    verified = int((credits["basis"] == "verified").sum())
    lead = (
        f"{len(credits)} open credit balances totalling {dollars(int(credits['credit_amount_cents'].sum()))} as of {day}; "
        f"{verified} of them verified to the cent against the ledger."
    )
    shown = table.reset_index()
    shown["source"] = shown["source"].map(F.label)
    rows = _rows(
        shown, {"amount_cents": dollars, "share": _pct, "median_age_days": lambda v: f"{v:.0f}"}
    )
    prevent = T.preventable_table(credits).reset_index()
    section = Section(
        "overview",
        "Open credit balances",
        lead,
        [(F.to_data_uri(F.sources_figure(table)), "Open credit dollars by source")],
    )
    section.tables.append(
        Table(
            "By source (verified source where confirmed, else predicted)",
            ["source", "credits", "amount", "share of amount", "verified", "median age (days)"],
            rows,
        )
    )
    section.tables.append(
        Table(
            "Preventable or not (from the recommended action)",
            ["kind", "credits", "amount"],
            _rows(prevent, {"amount_cents": dollars}),
        )
    )
    return section


def age(credits: pd.DataFrame) -> Section:
    if credits.empty:
        return Section("age", "Age of open credits", "No open credit balances, so none is ageing.")
    table = T.age_table(credits)
    old = int(credits["age_days"].gt(60).sum())
    lead = f"{old} of {len(credits)} open credits have been in credit for more than 60 days (the Medicare/Medicaid refund window)."
    shown = table.rename(columns=F.label).reset_index().rename(columns={"age_days": "age"})
    return Section(
        "age",
        "Age of open credits",
        lead,
        [(F.to_data_uri(F.age_figure(table)), "Open credits by age bucket")],
        [
            Table(
                "Open credits by age and source",
                ["age", *map(str, shown.columns[1:])],
                _rows(shown, {}),
            )
        ],
    )


def compliance(credits: pd.DataFrame, as_of: pd.Timestamp, scored: bool) -> Section:
    title = "Compliance: overdue and due soon"
    if credits.empty:
        return Section(
            "compliance", title, "No open credit balances: no refund or correction is due."
        )
    if not scored or credits["due_date"].isna().all():
        return Section(
            "compliance",
            title,
            "No open credit has a due date yet: due dates come with verification "
            "(run `cbclassify score`); until then treat every government-payer credit as due 60 days after identification.",
        )
    due = T.due_table(credits, as_of)
    urgent = T.urgent_items(credits, as_of)
    lead = (
        f"{int(due['credits']['overdue'])} credits ({dollars(int(due['amount_cents']['overdue']))}) are overdue and "
        f"{int(due.loc[['due_7', 'due_14'], 'credits'].sum())} more are due within 14 days."
    )
    section = Section(
        "compliance",
        title,
        lead,
        [(F.to_data_uri(F.due_figure(due)), "Open credits by due-date bucket")],
    )
    section.tables.append(
        Table(
            "Due-date buckets",
            ["bucket", "credits", "amount"],
            _rows(due[["label", "credits", "amount_cents"]], {"amount_cents": dollars}),
        )
    )
    if len(urgent):
        items = urgent[
            [
                "claim_id",
                "payer_name",
                "source",
                "recommended_action",
                "credit_amount_cents",
                "due_date",
                "days_left",
            ]
        ]
        section.tables.append(
            Table(
                "Overdue and due within 14 days (soonest first)",
                ["claim", "payer", "source", "action", "amount", "due", "days left"],
                _rows(
                    items,
                    {
                        "credit_amount_cents": dollars,
                        "source": F.label,
                        "recommended_action": lambda v: (
                            "" if pd.isna(v) else str(v).replace("_", " ")
                        ),
                        "due_date": lambda v: v.strftime("%Y-%m-%d"),
                        "days_left": lambda v: f"{int(v)}",
                    },
                ),
            )
        )
    return section


def _evidence(ids: str, shown: int = 6) -> str:
    claims = [c for c in str(ids).split(";") if c]
    more = f" (+{len(claims) - shown} more)" if len(claims) > shown else ""
    return ", ".join(claims[:shown]) + more


def _rate_table(dimension: str, table: pd.DataFrame, top: int = 10) -> Table:
    """Credits per 1,000 claims by source for the ``top`` values with most credits."""
    shown = table.head(top)
    columns = [
        "claims",
        *[f"{s}_per_1000" for s in T.SOURCE_ORDER if f"{s}_per_1000" in shown.columns],
    ]
    rows = [
        [
            str(value),
            *[
                f"{shown.loc[value, c]:,.1f}" if c != "claims" else f"{int(shown.loc[value, c]):,}"
                for c in columns
            ],
        ]
        for value in shown.index
    ]
    header = [
        dimension.replace("_", " "),
        "claims",
        *[F.label(c[: -len("_per_1000")]) for c in columns[1:]],
    ]
    return Table(
        f"Credits per 1,000 claims by {dimension.replace('_', ' ')} (most credits first)",
        header,
        rows,
    )


def root_causes(
    found: pd.DataFrame | None, analysed: int, rates: dict[str, pd.DataFrame] | None = None
) -> Section:
    title = "Root causes: where credits recur"
    if found is None or analysed == 0:
        return Section(
            "root-causes",
            title,
            "No credits to analyse yet: findings appear once credits are verified, predicted or resolved.",
        )
    tables = [_rate_table(d, t) for d, t in (rates or {}).items() if len(t)]
    if found.empty:
        return Section(
            "root-causes",
            title,
            f"No pattern stands out among {analysed} credits: no group of at least 3 credits "
            "has 1.5 times the practice's rate of its source.",
            tables=tables,
        )
    lead = (
        f"From {analysed} verified, predicted and resolved credits, the groups where a source recurs most above the "
        "practice's rate (ranked by how surprising the excess is; see docs/explanations.md)."
    )
    section = Section(
        "root-causes",
        title,
        lead,
        [(F.to_data_uri(F.findings_figure(found)), "Top findings: rate in the group vs elsewhere")],
    )
    shown = found[["rank", "finding", "credits", "evidence_claims"]]
    section.tables.append(
        Table(
            "Findings and the claims behind them",
            ["#", "finding", "credits", "evidence claims"],
            _rows(shown, {"evidence_claims": _evidence}),
        )
    )
    section.tables.extend(tables)
    return section


def importance(explanation: Explanation | None) -> Section:
    title = "What the model relies on"
    if explanation is None or len(explanation) == 0:
        return Section(
            "importance",
            title,
            "No explanations yet: train a model (`cbclassify train LEDGER_DIR`) and score the "
            "ledger; the features each source's predictions rest on appear here.",
        )
    table = global_importance(explanation)
    table = table[[s for s in T.SOURCE_ORDER if s in table.columns]]
    lead = (
        f"Mean absolute SHAP value of each feature over the {len(explanation)} open credits predicted as each source: "
        "the larger the bar, the more that feature moved those predictions."
    )
    return Section(
        "importance",
        title,
        lead,
        [(F.to_data_uri(F.importance_figure(table)), "Global SHAP importance per source")],
    )


def examples(
    explanation: Explanation | None, features: pd.DataFrame | None, claims: list[str] | None
) -> Section:
    title = "Why a typical credit got its source"
    if explanation is None or features is None or len(explanation) == 0:
        return Section(
            "examples",
            title,
            "No scored credits to explain yet: once a model scores the ledger, a typical credit "
            "of each source is explained here in words.",
        )
    section = Section(
        "examples",
        title,
        "For each predicted source, the credit whose explanation is closest to that "
        "source's average, with its strongest reasons in words.",
    )
    names = list(explanation.feature_names)
    for source, row in typical_rows(explanation).items():
        values = explanation.contributions[row]
        top = np.argsort(-np.abs(values))[:6]
        claim = claims[row] if claims is not None else f"row {row}"
        figure = F.example_figure(
            [words(names[i]) for i in top], values[top], f"Typical {F.label(source)}: claim {claim}"
        )
        section.figures.append((F.to_data_uri(figure), f"Contributions for claim {claim}"))
        reasons = reasons_in_words(features.iloc[row], values, names, top_k=3, source=source)
        section.items.append(f"Claim {claim} ({F.label(source)}): " + "; ".join(reasons))
    return section


def model_quality(metrics: dict[str, Any] | None) -> Section:
    title = "Model quality and calibration"
    if not metrics:
        return Section(
            "model",
            title,
            "No labelled credits (resolutions) to measure the model on yet: metrics appear once "
            "billers have resolved credits and a model is trained.",
        )
    lead = (
        f"Measured on {metrics.get('label', 'labelled credits')}: macro-F1 {metrics['macro_f1']:.3f}, accuracy "
        f"{metrics['accuracy']:.3f}, expected calibration error {metrics['ece']:.3f}."
    )
    section = Section("model", title, lead)
    if metrics.get("reliability") is not None:
        section.figures.append(
            (
                F.to_data_uri(F.reliability_figure(metrics["reliability"], metrics["ece"])),
                "Reliability curve",
            )
        )
    if metrics.get("confusion") is not None:
        section.figures.append(
            (F.to_data_uri(F.confusion_figure(metrics["confusion"])), "Confusion matrix")
        )
    per_class = metrics.get("per_class")
    if per_class is not None:
        shown = per_class.reset_index().rename(columns={"index": "source"})
        section.tables.append(
            Table(
                "Per source",
                ["source", "precision", "recall", "F1", "labelled credits"],
                _rows(
                    shown,
                    {
                        "source": F.label,
                        "precision": "{:.3f}".format,
                        "recall": "{:.3f}".format,
                        "f1": "{:.3f}".format,
                        "support": lambda v: f"{int(v)}",
                    },
                ),
            )
        )
    return section


def resolutions(table: pd.DataFrame, by_month: pd.DataFrame) -> Section:
    title = "Resolved credits"
    if table.empty:
        return Section(
            "resolutions",
            title,
            "No resolutions in this ledger yet: amounts refunded, applied, corrected and "
            "reversed appear here once billers record them.",
        )
    lead = (
        "; ".join(f"{dollars(r.amount_cents)} {g} ({r.credits})" for g, r in table.iterrows()) + "."
    )
    section = Section("resolutions", title, lead[:1].upper() + lead[1:])
    if not by_month.empty:
        section.figures.append(
            (F.to_data_uri(F.resolutions_figure(by_month)), "Resolved amounts per month")
        )
    shown = table.reset_index().rename(columns={"index": "group", "group": "group"})
    section.tables.append(
        Table(
            "Totals",
            ["what was done", "credits", "amount"],
            _rows(shown, {"amount_cents": dollars}),
        )
    )
    return section
