"""Text fingerprints for near-duplicate detection: sets of lemma shingles, compared by containment."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

SHINGLE = 3
MAX_STORY_SHINGLES = 3000
_STOP = frozenset(
    "и в во на не с со по к ко а но что это как у за из от о об до же ли бы то так вот уже еще ну да нет все весь "
    "он она они мы вы я ты его ее их мой наш ваш который быть этот тот там тут".split()
)


def fingerprint(lemmas: Sequence[str]) -> frozenset[str]:
    """Word 3-shingles of content lemmas; short texts fall back to their single words."""
    words = [w for w in lemmas if w not in _STOP and len(w) > 1]
    if len(words) < SHINGLE + 1:
        return frozenset(words)
    return frozenset(" ".join(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1))


def content_words(lemmas: Sequence[str]) -> frozenset[str]:
    """The words that say what a text is about (no stop words, no one-letter words)."""
    return frozenset(w for w in lemmas if w not in _STOP and len(w) > 1)


@lru_cache(maxsize=4096)
def shingle_words(shingles: frozenset[str]) -> frozenset[str]:
    """The words of a fingerprint: what a story's texts are about."""
    return frozenset(word for shingle in shingles for word in shingle.split())


@lru_cache(maxsize=4096)
def word_pairs(shingles: frozenset[str]) -> frozenset[str]:
    """Two-word phrases of a fingerprint: a retold text keeps more of them than of its three-word ones."""
    pairs = set()
    for shingle in shingles:
        words = shingle.split()
        pairs.update(" ".join(words[i : i + 2]) for i in range(len(words) - 1))
    return frozenset(pairs)


def containment(post: frozenset[str], story: frozenset[str]) -> float:
    """Share of the post's shingles found in the story: a copy with small edits scores high."""
    if not post or not story:
        return 0.0
    return len(post & story) / len(post)


def merge(story: frozenset[str], post: frozenset[str]) -> frozenset[str]:
    """The story's fingerprint after a post joins, capped so old stories stay cheap to compare."""
    merged = story | post
    if len(merged) > MAX_STORY_SHINGLES:
        merged = frozenset(sorted(merged)[:MAX_STORY_SHINGLES])
    return merged
