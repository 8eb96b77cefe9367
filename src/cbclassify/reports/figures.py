"""The report's figures (matplotlib ``Figure`` objects, no pyplot state), embedded as base64
PNG data URIs so the HTML file needs nothing else."""

from __future__ import annotations

import base64
import io

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from cbclassify.explain.templates import words

SOURCE_COLORS = {
    "payer_overpayment": "#1f77b4",
    "duplicate_payment": "#ff7f0e",
    "allowance_error": "#9467bd",
    "patient_credit": "#2ca02c",
    "unclassified": "#9e9e9e",
}
GROUP_COLORS = {
    "refunded": "#1f77b4",
    "offset by the payer": "#17becf",
    "applied to other balances": "#2ca02c",
    "corrected": "#9467bd",
    "reversed": "#ff7f0e",
    "other": "#9e9e9e",
}


def label(source: str) -> str:
    return source.replace("_", " ")


def to_data_uri(fig: Figure) -> str:
    """PNG data URI of a figure."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _figure(width: float = 7.5, height: float = 3.6) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


def sources_figure(table: pd.DataFrame) -> Figure:
    """Open credit dollars per source, with the count on each bar."""
    fig = _figure()
    ax = fig.add_subplot()
    dollars = table["amount_cents"] / 100
    bars = ax.barh(
        [label(s) for s in table.index], dollars, color=[SOURCE_COLORS[s] for s in table.index]
    )
    for bar, n in zip(bars, table["credits"]):
        ax.text(
            bar.get_width(),
            bar.get_y() + bar.get_height() / 2,
            f"  {n} credits",
            va="center",
            fontsize=9,
        )
    ax.invert_yaxis()
    ax.set_xlabel("open credit balance ($)")
    ax.set_title("Open credit balances by source")
    ax.margins(x=0.25)
    return fig


def age_figure(table: pd.DataFrame) -> Figure:
    """Credit counts per age bucket, stacked by source."""
    fig = _figure()
    ax = fig.add_subplot()
    bottom = np.zeros(len(table))
    for source in table.columns:
        ax.bar(
            table.index.astype(str),
            table[source],
            bottom=bottom,
            label=label(source),
            color=SOURCE_COLORS[source],
        )
        bottom += table[source].to_numpy()
    ax.set_xlabel("days since the claim went into credit")
    ax.set_ylabel("open credits")
    ax.tick_params(axis="x", labelsize=8, labelrotation=20)
    ax.set_title("Age of open credit balances")
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


def due_figure(table: pd.DataFrame) -> Figure:
    """Credits per due-date bucket; overdue in red."""
    fig = _figure(height=3.2)
    ax = fig.add_subplot()
    colors = [
        "#d62728" if b == "overdue" else "#ff9896" if b == "due_7" else "#7f7f7f"
        for b in table.index
    ]
    ax.bar(table["label"], table["credits"], color=colors)
    ax.set_ylabel("open credits")
    ax.set_title("Compliance due dates of open credits")
    ax.tick_params(axis="x", labelsize=8)
    return fig


def findings_figure(found: pd.DataFrame, top: int = 8) -> Figure:
    """Rate per 1,000 claims in the group vs the rest, for the top findings."""
    shown = found.head(top).iloc[::-1]
    names = [
        f"#{r}: {d.replace('_', ' ')} {v.split('|')[0]}"
        for r, d, v in zip(shown["rank"], shown["dimension"], shown["value"])
    ]
    fig = _figure(height=0.45 * len(shown) + 1.6)
    ax = fig.add_subplot()
    y = np.arange(len(shown))
    ax.barh(y + 0.2, shown["rate_per_1000"], height=0.4, label="in the group", color="#d62728")
    ax.barh(
        y - 0.2,
        shown["rest_rate_per_1000"].fillna(0),
        height=0.4,
        label="everywhere else",
        color="#bdbdbd",
    )
    ax.set_yticks(y, names, fontsize=8)
    ax.set_xlabel("credits of the finding's source per 1,000 claims")
    ax.set_title("Where credits recur: top findings")
    ax.legend(fontsize="small", loc="lower right")
    return fig


def importance_figure(importance: pd.DataFrame, top: int = 8) -> Figure:
    """Mean |SHAP| of the top features, one panel per predicted source."""
    sources = list(importance.columns)
    fig = Figure(figsize=(11, 3.2 * ((len(sources) + 1) // 2)), layout="constrained")
    for i, source in enumerate(sources):
        ax = fig.add_subplot((len(sources) + 1) // 2, 2, i + 1)
        values = importance[source].sort_values(ascending=False).head(top)[::-1]
        ax.barh(
            [words(n) for n in values.index],
            values.to_numpy(),
            color=SOURCE_COLORS.get(source, "#555"),
        )
        ax.set_title(f"Predicted {label(source)}", fontsize=10)
        ax.set_xlabel("mean |SHAP| (log-odds)")
        ax.tick_params(axis="y", labelsize=8)
    fig.suptitle("What the model relies on, per source")
    return fig


def example_figure(names: list[str], values: np.ndarray, title: str) -> Figure:
    """Signed contributions of one credit's strongest features (green toward, red against)."""
    order = np.argsort(np.abs(values))
    fig = _figure(width=5.5, height=0.42 * len(values) + 1.4)
    ax = fig.add_subplot()
    shown = values[order]
    ax.barh([names[i] for i in order], shown, color=np.where(shown >= 0, "#2ca02c", "#d62728"))
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("contribution to the predicted source (log-odds)")
    ax.set_title(title, fontsize=10)
    ax.tick_params(axis="y", labelsize=8)
    return fig


