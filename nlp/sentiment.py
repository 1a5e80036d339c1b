"""Lexicon sentiment with negation, intensifiers, emoji and shouting."""

from __future__ import annotations

import math
from collections.abc import Sequence

from nlp.annotation import Sentiment
from nlp.lexicon import PhraseMatcher
from nlp.lexicons import word_list
from nlp.morph import Lemmatizer
from nlp.normalize import NormalizedText

_NEGATIONS = {"не", "ни", "без"}
_PLANNED = {"плановый", "профилактический", "запланированный"}  # «плановое отключение» is news, not a complaint
_INTENSIFIERS = {"очень", "совсем", "абсолютно", "вообще", "крайне", "полностью", "ужасно", "слишком", "жутко", "просто"}
_NEGATIVE_EMOJI = set("😡😠🤬😢😭😱💔👎😤😰😨😞😩😫🤢🥶☢⚠😒🙄")
_POSITIVE_EMOJI = set("😊😀😃😄😁🙂❤👍🎉🥰😍👏🙏💪🌸🌞☀🤗😘🎆🎄✨🏆")
NEGATIVE_BELOW = -0.25
POSITIVE_ABOVE = 0.25


class SentimentScorer:
    def __init__(self, lemmatizer: Lemmatizer) -> None:
        negative = word_list("negative.txt")
        positive = word_list("positive.txt")
        self._negative = {w for w in negative if " " not in w}
        self._positive = {w for w in positive if " " not in w}
        self._negative_phrases = PhraseMatcher(lemmatizer, [w for w in negative if " " in w])
        self._positive_phrases = PhraseMatcher(lemmatizer, [w for w in positive if " " in w])

    def score(self, lemmas: Sequence[str], normalized: NormalizedText) -> Sentiment:
        total = 0.0
        for index, lemma in enumerate(lemmas):
            polarity = (lemma in self._positive) - (lemma in self._negative)
            if lemma == "нет" and index + 1 < len(lemmas) and lemmas[index + 1] not in self._negative:
                polarity = -1  # «нет воды», «нет отопления»
            if not polarity:
                continue
            window = lemmas[max(0, index - 2) : index]
            weight = 1.0
            if any(word in _INTENSIFIERS for word in window):
                weight *= 1.5
            if polarity < 0 and any(word in _PLANNED for word in window):
                continue
            if any(word in _NEGATIONS for word in window):
                weight *= -0.7  # «не плохо» is weaker than «хорошо»
            total += polarity * weight
        total -= 1.2 * len(self._negative_phrases.find(lemmas))
        total += 1.2 * len(self._positive_phrases.find(lemmas))
        total += 0.8 * (sum(e in _POSITIVE_EMOJI for e in normalized.emojis) - sum(e in _NEGATIVE_EMOJI for e in normalized.emojis))
        if normalized.caps_ratio > 0.6 or "!!!" in normalized.text:
            total *= 1.3
        # Longer texts collect more words by chance; scale by a soft length factor.
        value = math.tanh(total / max(1.5, math.sqrt(len(lemmas)) / 2))
        label = "negative" if value < NEGATIVE_BELOW else "positive" if value > POSITIVE_ABOVE else "neutral"
        return Sentiment(label, round(value, 3))
