"""Resolution: the practice's policy, recommended actions and compliance due dates."""

from cbclassify.resolve.actions import RECOMMEND_COLUMNS, Recommendation, offset_allowed, recommend
from cbclassify.resolve.deadlines import Investigation, due_bucket, due_date
from cbclassify.resolve.pipeline import (
    SCORING_COLUMNS,
    Resolved,
    resolution_frame,
    resolve_credits,
    verify_and_recommend,
)
from cbclassify.resolve.policy import Policy, PolicyError, default_policy, load_policy, parse_policy

__all__ = [
    "RECOMMEND_COLUMNS",
    "SCORING_COLUMNS",
    "Investigation",
    "Policy",
    "PolicyError",
    "Recommendation",
    "Resolved",
    "default_policy",
    "due_bucket",
    "due_date",
    "load_policy",
    "offset_allowed",
    "parse_policy",
    "recommend",
    "resolution_frame",
    "resolve_credits",
    "verify_and_recommend",
]
