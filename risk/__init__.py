"""Risk: group posts into stories and score each story with reasons."""

from risk.clustering import MergeCandidates, StoryMatcher
from risk.fingerprint import containment, fingerprint, merge
from risk.scoring import RiskScorer, level_rank
from risk.story import AnswerState, Member, PostFeatures, RiskAssessment, StoryState, StoryView

__all__ = [
    "AnswerState",
    "Member",
    "MergeCandidates",
    "PostFeatures",
    "RiskAssessment",
    "RiskScorer",
    "StoryMatcher",
    "StoryState",
    "StoryView",
    "containment",
    "fingerprint",
    "level_rank",
    "merge",
]
