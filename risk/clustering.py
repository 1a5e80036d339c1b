"""Incremental story clustering: comments follow their post, copies join their original, same place+topic join."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import timedelta

from risk.fingerprint import containment, shingle_words, word_pairs
from risk.story import PostFeatures, StoryState

# Topics too broad to group on place alone: a concert and a match in the same town are different stories.
_LOOSE_TOPICS = frozenset({"other", "culture", "politics"})
# Topics with one place in town: every post about the plant in a window is one story.
_SINGLE_PLACE_TOPICS = frozenset({"npp"})
MIN_SHINGLES_FOR_COPY = 4
# A post naming many places (a weekly round-up, a list of shutdowns) is about none of them in particular.
MAX_PLACES_TO_MATCH = 2
MAX_INSTITUTIONS_TO_MATCH = 3
# Microdistricts («3 мкр») group any troubled posts on a topic for a few hours; institutions and addresses
# («школа №3», «3 мкр, д. 12») only group complaints, for a recurring problem.
_DISTRICT = re.compile(r"^\d{1,2} мкр$")
# A refutation names what it denies: it joins the alarming story it shares most words with, at least this many.
MIN_REFUTED_WORDS = 3
# A reworded copy of an alarming claim («воду не пить» for «не пейте воду») breaks word shingles but keeps words:
# it joins an alarming story whose vocabulary holds this share of its words (and it has enough words to tell),
# if a good part of its two-word phrases are the story's too: a big story's vocabulary holds most words on its
# topic, but not the phrases of a different text.
REWORDED_SHARE = 0.75
REWORDED_PHRASES = 0.4
MIN_REWORDED_WORDS = 8


class StoryMatcher:
    def __init__(
        self,
        window: timedelta,
        duplicate_similarity: float,
        place_window: timedelta | None = None,
        town_places: Sequence[str] = (),
        recurrence_window: timedelta | None = None,
        alarming: float = 0.6,
    ) -> None:
        self.window = window
        self.place_window = place_window or window
        # Complaints about one place keep joining the same story this long: a problem that does not go away.
        self.recurrence_window = max(recurrence_window or self.place_window, self.place_window)
        self.duplicate_similarity = duplicate_similarity
        self.alarming = alarming  # a story this alarming takes retold copies of its claim
        self._generic_places = frozenset(town_places)
        self._town_words = frozenset(word for place in town_places for word in place.split())

    def specific_places(self, places: Sequence[str]) -> set[str]:
        """Places narrower than the town itself, if few enough to say what the post is about."""
        specific = set(places) - self._generic_places
        return set() if self._roundup(specific) else specific

    def _roundup(self, places: Sequence[str] | set[str]) -> bool:
        """Many microdistricts (an address counts as its microdistrict) or many institutions: a round-up."""
        specific = set(places) - self._generic_places
        areas = {place.split(",")[0] for place in specific}
        districts = {area for area in areas if _DISTRICT.match(area)}
        return len(districts) > MAX_PLACES_TO_MATCH or len(areas - districts) > MAX_INSTITUTIONS_TO_MATCH

    def refuted_story(self, post: PostFeatures, stories: Sequence[StoryState]) -> int | None:
        """The alarming story a refutation denies: the one whose words it shares most (none below the minimum)."""
        best_id, best = None, MIN_REFUTED_WORDS - 1
        words = post.words - self._town_words
        if self._roundup(post.places):
            return None  # «Итоги недели: … ночной фейк …» tells of the refutation, it is not one
        for story in stories:
            if story.alarm <= 0 or not story.fingerprint:
                continue
            shared = len(words & shingle_words(story.fingerprint))
            if shared > best:
                best_id, best = story.id, shared
        return best_id

    def same_story(self, a: StoryState, b: StoryState) -> bool:
        """Two stories that turn out to be one: one's text is mostly the other's, or same troubled place and topic."""
        if a.first_seen_at - self.window > b.last_seen_at or b.first_seen_at - self.window > a.last_seen_at:
            return False
        small, large = sorted((a, b), key=lambda s: len(s.fingerprint))
        if len(small.fingerprint) >= MIN_SHINGLES_FOR_COPY and containment(small.fingerprint, large.fingerprint) >= self.duplicate_similarity:
            return True
        if (min(a.alarm, b.alarm) >= self.alarming
                and containment(word_pairs(small.fingerprint), word_pairs(large.fingerprint)) >= REWORDED_PHRASES):
            words = shingle_words(small.fingerprint)  # one alarming claim told in other words
            if len(words) >= MIN_REWORDED_WORDS and containment(words, shingle_words(large.fingerprint)) >= REWORDED_SHARE:
                return True
        if a.topic != b.topic or a.topic in _LOOSE_TOPICS or not (a.negative and b.negative):
            return False
        near = abs((a.last_seen_at - b.last_seen_at).total_seconds()) <= self.place_window.total_seconds()
        shared = self.specific_places(a.places) & self.specific_places(b.places)
        return near and (a.topic in _SINGLE_PLACE_TOPICS or any(_DISTRICT.match(p) for p in shared))

    def reworded_story(self, post: PostFeatures, stories: Sequence[StoryState]) -> int | None:
        """The alarming story an alarming post retells in other words, if any."""
        if not post.alarming or len(post.words) < MIN_REWORDED_WORDS:
            return None
        best_id, best = None, REWORDED_SHARE
        for story in stories:
            if story.alarm < self.alarming or not story.fingerprint:
                continue
            if containment(word_pairs(post.fingerprint), word_pairs(story.fingerprint)) < REWORDED_PHRASES:
                continue
            share = containment(post.words, shingle_words(story.fingerprint))
            if share >= best:
                best_id, best = story.id, share
        return best_id

    def alarming_copy(self, post: PostFeatures, stories: Sequence[StoryState]) -> int | None:
        """The alarming story a post copies, for posts that do not name the town: a copy of a rumour about the
        town, posted in a community the config does not know, is about the town all the same."""
        if len(post.fingerprint) < MIN_SHINGLES_FOR_COPY:
            return None
        alarming = [s for s in stories if s.alarm > 0 and s.fingerprint
                    and post.at - self.window <= s.last_seen_at and s.first_seen_at <= post.at + self.window]
        best_id, best = None, self.duplicate_similarity
        for story in alarming:
            similarity = containment(post.fingerprint, story.fingerprint)
            if similarity >= best:
                best_id, best = story.id, similarity
        return best_id if best_id is not None else self.reworded_story(post, alarming)

    def match(self, post: PostFeatures, stories: Sequence[StoryState]) -> int | None:
        """The id of the story the post belongs to, or None for a new story."""
        if post.parent_story_id is not None:
            return post.parent_story_id
        open_stories = [s for s in stories if post.at - self.window <= s.last_seen_at and s.first_seen_at <= post.at + self.window]
        best_id, best = None, 0.0
        if post.refutation:
            refuted = self.refuted_story(post, open_stories)
            if refuted is not None:
                return refuted
        if len(post.fingerprint) >= MIN_SHINGLES_FOR_COPY:
            for story in open_stories:
                similarity = containment(post.fingerprint, story.fingerprint)
                if similarity > best:
                    best_id, best = story.id, similarity
            if best_id is not None and best >= self.duplicate_similarity:
                return best_id
        reworded = self.reworded_story(post, open_stories)
        if reworded is not None:
            return reworded
        topics = set(post.topics or (post.topic,)) - _LOOSE_TOPICS
        specific = self.specific_places(post.places)
        districts = {p for p in specific if _DISTRICT.match(p)}
        exact = specific - districts  # an address or an institution: one place, whatever the topic is called
        candidates = []
        for story in stories:
            shared = set(story.places)
            same_topic = story.topic in topics
            recurring = post.complaint and story.complaint and bool(exact & shared or (same_topic and districts & shared))
            window = self.recurrence_window if recurring else self.place_window
            if not (same_topic or recurring) or not (story.first_seen_at <= post.at + self.window) or post.at - story.last_seen_at > window:
                continue
            # A complaint starts its own story rather than join calm news about the same place;
            # calm posts (news, official answers) may join a troubled story: they tell its course.
            if post.negative and not (story.negative or recurring):
                continue
            if story.topic in _SINGLE_PLACE_TOPICS or recurring or districts & set(story.places):
                candidates.append(story)
        if candidates:
            return max(candidates, key=lambda s: s.last_seen_at).id
        return None


# A daemon's tick grows a story or two among dozens open, each with up to thousands of shingles: a few direct scans
# cost less than indexing every shingle, which pays off from a handful of questions on (a backfill's batch asks
# hundreds). In the demo's 391 ticks, indexing was 7% of the whole run.
SCANS_BEFORE_INDEX = 4


class MergeCandidates:
    """Which stories could be one with a given story by ``StoryMatcher.same_story``: those sharing a shingle with
    it (a copy), and, whatever their words, the alarming ones for an alarming story (a claim retold) and the
    troubled ones on its topic for a troubled story (one place's trouble). Comparing every grown story with every
    open one in full was most of the time a batch spent placing posts. Stories merged away stay listed: the caller
    skips those it no longer holds."""

    def __init__(self, stories: Iterable[StoryState], alarming: float, scans: int = SCANS_BEFORE_INDEX) -> None:
        self._alarming = alarming
        self._prints: dict[int, list[frozenset[str]]] = {}
        self._by_shingle: dict[str, set[int]] | None = None
        self._scans_left = scans
        self._alarming_ids: set[int] = set()
        self._troubled: dict[str, set[int]] = {}
        for story in stories:
            self.add(story)

    def add(self, story: StoryState) -> None:
        """A story new or grown (a merged one keeps its old entries: they stay its own)."""
        self._prints.setdefault(story.id, []).append(story.fingerprint)
        if self._by_shingle is not None:
            self._index(story.id, story.fingerprint)
        if story.alarm >= self._alarming:
            self._alarming_ids.add(story.id)
        if story.negative:
            self._troubled.setdefault(story.topic, set()).add(story.id)

    def of(self, story: StoryState) -> set[int]:
        """Ids of the stories that could be one with this one (itself among them)."""
        found = self._sharing(story.fingerprint)
        if story.alarm >= self._alarming:
            found |= self._alarming_ids
        if story.negative:
            found |= self._troubled.get(story.topic, set())
        return found

    def _sharing(self, fingerprint: frozenset[str]) -> set[int]:
        if self._by_shingle is None and self._scans_left > 0:
            self._scans_left -= 1
            return {story_id for story_id, prints in self._prints.items()
                    if any(not fingerprint.isdisjoint(p) for p in prints)}
        if self._by_shingle is None:
            self._by_shingle = {}
            for story_id, prints in self._prints.items():
                for p in prints:
                    self._index(story_id, p)
        found: set[int] = set()
        for shingle in fingerprint:
            found |= self._by_shingle.get(shingle, set())
        return found

    def _index(self, story_id: int, fingerprint: frozenset[str]) -> None:
        assert self._by_shingle is not None
        for shingle in fingerprint:
            self._by_shingle.setdefault(shingle, set()).add(story_id)
