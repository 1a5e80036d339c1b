"""What one answers pass reads, in sets: the threads, stories and authors' appeals of every appeal judged, and the
replies already linked to them. A pass judges hundreds of appeals; reading each one's context apart cost ten
queries an appeal, and a busy thread was read again for every appeal in it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from responses.events import Known
from responses.records import ThreadPost
from storage.chunks import in_chunks
from storage.models import PostRow
from storage.responses import posts_by_id, thread_posts
from storage.responses_models import AppealReplyRow, AppealRow

Root = tuple[str, str, str]  # platform, source, id of the top-level post


@dataclass
class AuthorAppeal:
    """An appeal as its author's history: its row (an id once flushed) and its post."""

    row: AppealRow | None
    appeal_id: int | None
    post: ThreadPost

    @property
    def id(self) -> int | None:
        return self.row.id if self.row is not None else self.appeal_id


class PassReads:
    """Read once per pass and kept current as the pass creates appeals (nothing else writes posts meanwhile)."""

    def __init__(self) -> None:
        self.threads: dict[Root, list[ThreadPost]] = {}
        self.stories: dict[int, list[ThreadPost]] = {}
        # Who appealed in each thread and when: a later comment of theirs continues their appeal.
        self._thread_appeals: dict[Root, list[tuple[str | None, datetime]]] = {}
        self._authors_since: dict[str, datetime] = {}
        self._by_author: dict[str, list[AuthorAppeal]] = {}

    # --- loading ------------------------------------------------------------------------------------------------

    def load(self, session: Session, posts: Sequence[ThreadPost]) -> None:
        """Read what judging these appeals needs and is not read yet."""
        self._load_threads(session, {p.thread_root for p in posts} - self.threads.keys())
        self._load_stories(session, {p.story_id for p in posts if p.story_id is not None} - self.stories.keys())
        since: dict[str, datetime] = {}
        for post in posts:
            key = post.author_key
            if key and (key not in self._authors_since or post.published_at < self._authors_since[key]):
                since[key] = min(post.published_at, since.get(key, post.published_at))
        self._load_authors(session, since)

    def _load_threads(self, session: Session, roots: set[Root]) -> None:
        by_source: dict[tuple[str, str], list[str]] = {}
        for platform, source, root in sorted(roots):
            by_source.setdefault((platform, source), []).append(root)
            self.threads[(platform, source, root)] = []
            self._thread_appeals[(platform, source, root)] = []
        for (platform, source), ids in by_source.items():
            for chunk in in_chunks(ids):
                where = (PostRow.platform == platform, PostRow.source == source,
                         or_(PostRow.external_id.in_(chunk), PostRow.parent_external_id.in_(chunk)))
                for post in thread_posts(session, *where, ordered=True):
                    self.threads[post.thread_root].append(post)
                appealed = (select(PostRow.parent_external_id, PostRow.external_id, AppealRow.author_key,
                                   AppealRow.appeal_at)
                            .join(PostRow, PostRow.id == AppealRow.post_id).where(*where))
                for parent, external_id, author_key, at in session.execute(appealed):
                    self._thread_appeals[(platform, source, parent or external_id)].append((author_key, at))

    def _load_stories(self, session: Session, story_ids: set[int]) -> None:
        wanted = sorted(story_ids)
        for story_id in wanted:
            self.stories[story_id] = []
        for chunk in in_chunks(wanted):
            # Top-level posts of a story: where an official post answers the story's appeals.
            for post in thread_posts(session, PostRow.story_id.in_(chunk), PostRow.parent_external_id.is_(None),
                                     ordered=True):
                self.stories[post.story_id].append(post)  # type: ignore[index]

    def _load_authors(self, session: Session, since: dict[str, datetime]) -> None:
        if not since:
            return
        start = min(since.values())
        for key in since:
            self._authors_since[key] = since[key]
            self._by_author[key] = []
        found: list[tuple[str, int, int]] = []
        for chunk in in_chunks(sorted(since)):
            found += session.execute(select(AppealRow.author_key, AppealRow.id, AppealRow.post_id)
                                     .where(AppealRow.author_key.in_(chunk), AppealRow.appeal_at >= start)).all()
        posts = {p.db_id: p for p in posts_by_id(session, [post_id for _, _, post_id in found])}
        for key, appeal_id, post_id in found:
            if post_id in posts and posts[post_id].published_at >= since[key]:
                self._by_author[key].append(AuthorAppeal(None, appeal_id, posts[post_id]))
        for key in since:
            self._by_author[key].sort(key=lambda a: (a.post.published_at, a.post.db_id or 0))

    # --- what the pass asks ----------------------------------------------------------------------------------------

    def thread(self, post: ThreadPost) -> list[ThreadPost]:
        return self.threads.get(post.thread_root, [])

    def parent(self, post: ThreadPost) -> ThreadPost | None:
        """The top-level post a comment sits under."""
        if post.parent_id is None:
            return None
        return next((p for p in self.thread(post) if p.id == post.parent_id and not p.is_comment), None)

    def story(self, post: ThreadPost) -> list[ThreadPost]:
        return self.stories.get(post.story_id, []) if post.story_id is not None else []

    def continues_appeal(self, post: ThreadPost) -> bool:
        """The author appealed earlier in the same thread: their later words judge the answer, not a new appeal."""
        key = post.author_key
        return key is not None and any(author == key and at <= post.published_at
                                       for author, at in self._thread_appeals.get(post.thread_root, []))

    def later_appeals(self, post: ThreadPost) -> list[AuthorAppeal]:
        """The author's other appeals made since this one (repeated complaints), oldest first."""
        key = post.author_key
        if not key:
            return []
        return [a for a in self._by_author.get(key, [])
                if a.post.published_at >= post.published_at and a.post.key != post.key]

    def created(self, row: AppealRow, post: ThreadPost) -> None:
        """Keep the reads current with an appeal this pass has just made."""
        self._thread_appeals.setdefault(post.thread_root, []).append((post.author_key, post.published_at))
        if post.author_key and post.author_key in self._by_author:
            found = self._by_author[post.author_key]
            found.append(AuthorAppeal(row, None, post))
            found.sort(key=lambda a: (a.post.published_at, a.post.db_id or 0))


