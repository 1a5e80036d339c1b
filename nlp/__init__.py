"""Russian NLP: normalisation, lemmas, entities, relevance, topics, sentiment, appeals, toxicity."""

from nlp.analyzer import Analyzer, PostContext
from nlp.annotation import MODEL_VERSION, Annotation, Entity, Sentiment, TopicScore
from nlp.entities import NerTagger
from nlp.morph import Lemmatizer, tokenize
from nlp.normalize import NormalizedText, normalize

__all__ = [
    "MODEL_VERSION",
    "Analyzer",
    "Annotation",
    "Entity",
    "Lemmatizer",
    "NerTagger",
    "NormalizedText",
    "PostContext",
    "Sentiment",
    "TopicScore",
    "normalize",
    "tokenize",
]
