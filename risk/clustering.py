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


class StoryMatcher:
    def __init__(self, window: timedelta, duplicate_similarity: float, town_places: Sequence[str] = ()) -> None:
        self.window = window
        self.duplicate_similarity = duplicate_similarity
        self._generic_places = frozenset(town_places)

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
        specific = set(post.places) - self._generic_places
        candidates = []
        for story in open_stories:
            if story.topic not in topics:
                continue
            if story.topic in _SINGLE_PLACE_TOPICS or specific & set(story.places):
                candidates.append(story)
        if candidates:
            return max(candidates, key=lambda s: s.last_seen_at).id
        return None
