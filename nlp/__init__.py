"""Russian NLP: normalisation, lemmas, entities, relevance, topics, sentiment, appeals, toxicity, classifiers.

Heavy parts (pymorphy3, natasha, scikit-learn) load on first use of the names that need them, so that storage
and the CLI can use the annotation records without paying for the models.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from nlp.annotation import MODEL_VERSION, Annotation, Entity, Sentiment, TopicScore
from nlp.normalize import NormalizedText, normalize

if TYPE_CHECKING:
    from nlp.analyzer import Analyzer, PostContext
    from nlp.entities import NerTagger
    from nlp.morph import Lemmatizer, tokenize

_LAZY = {
    "Analyzer": "nlp.analyzer",
    "PostContext": "nlp.analyzer",
    "NerTagger": "nlp.entities",
    "Lemmatizer": "nlp.morph",
    "tokenize": "nlp.morph",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'nlp' has no attribute {name!r}")


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
