"""How alarming a story's texts are, from the NLP stage's alarm markers, and which posts refute the claim.

A post's alarm is the sum of the weights of the kinds of marker it carries (danger, scale, hearsay, call to
spread; ``risk.alarm``), a quarter more for each further term of a kind (at most half more), capped at 1, and
damped when it speaks the register of a planned event. A story's alarm
is its most alarming post's, damped when few of its posts carry any marker: one alarming comment under calm
news is not an alarming story.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from config.threats import AlarmWeights
from risk.story import Member

KINDS = ("danger", "scale", "hearsay", "spread")
KIND_TITLES = {"danger": "угроза", "scale": "масштаб", "hearsay": "слухи", "spread": "призыв распространить"}
REFUTATION = "опровержение"  # the reason's first word; alert updates look for it
MAX_TERMS = 3


@dataclass(frozen=True, slots=True)
class AlarmReading:
    value: float  # 0..1
    terms: dict[str, list[str]]  # kind → terms found, most frequent first


def kind_terms(signals: Sequence[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for kind, term in _alarm_hits(tuple(signals)):
        found.setdefault(kind, []).append(term)
    return found


@lru_cache(maxsize=20_000)
def _alarm_hits(signals: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """(kind, term) of each alarm signal; stories are rescored often and their posts' signals do not change."""
    return tuple(tuple(s.split(":", 2)[1:]) for s in signals if s.startswith("alarm:"))  # type: ignore[misc]


def post_alarm(signals: Sequence[str], weights: AlarmWeights) -> float:
    return _post_alarm(tuple(signals), weights)


@lru_cache(maxsize=20_000)
def _post_alarm(signals: tuple[str, ...], weights: AlarmWeights) -> float:
    kinds = kind_terms(signals)
    value = min(1.0, sum(getattr(weights, kind) * min(1.5, 0.75 + 0.25 * len(set(terms)))
                         for kind, terms in kinds.items() if kind in KINDS))
    if value and any(s.startswith("planned:") for s in signals):
        value *= weights.planned
    return value


def is_refutation(member: Member) -> bool:
    """A post with refutation words («не соответствует действительности», «фейк», «угрозы нет») that is a
    statement, not doubt: residents' «это фейк?» under a rumour does not refute it, so questions, comments and
    angry posts count only when an official page (``gazetteer.official_sources``) writes them.

    An official post refutes with reassurance too («работает в штатном режиме», «угрозы нет»); without either it
    is an answer, not a refutation (the heating is being repaired).
    """
    if member.official:
        return any(s.startswith(("refutation:", "reassurance:")) for s in member.signals)
    if not any(s.startswith("refutation:") for s in member.signals):
        return False
    return not (member.is_comment or "question" in member.signals or member.sentiment_label == "negative")


def story_alarm(members: Sequence[Member], weights: AlarmWeights) -> AlarmReading:
    claims = [m for m in members if not is_refutation(m)]
    values = [post_alarm(m.signals, weights) for m in claims]
    if not claims or not any(values):
        return AlarmReading(0.0, {})
    share = sum(1 for v in values if v > 0) / len(claims)
    counts: dict[str, dict[str, int]] = {}
    for member, value in zip(claims, values, strict=True):
        if value <= 0:
            continue
        for kind, terms in kind_terms(member.signals).items():
            for term in terms:
                counts.setdefault(kind, {}).setdefault(term, 0)
                counts[kind][term] += 1
    terms = {kind: sorted(found, key=lambda t: -found[t]) for kind, found in counts.items()}
    return AlarmReading(round(max(values) * min(1.0, 0.5 + share), 3), terms)


def alarm_reason(reading: AlarmReading) -> str:
    """«тревожные признаки: угроза — эвакуация, выброс; слухи — говорят; призыв распространить — срочно»."""
    parts = [
        f"{KIND_TITLES[kind]} — {', '.join(reading.terms[kind][:MAX_TERMS])}" for kind in KINDS if reading.terms.get(kind)
    ]
    return "тревожные признаки: " + "; ".join(parts)
