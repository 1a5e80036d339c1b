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
from responses.events import Known, events, notices
from responses.records import ThreadPost
from storage import gospublics as gospublics_store
from storage import outbox
from storage import responses as store
from storage.models import StoryRow
from storage.responses_models import AppealRow

log = logging.getLogger(__name__)


@dataclass
class AnswerStats:
    new: int = 0
    checked: int = 0
    notices: int = 0


class Answers:
    """One per pipeline; the assessor is rebuilt when analysts attach accounts to bodies."""

    def __init__(self, settings: Settings, lemmatizer: Callable[[], Lemmatizer], alerting: Alerting | None) -> None:
        self.settings = settings
        self._lemmatizer = lemmatizer
        self.alerting = alerting
        self._assessor: Assessor | None = None
        self._accounts: object = None
        self._threads: dict[tuple[str, str, str], list[ThreadPost]] = {}
        self._stories: dict[int, list[ThreadPost]] = {}
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
        self._threads, self._stories = {}, {}  # read afresh each pass
        threshold = self.settings.nlp.relevance_threshold
        processed = store.posts_by_id(session, post_ids)
        touched_stories: set[int] = set()
        created: dict[int, str | None] = {}
        for post, relevance in store.appeal_candidates(session, post_ids):
            parent = store.parent_of(session, post)
            if assessor.is_official(post, parent):
                continue
            if relevance < threshold and assessor.directory.page_owner(post) is None:
                continue  # another town's trouble on a page that is not a body's: no one here must answer
            if store.earlier_appeal_in_thread(session, post) is not None:
                continue  # the author goes on in the same thread: their words judge the answer, not a new appeal
            created[self._check(session, assessor, None, post, now, stats, touched_stories)] = post.author_key
            stats.new += 1
        ids = set(store.appeals_touched(session, processed, self.repeat_window)) | set(store.appeals_due(session, now))
        # An appeal judged a moment ago saw this pass's posts already; only a later appeal of its author made in the
        # same pass (a repeat) could change it.
        authors = [key for key in created.values() if key]
        again = {i for i, key in created.items() if not key or authors.count(key) < 2}
        for appeal_id in sorted(ids - again):
            row = store.appeal(session, appeal_id)
            post = store.appeal_post(session, row) if row is not None else None
            if row is None or post is None:
                continue
            self._check(session, assessor, row, post, now, stats, touched_stories)
            stats.checked += 1
        if touched_stories:
            session.execute(update(StoryRow).where(StoryRow.id.in_(sorted(touched_stories))).values(rescore=True))
        return stats

    def context(self, session: Session, post: ThreadPost, row: AppealRow | None) -> Context:
        platform, source, root = post.thread_root
        later = [p for p in store.appeals_of_author(session, post.author_key, post.published_at) if p.key != post.key]
        # One pass reads each thread and story once: appeals of a busy thread share them (nothing writes posts here).
        threads, stories = self._threads, self._stories
        if post.thread_root not in threads:
            threads[post.thread_root] = store.thread(session, platform, source, root)
        if post.story_id is not None and post.story_id not in stories:
            stories[post.story_id] = store.story_posts(session, post.story_id)
        thread = threads[post.thread_root]
        parent = next((p for p in thread if p.id == post.parent_id and not p.is_comment), None) \
            if post.parent_id else None
        return Context(
            appeal=post,
            parent=parent,
            thread=thread,
            story=stories.get(post.story_id, []) if post.story_id is not None else [],
            later_appeals=later,
            bodies=tuple(row.bodies or ()) if row is not None else (),
            routing=tuple(row.routing or ()) if row is not None else (),
        )

    def _check(self, session: Session, assessor: Assessor, row: AppealRow | None, post: ThreadPost, now: datetime,
               stats: AnswerStats, touched_stories: set[int]) -> int:
        """Judge one appeal, store the verdict and its events, queue its notices; returns the appeal's id."""
        ctx = self.context(session, post, row)
        verdict = assessor.assess(ctx, now)
        known: Known | None = store.known(session, row)
        found = events(known, verdict, now, assessor.directory)
        repeated_by = None
        if verdict.repeated_by is not None:
            later = next((p for p in ctx.later_appeals if p.key == verdict.repeated_by), None)
            repeated_by = store.appeal_id_of_post(session, later.db_id if later else None)
        first = verdict.first_reply
        settled = verdict.deleted or (first is not None and now > first.at + max(self.follow_up, self.repeat_window))
        saved = store.save_verdict(session, row, verdict, found, now, settled, repeated_by)
        changed = known is None or any(e.kind in ("replied", "quality", "satisfaction", "conflict") for e in found)
        if changed and post.story_id is not None:
            touched_stories.add(post.story_id)
        made = notices(found, verdict, self.settings.responses.notify, assessor.directory, self.settings.town.tz)
        for notice in made:
            self._queue(session, notice, now)
        stats.notices += len(made)
        return saved.id

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
