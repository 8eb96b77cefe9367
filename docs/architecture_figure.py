"""Draw docs/architecture.svg: the flow of one implementation per stage, and the package layers.

Regenerate after changing the flow or the packages (deterministic output, matplotlib only):

    .venv/bin/python docs/architecture_figure.py
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

OUT = Path(__file__).resolve().with_name("architecture.svg")

FLOW = [
    ("file / 835 / request", "ledger_io, x12, api"),
    ("contract", "validated Ledger"),
    ("balances", "credits on the as-of date"),
    ("bundles", "one grouping pass:\na ClaimBundle per credit"),
    ("features", "of_bundle"),
    ("model", "LightGBM"),
    ("explain", "TreeSHAP reasons"),
    ("verify", "verify_bundle"),
    ("resolve", "recommend, due dates"),
    ("service", "-> store / API: cases,\naudit, web pages"),
]
CORE = "#dbeafe"  # pure domain core
ADAPTER = "#fde68a"  # adapters (files, MLflow, database, web)
PURE = {"contract", "balances", "bundles", "features", "explain", "verify", "resolve"}


def _box(ax, x: float, y: float, w: float, h: float, title: str, note: str, color: str) -> None:
    ax.add_patch(
        FancyBboxPatch(
            (x, y), w, h, boxstyle="round,pad=0.02,rounding_size=0.08", fc=color, ec="#334155"
        )
    )
    ax.text(x + w / 2, y + h * 0.68, title, ha="center", va="center", fontsize=10, weight="bold")
    ax.text(x + w / 2, y + h * 0.3, note, ha="center", va="center", fontsize=8, color="#334155")


def _arrow(ax, start: tuple[float, float], end: tuple[float, float], bend: str = "arc3") -> None:
    ax.add_patch(
        FancyArrowPatch(
            start,
            end,
            arrowstyle="-|>",
            connectionstyle=bend,
            mutation_scale=12,
            lw=1.2,
            color="#334155",
        )
    )


def draw() -> plt.Figure:
    fig, ax = plt.subplots(figsize=(12, 7.0))
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.99)
    ax.set_xlim(0, 12)
    ax.set_ylim(0, 7.2)
    ax.axis("off")
    ax.text(
        0.1,
        6.95,
        "The flow: one implementation per stage, for one claim or a million lines",
        fontsize=12,
        weight="bold",
    )
    w, h, gap = 1.9, 0.9, 0.45
    rows = [(5.6, FLOW[:5]), (4.2, FLOW[5:])]
    centers: list[tuple[float, float, float]] = []
    for y, stages in rows:
        for i, (title, note) in enumerate(stages):
            x = 0.2 + i * (w + gap)
            color = CORE if title in PURE else ADAPTER
            _box(ax, x, y, w, h, title, note, color)
            centers.append((x, y, x + w))
    for (x0, y0, r0), (x1, y1, _) in pairwise(centers):
        if y0 == y1:
            _arrow(ax, (r0, y0 + h / 2), (x1, y1 + h / 2))
        else:  # end of the first row down to the start of the second
            middle = (y0 + y1 + h) / 2
            ax.plot([x0 + w / 2] * 2 + [x1 + w / 2], [y0, middle, middle], color="#334155", lw=1.2)
            _arrow(ax, (x1 + w / 2, middle), (x1 + w / 2, y1 + h))
    ax.text(
        0.2,
        3.85,
        "request: api/classify builds the bundles straight from its rows; "
        "a ledger: PatientGroups maps the same per-claim functions over a process pool",
        fontsize=8.5,
        style="italic",
        color="#334155",
    )

    ax.text(
        0.1,
        3.35,
        "The layers (imports point down; tests/test_architecture.py checks them)",
        fontsize=12,
        weight="bold",
    )
    layers = [
        (2.35, "api/ (FastAPI routes, web)   cli/ (Typer commands)", "thin: parse, call, present"),
        (1.45, "service/", "application: ingest, analysis, champion model, exports"),
        (0.55, "store/", "SQLAlchemy models, migrations, queries, audit chain"),
    ]
    for y, title, note in layers:
        _box(ax, 0.2, y, 5.6, 0.7, title, note, ADAPTER)
    _arrow(ax, (3.0, 2.35), (3.0, 2.15))
    _arrow(ax, (3.0, 1.45), (3.0, 1.25))
    _box(
        ax,
        6.6,
        0.55,
        5.2,
        2.5,
        "domain core (pure)",
        "contract, balances, bundles, features,\nexplain, verify, resolve, analytics\n\n"
        "no FastAPI, SQLAlchemy, MLflow or file I/O;\nmypy --strict",
        CORE,
    )
    _arrow(ax, (5.8, 2.7), (6.6, 2.4))
    _arrow(ax, (5.8, 1.8), (6.6, 1.8))
    ax.text(
        6.6,
        0.2,
        "adapters beside the core: ledger_io, x12, model (MLflow), reports, portfolio",
        fontsize=8.5,
        color="#334155",
    )
    return fig


def main() -> None:
    plt.rcParams["svg.hashsalt"] = "cbclassify-architecture"
    plt.rcParams["svg.fonttype"] = "none"  # text stays text: small, diffable, searchable
    fig = draw()
    fig.savefig(OUT, format="svg", metadata={"Date": None, "Creator": None})
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
