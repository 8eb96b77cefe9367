"""Resolution: the practice's policy, recommended actions and compliance due dates."""

from cbclassify.resolve.actions import RECOMMEND_COLUMNS, offset_allowed, recommend
from cbclassify.resolve.deadlines import due_bucket
from cbclassify.resolve.pipeline import SCORING_COLUMNS, verify_and_recommend
from cbclassify.resolve.policy import Policy, PolicyError, default_policy, load_policy, parse_policy

__all__ = [
    "RECOMMEND_COLUMNS",
    "SCORING_COLUMNS",
    "Policy",
    "PolicyError",
    "default_policy",
    "due_bucket",
    "load_policy",
    "offset_allowed",
    "parse_policy",
    "recommend",
    "verify_and_recommend",
]
