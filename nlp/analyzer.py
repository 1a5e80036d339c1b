"""The NLP stage: one ``Post`` in, one ``Annotation`` out; heavy resources are loaded once and injected."""

from __future__ import annotations

from dataclasses import dataclass

from collectors.post import Post
from config.schema import Settings
from nlp.annotation import Annotation, Entity
from nlp.complaints import AppealDetector
from nlp.entities import NerTagger
from nlp.lexicon import PhraseMatcher
from nlp.morph import Lemmatizer, tokenize
from nlp.normalize import normalize
from nlp.relevance import RelevanceScorer
from nlp.sentiment import SentimentScorer
from nlp.topics import TopicTagger
from nlp.toxicity import toxicity

MAX_ANALYSED_CHARS = 20_000  # a 1 MB «open letter» is stored whole but judged on its opening


@dataclass(frozen=True, slots=True)
class PostContext:
    """What the analyser cannot see in the text: the kind of source and the parent post's verdict."""

    town_source: bool = False
    official: bool = False
    parent_relevance: float | None = None


class Analyzer:
    def __init__(self, settings: Settings, lemmatizer: Lemmatizer | None = None, ner: NerTagger | None = None) -> None:
        self.lemmatizer = lemmatizer or Lemmatizer()
        self._ner = ner
        self._town_name = settings.town.name
        self._gazetteer = settings.gazetteer
        self._relevance = RelevanceScorer(settings.gazetteer, self.lemmatizer)
        self._topics = TopicTagger(settings.topics, self.lemmatizer)
        self._sentiment = SentimentScorer(self.lemmatizer)
        self._appeals = AppealDetector(self.lemmatizer, settings.nlp.authorities)
        self._escalation = PhraseMatcher(self.lemmatizer, settings.nlp.escalation)
        self._officials = [(o.title, PhraseMatcher(self.lemmatizer, o.terms)) for o in settings.nlp.officials]
        self._town_sources = set(settings.gazetteer.town_sources)
        self._official_sources = set(settings.gazetteer.official_sources)

    def context_for(self, post: Post, parent_relevance: float | None = None) -> PostContext:
        """Context from the config's lists of town and official sources."""
        official = post.source in self._official_sources
        return PostContext(
            town_source=official or post.source in self._town_sources,
            official=official,
            parent_relevance=parent_relevance,
        )

    def _new_entities(self, found: list[Entity], known: list[Entity]) -> list[Entity]:
        """NER results not already known; the town in any case form becomes its nominative name."""
        seen = {self.lemmatizer.phrase(e.normal) for e in known} | {self.lemmatizer.phrase(e.text) for e in known}
        town = {self.lemmatizer.phrase(name) for name in self._gazetteer.town}
        fresh: list[Entity] = []
        for entity in found:
            key = self.lemmatizer.phrase(entity.normal)
            if key in seen:
                continue
            if key in town:
                entity = Entity(entity.kind, entity.text, self._town_name)
            seen.add(key)
            fresh.append(entity)
        return fresh

    def analyze(self, post: Post, context: PostContext | None = None) -> Annotation:
        context = context or self.context_for(post)
        normalized = normalize(post.text[:MAX_ANALYSED_CHARS])
        text = normalized.text
        tokens = tokenize(text)
        lemmas = [self.lemmatizer.lemma(token) for token in tokens]
        relevance = self._relevance.score(
            text, lemmas, town_source=context.town_source, parent_relevance=context.parent_relevance
        )
        topics = self._topics.tag(lemmas)
        sentiment = self._sentiment.score(lemmas, normalized)
        appeal = self._appeals.detect(
            text,
            lemmas,
            sentiment,
            [t.code for t in topics],
            official=context.official,
            news=post.platform == "web" and not post.is_comment,
        )
        signals = [f"escalation:{term}" for term in self._escalation.find(lemmas)]
        entities: list[Entity] = []
        for title, matcher in self._officials:
            found = matcher.find(lemmas)
            if found:
                signals.append(f"official:{title}")
                entities.append(Entity("official", found[0], title))
        signals += list(appeal.kinds)
        if context.official:
            signals.append("official_source")
        for place in relevance.places:
            normal = self._town_name if place == self._gazetteer.town[0] else place.replace("мкр", "микрорайон")
            entities.append(Entity("place", place, normal))
        if self._ner is not None:
            entities += self._new_entities(self._ner.extract(text), entities)
        return Annotation(
            id=post.id,
            relevance=relevance.score,
            topics=topics,
            sentiment=sentiment,
            needs_response=appeal.needs_response,
            entities=tuple(entities),
            toxicity=toxicity(tokens, normalized),
            signals=tuple(dict.fromkeys(signals)),
            places=relevance.places,
            lemmas=tuple(lemmas),
        )
