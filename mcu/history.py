"""Baselines for the risk scorer, read from the store once per processing pass and shared by its stories."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from config import Settings
from risk import Member
from risk.baselines import Baselines, TopicVolume, expected_count, typical_pace
from storage import baselines as store

FAMILIAR_BEFORE = timedelta(days=1)  # an account is known if it wrote before this long ago: not part of today's wave
FAMILIAR_FOR = timedelta(hours=1)  # what the store said about an account holds this long (waves are rescored often)
FOREIGN_MIN_POSTS = 5  # a community needs this many earlier posts to be judged as one that writes about other things
FOREIGN_SHARE = 0.3  # ... and fewer than this share of them about the town


class AccountCache:
    """What the store said about accounts and sources, kept for ``FAMILIAR_FOR`` across processing passes."""

    def __init__(self) -> None:
        self.authors: dict[tuple[str, str], bool] = {}
        self.sources: dict[tuple[str, str], tuple[int, int]] = {}
        self._since: datetime | None = None

    def expire(self, now: datetime) -> None:
        if self._since is None or not timedelta(0) <= now - self._since < FAMILIAR_FOR:
            self.authors.clear()
            self.sources.clear()
            self._since = now


def _account(member: Member) -> tuple[str, str]:
    """(platform, the author's stable id or name): what the store is asked about."""
    return member.platform, member.author_id or member.author or ""


class History:
    """Source paces and topic volumes as of ``now``; create one per pass so figures stay current."""

    def __init__(self, settings: Settings, now: datetime, accounts: AccountCache | None = None) -> None:
        self._risk = settings.risk
        self._relevance = settings.nlp.relevance_threshold
        self._now = now
        self._accounts = accounts if accounts is not None else AccountCache()
        self._accounts.expire(now)
        self._paces: dict[tuple[str, str], float | None] = {}
        self._topics: dict[str, TopicVolume] = {}

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
        cache = self._accounts
        wanted = {_account(m): m.author_key for m in members if m.author or m.author_id}
        authors = set(wanted) - cache.authors.keys()
        if authors:
            known = store.known_accounts(session, authors, since, before)
            cache.authors.update({key: key in known for key in authors})
        sources = {(m.platform, m.source) for m in members} - cache.sources.keys()
        if sources:
            counts = store.source_relevance(session, sources, self._relevance, since, before)
            cache.sources.update({key: counts.get(key, (0, 0)) for key in sources})
        known_keys = {key for account, key in wanted.items() if cache.authors.get(account)}
        wanted_sources = {(m.platform, m.source) for m in members}
        known_keys |= {f"{platform}:{source}" for platform, source in wanted_sources if cache.sources[(platform, source)][0]}
        foreign = frozenset(key for key in wanted_sources
                            if (counts := cache.sources[key])[0] >= FOREIGN_MIN_POSTS and counts[1] < FOREIGN_SHARE * counts[0])
        return frozenset(known_keys), foreign

    def for_story(self, session: Session, members: Sequence[Member], topic: str) -> Baselines:
        keys = {(m.platform, m.source) for m in members if not m.is_comment}
        return Baselines(self._pace(session, keys), self._volume(session, topic) if topic != "other" else None,
                         familiarity=lambda copies: self._familiar(session, copies))
