"""Appeals and their official replies in the store: what the responses component reads (threads, stories, later
appeals of an author) and what it decided (verdicts, events), plus the read side of ratings and exports."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from collectors.source import SourceInfo
from responses.bodies import Account
from responses.events import Event, Known
from responses.records import AppealRecord, AppealVerdict, ThreadPost
from risk.story import AnswerState
from storage.models import AnnotationRow, PostRow
from storage.responses_models import AppealEventRow, AppealReplyRow, AppealRow, BodyAccountRow
from storage.stories import excerpt

APPEAL_KINDS = ("question", "request", "complaint")


# --- posts as the component sees them --------------------------------------------------------------------------


def key_of(row: PostRow) -> str:
    return f"{row.platform}:{row.source}:{row.external_id}"


def thread_post(row: PostRow, note: AnnotationRow | None) -> ThreadPost:
    return ThreadPost(
        key=key_of(row),
        platform=row.platform,
        source=row.source,
        id=row.external_id,
        published_at=row.published_at,
        text=row.text or "",
        parent_id=row.parent_external_id,
        url=row.url,
        author=row.author,
        author_id=getattr(row, "author_id", None),  # posts.author_id arrives with migration 0005_post_author_id
        story_id=row.story_id,
        needs_response=bool(note.needs_response) if note is not None else False,
        kinds=tuple(s for s in (note.signals if note is not None else []) if s in APPEAL_KINDS),
        topic=note.main_topic if note is not None else "other",
        places=tuple(str(p) for p in (note.places if note is not None else [])),
        sentiment=note.sentiment_label if note is not None else "neutral",
        toxicity=float(note.toxicity) if note is not None else 0.0,
        persons=tuple(e["normal"] for e in (note.entities if note is not None else []) if e.get("kind") == "person"),
        likes=row.likes or 0,
        deleted_at=row.deleted_at,
        db_id=row.id,
    )


_POST_COLUMNS = (PostRow.id, PostRow.platform, PostRow.source, PostRow.external_id, PostRow.published_at, PostRow.text,
                 PostRow.parent_external_id, PostRow.url, PostRow.author, PostRow.author_id, PostRow.story_id,
                 PostRow.likes, PostRow.deleted_at)
_NOTE_COLUMNS = (AnnotationRow.post_id.label("n_id"), AnnotationRow.needs_response, AnnotationRow.signals,
                 AnnotationRow.main_topic, AnnotationRow.places, AnnotationRow.sentiment_label, AnnotationRow.toxicity,
                 AnnotationRow.entities)


def _from_row(row: Any) -> ThreadPost:
    """A post and its verdict read as plain columns (no ORM objects: a pass reads thousands of them)."""
    noted = row.n_id is not None
    return ThreadPost(
        key=f"{row.platform}:{row.source}:{row.external_id}",
        platform=row.platform,
        source=row.source,
        id=row.external_id,
        published_at=row.published_at,
        text=row.text or "",
        parent_id=row.parent_external_id,
        url=row.url,
        author=row.author,
        author_id=row.author_id,
        story_id=row.story_id,
        needs_response=bool(row.needs_response) if noted else False,
        kinds=tuple(s for s in (row.signals if noted else []) if s in APPEAL_KINDS),
        topic=row.main_topic if noted else "other",
        places=tuple(str(p) for p in (row.places if noted else [])),
        sentiment=row.sentiment_label if noted else "neutral",
        toxicity=float(row.toxicity) if noted else 0.0,
        persons=tuple(e["normal"] for e in (row.entities if noted else []) if e.get("kind") == "person"),
        likes=row.likes or 0,
        deleted_at=row.deleted_at,
        db_id=row.id,
    )


def _thread_posts(session: Session, *where: Any, ordered: bool = False) -> list[ThreadPost]:
    query = (select(*_POST_COLUMNS, *_NOTE_COLUMNS).outerjoin(AnnotationRow, AnnotationRow.post_id == PostRow.id)
             .where(*where))
    if ordered:
        query = query.order_by(PostRow.published_at, PostRow.id)
    return [_from_row(row) for row in session.execute(query)]


def posts_by_id(session: Session, ids: Iterable[int]) -> list[ThreadPost]:
    wanted = sorted(set(ids))
    found: list[ThreadPost] = []
    for start in range(0, len(wanted), 500):
        found += _thread_posts(session, PostRow.id.in_(wanted[start:start + 500]))
    return found


def thread(session: Session, platform: str, source: str, root: str) -> list[ThreadPost]:
    """The top-level post and every comment under it."""
    return _thread_posts(session, PostRow.platform == platform, PostRow.source == source,
                         or_(PostRow.external_id == root, PostRow.parent_external_id == root), ordered=True)


def story_posts(session: Session, story_id: int | None) -> list[ThreadPost]:
    """Top-level posts of a story (where an official post answers the story's appeals)."""
    if story_id is None:
        return []
    return _thread_posts(session, PostRow.story_id == story_id, PostRow.parent_external_id.is_(None), ordered=True)


def appeals_of_author(session: Session, author_key: str | None, since: datetime) -> list[ThreadPost]:
    """Appeals an author made since ``since`` (repeated complaints)."""
    if not author_key:
        return []
    # One query: an author's appeals are few, and this runs for every appeal judged.
    return _thread_posts(session, PostRow.id.in_(select(AppealRow.post_id).where(
        AppealRow.author_key == author_key, AppealRow.appeal_at >= since)), ordered=True)


# --- which appeals to (re)check ------------------------------------------------------------------------------------


def appeal_candidates(session: Session, post_ids: Sequence[int]) -> list[tuple[ThreadPost, float]]:
    """Posts among ``post_ids`` that need an answer and are not appeals yet, with their relevance to the town."""
    if not post_ids:
        return []
    found: list[tuple[ThreadPost, float]] = []
    wanted = sorted(set(post_ids))
    for start in range(0, len(wanted), 500):
        query = (select(PostRow, AnnotationRow)
                 .join(AnnotationRow, AnnotationRow.post_id == PostRow.id)
                 .outerjoin(AppealRow, AppealRow.post_id == PostRow.id)
                 .where(PostRow.id.in_(wanted[start:start + 500]), AnnotationRow.needs_response.is_(True),
                        AppealRow.id.is_(None)))
        found += [(thread_post(row, note), float(note.relevance)) for row, note in session.execute(query)]
    return sorted(found, key=lambda item: (item[0].published_at, item[0].key))


def earlier_appeal_in_thread(session: Session, post: ThreadPost) -> int | None:
    """An appeal the same author made earlier in the same thread: a later comment of theirs continues it."""
    if post.author_key is None:
        return None
    platform, source, root = post.thread_root
    query = (select(AppealRow.id).join(PostRow, PostRow.id == AppealRow.post_id)
             .where(AppealRow.author_key == post.author_key, AppealRow.appeal_at <= post.published_at,
                    PostRow.platform == platform, PostRow.source == source,
                    or_(PostRow.external_id == root, PostRow.parent_external_id == root)))
    return session.scalars(query.limit(1)).first()


def appeals_touched(session: Session, posts: Sequence[ThreadPost], repeat_window: timedelta) -> list[int]:
    """Appeals a batch of new posts may change: in the same threads, in the same stories (a top-level post may be an
    official answer to the story or a resident's word on it), or of the same authors (repeated complaints)."""
    ids: set[int] = set()
    roots: dict[tuple[str, str], set[str]] = {}
    for platform, source, root in {p.thread_root for p in posts}:
        roots.setdefault((platform, source), set()).add(root)
    for (platform, source), wanted in roots.items():
        found = sorted(wanted)
        for start in range(0, len(found), 500):
            chunk = found[start:start + 500]
            query = (select(AppealRow.id).join(PostRow, PostRow.id == AppealRow.post_id)
                     .where(PostRow.platform == platform, PostRow.source == source,
                            or_(PostRow.external_id.in_(chunk), PostRow.parent_external_id.in_(chunk))))
            ids.update(session.scalars(query))
    stories = sorted({p.story_id for p in posts if p.story_id is not None and not p.is_comment})
    for start in range(0, len(stories), 500):
        query = (select(AppealRow.id).join(PostRow, PostRow.id == AppealRow.post_id)
                 .where(PostRow.story_id.in_(stories[start:start + 500])))
        ids.update(session.scalars(query))
    authors = sorted({p.author_key for p in posts if p.author_key and p.needs_response})
    if authors:
        since = min(p.published_at for p in posts) - repeat_window
        for start in range(0, len(authors), 500):
            query = select(AppealRow.id).where(AppealRow.author_key.in_(authors[start:start + 500]),
                                               AppealRow.appeal_at >= since)
            ids.update(session.scalars(query))
    return sorted(ids)


def appeals_due(session: Session, now: datetime) -> list[int]:
    """Unanswered appeals whose warning or deadline time has come, and appeals whose post has been deleted since."""
    waiting = select(AppealRow.id).where(
        AppealRow.first_reply_at.is_(None), AppealRow.deleted_at.is_(None),
        or_(and_(AppealRow.sla_status == "open", AppealRow.deadline_at <= now),
            and_(AppealRow.sla_status == "open", AppealRow.warned_at.is_(None), AppealRow.warn_at <= now)))
    deleted = (select(AppealRow.id).join(PostRow, PostRow.id == AppealRow.post_id)
               .where(PostRow.deleted_at.is_not(None), AppealRow.deleted_at.is_(None)))
    return sorted(set(session.scalars(waiting)) | set(session.scalars(deleted)))


def appeal(session: Session, appeal_id: int) -> AppealRow | None:
    return session.get(AppealRow, appeal_id)


def appeal_post(session: Session, row: AppealRow) -> ThreadPost | None:
    found = posts_by_id(session, [row.post_id])
    return found[0] if found else None


def parent_of(session: Session, post: ThreadPost) -> ThreadPost | None:
    if post.parent_id is None:
        return None
    found = _thread_posts(session, PostRow.platform == post.platform, PostRow.source == post.source,
                          PostRow.external_id == post.parent_id)
    return found[0] if found else None


# --- what was decided --------------------------------------------------------------------------------------------


def known(session: Session, row: AppealRow | None) -> Known | None:
    if row is None:
        return None
    replies = session.execute(select(AppealReplyRow.post_id, AppealReplyRow.told, PostRow.platform, PostRow.source,
                                     PostRow.external_id)
                              .join(PostRow, PostRow.id == AppealReplyRow.post_id)
                              .where(AppealReplyRow.appeal_id == row.id)).all()
    keys = {r.post_id: f"{r.platform}:{r.source}:{r.external_id}" for r in replies}
    return Known(
        sla_status=row.sla_status, quality=row.reply_quality, satisfaction=row.satisfaction,
        reply_keys=frozenset(keys.values()), warned=row.warned_at is not None,
        conflicts_told=frozenset(keys[r.post_id] for r in replies if r.told and r.post_id in keys),
    )


def posts_keys(session: Session, ids: Sequence[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(PostRow.id, PostRow.platform, PostRow.source, PostRow.external_id)
                           .where(PostRow.id.in_(list(ids))))
    return {i: f"{p}:{s}:{e}" for i, p, s, e in rows}


def save_verdict(session: Session, row: AppealRow | None, verdict: AppealVerdict, events: Sequence[Event],
                 now: datetime, settled: bool, repeated_by: int | None = None) -> AppealRow:
    """Insert or update the appeal, its linked replies and the events of this check, in the caller's transaction."""
    appeal_post = verdict.appeal
    first = verdict.first_reply
    new = row is None
    if row is None:
        row = AppealRow(post_id=appeal_post.db_id, created_at=now)
        session.add(row)
    row.story_id = appeal_post.story_id
    row.bodies = list(verdict.bodies)
    row.routing = list(verdict.routing)
    row.kind = verdict.kind
    row.topic = appeal_post.topic
    row.places = list(appeal_post.places)
    row.author_key = appeal_post.author_key
    row.appeal_at = appeal_post.published_at
    row.deadline_at = verdict.deadlines.first_at
    row.warn_at = verdict.deadlines.warn_at
    row.final_deadline_at = verdict.deadlines.final_at
    row.first_reply_post_id = first.post.db_id if first else None
    row.first_reply_at = first.at if first else None
    row.first_reply_body = first.body_id if first else None
    row.minutes_to_reply = verdict.minutes_to_reply
    row.working_minutes_to_reply = verdict.working_minutes_to_reply
    row.sla_status = verdict.sla_status
    row.final_status = verdict.final_status
    row.resolved_at = verdict.resolved_at
    row.reply_quality = verdict.quality.label if verdict.quality else None
    row.satisfaction = verdict.satisfaction.label
    row.reasons = list(verdict.reasons)
    row.repeated_by = repeated_by
    row.deleted_at = appeal_post.deleted_at
    row.checked_at = now
    row.settled = settled
    session.flush()
    existing = {} if new else {  # a new appeal has no reply links yet: no query for most appeals of a pass
        r.post_id: r for r in session.scalars(select(AppealReplyRow).where(AppealReplyRow.appeal_id == row.id))}
    told = {e.reply_key for e in events if e.kind == "conflict"}
    for reply in verdict.replies:
        if reply.post.db_id is None:
            continue
        link = existing.pop(reply.post.db_id, None) or AppealReplyRow(appeal_id=row.id, post_id=reply.post.db_id)
        link.body_id, link.via, link.at = reply.body_id, reply.via, reply.at
        link.quality, link.reasons = reply.quality.label, list(reply.quality.reasons)
        link.told = bool(link.told) or reply.post.key in told
        session.add(link)
    for stale in existing.values():
        session.delete(stale)  # a reply that no longer counts (its text was edited, the routing changed)
    for event in events:
        if event.kind == "approaching":
            row.warned_at = now
        session.add(AppealEventRow(appeal_id=row.id, at=now, kind=event.kind, detail=event.detail[:2000]))
    return row


def appeal_id_of_post(session: Session, db_id: int | None) -> int | None:
    if db_id is None:
        return None
    return session.scalar(select(AppealRow.id).where(AppealRow.post_id == db_id))


def story_answers(session: Session, story_id: int) -> AnswerState | None:
    """How the story's appeals were answered, for the risk scorer; None when it has none."""
    rows = list(session.scalars(select(AppealRow).join(PostRow, PostRow.id == AppealRow.post_id)
                                .where(PostRow.story_id == story_id)))
    if not rows:
        return None
    replies = list(session.scalars(select(AppealReplyRow).where(AppealReplyRow.appeal_id.in_([r.id for r in rows]))))
    by_appeal: dict[int, list[AppealReplyRow]] = {}
    for reply in replies:
        by_appeal.setdefault(reply.appeal_id, []).append(reply)
    unanswered = substantive = 0
    for row in rows:
        labels = {r.quality for r in by_appeal.get(row.id, [])}
        if row.deleted_at is not None and not labels:
            continue
        if labels & {"substantive", "request"}:
            substantive += "substantive" in labels
        else:
            unanswered += 1
    last = max((r.at for r in replies if r.quality in ("substantive", "request")), default=None)
    return AnswerState(
        appeals=len(rows), unanswered=unanswered, substantive=substantive,
        conflicts=len({r.post_id for r in replies if r.quality == "conflict"}),
        satisfied=sum(1 for r in rows if r.satisfaction == "satisfied"),
        dissatisfied=sum(1 for r in rows if r.satisfaction == "dissatisfied"),
        last_answer_at=last,
    )


# --- the read side: exports, ratings, digests, roadmap ---------------------------------------------------------------


def appeal_records(session: Session, start: datetime, end: datetime, *, body: str | None = None,
                   statuses: Sequence[str] | None = None) -> list[AppealRecord]:
    """Appeals made in [start, end), oldest first."""
    query = (select(AppealRow, PostRow).join(PostRow, PostRow.id == AppealRow.post_id)
             .where(AppealRow.appeal_at >= start, AppealRow.appeal_at < end))
    if statuses:
        query = query.where(AppealRow.sla_status.in_(list(statuses)))
    pairs = list(session.execute(query.order_by(AppealRow.appeal_at, AppealRow.id)))
    if body is not None:
        pairs = [(a, p) for a, p in pairs if body in (a.bodies or [])]
    ids = [a.id for a, _ in pairs]
    replies: dict[int, list[AppealReplyRow]] = {}
    for start_index in range(0, len(ids), 500):
        for reply in session.scalars(select(AppealReplyRow).where(
                AppealReplyRow.appeal_id.in_(ids[start_index:start_index + 500])).order_by(AppealReplyRow.at)):
            replies.setdefault(reply.appeal_id, []).append(reply)
    first_keys = posts_keys(session, [a.first_reply_post_id for a, _ in pairs if a.first_reply_post_id is not None])
    return [
        AppealRecord(
            appeal_id=a.id, key=key_of(p), story_id=p.story_id, bodies=tuple(a.bodies or ()), platform=p.platform,
            source=p.source, url=p.url, author_key=a.author_key, topic=a.topic, places=tuple(a.places or ()),
            kind=a.kind, appeal_at=a.appeal_at, deadline_at=a.deadline_at, final_deadline_at=a.final_deadline_at,
            first_reply_key=first_keys.get(a.first_reply_post_id) if a.first_reply_post_id else None,
            first_reply_at=a.first_reply_at, first_reply_body=a.first_reply_body,
            minutes_to_reply=a.minutes_to_reply, working_minutes_to_reply=a.working_minutes_to_reply,
            sla_status=a.sla_status, final_status=a.final_status, reply_quality=a.reply_quality,
            satisfaction=a.satisfaction, reasons=tuple(a.reasons or ()), repeated=a.repeated_by is not None,
            excerpt=excerpt(p.text, 200),
            replies=tuple((r.body_id, r.quality) for r in replies.get(a.id, [])),
        )
        for a, p in pairs
    ]


def events_of(session: Session, appeal_id: int) -> list[AppealEventRow]:
    return list(session.scalars(select(AppealEventRow).where(AppealEventRow.appeal_id == appeal_id)
                                .order_by(AppealEventRow.at, AppealEventRow.id)))


# --- accounts analysts attach ----------------------------------------------------------------------------------------


def accounts(session: Session) -> dict[str, list[Account]]:
    found: dict[str, list[Account]] = {}
    for row in session.scalars(select(BodyAccountRow).order_by(BodyAccountRow.id)):
        account = Account(row.platform, row.external_id, row.handle, None, (row.title,) if row.title else ())
        found.setdefault(row.body_id, []).append(account)
    return found


def account_rows(session: Session) -> list[BodyAccountRow]:
    return list(session.scalars(select(BodyAccountRow).order_by(BodyAccountRow.body_id, BodyAccountRow.id)))


def attach_account(session: Session, body_id: str, info: SourceInfo, at: datetime) -> tuple[BodyAccountRow, bool]:
    """Attach a resolved account to a body; an account already attached moves to it. Returns (row, new)."""
    row = session.scalar(select(BodyAccountRow).where(BodyAccountRow.platform == info.platform,
                                                      BodyAccountRow.handle == info.handle))
    new = row is None
    if row is None:
        row = BodyAccountRow(platform=info.platform, handle=info.handle, added_at=at)
        session.add(row)
    row.body_id = body_id
    row.external_id = info.external_id
    row.title = info.title
    row.url = info.url
    session.flush()
    return row, new
