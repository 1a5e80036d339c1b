"""The NLP stage: one ``Post`` in, one ``Annotation`` out; heavy resources are loaded once and injected."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from collectors.post import Post
from config.schema import Settings
from nlp.alarm import AlarmDetector
from nlp.annotation import MODEL_VERSION as RULES_VERSION
from nlp.annotation import Annotation, Entity, Sentiment, TopicScore
from nlp.blend import (
    blend_needs_response,
    blend_relevance,
    blend_sentiment,
    blend_topics,
)
from nlp.complaints import Appeal, AppealDetector
from nlp.entities import NerTagger
from nlp.features import FeatureText, feature_text
from nlp.lexicon import PhraseMatcher
from nlp.models import Predictions, TextModels
from nlp.morph import Lemmatizer, tokenize
from nlp.normalize import NormalizedText, normalize
from nlp.places import PlaceKeys
from nlp.relevance import RelevanceEvidence, RelevanceScorer, cap_untied
from nlp.sentiment import SentimentScorer
from nlp.topics import TopicTagger
from nlp.toxicity import toxicity

MAX_ANALYSED_CHARS = 20_000  # a 1 MB «open letter» is stored whole but judged on its opening
NER_RELEVANCE = 0.5  # below this a post is not about the town and its names do not matter


@dataclass(frozen=True, slots=True)
class PostContext:
    """What the analyser cannot see in the text: the kind of source and the parent post."""

    town_source: bool = False
    official: bool = False
    parent_relevance: float | None = None
    parent_text: str | None = None


@dataclass(frozen=True, slots=True)
class Prepared:
    """A text after normalisation, morphology and rules: the common ground of analysis and training."""

    normalized: NormalizedText
    tokens: list[str]
    lemmas: list[str]
    context: PostContext
    relevance: RelevanceEvidence
    topics: tuple[TopicScore, ...]
    sentiment: Sentiment
    appeal: Appeal
    escalation: list[str]
    officials: list[tuple[str, str]]
    features: FeatureText
    alarm: tuple[str, ...] = ()  # alarm, planned-event and refutation signals (nlp.alarm)


class Analyzer:
    """Rules always; the trained classifiers when ``models`` are given (their verdicts are blended in)."""

    def __init__(
        self,
        settings: Settings,
        lemmatizer: Lemmatizer | None = None,
        ner: NerTagger | None = None,
        models: TextModels | None = None,
    ) -> None:
        self.lemmatizer = lemmatizer or Lemmatizer()
        self._ner = ner
        self.models = models
        self.model_version = f"{RULES_VERSION}+{models.meta.get('created', 'model')}" if models else RULES_VERSION
        self._town_name = settings.town.name
        self._threshold = settings.nlp.relevance_threshold
        self._gazetteer = settings.gazetteer
        self._relevance = RelevanceScorer(settings.gazetteer, self.lemmatizer)
        self._topics = TopicTagger(settings.topics, self.lemmatizer)
        self._sentiment = SentimentScorer(self.lemmatizer)
        self._appeals = AppealDetector(self.lemmatizer, settings.nlp.authorities)
        self._escalation = PhraseMatcher(self.lemmatizer, settings.nlp.escalation)
        self._officials = [(o.title, PhraseMatcher(self.lemmatizer, o.terms)) for o in settings.nlp.officials]
        self._alarm = AlarmDetector(self.lemmatizer, settings.nlp.alarm)
        self._place_keys = PlaceKeys(
            self.lemmatizer, settings.gazetteer.institutions, settings.gazetteer.districts_max,
            generic=[*settings.nlp.authorities, *settings.gazetteer.town, *settings.gazetteer.derived,
                     *settings.gazetteer.other_towns, *settings.gazetteer.plant,
                     *(t for o in settings.nlp.officials for t in o.terms)],
            aliases=settings.gazetteer.place_aliases,
        )
        # Names matter only in posts that go on to stories: those about the town.
        self._ner_relevance = min(NER_RELEVANCE, settings.nlp.relevance_threshold) if NER_RELEVANCE else 0.0
        # Names the gazetteer already knows need no NER: the town, its derived words, other towns.
        self._known_names = frozenset(
            lemma
            for term in [*settings.gazetteer.town, *settings.gazetteer.derived, *settings.gazetteer.other_towns]
            for lemma in self.lemmatizer.phrase(term)
        )
        self._town_sources = set(settings.gazetteer.town_sources)
        self._official_sources = set(settings.gazetteer.official_sources)

    def context_for(
        self, post: Post, parent_relevance: float | None = None, parent_text: str | None = None
    ) -> PostContext:
        """Context from the config's lists of town and official sources. A comment on an official page is a
        resident's until shown otherwise (the responses component tells official replies by their author): it may
        well be a complaint that needs an answer."""
        official = post.source in self._official_sources and not post.is_comment
        return PostContext(
            town_source=post.source in self._official_sources or post.source in self._town_sources,
            official=official,
            parent_relevance=parent_relevance,
            parent_text=parent_text,
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

    def prepare(
        self,
        text: str,
        *,
        platform: str = "vk",
        is_comment: bool = False,
        parent_text: str | None = None,
        context: PostContext | None = None,
    ) -> Prepared:
        """Everything the rules know about a text, plus the features the classifiers read."""
        context = context or PostContext()
        normalized = normalize(text[:MAX_ANALYSED_CHARS])
        clean = normalized.text
        tokens = tokenize(clean)
        lemmas = [self.lemmatizer.lemma(token) for token in tokens]
        parent_lemmas = self.lemmatizer.lemmas(normalize(parent_text[:MAX_ANALYSED_CHARS]).text) if parent_text else []
        parent_relevance = context.parent_relevance
        parent_tied = parent_relevance is not None and parent_relevance >= self._threshold
        if parent_relevance is None and parent_text:
            parent = self._relevance.score(parent_text.lower(), parent_lemmas, town_source=context.town_source)
            parent_relevance, parent_tied = parent.score, parent.tied
        relevance = self._relevance.score(clean, lemmas, town_source=context.town_source,
                                          parent_relevance=parent_relevance, parent_tied=parent_tied)
        topics = self._topics.tag(lemmas)
        sentiment = self._sentiment.score(lemmas, normalized)
        appeal = self._appeals.detect(
            clean, lemmas, sentiment, [t.code for t in topics],
            official=context.official, news=platform == "web" and not is_comment,
        )
        escalation = self._escalation.find(lemmas)
        officials = [(title, found[0]) for title, matcher in self._officials if (found := matcher.find(lemmas))]
        alarm = tuple(self._alarm.signals(tokens, lemmas))
        markers = list(appeal.kinds)
        markers += ["town"] * bool(relevance.town_terms) + ["other_town"] * bool(relevance.other_towns)
        markers += ["district"] * any(p != self._gazetteer.town[0] for p in relevance.places)
        markers += ["town_source"] * context.town_source + ["official_source"] * context.official
        markers += ["escalation"] * bool(escalation) + ["official"] * bool(officials)
        markers += ["alarm"] * any(a.startswith("alarm:") for a in alarm)
        features = feature_text(
            normalized, lemmas, parent_lemmas=parent_lemmas, platform=platform, is_comment=is_comment, markers=markers
        )
        return Prepared(normalized, tokens, lemmas, context, relevance, topics, sentiment, appeal, escalation, officials,
                        features, alarm)

    def analyze(self, post: Post, context: PostContext | None = None) -> Annotation:
        return self.analyze_batch([(post, context)])[0]

    def analyze_batch(self, items: Sequence[tuple[Post, PostContext | None]]) -> list[Annotation]:
        """Rules per post, the classifiers once for the whole batch (vectorising in bulk is much cheaper)."""
        prepared = [
            self.prepare(
                post.text, platform=post.platform, is_comment=post.is_comment,
                parent_text=(context.parent_text if context else None), context=context or self.context_for(post),
            )
            for post, context in items
        ]
        predictions: list[Predictions | None] = (
            list(self.models.predict([p.features for p in prepared])) if self.models else [None] * len(prepared)
        )
        relevance = [
            cap_untied(blend_relevance(r.relevance, p), r.relevance, self._threshold)
            for r, p in zip(prepared, predictions, strict=True)
        ]
        named: list[list[Entity]] = [[] for _ in prepared]
        if self._ner is not None:
            # NER is the costliest step: spend it where the post may concern the town, in one batch.
            wanted = [i for i, score in enumerate(relevance) if score >= self._ner_relevance or not self.models]
            for i, found in zip(wanted, self._ner.extract_many([prepared[i].normalized.text for i in wanted], self._known_names), strict=True):
                named[i] = found
        return [
            self._finish(post, ready, prediction, score, found)
            for (post, _), ready, prediction, score, found in zip(items, prepared, predictions, relevance, named, strict=True)
        ]

    def _finish(
        self, post: Post, ready: Prepared, prediction: Predictions | None, relevance: float, named: list[Entity]
    ) -> Annotation:
        topics = blend_topics(ready.topics, prediction)
        sentiment = blend_sentiment(ready.sentiment, prediction)
        needs = blend_needs_response(ready.appeal.needs_response, prediction, official=ready.context.official)
        signals = [f"escalation:{term}" for term in ready.escalation]
        entities: list[Entity] = []
        for title, found in ready.officials:
            signals.append(f"official:{title}")
            entities.append(Entity("official", found, title))
        signals += list(ready.appeal.kinds)
        signals += ready.alarm
        if ready.context.official:
            signals.append("official_source")
        for place in ready.relevance.places:
            normal = self._town_name if place == self._gazetteer.town[0] else place.replace("мкр", "микрорайон")
            entities.append(Entity("place", place, normal))
        for town in ready.relevance.other_towns:
            entities.append(Entity("place", town, town.title()))
        entities += self._new_entities(named, entities)
        # Institutions and addresses join the places: recurring complaints are grouped on them.
        keys = self._place_keys.find(ready.normalized.text, ready.lemmas, entities)
        rule_toxicity = toxicity(ready.tokens, ready.normalized)
        toxic = max(rule_toxicity, prediction.toxic or 0.0) if prediction is not None else rule_toxicity
        return Annotation(
            id=post.id,
            relevance=round(relevance, 3),
            topics=topics,
            sentiment=sentiment,
            needs_response=needs,
            entities=tuple(entities),
            toxicity=round(toxic, 3),
            signals=tuple(dict.fromkeys(signals)),
            places=tuple(dict.fromkeys([*ready.relevance.places, *keys])),
            model_version=self.model_version,
            lemmas=tuple(ready.lemmas),
        )