def reliability_figure(reliability: pd.DataFrame, ece: float) -> Figure:
    """Accuracy vs confidence per bin, against the diagonal."""
    fig = _figure(width=5.5, height=4.5)
    ax = fig.add_subplot()
    used = reliability[reliability["count"] > 0]
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfectly calibrated")
    ax.plot(used["mean_confidence"], used["accuracy"], marker="o", label=f"model (ECE {ece:.3f})")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("confidence of the predicted source")
    ax.set_ylabel("share predicted correctly")
    ax.set_title("Calibration")
    ax.legend(loc="upper left", fontsize="small")
    return fig


def confusion_figure(confusion: pd.DataFrame) -> Figure:
    """Counts of label (rows) vs prediction (columns)."""
    fig = _figure(width=5.8, height=4.8)
    ax = fig.add_subplot()
    matrix = confusion.to_numpy()
    ax.imshow(matrix, cmap="Blues")
    ticks = [c.replace("_", "\n") for c in confusion.columns]
    ax.set_xticks(range(len(ticks)), ticks, fontsize=8)
    ax.set_yticks(range(len(ticks)), ticks, fontsize=8)
    ax.set_xlabel("predicted source")
    ax.set_ylabel("source in the resolution label")
    ax.set_title("Confusion matrix")
    peak = matrix.max() or 1
    for (i, j), value in np.ndenumerate(matrix):
        ax.text(
            j,
            i,
            str(value),
            ha="center",
            va="center",
            color="white" if value > peak / 2 else "black",
        )
    return fig


def resolutions_figure(by_month: pd.DataFrame) -> Figure:
    """Resolved dollars per month, stacked by what was done."""
    fig = _figure()
    ax = fig.add_subplot()
    bottom = np.zeros(len(by_month))
    months = by_month.index.astype(str)
    for group in by_month.columns:
        ax.bar(
            months,
            by_month[group] / 100,
            bottom=bottom,
            label=group,
            color=GROUP_COLORS.get(group, "#555"),
        )
        bottom += by_month[group].to_numpy() / 100
    ax.set_ylabel("amount resolved ($)")
    ax.set_xlabel("month resolved")
    ax.set_title("Credits resolved per month")
    ax.tick_params(axis="x", labelrotation=45, labelsize=8)
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig
