"""SHAP explanations of the credit-source classifier, and reasons in words (pure).

* ``FastExplainer(model).explain(features)``: exact TreeSHAP for each row's predicted class.
* ``lightgbm_contributions`` / ``shap_contributions``: all classes, (rows, K, F+1), bias last.
* ``reasons_in_words`` / ``top_reasons``: the strongest contributions as sentences.

See docs/explanations.md.
"""

from cbclassify.explain.cache import ExplanationCache
from cbclassify.explain.contributions import (
    AdditivityError,
    check_additivity,
    lightgbm_contributions,
    raw_margins,
    shap_contributions,
)
from cbclassify.explain.explainer import Explanation, FastExplainer
from cbclassify.explain.reasons import (
    REASON_SEPARATOR,
    explainer_for,
    reasons_for,
    reasons_in_words,
    top_reasons,
)
from cbclassify.explain.summary import global_importance, typical_rows
from cbclassify.explain.templates import REASON_TEMPLATES, generic_phrase, register_template

__all__ = [
    "REASON_SEPARATOR",
    "REASON_TEMPLATES",
    "AdditivityError",
    "Explanation",
    "ExplanationCache",
    "FastExplainer",
    "check_additivity",
    "explainer_for",
    "generic_phrase",
    "global_importance",
    "lightgbm_contributions",
    "raw_margins",
    "reasons_for",
    "reasons_in_words",
    "register_template",
    "shap_contributions",
    "top_reasons",
    "typical_rows",
]
