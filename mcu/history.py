"""Baselines for the risk scorer, read from the store once per processing pass and shared by its stories."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from config import Settings
from risk import Member
from risk.baselines import Baselines, TopicVolume, expected_count, typical_pace
from storage import baselines as store

FAMILIAR_BEFORE = timedelta(days=1)  # an account is known if it wrote before this long ago: not part of today's wave
FOREIGN_MIN_POSTS = 5  # a community needs this many earlier posts to be judged as one that writes about other things
FOREIGN_SHARE = 0.3  # ... and fewer than this share of them about the town


def _account(member: Member) -> tuple[str, str]:
    """(platform, the author's stable id or name): what the store is asked about."""
    return member.platform, member.author_id or member.author or ""


class History:
    """Source paces and topic volumes as of ``now``; create one per pass so figures stay current."""

    def __init__(self, settings: Settings, now: datetime) -> None:
        self._risk = settings.risk
        self._relevance = settings.nlp.relevance_threshold
        self._now = now
        self._paces: dict[tuple[str, str], float | None] = {}
        self._topics: dict[str, TopicVolume] = {}
        self._authors: dict[tuple[str, str], bool] = {}
        self._keys: dict[tuple[str, str], str] = {}  # account asked about → Member.author_key
        self._sources: dict[tuple[str, str], tuple[int, int]] = {}

    def _pace(self, session: Session, keys: set[tuple[str, str]]) -> dict[tuple[str, str], float]:
        missing = keys - self._paces.keys()
        if missing:
            since = self._now - timedelta(seconds=self._risk.pace_history)
            samples = store.source_samples(session, missing, since)
            for key in missing:
                self._paces[key] = typical_pace(samples.get(key, []), self._risk.pace_min_posts)
        return {key: pace for key in keys if (pace := self._paces[key]) is not None}

    def _volume(self, session: Session, topic: str) -> TopicVolume:
        if topic not in self._topics:
            window = timedelta(seconds=self._risk.burst_window)
            window_start = self._now - window
            history_start = self._now - timedelta(seconds=self._risk.burst_history)
            recent, history, first = store.topic_counts(
                session, topic, self._relevance, history_start, window_start, self._now
            )
            covered = (window_start - max(history_start, first)) / window if first is not None else 0.0
            self._topics[topic] = TopicVolume(recent, expected_count(history, covered, self._risk.burst_prior))
        return self._topics[topic]

    def _familiar(self, session: Session, members: Sequence[Member]) -> tuple[frozenset[str], frozenset[tuple[str, str]]]:
        """Accounts that wrote before the story (by author, or by source for a page posting as itself), and
        communities that write mostly about other things."""
        before = self._now - FAMILIAR_BEFORE
        since = before - timedelta(seconds=self._risk.pace_history)
        wanted = {_account(m): m.author_key for m in members if m.author or m.author_id}
        authors = set(wanted) - self._authors.keys()
        if authors:
            known = store.known_accounts(session, authors, since, before)
            self._authors.update({key: key in known for key in authors})
        self._keys.update(wanted)
        sources = {(m.platform, m.source) for m in members} - self._sources.keys()
        if sources:
            counts = store.source_relevance(session, sources, self._relevance, since, before)
            self._sources.update({key: counts.get(key, (0, 0)) for key in sources})
        known_keys = {self._keys[account] for account, seen in self._authors.items() if seen and account in self._keys}
        known_keys |= {f"{platform}:{source}" for (platform, source), (total, _) in self._sources.items() if total}
        foreign = frozenset(key for key, (total, relevant) in self._sources.items()
                            if total >= FOREIGN_MIN_POSTS and relevant < FOREIGN_SHARE * total)
        return frozenset(known_keys), foreign

    def for_story(self, session: Session, members: Sequence[Member], topic: str) -> Baselines:
        keys = {(m.platform, m.source) for m in members if not m.is_comment}
        baselines = Baselines(self._pace(session, keys), self._volume(session, topic) if topic != "other" else None)
        wave = self._risk.wave
        if len(members) >= wave.min_copies and len({(m.platform, m.source) for m in members}) >= wave.min_sources:
            known, foreign = self._familiar(session, members)
            baselines = replace(baselines, known_accounts=known, foreign_sources=foreign)
        return baselines
