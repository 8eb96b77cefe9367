"""The one feature pipeline for training and serving (pure: no I/O, no MLflow).

``of_bundle(context, bundle)`` computes one credit's named features from its bundle (its claim's
rows cut at its own date, its patient's history) and the ledger's context; ``credit_features(
ledger, credits)`` does it for any number of credits and returns a frame; ``FeatureEncoder``
turns that frame (or the records) into the model matrix through the versioned category
vocabulary. See docs/model.md for the catalogue.
"""

from cbclassify.features.credit import of_bundle
from cbclassify.features.derive import FeatureRecord
from cbclassify.features.frame import (
    credit_features,
    empty_features,
    feature_records,
    features_frame,
)
from cbclassify.features.specs import (
    CATEGORICAL_FEATURES,
    FEATURE_NAMES,
    FEATURE_SPECS,
    NUMERIC_FEATURES,
    SPEC_BY_NAME,
    FeatureSpec,
)
from cbclassify.features.transformer import FeatureEncoder
from cbclassify.features.vocabulary import VOCABULARY, VOCABULARY_VERSION

__all__ = [
    "CATEGORICAL_FEATURES",
    "FEATURE_NAMES",
    "FEATURE_SPECS",
    "NUMERIC_FEATURES",
    "SPEC_BY_NAME",
    "VOCABULARY",
    "VOCABULARY_VERSION",
    "FeatureEncoder",
    "FeatureRecord",
    "FeatureSpec",
    "credit_features",
    "empty_features",
    "feature_records",
    "features_frame",
    "of_bundle",
]