# --- appeals to check again, with what was decided about them -------------------------------------------------------


@dataclass
class Checked:
    """An appeal to judge again: its row, its post, what the last check decided and its reply links."""

    row: AppealRow
    post: ThreadPost
    known: Known
    links: dict[int, AppealReplyRow]


def appeals_to_check(session: Session, ids: Sequence[int]) -> list[Checked]:
    """The appeals with these ids whose post is still stored, in id order."""
    rows: list[AppealRow] = []
    for chunk in in_chunks(sorted(set(ids))):
        rows += session.scalars(select(AppealRow).where(AppealRow.id.in_(chunk)))
    rows.sort(key=lambda r: r.id)
    posts = {p.db_id: p for p in posts_by_id(session, [r.post_id for r in rows])}
    links: dict[int, list[tuple[AppealReplyRow, str]]] = {}
    for chunk in in_chunks([r.id for r in rows]):
        query = (select(AppealReplyRow, PostRow.platform, PostRow.source, PostRow.external_id)
                 .join(PostRow, PostRow.id == AppealReplyRow.post_id)
                 .where(AppealReplyRow.appeal_id.in_(chunk)).order_by(AppealReplyRow.appeal_id))
        for appeal_id, group in groupby(session.execute(query), key=lambda r: r[0].appeal_id):
            links[appeal_id] = [(link, f"{platform}:{source}:{external_id}")
                                for link, platform, source, external_id in group]
    found: list[Checked] = []
    for row in rows:
        if row.post_id not in posts:
            continue
        replies = links.get(row.id, [])
        known = Known(
            sla_status=row.sla_status, quality=row.reply_quality, satisfaction=row.satisfaction,
            reply_keys=frozenset(key for _, key in replies), warned=row.warned_at is not None,
            conflicts_told=frozenset(key for link, key in replies if link.told),
        )
        found.append(Checked(row, posts[row.post_id], known, {link.post_id: link for link, _ in replies}))
    return found
