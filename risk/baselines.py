"""What is usual for this town, so risk can say «×6 faster than usual» rather than compare with a constant.

Small towns have sparse data: a topic may see one post a week. A bare mean and 3σ would cry wolf at the second
post, so topic volume uses a Poisson tail against a rate smoothed towards a prior (a gamma-Poisson estimate),
and nothing counts as a burst below a minimum number of posts.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from statistics import median

from risk.story import Member

MIN_AGE_HOURS = 1.0  # a post seen five minutes after publication has no pace to speak of yet
MAX_AGE_HOURS = 24.0  # after a day most posts have had their audience
PRIOR_WINDOWS = 4.0  # the prior weighs as much as four windows of history


@dataclass(frozen=True, slots=True)
class TopicVolume:
    """Relevant posts on a topic in the latest window, against what that window usually holds."""

    recent: int
    expected: float


@dataclass(frozen=True, slots=True)
class Baselines:
    """Usual pace of views per source ((platform, source) → views per hour), the story topic's volume, and which
    accounts the town's information field knew before."""

    source_pace: Mapping[tuple[str, str], float] = field(default_factory=dict)
    topic: TopicVolume | None = None
    # Accounts (``Member.author_key``) that wrote before the story; None when not looked up.
    known_accounts: frozenset[str] | None = None
    # Communities whose earlier posts were mostly not about the town (a sales group, another town's page).
    foreign_sources: frozenset[tuple[str, str]] = frozenset()
    # Looks both up for the given posts, when the scorer meets a wave (most stories have none: no query).
    familiarity: Callable[[Sequence[Member]], tuple[frozenset[str], frozenset[tuple[str, str]]]] | None = None


def typical_pace(samples: Sequence[tuple[int, float]], min_posts: int) -> float | None:
    """Median views per hour of a source's posts, from (views, age in hours) pairs; None with too few posts."""
    rates = [views / min(MAX_AGE_HOURS, max(MIN_AGE_HOURS, hours)) for views, hours in samples if views > 0]
    if len(rates) < min_posts:
        return None
    return max(1.0, median(rates))


def expected_count(history_count: int, history_windows: float, prior: float) -> float:
    """Posts expected in one window: history's mean, pulled towards ``prior`` while history is short."""
    return (history_count + prior * PRIOR_WINDOWS) / (max(0.0, history_windows) + PRIOR_WINDOWS)


def poisson_tail(k: int, lam: float) -> float:
    """P(X ≥ k) for X ~ Poisson(lam), summed in log space so large counts do not overflow."""
    if k <= 0:
        return 1.0
    if lam <= 0:
        return 0.0
    below = 0.0
    log_term = -lam  # log P(X = 0)
    for i in range(k):
        if i:
            log_term += math.log(lam) - math.log(i)
        below += math.exp(log_term)
    return max(0.0, min(1.0, 1.0 - below))


def burst_strength(volume: TopicVolume, min_posts: int) -> tuple[float, float]:
    """0..1 strength of a burst and its tail probability: 1 when such a count would come once in 10,000 windows."""
    if volume.recent < min_posts:
        return 0.0, 1.0
    tail = poisson_tail(volume.recent, volume.expected)
    if tail <= 0.0:
        return 1.0, 0.0
    return min(1.0, max(0.0, -math.log10(tail) / 4.0)), tail
