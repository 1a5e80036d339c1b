"""Incremental story clustering: comments follow their post, copies join their original, same place+topic join."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from risk.fingerprint import containment
from risk.story import PostFeatures, StoryState

# Topics too broad to group on place alone: a concert and a match in the same town are different stories.
_LOOSE_TOPICS = frozenset({"other", "culture", "politics"})
# Topics with one place in town: every post about the plant in a window is one story.
_SINGLE_PLACE_TOPICS = frozenset({"npp"})
MIN_SHINGLES_FOR_COPY = 4
# A post naming many places (a weekly round-up, a list of shutdowns) is about none of them in particular.
MAX_PLACES_TO_MATCH = 2


class StoryMatcher:
    def __init__(
        self,
        window: timedelta,
        duplicate_similarity: float,
        place_window: timedelta | None = None,
        town_places: Sequence[str] = (),
    ) -> None:
        self.window = window
        self.place_window = place_window or window
        self.duplicate_similarity = duplicate_similarity
        self._generic_places = frozenset(town_places)

    def specific_places(self, places: Sequence[str]) -> set[str]:
        """Places narrower than the town itself, if few enough to say what the post is about."""
        specific = set(places) - self._generic_places
        return specific if len(specific) <= MAX_PLACES_TO_MATCH else set()

    def same_story(self, a: StoryState, b: StoryState) -> bool:
        """Two stories that turn out to be one: one's text is mostly the other's, or same troubled place and topic."""
        if a.first_seen_at - self.window > b.last_seen_at or b.first_seen_at - self.window > a.last_seen_at:
            return False
        small, large = sorted((a, b), key=lambda s: len(s.fingerprint))
        if len(small.fingerprint) >= MIN_SHINGLES_FOR_COPY and containment(small.fingerprint, large.fingerprint) >= self.duplicate_similarity:
            return True
        if a.topic != b.topic or a.topic in _LOOSE_TOPICS or not (a.negative and b.negative):
            return False
        near = abs((a.last_seen_at - b.last_seen_at).total_seconds()) <= self.place_window.total_seconds()
        return near and (a.topic in _SINGLE_PLACE_TOPICS or bool(self.specific_places(a.places) & self.specific_places(b.places)))

    def match(self, post: PostFeatures, stories: Sequence[StoryState]) -> int | None:
        """The id of the story the post belongs to, or None for a new story."""
        if post.parent_story_id is not None:
            return post.parent_story_id
        open_stories = [s for s in stories if post.at - self.window <= s.last_seen_at and s.first_seen_at <= post.at + self.window]
        best_id, best = None, 0.0
        if len(post.fingerprint) >= MIN_SHINGLES_FOR_COPY:
            for story in open_stories:
                similarity = containment(post.fingerprint, story.fingerprint)
                if similarity > best:
                    best_id, best = story.id, similarity
            if best_id is not None and best >= self.duplicate_similarity:
                return best_id
        topics = set(post.topics or (post.topic,)) - _LOOSE_TOPICS
        specific = self.specific_places(post.places)
        candidates = []
        for story in open_stories:
            if story.topic not in topics or post.at - story.last_seen_at > self.place_window:
                continue
            # A complaint starts its own story rather than join calm news about the same place;
            # calm posts (news, official answers) may join a troubled story: they tell its course.
            if post.negative and not story.negative:
                continue
            if story.topic in _SINGLE_PLACE_TOPICS or specific & set(story.places):
                candidates.append(story)
        if candidates:
            return max(candidates, key=lambda s: s.last_seen_at).id
        return None
