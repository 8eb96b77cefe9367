"""Credits by source across one dimension, as counts and rates per 1,000 claims."""

from __future__ import annotations

import pandas as pd

from cbclassify.analytics.cells import RootCauseData
from cbclassify.analytics.dimensions import DIMENSIONS
from cbclassify.contract.enums import CREDIT_SOURCES


def breakdown(data: RootCauseData, dimension: str) -> pd.DataFrame:
    """One row per value of ``dimension``: claims (exposure), credits and credit_amount_cents in all,
    and per source ``<source>`` credits and ``<source>_per_1000`` claims; most credits first."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}; choose from {', '.join(DIMENSIONS)}")
    cells = data.cells[data.cells["dimension"] == dimension].drop_duplicates(["credit", "value"])
    exposure = data.exposure["claims"]
    values = (
        exposure.loc[dimension].index if dimension in exposure.index.get_level_values(0) else []
    )
    index = pd.Index(sorted(set(values) | set(cells["value"])), name=dimension, dtype="string")
    out = pd.DataFrame(index=index)
    out["claims"] = [int(exposure.get((dimension, v), 0)) for v in index]
    counts = (
        cells.groupby(["value", "source"]).size().unstack(fill_value=0).reindex(index, fill_value=0)
    )
    out["credits"] = counts.sum(axis=1).astype("int64") if len(counts.columns) else 0
    out["credit_amount_cents"] = (
        cells.groupby("value")["credit_amount_cents"].sum().reindex(index).fillna(0).astype("int64")
    )
    for source in CREDIT_SOURCES:
        n = counts[source] if source in counts.columns else pd.Series(0, index=index)
        out[source] = n.astype("int64")
        out[f"{source}_per_1000"] = (1000 * n / out["claims"].where(out["claims"] > 0)).round(2)
    return out.sort_values(["credits", "claims"], ascending=False)
