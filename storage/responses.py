"""Appeals and their official replies in the store: posts as the responses component sees them, which appeals a
pass must judge, the answer states the risk scorer reads, and the read side of ratings and exports. One pass's
reads and writes in sets are ``storage.answer_reads`` and ``storage.appeal_writes``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from collectors.source import SourceInfo
from responses.bodies import Account
from responses.records import AppealRecord, ThreadPost
from risk.story import AnswerState
from storage.chunks import in_chunks
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


def thread_posts(session: Session, *where: Any, ordered: bool = False) -> list[ThreadPost]:
    query = (select(*_POST_COLUMNS, *_NOTE_COLUMNS).outerjoin(AnnotationRow, AnnotationRow.post_id == PostRow.id)
             .where(*where))
    if ordered:
        query = query.order_by(PostRow.published_at, PostRow.id)
    return [_from_row(row) for row in session.execute(query)]


def posts_by_id(session: Session, ids: Iterable[int]) -> list[ThreadPost]:
    wanted = sorted(set(ids))
    found: list[ThreadPost] = []
    for chunk in in_chunks(wanted):
        found += thread_posts(session, PostRow.id.in_(chunk))
    return found


# --- which appeals to (re)check ------------------------------------------------------------------------------------


def appeal_candidates(session: Session, post_ids: Sequence[int]) -> list[tuple[ThreadPost, float]]:
    """Posts among ``post_ids`` that need an answer and are not appeals yet, with their relevance to the town."""
    if not post_ids:
        return []
    found: list[tuple[ThreadPost, float]] = []
    wanted = sorted(set(post_ids))
    for chunk in in_chunks(wanted):
        query = (select(PostRow, AnnotationRow)
                 .join(AnnotationRow, AnnotationRow.post_id == PostRow.id)
                 .outerjoin(AppealRow, AppealRow.post_id == PostRow.id)
                 .where(PostRow.id.in_(chunk), AnnotationRow.needs_response.is_(True),
                        AppealRow.id.is_(None)))
        found += [(thread_post(row, note), float(note.relevance)) for row, note in session.execute(query)]
    return sorted(found, key=lambda item: (item[0].published_at, item[0].key))


def appeals_touched(session: Session, posts: Sequence[ThreadPost], repeat_window: timedelta) -> list[int]:
    """Appeals a batch of new posts may change: in the same threads, in the same stories (a top-level post may be an
    official answer to the story or a resident's word on it), or of the same authors (repeated complaints)."""
    ids: set[int] = set()
    roots: dict[tuple[str, str], set[str]] = {}
    for platform, source, root in {p.thread_root for p in posts}:
        roots.setdefault((platform, source), set()).add(root)
    for (platform, source), wanted in roots.items():
        found = sorted(wanted)
        for chunk in in_chunks(found):
            query = (select(AppealRow.id).join(PostRow, PostRow.id == AppealRow.post_id)
                     .where(PostRow.platform == platform, PostRow.source == source,
                            or_(PostRow.external_id.in_(chunk), PostRow.parent_external_id.in_(chunk))))
            ids.update(session.scalars(query))
    stories = sorted({p.story_id for p in posts if p.story_id is not None and not p.is_comment})
    for chunk in in_chunks(stories):
        query = (select(AppealRow.id).join(PostRow, PostRow.id == AppealRow.post_id)
                 .where(PostRow.story_id.in_(chunk)))
        ids.update(session.scalars(query))
    authors = sorted({p.author_key for p in posts if p.author_key and p.needs_response})
    if authors:
        since = min(p.published_at for p in posts) - repeat_window
        for chunk in in_chunks(authors):
            query = select(AppealRow.id).where(AppealRow.author_key.in_(chunk),
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


# --- what was decided --------------------------------------------------------------------------------------------


def posts_keys(session: Session, ids: Sequence[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(PostRow.id, PostRow.platform, PostRow.source, PostRow.external_id)
                           .where(PostRow.id.in_(list(ids))))
    return {i: f"{p}:{s}:{e}" for i, p, s, e in rows}


def story_answers(session: Session, story_id: int) -> AnswerState | None:
    """How the story's appeals were answered, for the risk scorer; None when it has none."""
    return stories_answers(session, [story_id]).get(story_id)


def stories_answers(session: Session, story_ids: Sequence[int]) -> dict[int, AnswerState]:
    """``story_answers`` of many stories in two queries (a scoring chunk reads them together); stories without
    appeals are left out."""
    rows: list[tuple[int, AppealRow]] = []
    wanted = sorted(set(story_ids))
    for chunk in in_chunks(wanted):
        rows += session.execute(select(PostRow.story_id, AppealRow).join(PostRow, PostRow.id == AppealRow.post_id)
                                .where(PostRow.story_id.in_(chunk))).all()
    by_appeal: dict[int, list[AppealReplyRow]] = {}
    ids = [row.id for _, row in rows]
    for chunk in in_chunks(ids):
        for reply in session.scalars(select(AppealReplyRow).where(AppealReplyRow.appeal_id.in_(chunk))):
            by_appeal.setdefault(reply.appeal_id, []).append(reply)
    by_story: dict[int, list[AppealRow]] = {}
    for story_id, row in rows:
        by_story.setdefault(story_id, []).append(row)
    return {story_id: _answer_state(found, by_appeal) for story_id, found in by_story.items()}


def _answer_state(rows: Sequence[AppealRow], by_appeal: dict[int, list[AppealReplyRow]]) -> AnswerState:
    replies = [reply for row in rows for reply in by_appeal.get(row.id, [])]
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
    for chunk in in_chunks(ids):
        for reply in session.scalars(select(AppealReplyRow).where(
                AppealReplyRow.appeal_id.in_(chunk)).order_by(AppealReplyRow.at)):
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
