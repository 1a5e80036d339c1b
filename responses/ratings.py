"""Ratings of responsible bodies for a period (the «рейтингование» of the regulation).

Measures per body, over the appeals routed to it in the period (appeals deleted before any reply are left out):
appeals, answered share, median time to the first reply (calendar and working minutes), share answered within
the deadline, formulaic share and conflicts among the replies the body itself wrote, satisfied share among the
appeals whose residents' reaction is known, repeated complaints.

The score 0..100 is a weighted mean of seven parts, each 0..1 (weights: ``responses.weights``):

| part | value |
|---|---|
| answered | answered / appeals |
| deadline | answered in time / appeals whose deadline passed or that were answered |
| speed | 1 − median working minutes ÷ (2 × the first-answer deadline), not below 0 |
| substance | replies neither formulaic nor conflicting / replies |
| satisfaction | satisfied / (satisfied + dissatisfied) |
| conflicts | 1 − 5 × conflicts / replies, not below 0 (one conflict in five replies wipes the part out) |
| repeats | 1 − repeated complaints / appeals |

A part without data (no replies, no known reactions) leaves the mean and its weight with it. Bodies with no
appeals in the period get no score and no rank.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from statistics import median

from config.responses import RatingWeights
from responses.bodies import Body
from responses.records import AppealRecord, BodyRating

CONFLICT_PENALTY = 5.0


def _clamp(value: float) -> float:
    return max(0.0, min(1.0, value))


def _median(values: list[float]) -> float | None:
    return round(median(values), 1) if values else None


def measure(body: Body, records: Iterable[AppealRecord]) -> BodyRating:
    """The raw measures of one body (no score yet)."""
    mine = [r for r in records if body.id in r.bodies and r.sla_status != "deleted"]
    answered = [r for r in mine if r.first_reply_at is not None]
    replies = [quality for r in mine for who, quality in r.replies if who == body.id]
    return BodyRating(
        body_id=body.id,
        title=body.title,
        appeals=len(mine),
        answered=len(answered),
        median_minutes=_median([r.minutes_to_reply for r in answered if r.minutes_to_reply is not None]),
        median_working_minutes=_median([r.working_minutes_to_reply for r in answered
                                        if r.working_minutes_to_reply is not None]),
        within_deadline=sum(1 for r in mine if r.sla_status == "met"),
        judged_deadline=sum(1 for r in mine if r.sla_status in ("met", "breached", "overdue")),
        replies=len(replies),
        formulaic=replies.count("formulaic"),
        conflicts=replies.count("conflict"),
        satisfied=sum(1 for r in mine if r.satisfaction == "satisfied"),
        dissatisfied=sum(1 for r in mine if r.satisfaction == "dissatisfied"),
        repeated=sum(1 for r in mine if r.repeated),
        overdue=sum(1 for r in mine if r.sla_status == "overdue"),
    )


def parts(rating: BodyRating, target_minutes: float) -> dict[str, float]:
    """The 0..1 parts that have data (see the module docstring)."""
    found: dict[str, float] = {}
    if not rating.appeals:
        return found
    found["answered"] = rating.answered / rating.appeals
    if rating.judged_deadline:
        found["deadline"] = rating.within_deadline / rating.judged_deadline
    if rating.median_working_minutes is not None and target_minutes > 0:
        found["speed"] = _clamp(1 - rating.median_working_minutes / (2 * target_minutes))
    if rating.replies:
        found["substance"] = _clamp((rating.replies - rating.formulaic - rating.conflicts) / rating.replies)
        found["conflicts"] = _clamp(1 - CONFLICT_PENALTY * rating.conflicts / rating.replies)
    if rating.satisfied + rating.dissatisfied:
        found["satisfaction"] = rating.satisfied / (rating.satisfied + rating.dissatisfied)
    found["repeats"] = _clamp(1 - rating.repeated / rating.appeals)
    return {k: round(v, 3) for k, v in found.items()}


def score(found: dict[str, float], weights: RatingWeights) -> float | None:
    table = weights.model_dump()
    total = sum(table[k] for k in found)
    if not total:
        return None
    return round(100 * sum(table[k] * v for k, v in found.items()) / total, 1)


def rate(records: Sequence[AppealRecord], bodies: Sequence[Body], weights: RatingWeights,
         target_minutes: float) -> list[BodyRating]:
    """Every body's rating, best first; bodies without appeals last, unranked."""
    rated: list[BodyRating] = []
    for body in bodies:
        rating = measure(body, records)
        found = parts(rating, target_minutes)
        rated.append(replace(rating, parts=found, score=score(found, weights) if rating.appeals else None))
    ranked = sorted((r for r in rated if r.score is not None), key=lambda r: (-(r.score or 0), -r.appeals, r.title))
    result = [replace(r, rank=index) for index, r in enumerate(ranked, 1)]
    return result + sorted((r for r in rated if r.score is None), key=lambda r: r.title)
