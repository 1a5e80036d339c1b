"""The NLP stage: one ``Post`` in, one ``Annotation`` out; heavy resources are loaded once and injected."""

from __future__ import annotations

import math
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
from nlp.complaints import PROBLEM_TOPICS, Appeal, AppealDetector
from nlp.entities import NerTagger
from nlp.features import FeatureText, feature_text
from nlp.lexicon import PhraseMatcher
from nlp.models import Predictions, TextModels
from nlp.morph import Lemmatizer, tokenize
from nlp.normalize import NormalizedText, normalize
from nlp.places import PlaceKeys
from nlp.problems import NO_PROBLEM, Problem, ProblemDetector
from nlp.relevance import RelevanceEvidence, RelevanceScorer, cap_untied
from nlp.sentiment import SentimentScorer
from nlp.smileys import smiley_tokens
from nlp.topics import TopicTagger
from nlp.toxicity import toxicity
from nlp.translit import detransliterate, east_slavic_to_russian

MAX_ANALYSED_CHARS = 20_000  # a 1 MB «open letter» is stored whole but judged on its opening
NER_RELEVANCE = 0.5  # below this a post is not about the town and its names do not matter
# A stated problem is evidence for an answer being needed: it shifts the classifier's log-odds by this much
# times its strength, so a problem the classifier thinks unlikely (p ≈ 0.08 and up) still gets its answer.
PROBLEM_LOG_ODDS = 2.5
PROBLEM_SENTIMENT = -0.3  # the lexicon score a neutral-sounding statement of a problem gets


@dataclass(frozen=True, slots=True)
class PostContext:
    """What the analyser cannot see in the text: the kind of source and the parent post."""

    town_source: bool = False
    official: bool = False
    parent_relevance: float | None = None
    parent_text: str | None = None
    # Signed with the town's name («Школа №3 г. Десногорска»): ties the post to the town (a community of the town that
    # no list names), without the weight of a source the config vouches for.
    signed_by_town: bool = False
    # Written on a page of the town's own body (a comment under its post): a question or request there is put to
    # that body, though the text names no authority.
    on_body_page: bool = False


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
    problem: Problem = NO_PROBLEM  # a statement of a problem (nlp.problems)
    personal: bool = False  # negative about the author's own life (grief, loneliness): no complaint
    places: tuple[str, ...] = ()  # institutions and addresses the patterns found (nlp.places), NER's come later


