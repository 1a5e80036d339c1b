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

# Cross-validated on the train split (5 folds): the classifiers alone score best there, and 0.8 stays within 0.005
# of the best on every task while leaving the rules a say on texts unlike the corpus.
MODEL_WEIGHT = 0.8
TOPIC_RULE_WEIGHT = 0.1
SECOND_TOPIC = 0.3
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
    """The main topic first: the classifier's chance that a topic is the main one, nudged by dictionary hits;
    further topics only when they too are likely. ``other`` stands alone."""
    if prediction is None or not prediction.topics:
        return rules
    hits = {t.code: t.score for t in rules if t.code != "other"}
    scores = {code: (1 - TOPIC_RULE_WEIGHT) * p + TOPIC_RULE_WEIGHT * hits.get(code, 0.0) for code, p in prediction.topics.items()}
    for code, score in hits.items():
        scores.setdefault(code, TOPIC_RULE_WEIGHT * score)
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    main, best = ranked[0]
    if main == "other":
        return (TopicScore("other", round(min(best, 1.0), 3)),)
    chosen = [(main, best)] + [(c, s) for c, s in ranked[1:] if c != "other" and s >= SECOND_TOPIC][: MAX_TOPICS - 1]
    return tuple(TopicScore(code, round(min(score, 1.0), 3)) for code, score in chosen)


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
