"""``build_report``: the manager's report as one self-contained HTML page.

Takes already-computed inputs (worklist, scoring output, findings, explanations, metrics,
resolutions) so that it can be built and tested without a ledger or a model; the CLI
(``cbclassify report``) wires the real pieces. Figures are base64 PNGs inside the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from cbclassify.explain import Explanation
from cbclassify.reports import sections as S
from cbclassify.reports import tables as T


@dataclass
class ReportInputs:
    """Everything the report shows, computed beforehand.

    Attributes:
        as_of: the run's as-of date.
        worklist: ``balances.worklist.build_worklist`` output (every open credit).
        scores: ``scoring.score_ledger`` output (SCORE columns, money in cents), or None.
        findings: ``analytics.root_causes`` output, or None.
        analysed_credits: how many credits the findings were computed from.
        rates: ``analytics.breakdown`` tables by dimension name (e.g. payer, poster).
        explanation: explanations of scored credits (rows aligned with ``explained_features``
            and ``explained_claims``), or None.
        metrics: dict with macro_f1, accuracy, ece, label and optionally per_class,
            reliability and confusion frames (``model.metrics.Evaluation`` fields), or None.
        resolutions: the ledger's resolutions table (amount in ``amount_cents``), or None.
        notes: sentences shown under the title (e.g. that no model was found).
    """

    as_of: pd.Timestamp
    worklist: pd.DataFrame
    scores: pd.DataFrame | None = None
    findings: pd.DataFrame | None = None
    analysed_credits: int = 0
    rates: dict[str, pd.DataFrame] = field(default_factory=dict)
    explanation: Explanation | None = None
    explained_features: pd.DataFrame | None = None
    explained_claims: Sequence[str] | None = None
    metrics: dict[str, Any] | None = None
    resolutions: pd.DataFrame | None = None
    title: str = "Credit balances: manager's report"
    ledger_name: str = ""
    notes: list[str] = field(default_factory=list)


def metrics_dict(evaluation: Any, label: str) -> dict[str, Any]:
    """The ``metrics`` input from a ``model.metrics.Evaluation``."""
    return {
        "label": label,
        "macro_f1": evaluation.macro_f1,
        "accuracy": evaluation.accuracy,
        "ece": evaluation.ece,
        "per_class": evaluation.per_class,
        "reliability": evaluation.reliability,
        "confusion": evaluation.confusion,
    }


def build_sections(inputs: ReportInputs) -> list[S.Section]:
    """Every section of the report, in reading order."""
    as_of = pd.Timestamp(inputs.as_of).normalize()
    credits = T.open_credits(inputs.worklist, inputs.scores)
    claims = list(inputs.explained_claims) if inputs.explained_claims is not None else None
    return [
        S.overview(credits, as_of),
        S.compliance(credits, as_of, scored=inputs.scores is not None),
        S.age(credits),
        S.root_causes(inputs.findings, inputs.analysed_credits, inputs.rates),
        S.importance(inputs.explanation),
        S.examples(inputs.explanation, inputs.explained_features, claims),
        S.model_quality(inputs.metrics),
        S.resolutions(
            T.resolution_totals(inputs.resolutions), T.resolutions_by_month(inputs.resolutions)
        ),
    ]


def build_report(inputs: ReportInputs) -> str:
    """The report as an HTML string (no external resources)."""
    env = Environment(
        loader=PackageLoader("cbclassify.reports", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
    )
    template = env.get_template("report.html.j2")
    return template.render(
        title=inputs.title,
        ledger_name=inputs.ledger_name,
        as_of=pd.Timestamp(inputs.as_of).strftime("%Y-%m-%d"),
        generated=pd.Timestamp.now().strftime("%Y-%m-%d %H:%M"),
        notes=inputs.notes,
        sections=build_sections(inputs),
    )


def write_report(inputs: ReportInputs, path: Path | str) -> Path:
    """Build the report and write it to ``path`` (UTF-8)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(build_report(inputs), encoding="utf-8")
    return target