def rule_needs_response(strength: float, probability: float | None, rule: bool) -> bool:
    """A rule's verdict (a stated problem, a question on a body's page) combined with the classifier: the rule adds
    log-odds by its ``strength``, the classifier can still say no when it is sure (an announcement worded like a
    complaint, a joke)."""
    if probability is None:
        return rule
    p = min(max(probability, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p)) + PROBLEM_LOG_ODDS * strength >= 0.0


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
        self._authorities = PhraseMatcher(self.lemmatizer, settings.nlp.authorities)
        self._problems = ProblemDetector(
            self.lemmatizer,
            objects=[lemma for topic in settings.topics if topic.code in PROBLEM_TOPICS for lemma in topic.lemmas],
            extra=settings.nlp.problems.model_dump(),
        )
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
        """Context from the config's lists of town and official sources and the name the post is signed with. A comment on an official page is a
        resident's until shown otherwise (the responses component tells official replies by their author): it may
        well be a complaint that needs an answer."""
        official = post.source in self._official_sources and not post.is_comment
        on_body_page = post.source in self._official_sources and post.is_comment
        town_source = post.source in self._official_sources or post.source in self._town_sources
        signed = (not town_source and not post.is_comment and bool(post.author)
                  and self._relevance.names_town(self.lemmatizer.lemmas((post.author or "")[:200])))
        return PostContext(
            town_source=town_source,
            signed_by_town=signed,
            official=official,
            on_body_page=on_body_page,
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

    def readable(self, text: str) -> tuple[str, bool]:
        """Russian in Cyrillic: Ukrainian/Belarusian letters mapped, Latin transliteration undone (and whether it
        was); anything else unchanged."""
        text = east_slavic_to_russian(text)
        cyrillic = detransliterate(text, self.lemmatizer.morph.word_is_known)
        return (cyrillic, True) if cyrillic is not None else (text, False)

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
        text, transliterated = self.readable(text[:MAX_ANALYSED_CHARS])
        normalized = normalize(text)
        clean = normalized.text
        tokens = tokenize(clean)
        lemmas = [self.lemmatizer.lemma(token) for token in tokens]
        parent_clean = normalize(self.readable(parent_text[:MAX_ANALYSED_CHARS])[0]).text if parent_text else ""
        parent_tokens = tokenize(parent_clean)
        parent_lemmas = [self.lemmatizer.lemma(token) for token in parent_tokens]
        parent_relevance = context.parent_relevance
        parent_tied = parent_relevance is not None and parent_relevance >= self._threshold
        if parent_relevance is None and parent_text:
            parent = self._relevance.score(parent_clean.lower(), parent_lemmas, town_source=context.town_source)
            parent_relevance, parent_tied = parent.score, parent.about_town
        written = self._place_keys.written(clean, lemmas)
        relevance = self._relevance.score(
            clean, lemmas, town_source=context.town_source, parent_relevance=parent_relevance, parent_tied=parent_tied,
            known_place=self._place_keys.known(written),
            source_ties=not (parent_text or context.parent_relevance is not None),
            signed_by_town=context.signed_by_town,
        )
        topics = self._topics.tag(lemmas)
        acts = self._sentiment.speech_acts(lemmas)
        sentiment = self._sentiment.score(lemmas, normalized, acts)
        problem = self._problems.detect(
            tokens, lemmas, negative=sentiment.label == "negative", positive=sentiment.label == "positive"
        )
        if problem.stated and sentiment.label == "neutral":
            # «третий день не горят фонари» names no feeling, yet a resident stating a problem complains
            sentiment = Sentiment("negative", min(sentiment.score, PROBLEM_SENTIMENT))
        personal = (
            sentiment.label == "negative" and not problem.stated and not self._authorities.find(lemmas)
            and ("condolence" in acts or bool(self._sentiment.personal_words(lemmas)))
        )
        # A web page is news, unless a resident writes it in the first person (an appeal sent through a site).
        news = platform == "web" and not is_comment and not self._problems.first_person(tokens, lemmas)
        appeal = self._appeals.detect(
            clean, lemmas, sentiment, [t.code for t in topics],
            official=context.official, news=news, problem=problem, personal=personal, addressed=context.on_body_page,
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
        markers += ["translit"] * transliterated + ["personal"] * personal + [f"act_{act}" for act in acts]
        markers += [token.strip("_") for token in smiley_tokens(normalized.smileys)]
        markers += [f"problem_{problem.cancelled}"] * bool(problem.cancelled) + ["lasting"] * problem.lasting
        features = feature_text(
            normalized, lemmas, parent_lemmas=parent_lemmas, platform=platform, is_comment=is_comment, markers=markers,
            tokens=tokens, parent_tokens=parent_tokens, tied=relevance.tied,
        )
        return Prepared(normalized, tokens, lemmas, context, relevance, topics, sentiment, appeal, escalation, officials,
                        features, alarm, problem, personal, tuple(written))

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
        probability = prediction.needs_response if prediction else None
        if not needs and "problem" in ready.appeal.kinds:
            needs = rule_needs_response(ready.problem.strength, probability, ready.problem.stated)
        if not needs and ready.appeal.needs_response and ready.context.on_body_page:
            # A question to the body on its own page waits for the body's answer, unless the classifier is sure
            # it is talk among residents.
            needs = rule_needs_response(1.0, probability, True)
        signals = [f"escalation:{term}" for term in ready.escalation]
        entities: list[Entity] = []
        for title, found in ready.officials:
            signals.append(f"official:{title}")
            entities.append(Entity("official", found, title))
        signals += list(ready.appeal.kinds)
        if ready.personal:
            signals.append("personal")
        if ready.sentiment.label == "negative":
            # The text's own words are negative (the lexicon, or a stated problem), not only the classifier's guess:
            # the risk stage counts a reply as one more voice only then.
            signals.append("negative_words")
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
        keys = self._place_keys.find(ready.normalized.text, ready.lemmas, entities, ready.places)
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
