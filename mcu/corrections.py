"""Analysts' corrections of stories: merge several into one, split posts off into a new story, give a verdict.

Each correction is written with its author and time; a split is also remembered so that clustering never
merges the two stories back. Both stories are rescored on the next processing pass. Every correction and verdict
also goes to the alert audit log (the one the bot's buttons write), with where it came from (``chat``: CLI, web).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.lifecycle import STATUS_TITLES
from config import InputError, Settings
from mcu.alerting import Alerting
from nlp import Lemmatizer, normalize
from risk import StoryMatcher, fingerprint
from storage import Database, alert_state, stories
from storage.models import AnnotationRow, PostRow

VERDICTS = {"taken": "taken", "false": "false_positive", "closed": "closed"}  # the CLI's words → alert statuses


def _open_story(session: Session, story_id: int) -> int:
    row = stories.story_row(session, story_id)
    if row is None:
        raise InputError(f"истории №{story_id} нет")
    if row.id != story_id:
        raise InputError(f"история №{story_id} уже объединена с №{row.id}: укажите №{row.id}")
    return row.id


def merge_stories(db: Database, target: int, others: Sequence[int], author: str, now: datetime,
                  chat: str = "CLI") -> int:
    """Fold ``others`` into ``target``; returns how many posts moved."""
    if target in others:
        raise InputError(f"история №{target} не может войти сама в себя")
    moved = 0
    with db.transaction() as session:
        _open_story(session, target)
        for other in others:
            _open_story(session, other)
            posts = stories.post_ids_of(session, other)
            stories.merge_into(session, other, target)
            stories.record_correction(session, "merge", target, other, posts, author, now)
            alert_state.audit(session, target, "merge", author, now, chat=chat,
                              detail=f"№{other} → №{target}, постов {len(posts)}")
            moved += len(posts)
    return moved


class Splitter:
    """Moves posts (with their comments) into a new story and rebuilds both stories' fingerprints and places."""

    def __init__(self, settings: Settings, lemmatizer: Lemmatizer | None = None) -> None:
        self._lemmatizer = lemmatizer or Lemmatizer()
        self._matcher = StoryMatcher(timedelta(seconds=settings.risk.story_window), settings.risk.duplicate_similarity,
                                     town_places=settings.gazetteer.town[:1])

    def _shape(self, session: Session, post_ids: Sequence[int]) -> tuple[frozenset[str], list[str], str, str]:
        """Fingerprint, specific places, main topic and title of a set of posts."""
        rows = list(session.scalars(select(PostRow).where(PostRow.id.in_(list(post_ids))).order_by(PostRow.published_at)))
        notes = {a.post_id: a for a in session.scalars(select(AnnotationRow).where(AnnotationRow.post_id.in_(list(post_ids))))}
        shingles: set[str] = set()
        places: list[str] = []
        topics: dict[str, int] = {}
        for row in rows:
            shingles |= fingerprint(self._lemmatizer.lemmas(normalize(row.text).text))
            note = notes.get(row.id)
            if note is None:
                continue
            topics[note.main_topic] = topics.get(note.main_topic, 0) + 1
            if row.parent_external_id is None:
                places += sorted(self._matcher.specific_places(note.places))
        title = next((r.text for r in rows if r.parent_external_id is None and r.text.strip()), rows[0].text if rows else "")
        topic = max(topics, key=lambda t: topics[t]) if topics else "other"
        return frozenset(shingles), list(dict.fromkeys(places)), topic, title

    def split(self, db: Database, story_id: int, post_ids: Sequence[int], author: str, now: datetime,
              chat: str = "CLI") -> tuple[int, int]:
        """A new story from ``post_ids`` of ``story_id`` and their comments; returns (new story, posts moved)."""
        with db.transaction() as session:
            _open_story(session, story_id)
            members = set(stories.post_ids_of(session, story_id))
            strangers = sorted(set(post_ids) - members)
            if strangers:
                raise InputError(f"в истории №{story_id} нет постов {', '.join(map(str, strangers))} "
                                 f"(номера постов — в `mcu stories show {story_id}`)")
            moving = [p for p in stories.with_comments(session, post_ids) if p in members]
            staying = sorted(members - set(moving))
            if not staying:
                raise InputError("в истории не останется ни одного поста: разделять нечего")
            shape, places, topic, title = self._shape(session, moving)
            first = session.get(PostRow, moving[0])
            assert first is not None
            new = stories.create_story(session, title, topic, places, shape, first.published_at)
            stories.move_posts(session, moving, new.id)
            stories.rebuild(session, new.id, shape, places)
            rest, rest_places, _, _ = self._shape(session, staying)
            stories.rebuild(session, story_id, rest, rest_places)
            stories.record_correction(session, "split", story_id, new.id, moving, author, now)
            alert_state.audit(session, story_id, "split", author, now, chat=chat,
                              detail=f"№{story_id} → новая №{new.id}, постов {len(moving)}")
        return new.id, len(moving)


def mark_story(db: Database, story_id: int, verdict: str, author: str, now: datetime,
               alerting: Alerting | None = None, chat: str = "CLI") -> str:
    """Record an analyst's verdict (``taken``, ``false``, ``closed``); returns its Russian title.

    A story that alerted gets what its buttons would do (state, audit, messages updated); any story gets the label.
    """
    if verdict not in VERDICTS:
        raise InputError(f"вердикт {verdict!r}: пишите taken, false или closed")
    with db.transaction() as session:
        target = _open_story(session, story_id)
        acted = alerting is not None and alerting.act(session, target, VERDICTS[verdict], author, now, chat=chat)
        if not acted:  # a story that never alerted: the label, and the same audit line a button would leave
            stories.add_feedback(session, target, VERDICTS[verdict], author, now)
            alert_state.audit(session, target, VERDICTS[verdict], author, now, chat=chat)
    return STATUS_TITLES[VERDICTS[verdict]].lower()
