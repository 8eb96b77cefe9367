"""The feature frame's schema (pandera), checked at the model boundary.

Built from the catalogue: every feature present, in order, nothing else (strict); numbers
float64 and nullable (blank = not applicable), counts never negative, flags 0/1; categoricals
strings (outside values are allowed here: the vocabulary maps them to ``unknown``).
"""

from __future__ import annotations

from functools import lru_cache

import pandera.pandas as pa

from cbclassify.features.specs import FEATURE_SPECS, FeatureSpec


def _column(spec: FeatureSpec) -> pa.Column:
    if spec.kind == "category":
        return pa.Column("string", nullable=True, coerce=True, description=spec.description)
    checks = []
    if spec.kind == "count":
        checks.append(pa.Check.ge(0))
    elif spec.kind == "flag":
        checks.append(pa.Check.isin([0.0, 1.0]))
    return pa.Column(
        "float64", checks=checks, nullable=True, coerce=True, description=spec.description
    )


@lru_cache(maxsize=1)
def feature_schema() -> pa.DataFrameSchema:
    """The schema of ``credit_features`` output (built once)."""
    return pa.DataFrameSchema(
        {spec.name: _column(spec) for spec in FEATURE_SPECS},
        strict=True,
        ordered=True,
        name="credit_features",
    )
