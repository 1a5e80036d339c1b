"""Lexicon sentiment with negation, intensifiers, smileys, speech acts and shouting."""

from __future__ import annotations

import math
from collections.abc import Sequence

from nlp.annotation import Sentiment
from nlp.lexicon import PhraseMatcher
from nlp.lexicons import tagged_terms, word_list
from nlp.morph import Lemmatizer
from nlp.normalize import NormalizedText
from nlp.smileys import POLARITY
from nlp.toxicity import toxicity

_NEGATIONS = {"не", "ни", "без"}
_PLANNED = {"плановый", "профилактический", "запланированный"}  # «плановое отключение» is news, not a complaint
_INTENSIFIERS = {"очень", "совсем", "абсолютно", "вообще", "крайне", "полностью", "ужасно", "слишком", "жутко", "просто"}
NEGATIVE_BELOW = -0.25
POSITIVE_ABOVE = 0.25
SMILEY_WEIGHT = 0.8
IRONIC_SMILEY = 0.5  # «опять нет воды)))»: a smile after a complaint is as often bitter as glad
# Speech acts on top of the words' own colour; a greeting opens complaints too, so it weighs little.
SPEECH_ACTS = {"greeting": 0.3, "thanks": 0.6, "congratulation": 1.5, "wish": 0.8, "condolence": -1.2}
MAT_EMPHASIS = 1.3  # «охрененно красиво»: мат in a glad text makes it gladder, not negative


class SentimentScorer:
    def __init__(self, lemmatizer: Lemmatizer) -> None:
        negative = word_list("negative.txt")
        positive = word_list("positive.txt")
        self._negative = {w for w in negative if " " not in w}
        self._positive = {w for w in positive if " " not in w}
        self._negative_phrases = PhraseMatcher(lemmatizer, [w for w in negative if " " in w])
        self._positive_phrases = PhraseMatcher(lemmatizer, [w for w in positive if " " in w])
        acts = tagged_terms("speech_acts.txt")
        self._act_of = {term: kind for term, kind in acts}
        self._acts = PhraseMatcher(lemmatizer, [term for term, _ in acts])
        self._personal = PhraseMatcher(lemmatizer, word_list("personal.txt"))

    def personal_words(self, lemmas: Sequence[str]) -> list[str]:
        """Words of grief, loss or loneliness: negativity about one's own life, not about the town."""
        return self._personal.find(lemmas)

    def speech_acts(self, lemmas: Sequence[str]) -> list[str]:
        """Kinds of speech acts in the text, each once: greeting, thanks, congratulation, wish, condolence."""
        return list(dict.fromkeys(self._act_of[term] for term in self._acts.find(lemmas)))

    def score(self, lemmas: Sequence[str], normalized: NormalizedText, acts: Sequence[str] | None = None) -> Sentiment:
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
        for act in self.speech_acts(lemmas) if acts is None else acts:
            total += SPEECH_ACTS.get(act, 0.0)
        smileys = 0.0
        for kind in normalized.smileys:
            colour = POLARITY.get(kind, 0.0)
            smileys += colour * (IRONIC_SMILEY if colour > 0 and total < 0 else 1.0)
        total += SMILEY_WEIGHT * smileys
        if total > 0 and toxicity(lemmas, normalized) >= 0.8:
            total *= MAT_EMPHASIS
        if normalized.caps_ratio > 0.6 or "!!!" in normalized.text:
            total *= 1.3
        # Longer texts collect more words by chance; scale by a soft length factor.
        value = math.tanh(total / max(1.5, math.sqrt(len(lemmas)) / 2))
        label = "negative" if value < NEGATIVE_BELOW else "positive" if value > POSITIVE_ABOVE else "neutral"
        return Sentiment(label, round(value, 3))
