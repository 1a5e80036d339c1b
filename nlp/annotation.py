"""The annotation record: what the NLP stage says about one post (the brief's contract)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MODEL_VERSION = "rules-1"


@dataclass(frozen=True, slots=True)
class TopicScore:
    code: str
    score: float


@dataclass(frozen=True, slots=True)
class Sentiment:
    label: str  # negative | neutral | positive
    score: float  # -1..1, sign agrees with the label


@dataclass(frozen=True, slots=True)
class Entity:
    kind: str  # place | person | organisation | official
    text: str  # as written
    normal: str  # nominative case


@dataclass(frozen=True, slots=True)
class Annotation:
    """NLP verdict on one post; ``signals`` carry rule hits the risk stage weighs (escalation, officials)."""

    id: str
    relevance: float
    topics: tuple[TopicScore, ...]
    sentiment: Sentiment
    needs_response: bool
    entities: tuple[Entity, ...] = ()
    toxicity: float = 0.0
    signals: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    model_version: str = MODEL_VERSION
    lemmas: tuple[str, ...] = field(default=(), repr=False, compare=False)

    @property
    def main_topic(self) -> str:
        return self.topics[0].code if self.topics else "other"

    def to_record(self) -> dict[str, Any]:
        """The brief's annotation record, without the risk part (added by the risk stage)."""
        return {
            "id": self.id,
            "relevance": round(self.relevance, 3),
            "topics": [{"code": t.code, "score": round(t.score, 3)} for t in self.topics],
            "sentiment": {"label": self.sentiment.label, "score": round(self.sentiment.score, 3)},
            "needs_response": self.needs_response,
            "entities": [{"type": e.kind, "text": e.text, "normal": e.normal} for e in self.entities],
            "toxicity": round(self.toxicity, 3),
            "signals": list(self.signals),
            "places": list(self.places),
        }
