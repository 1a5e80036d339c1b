"""Placing a batch of analysed posts into stories: each post joins an open story or starts one, then stories
that turn out to be one are merged. The open stories are read once per batch and kept current in memory as posts
join them; the caller writes what changed once per batch."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from sqlalchemy.orm import Session

from config import Settings
from nlp import Annotation
from risk import MergeCandidates, PostFeatures, StoryMatcher, StoryState, fingerprint, level_rank, merge
from risk.alarm import post_alarm
from risk.fingerprint import content_words
from storage import posts, stories

log = logging.getLogger(__name__)

AUTOMATIC = "автоматически"  # the author of corrections clustering makes by itself


def is_complaint(annotation: Annotation) -> bool:
    """A resident's complaint, as ``Member.complaint`` judges it once stored."""
    if "official_source" in annotation.signals:
        return False
    appeal = annotation.needs_response and bool({"complaint", "request"} & set(annotation.signals))
    return annotation.sentiment.label == "negative" or appeal


class BatchPlacing:
    """One batch's placing, against the stories open since shortly before its earliest post."""

    def __init__(self, settings: Settings, matcher: StoryMatcher, session: Session, earliest: datetime) -> None:
        self.settings = settings
        self.matcher = matcher
        self.session = session
        self.index: dict[int, StoryState] = {s.id: s for s in stories.open_stories(session, earliest - matcher.window)}
        # Older complaint stories are read only if a complaint about a place comes (most batches have none).
        self._older: tuple[datetime, datetime] | None = (earliest - matcher.recurrence_window,
                                                         earliest - matcher.window)
        self.grown: set[int] = set()
        self.joined: dict[int, int] = {}  # post id → story: written once per batch, not per post

    def grown_states(self) -> list[StoryState]:
        """The stories this batch started or changed, as they are now."""
        return [self.index[i] for i in sorted(self.grown & self.index.keys())]

    def place(self, item: posts.StoredPost, parent_story: int | None, annotation: Annotation) -> int:
        """Put a post that concerns the town into its story (new or existing); returns 1 if it concerns the town.
        ``index`` and ``joined`` say where it went: the caller writes them once per batch."""
        session, index, grown, joined = self.session, self.index, self.grown, self.joined
        post = item.post
        relevant = annotation.relevance >= self.settings.nlp.relevance_threshold
        if item.story_id is not None:
            return int(relevant)
        alarm = post_alarm(annotation.signals, self.settings.risk.alarm)
        if not (relevant or parent_story or alarm):
            return 0  # not about the town, and no copy of a rumour either (a copy carries the rumour's markers)
        official = "official_source" in annotation.signals
        refutation = "question" not in annotation.signals and any(
            s.startswith("refutation:") or (official and s.startswith("reassurance:")) for s in annotation.signals)
        alarming = alarm >= self.settings.risk.alarm.alarming
        features = PostFeatures(
            topic=annotation.main_topic,
            places=annotation.places,
            fingerprint=fingerprint(annotation.lemmas),
            at=post.published_at,
            parent_story_id=parent_story,
            topics=tuple(t.code for t in annotation.topics),
            negative=annotation.sentiment.label == "negative",
            complaint=is_complaint(annotation),
            refutation=refutation and (official or not post.is_comment),
            alarming=alarming,
            words=content_words(annotation.lemmas) if refutation or alarming else frozenset(),
        )
        if relevant or parent_story:
            story_id = self.matcher.match(features, list(index.values()))
            if story_id is None and self._older is not None and features.complaint and self.matcher.specific_places(features.places):
                # A complaint about a place that would start a story: an older complaint story may hold the same
                # problem. Read them once per batch, only when it comes to that (most batches never do).
                since, until = self._older
                index.update({s.id: s for s in stories.complaint_stories(session, since, until) if s.id not in index})
                self._older = None
                story_id = self.matcher.match(features, list(index.values()))
        else:
            story_id = self.matcher.alarming_copy(features, list(index.values()))
            if story_id is None:
                return 0
        # Comments and round-ups do not widen what a story is about.
        places = sorted(self.matcher.specific_places(features.places)) if not post.is_comment else []
        if story_id is None or story_id not in index:
            state = stories.create_story(
                session, post.text, features.topic, places, features.fingerprint, post.published_at, features.negative,
                features.complaint, alarm,
            )
            index[state.id] = state
            story_id = state.id
            grown.add(story_id)  # a new story may be the second start of one already open
        else:
            state = index[story_id]
            if not state.fingerprint:  # an older complaint story, read without its text: keep what it had
                state = replace(state, fingerprint=stories.fingerprint_of(session, story_id))
            index[story_id] = replace(
                state,
                places=tuple(dict.fromkeys([*state.places, *places])),
                fingerprint=merge(state.fingerprint, features.fingerprint),
                first_seen_at=min(state.first_seen_at, post.published_at),
                last_seen_at=max(state.last_seen_at, post.published_at),
                alarm=max(state.alarm, alarm),  # known before the story is scored: copies in this batch find it
            )
            grown.add(story_id)
        joined[item.db_id] = story_id
        return int(relevant)

    def merge_duplicates(self, now: datetime) -> None:
        """Fold together stories that turn out to be one (a copied rumour that began twice), unless an analyst
        split them apart; the story that alerted first (or the older one) absorbs the other."""
        session, index, grown = self.session, self.index, self.grown
        apart = stories.kept_apart(session)
        queue = sorted(grown)
        candidates = MergeCandidates(index.values(), self.matcher.alarming)
        order = {story_id: position for position, story_id in enumerate(index)}  # the order stories are compared in

        def compared(story_id: int, after: int = -1) -> list[int]:
            return sorted((i for i in candidates.of(index[story_id]) if order[i] > after), key=order.__getitem__)

        while queue:
            story_id = queue.pop(0)
            others = compared(story_id) if story_id in index else []
            while others:
                other_id = others.pop(0)
                current, other = index.get(story_id), index.get(other_id)
                if current is None:
                    break
                if other is None or other_id == story_id or frozenset((story_id, other_id)) in apart:
                    continue
                if not self.matcher.same_story(current, other):
                    continue
                target, source = sorted((current, other), key=lambda s: (-level_rank(s.level), s.id))
                stories.merge_into(session, source.id, target.id)
                stories.record_correction(session, "merge", target.id, source.id, [], AUTOMATIC, now)
                log.info("истории %d и %d — одна история: объединены в %d", source.id, target.id, target.id)
                index[target.id] = replace(
                    target,
                    places=tuple(dict.fromkeys([*target.places, *source.places])),
                    fingerprint=merge(target.fingerprint, source.fingerprint),
                    first_seen_at=min(target.first_seen_at, source.first_seen_at),
                    last_seen_at=max(target.last_seen_at, source.last_seen_at),
                    negative=target.negative or source.negative,
                )
                del index[source.id]
                candidates.add(index[target.id])
                if target.id == story_id:  # grown, it may be one with more of the stories after this one
                    others = compared(story_id, order[other_id])
                grown.add(target.id)
                if target.id not in queue:
                    queue.append(target.id)  # the grown story may now match others too
