"""The feature frame of any number of credits: bundles -> ``of_bundle`` per credit -> frame.

``credit_features(ledger, credits)`` is what training and batch scoring call: one grouping pass
builds every credit's bundle (``bundles``), the per-credit rules run over them (across
processes by patient group for a large batch, in this process for a few credits or a request)
and the records become one frame: numbers float64, categoricals ``string``, columns
``FEATURE_NAMES``. ``feature_records`` stops before the frame (the model matrix can be encoded
from the records directly, ``FeatureEncoder.transform_records``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from cbclassify.bundles import LedgerContext, credit_inputs, map_patient_groups
from cbclassify.contract.ledger import Ledger
from cbclassify.features.credit import of_bundle
from cbclassify.features.derive import FeatureRecord
from cbclassify.features.specs import CATEGORICAL_FEATURES, FEATURE_NAMES, NUMERIC_FEATURES


def feature_records(
    ledger: Ledger,
    credits: pd.DataFrame,
    *,
    workers: int | None = None,
    context: LedgerContext | None = None,
) -> list[FeatureRecord]:
    """The features of each credit (``of_bundle``), in the credits' order.

    Args:
        ledger: the whole ledger (each credit's history is cut at its own date).
        credits: one row per credit with ``claim_id`` and ``as_of_date``.
        workers: processes for a large batch (default: every core; 1 stays in this process).
        context: the ledger's context when the caller already has it.

    Raises:
        ValueError: a column is missing or a credit has no ``as_of_date``.
    """
    if credits.empty or not {"claim_id", "as_of_date"} <= set(credits.columns):
        credit_inputs(credits)  # refuses a missing column (the bundles check the rest)
        return []
    keys = credits[["claim_id", "as_of_date"]]
    return map_patient_groups(of_bundle, ledger, keys, workers=workers, context=context)


def credit_features(
    ledger: Ledger, credits: pd.DataFrame, *, workers: int | None = None
) -> pd.DataFrame:
    """Features of each credit from its claim's, patient's and payer's history up to its date.

    Args:
        ledger: the whole ledger (later postings are cut per credit, not here).
        credits: one row per credit with ``claim_id`` and ``as_of_date``.
        workers: processes for a large batch (default: every core; 1 stays in this process).

    Returns:
        A frame with ``credits``' index and the columns ``FEATURE_NAMES``: numbers as float64
        (NaN where not applicable), categoricals as strings.
    """
    return features_frame(feature_records(ledger, credits, workers=workers), credits.index)


def empty_features(index: pd.Index) -> pd.DataFrame:
    """The feature frame of no credits (typed columns, ``index`` kept)."""
    frame = pd.DataFrame({n: pd.Series(dtype="float64") for n in NUMERIC_FEATURES}, index=index)
    for name in CATEGORICAL_FEATURES:
        frame[name] = pd.Series(dtype="string", index=index)
    return frame[list(FEATURE_NAMES)]


_CATEGORY_AT = tuple((FEATURE_NAMES.index(n), n) for n in CATEGORICAL_FEATURES)
_CATEGORICAL = frozenset(CATEGORICAL_FEATURES)


def features_frame(
    records: Sequence[Mapping[str, float | str | None]], index: pd.Index
) -> pd.DataFrame:
    """Feature records (one per credit, in ``index`` order) -> the feature frame.

    One float64 block of every column, then the categoricals set in place (``isetitem``)."""
    if not records:
        return empty_features(index)
    values = np.array(
        [[math.nan if n in _CATEGORICAL else r[n] for n in FEATURE_NAMES] for r in records],
        dtype="float64",
    )
    frame = pd.DataFrame(values, index=index, columns=pd.Index(list(FEATURE_NAMES)))
    for position, name in _CATEGORY_AT:
        frame.isetitem(position, pd.array([r[name] for r in records], dtype="string"))
    return frame
