"""Baselines for the risk scorer, read from the store once per processing pass and shared by its stories."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from config import Settings
from risk import Member
from risk.baselines import Baselines, TopicVolume, expected_count, typical_pace
from storage import baselines as store


class History:
    """Source paces and topic volumes as of ``now``; create one per pass so figures stay current."""

    def __init__(self, settings: Settings, now: datetime) -> None:
        self._risk = settings.risk
        self._relevance = settings.nlp.relevance_threshold
        self._now = now
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

    def for_story(self, session: Session, members: Sequence[Member], topic: str) -> Baselines:
        keys = {(m.platform, m.source) for m in members if not m.is_comment}
        return Baselines(self._pace(session, keys), self._volume(session, topic) if topic != "other" else None)
