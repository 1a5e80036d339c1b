"""Wiring of the responses component into the pipeline: after each analysis pass, new appeals are found and
routed, appeals whose thread, story or author moved are judged again, deadlines are watched, and the notices of
the transitions (a conflict, a deadline drawing near) go out through the alert outbox in the same transaction."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from config import Settings
from gospublics import body_accounts
from mcu.alerting import Alerting
from nlp.morph import Lemmatizer
from responses import Assessor, Context, Notice, build_assessor
from responses.events import events, notices
from responses.records import ThreadPost
from storage import answer_reads
from storage import gospublics as gospublics_store
from storage import outbox
from storage import responses as store
from storage.models import StoryRow
from storage.answer_reads import Checked, PassReads
from storage.appeal_writes import AppealWrites
from storage.responses_models import AppealRow

log = logging.getLogger(__name__)


@dataclass
class AnswerStats:
    new: int = 0
    checked: int = 0
    notices: int = 0

    def __add__(self, other: AnswerStats) -> AnswerStats:
        return AnswerStats(self.new + other.new, self.checked + other.checked, self.notices + other.notices)


class Answers:
    """One per pipeline; the assessor is rebuilt when analysts attach accounts to bodies."""

    def __init__(self, settings: Settings, lemmatizer: Callable[[], Lemmatizer], alerting: Alerting | None) -> None:
        self.settings = settings
        self._lemmatizer = lemmatizer
        self.alerting = alerting
        self._assessor: Assessor | None = None
        self._accounts: object = None
        self.follow_up = timedelta(seconds=settings.responses.follow_up)
        self.repeat_window = timedelta(seconds=settings.responses.repeat_window)

    def assessor(self, session: Session) -> Assessor:
        extra = store.accounts(session)
        # A registered госпаблик is its body's account too: its replies are official in ratings as on its page.
        for body, accounts in body_accounts(gospublics_store.list_pages(session)).items():
            extra[body] = [*extra.get(body, []), *accounts]
        snapshot = tuple(sorted((body, repr(a)) for body, found in extra.items() for a in found))
        if self._assessor is None or snapshot != self._accounts:
            self._assessor = build_assessor(self.settings, self._lemmatizer(), extra)
            self._accounts = snapshot
        return self._assessor

    # --- one pass -----------------------------------------------------------------------------------------------

    def update(self, session: Session, now: datetime, post_ids: Sequence[int]) -> AnswerStats:
        """Find new appeals among the posts just analysed, re-judge the appeals they touch and those whose time
        has come, record events and queue notices."""
        stats = AnswerStats()
        if not self.settings.bodies:
            return stats
        assessor = self.assessor(session)
        threshold = self.settings.nlp.relevance_threshold
        processed = store.posts_by_id(session, post_ids)
        touched_stories: set[int] = set()
        created: list[tuple[AppealRow, str | None]] = []  # the new appeals and their authors
        candidates = store.appeal_candidates(session, post_ids)
        reads = PassReads()  # read afresh each pass, in sets
        writes = AppealWrites(session)
        reads.load(session, [post for post, _ in candidates])
        for post, relevance in candidates:
            if assessor.is_official(post, reads.parent(post)):
                continue
            if relevance < threshold and assessor.directory.page_owner(post) is None:
                continue  # another town's trouble on a page that is not a body's: no one here must answer
            if reads.continues_appeal(post):
                continue  # the author goes on in the same thread: their words judge the answer, not a new appeal
            row = self._check(session, assessor, reads, writes, None, post, now, stats, touched_stories)
            reads.created(row, post)
            created.append((row, post.author_key))
            stats.new += 1
        writes.flush()
        ids = set(store.appeals_touched(session, processed, self.repeat_window)) | set(store.appeals_due(session, now))
        # An appeal judged a moment ago saw this pass's posts already; only a later appeal of its author made in the
        # same pass (a repeat) could change it.
        authors = [key for _, key in created if key]
        again = {row.id for row, key in created if not key or authors.count(key) < 2}
        checked = answer_reads.appeals_to_check(session, sorted(ids - again))
        reads.load(session, [c.post for c in checked])
        for appeal in checked:
            self._check(session, assessor, reads, writes, appeal, appeal.post, now, stats, touched_stories)
            stats.checked += 1
        writes.flush()
        if touched_stories:
            session.execute(update(StoryRow).where(StoryRow.id.in_(sorted(touched_stories))).values(rescore=True))
        return stats

    def context(self, reads: PassReads, post: ThreadPost, row: AppealRow | None) -> Context:
        return Context(
            appeal=post,
            parent=reads.parent(post),
            thread=reads.thread(post),
            story=reads.story(post),
            later_appeals=[a.post for a in reads.later_appeals(post)],
            bodies=tuple(row.bodies or ()) if row is not None else (),
            routing=tuple(row.routing or ()) if row is not None else (),
        )

    def _check(self, session: Session, assessor: Assessor, reads: PassReads, writes: AppealWrites,
               checked: Checked | None, post: ThreadPost, now: datetime, stats: AnswerStats, touched_stories: set[int]) -> AppealRow:
        """Judge one appeal, store the verdict and its events, queue its notices; returns the appeal's row."""
        row = checked.row if checked is not None else None
        verdict = assessor.assess(self.context(reads, post, row), now)
        known = checked.known if checked is not None else None
        found = events(known, verdict, now, assessor.directory)
        repeated_by = None
        if verdict.repeated_by is not None:
            later = next((a for a in reads.later_appeals(post) if a.post.key == verdict.repeated_by), None)
            if later is not None and later.id is None:
                writes.flush()  # the repeat was made in this very pass (the same minute): its id is needed now
            repeated_by = later.id if later is not None else None
        first = verdict.first_reply
        settled = verdict.deleted or (first is not None and now > first.at + max(self.follow_up, self.repeat_window))
        saved = writes.save(row, verdict, found, now, settled, repeated_by, checked.links if checked is not None else None)
        changed = known is None or any(e.kind in ("replied", "quality", "satisfaction", "conflict") for e in found)
        if changed and post.story_id is not None:
            touched_stories.add(post.story_id)
        made = notices(found, verdict, self.settings.responses.notify, assessor.directory, self.settings.town.tz)
        for notice in made:
            self._queue(session, notice, now)
        stats.notices += len(made)
        return saved

    def _queue(self, session: Session, notice: Notice, now: datetime) -> None:
        """Through the alert outbox: delivered with retries, never twice; the JSON Lines file keeps alert records
        only, so notices go to the console and the roles' chats."""
        roles = tuple(r for r in notice.roles if r in self.settings.roles)
        level = logging.INFO if notice.kind == "conflict" else logging.DEBUG
        log.log(level, "обращение %s: %s → %s", notice.appeal_key, notice.kind, ", ".join(roles) or "никому")
        if self.alerting is None:
            return
        for channel, target in self.alerting.chats_for(roles):
            # The alert file keeps alert records only; the console (the daemon's log) hears of conflicts, while
            # deadlines drawing near go to the people's chats (and to the log with --verbose).
            if channel == "jsonl" or (channel == "console" and notice.kind != "conflict"):
                continue
            outbox.queue(session, None, outbox.Planned(channel, target, "send", now), notice.text, now)
