"""Models of the matching app: residents' needs, match runs and their candidates."""

from matching.models.needs import Need
from matching.models.runs import Candidate, MatchRun

__all__ = ["Candidate", "MatchRun", "Need"]
