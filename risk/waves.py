"""Copy-paste waves («вброс»): one text copied word for word or nearly across sources within minutes.

A story's members are grouped by their text, words cut to their first letters (a crude stem: «кишечную» and
«кишечная» are one word): a copy shares at least ``risk.wave.similarity`` of its word 3-shingles with the group
(wrappers like «Девочки!!!» or «перешлите всем», typos and emoji change a few shingles only). A rewritten copy of
an alarming text («воду не пить» for «не пейте воду») keeps most of its words if not their order: for texts with
alarm markers, most of the words in the group's vocabulary also make a copy. The largest group is the wave; it is
counted in its densest window (``risk.wave.window``): copies, sources, platforms, and how many came from
accounts or communities the town's field did not know.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from risk.fingerprint import fingerprint
from risk.story import Member

MIN_SHINGLES = 4  # «ужас», «это правда?»: too short to call a copy of anything
GROUP_SHINGLES = 2000  # a group's shingles are capped, so a flood of variants stays cheap
STEM = 5  # letters kept of each word
WORD_SIMILARITY = 0.75  # share of an alarming text's words found in the group's vocabulary
MIN_WORDS = 8  # fewer words say too little to call a reworded text a copy
_WORD = re.compile(r"[а-яёa-z0-9]+")


@dataclass(frozen=True, slots=True)
class CopyText:
    shingles: frozenset[str]
    words: frozenset[str]


@lru_cache(maxsize=50_000)
def copy_text(text: str) -> CopyText:
    """Word 3-shingles and the set of words of a text, as written but lower-cased and cut to stems."""
    words = [w[:STEM] for w in _WORD.findall(text.lower().replace("ё", "е"))]
    shingles = fingerprint(words)
    return CopyText(shingles, frozenset(w for w in words if len(w) > 2))


@dataclass(frozen=True, slots=True)
class Wave:
    """The largest group of copies in a story, measured in its densest window."""

    copies: tuple[Member, ...]  # every copy, oldest first
    window: tuple[Member, ...]  # the copies of the densest window
    first: datetime
    last: datetime

    @property
    def count(self) -> int:
        return len(self.window)

    @property
    def sources(self) -> int:
        return len({(m.platform, m.source) for m in self.window})

    @property
    def platforms(self) -> int:
        return len({m.platform for m in self.window})

    @property
    def span(self) -> timedelta:
        return self.last - self.first


def copy_groups(members: Sequence[Member], similarity: float) -> list[list[Member]]:
    """Members grouped by near-identical text, largest group first (texts too short to compare are left out)."""
    groups: list[list[Member]] = []
    prints: list[set[str]] = []
    vocabularies: list[set[str]] = []
    alarming: list[bool] = []
    index: dict[str, list[int]] = {}
    exact: dict[str, int] = {}  # a text already grouped: its copies word for word need no comparing
    for member in sorted(members, key=lambda m: m.published_at):
        if member.text in exact:
            groups[exact[member.text]].append(member)
            continue
        own = copy_text(member.text)
        if len(own.shingles) < MIN_SHINGLES:
            continue
        hits = Counter(g for s in own.shingles for g in index.get(s, ()))
        best = max(hits, key=lambda g: (hits[g], -g), default=None)
        if best is None or hits[best] / len(own.shingles) < similarity:
            best = _reworded(own, member, groups, vocabularies, alarming)
        if best is not None:
            groups[best].append(member)
            exact[member.text] = best
            vocabularies[best] |= own.words
            fresh = own.shingles - prints[best]
            if fresh and len(prints[best]) < GROUP_SHINGLES:
                prints[best] |= fresh
                for s in fresh:
                    index.setdefault(s, []).append(best)
            continue
        groups.append([member])
        exact[member.text] = len(groups) - 1
        prints.append(set(own.shingles))
        vocabularies.append(set(own.words))
        alarming.append(_alarming(member))
        for s in own.shingles:
            index.setdefault(s, []).append(len(groups) - 1)
    return sorted(groups, key=len, reverse=True)


def _alarming(member: Member) -> bool:
    return any(s.startswith("alarm:") for s in member.signals)


def _reworded(own: CopyText, member: Member, groups: list[list[Member]], vocabularies: list[set[str]],
              alarming: list[bool]) -> int | None:
    """The alarming group whose vocabulary holds most of an alarming text's words, if enough of them."""
    if len(own.words) < MIN_WORDS or not _alarming(member):
        return None
    best, share = None, WORD_SIMILARITY
    for index, vocabulary in enumerate(vocabularies):
        if alarming[index] and len(groups[index]) and (found := len(own.words & vocabulary) / len(own.words)) >= share:
            best, share = index, found
    return best


def densest(copies: Sequence[Member], window: timedelta) -> tuple[Member, ...]:
    """The copies published within the ``window`` that holds most of them (the earliest such window)."""
    best = (0, 0)
    start = 0
    for end in range(len(copies)):
        while copies[end].published_at - copies[start].published_at > window:
            start += 1
        if end - start + 1 > best[1] - best[0]:
            best = (start, end + 1)
    return tuple(copies[best[0] : best[1]])


def find_wave(members: Sequence[Member], similarity: float, window: timedelta, min_copies: int) -> Wave | None:
    groups = copy_groups(members, similarity)
    if not groups or len(groups[0]) < min_copies:
        return None
    copies = tuple(groups[0])  # already in time order
    dense = densest(copies, window)
    return Wave(copies, dense, dense[0].published_at, dense[-1].published_at)
