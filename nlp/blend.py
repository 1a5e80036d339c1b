"""How rule verdicts and classifier probabilities are combined into the annotation.

Rules are precise where they fire (the town named, a microdistrict, an obscene root); classifiers carry what
rules cannot see (a comment's context, sarcasm, a complaint without complaint words). Weights below were set
by cross-validation on the training split (see `mcu train`), never on the held-out split.
"""

from __future__ import annotations

from nlp.annotation import Sentiment, TopicScore
from nlp.models import Predictions
from nlp.relevance import RelevanceEvidence
from nlp.sentiment import NEGATIVE_BELOW, POSITIVE_ABOVE

MODEL_WEIGHT = 0.7
TOPIC_THRESHOLD = 0.4
MAX_TOPICS = 3


def blend_relevance(rules: RelevanceEvidence, prediction: Predictions | None) -> float:
    """The town named outright decides; another town alone caps; otherwise rules and model share."""
    if prediction is None or prediction.relevant is None:
        return rules.score
    explicit = bool(rules.town_terms) or any("мкр" in place for place in rules.places)
    if explicit:
        return max(rules.score, prediction.relevant)
    if rules.other_towns:
        return min(rules.score, prediction.relevant)
    return (1 - MODEL_WEIGHT) * rules.score + MODEL_WEIGHT * prediction.relevant


def blend_topics(rules: tuple[TopicScore, ...], prediction: Predictions | None) -> tuple[TopicScore, ...]:
    if prediction is None or not prediction.topics:
        return rules
    scores = {t.code: t.score * (1 - MODEL_WEIGHT) for t in rules if t.code != "other"}
    for code, probability in prediction.topics.items():
        if code == "other":
            continue
        scores[code] = scores.get(code, 0.0) + MODEL_WEIGHT * probability
    chosen = sorted(((c, s) for c, s in scores.items() if s >= TOPIC_THRESHOLD * MODEL_WEIGHT), key=lambda x: -x[1])
    if not chosen:
        return (TopicScore("other", round(max(prediction.topics.get("other", 0.5), 0.5), 3)),)
    return tuple(TopicScore(code, round(min(score, 1.0), 3)) for code, score in chosen[:MAX_TOPICS])


def blend_sentiment(lexicon: Sentiment, prediction: Predictions | None) -> Sentiment:
    """Class probabilities mixed with the lexicon's verdict turned into pseudo-probabilities."""
    if prediction is None or not prediction.sentiment:
        return lexicon
    strength = abs(lexicon.score)
    lexical = {
        "negative": strength if lexicon.score < 0 else 0.0,
        "positive": strength if lexicon.score > 0 else 0.0,
        "neutral": 1.0 - strength,
    }
    mixed = {
        label: MODEL_WEIGHT * prediction.sentiment.get(label, 0.0) + (1 - MODEL_WEIGHT) * lexical[label]
        for label in ("negative", "neutral", "positive")
    }
    label = max(mixed, key=lambda name: mixed[name])
    score = mixed["positive"] - mixed["negative"]
    # Keep the sign of the score consistent with the label for readers of the record.
    if label == "negative":
        score = min(score, NEGATIVE_BELOW)
    elif label == "positive":
        score = max(score, POSITIVE_ABOVE)
    else:
        score = max(min(score, POSITIVE_ABOVE), NEGATIVE_BELOW)
    return Sentiment(label, round(score, 3))


def blend_needs_response(rule: bool, prediction: Predictions | None, *, official: bool) -> bool:
    if official:
        return False
    if prediction is None or prediction.needs_response is None:
        return rule
    return MODEL_WEIGHT * prediction.needs_response + (1 - MODEL_WEIGHT) * float(rule) >= 0.5
