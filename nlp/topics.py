"""Topic tagging from the config's lemma dictionaries: multi-label, each topic with a 0..1 score."""

from __future__ import annotations

from collections.abc import Sequence

from config.schema import TopicSettings
from nlp.annotation import TopicScore
from nlp.lexicon import PhraseMatcher
from nlp.morph import Lemmatizer

FALLBACK = "other"


class TopicTagger:
    """Each distinct dictionary hit halves the remaining doubt: 1 hit → 0.5, 2 → 0.75, 3 → 0.875."""

    def __init__(self, topics: Sequence[TopicSettings], lemmatizer: Lemmatizer, max_topics: int = 3) -> None:
        self._matchers = [(t.code, PhraseMatcher(lemmatizer, t.lemmas)) for t in topics if t.lemmas]
        self._severity = {t.code: t.severity for t in topics}
        self._max_topics = max_topics

    def tag(self, lemmas: Sequence[str]) -> tuple[TopicScore, ...]:
        scored = []
        for code, matcher in self._matchers:
            hits = len(matcher.find(lemmas))
            if hits:
                scored.append(TopicScore(code, round(1.0 - 0.5**hits, 3)))
        scored.sort(key=lambda t: (-t.score, -self._severity.get(t.code, 0.0)))
        return tuple(scored[: self._max_topics]) or (TopicScore(FALLBACK, 0.5),)
