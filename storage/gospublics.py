"""Госпаблики in the database: the page registry, snapshots of page facts, feed marks, open problems, and the
queries the checks need (the page's posts, its comments, its follower history)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.orm import Session

from collectors.page import Contact, PageFacts, PageRead, PostMark
from gospublics.records import Page, PageComment, PagePost
from storage.models import (
    AnnotationRow,
    GospublicMarkRow,
    GospublicPageRow,
    GospublicProblemRow,
    GospublicSnapshotRow,
    PostRow,
)
from storage.posts import SaveResult, save_posts

# The NLP's appeal signals that choose a question's deadline rule (as storage.responses reads them).
APPEAL_KINDS = ("question", "request", "complaint")


# --- the registry ----------------------------------------------------------------------------------------------


def page_key(platform: str, external_id: str | None, handle: str) -> str:
    return f"{platform}:{(external_id or handle).lower()}"


def to_page(row: GospublicPageRow) -> Page:
    return Page(
        key=row.key, platform=row.platform, url=row.url, handle=row.handle, title=row.name or row.title,
        platform_title=row.title, body=row.body,
        kind=row.kind, external_id=row.external_id, aliases=tuple(row.aliases or ()), source=row.source,
        via=row.via, expected=dict(row.expected or {}), status=row.status, status_detail=row.status_detail,
        renamed_from=row.renamed_from,
    )


def _row(session: Session, key: str) -> GospublicPageRow | None:
    return session.scalar(select(GospublicPageRow).where(GospublicPageRow.key == key))


def find_page(session: Session, ref: str) -> Page | None:
    """A page by its key, screen name, address or title (as an analyst would type it)."""
    text = ref.strip()
    for column in (GospublicPageRow.key, GospublicPageRow.handle, GospublicPageRow.url, GospublicPageRow.name,
                   GospublicPageRow.title):
        row = session.scalars(select(GospublicPageRow).where(func.lower(column) == text.lower())).first()
        if row is not None:
            return to_page(row)
    return None


def register_page(session: Session, page: Page, at: datetime, origin: str = "analyst") -> tuple[Page, str | None]:
    """Add a page; a page already in the registry is kept once more as a «duplicate» listing (nothing the second
    listing said is lost, and the report says it is a repeat). Returns the stored page and the title it repeats."""
    existing = _row(session, page.key)
    duplicate_of = None
    key = page.key
    if existing is not None:
        duplicate_of = existing.name or existing.title
        taken = set(session.scalars(select(GospublicPageRow.key).where(GospublicPageRow.key.like(f"{page.key}#%"))))
        number = 2
        while f"{page.key}#{number}" in taken:
            number += 1
        key = f"{page.key}#{number}"
    platform_title = page.platform_title or page.title
    row = GospublicPageRow(
        key=key, platform=page.platform, url=page.url, handle=page.handle, external_id=page.external_id,
        title=platform_title, name=page.title if page.title != platform_title else None, body=page.body, kind=page.kind, aliases=list(page.aliases), source=page.source,
        via=page.via, expected=dict(page.expected), origin=origin, status="duplicate" if duplicate_of else page.status,
        status_detail=page.status_detail, duplicate_of=existing.key if existing is not None else None, added_at=at,
    )
    session.add(row)
    session.flush()
    return to_page(row), duplicate_of


def list_pages(session: Session) -> list[Page]:
    return [to_page(row) for row in session.scalars(select(GospublicPageRow).order_by(GospublicPageRow.id))]


def duplicates(session: Session) -> dict[str, str]:
    """Duplicate listing key → the title of the page it repeats."""
    rows = list(session.scalars(select(GospublicPageRow).where(GospublicPageRow.duplicate_of.is_not(None))))
    titles = {row.key: row.name or row.title for row in session.scalars(select(GospublicPageRow))}
    return {row.key: titles.get(row.duplicate_of or "", row.duplicate_of or "") for row in rows}


def remove_page(session: Session, key: str) -> bool:
    """Take a page out of the registry (its snapshots and marks go with it; collected posts stay)."""
    return bool(session.execute(delete(GospublicPageRow).where(GospublicPageRow.key == key)).rowcount)


def page_sources(session: Session) -> set[str]:
    """Every source name a registered page's posts and comments may be collected under: its screen names, old and
    new, and the source it is collected as."""
    return {name for page in list_pages(session) for name in (*page.handles, page.source) if name}


def urls(session: Session) -> set[str]:
    return {url.lower() for url in session.scalars(select(GospublicPageRow.url))}


# --- facts -----------------------------------------------------------------------------------------------------


def facts_to_json(facts: PageFacts) -> dict[str, Any]:
    data = asdict(facts)
    data["observed_at"] = facts.observed_at.isoformat()
    return data


def facts_from_json(data: dict[str, Any]) -> PageFacts:
    values = dict(data)
    values["observed_at"] = datetime.fromisoformat(values["observed_at"])
    values["contacts"] = tuple(Contact(**c) for c in values.get("contacts") or ())
    for name in ("links", "missing"):
        values[name] = tuple(values.get(name) or ())
    known = set(PageFacts.__dataclass_fields__)
    return PageFacts(**{key: value for key, value in values.items() if key in known})


def save_read(session: Session, key: str, read: PageRead, at: datetime) -> SaveResult:
    """Store one reading of a page: a snapshot of its facts, its posts (through the common post store, so the
    collector and this reading share rows), the feed marks; and the page's new name, title and status."""
    row = _row(session, key)
    if row is None:
        raise KeyError(key)
    facts = read.facts
    session.add(GospublicSnapshotRow(page_id=row.id, observed_at=facts.observed_at, status=facts.status,
                                     followers=facts.followers, posts_total=facts.posts_total,
                                     facts=facts_to_json(facts)))
    row.status, row.status_detail, row.checked_at = facts.status, facts.status_detail, at
    if facts.readable:
        if facts.handle and facts.handle.lower() != row.handle.lower():
            row.aliases = list(dict.fromkeys([*(row.aliases or ()), row.handle]))
            row.renamed_from, row.handle, row.url = row.handle, facts.handle, facts.url
        row.title = facts.title or row.title
        row.external_id = row.external_id or facts.external_id
    result = save_posts(session, read.posts, at)
    _save_marks(session, row.id, read.marks, at, pinned_known=facts.readable and facts.pinned_id is not None
                or any(mark.pinned for mark in read.marks))
    return result


def save_marks(session: Session, key: str, marks: Sequence[PostMark], at: datetime, *, pinned_known: bool) -> None:
    """Feed marks of a page's posts; with ``pinned_known`` the marks' pinned flags replace the stored ones."""
    row = _row(session, key)
    if row is None:
        raise KeyError(key)
    _save_marks(session, row.id, marks, at, pinned_known=pinned_known)


def _save_marks(session: Session, page_id: int, marks: Sequence[PostMark], at: datetime, *, pinned_known: bool) -> None:
    if pinned_known:
        pinned = [mark.post_id for mark in marks if mark.pinned]
        session.execute(update(GospublicMarkRow).where(GospublicMarkRow.page_id == page_id,
                                                       GospublicMarkRow.post_id.not_in(pinned or [""]))
                        .values(pinned=False))
    for mark in marks:
        row = session.get(GospublicMarkRow, (page_id, mark.post_id))
        if row is None:
            session.add(GospublicMarkRow(page_id=page_id, post_id=mark.post_id, pinned=mark.pinned,
                                         reposted_from=list(mark.reposted_from), links=list(mark.links), seen_at=at))
        else:
            row.pinned = mark.pinned
            row.reposted_from = list(dict.fromkeys([*(row.reposted_from or ()), *mark.reposted_from]))
            row.links = list(dict.fromkeys([*(row.links or ()), *mark.links]))
            row.seen_at = at
    session.flush()


def record_failure(session: Session, key: str, error: str, at: datetime) -> None:
    """The reading failed (network, quota, key): the page keeps its last facts and says why it is stale."""
    row = _row(session, key)
    if row is not None:
        row.status, row.status_detail, row.checked_at = "error", error[:1000], at


def latest_facts(session: Session, key: str, before: datetime | None = None) -> PageFacts | None:
    row = _row(session, key)
    if row is None:
        return None
    query = select(GospublicSnapshotRow).where(GospublicSnapshotRow.page_id == row.id)
    if before is not None:
        query = query.where(GospublicSnapshotRow.observed_at <= before)
    snapshot = session.scalars(query.order_by(GospublicSnapshotRow.observed_at.desc(),
                                              GospublicSnapshotRow.id.desc()).limit(1)).first()
    return facts_from_json(snapshot.facts) if snapshot is not None else None


def follower_history(session: Session, key: str, since: datetime, until: datetime) -> list[tuple[datetime, int]]:
    row = _row(session, key)
    if row is None:
        return []
    query = (select(GospublicSnapshotRow.observed_at, GospublicSnapshotRow.followers)
             .where(GospublicSnapshotRow.page_id == row.id, GospublicSnapshotRow.observed_at >= since,
                    GospublicSnapshotRow.observed_at <= until, GospublicSnapshotRow.followers.is_not(None))
             .order_by(GospublicSnapshotRow.observed_at))
    return [(at, int(count)) for at, count in session.execute(query)]


# --- posts and comments ----------------------------------------------------------------------------------------


def _marks(session: Session, key: str) -> dict[str, GospublicMarkRow]:
    row = _row(session, key)
    if row is None:
        return {}
    return {mark.post_id: mark for mark in session.scalars(select(GospublicMarkRow).where(GospublicMarkRow.page_id == row.id))}


def _page_post(row: PostRow, mark: GospublicMarkRow | None) -> PagePost:
    return PagePost(
        id=row.external_id, published_at=row.published_at, text=row.text or "", url=row.url, views=row.views,
        likes=row.likes, reposts=row.reposts, comments=row.comments, pinned=bool(mark and mark.pinned),
        reposted_from=tuple(mark.reposted_from or ()) if mark else (), links=tuple(mark.links or ()) if mark else (),
    )


def _own_posts(page: Page) -> Select[tuple[PostRow]]:
    return select(PostRow).where(PostRow.platform == page.platform, PostRow.source.in_(page.handles),
                                 PostRow.parent_external_id.is_(None), PostRow.deleted_at.is_(None))


def page_posts(session: Session, page: Page, start: datetime, end: datetime) -> list[PagePost]:
    """The page's own posts published in [start, end), oldest first, with their feed marks."""
    marks = _marks(session, page.key)
    rows = session.scalars(_own_posts(page).where(PostRow.published_at >= start, PostRow.published_at < end)
                           .order_by(PostRow.published_at, PostRow.id))
    seen: dict[str, PagePost] = {}
    for row in rows:  # the same post under an old and a new screen name is one post
        seen.setdefault(row.external_id, _page_post(row, marks.get(row.external_id)))
    return sorted(seen.values(), key=lambda p: p.published_at)


def last_post_at(session: Session, page: Page, before: datetime) -> datetime | None:
    """The newest post of the page published before ``before`` (pinned old posts do not count)."""
    query = _own_posts(page).with_only_columns(func.max(PostRow.published_at)).where(PostRow.published_at < before)
    return session.scalar(query)


def pinned_post(session: Session, page: Page) -> PagePost | None:
    marks = [mark for mark in _marks(session, page.key).values() if mark.pinned]
    if not marks:
        return None
    row = session.scalars(_own_posts(page).where(PostRow.external_id.in_([m.post_id for m in marks]))
                          .order_by(PostRow.published_at.desc())).first()
    return _page_post(row, next(m for m in marks if m.post_id == row.external_id)) if row is not None else None


def page_comments(session: Session, page: Page, start: datetime, end: datetime) -> list[PageComment]:
    """Comments published in [start, end) under the page's posts, with the NLP's ``needs_response`` and appeal
    signals if analysed."""
    columns = [PostRow, AnnotationRow.needs_response, AnnotationRow.signals]
    query = (select(*columns)
             .outerjoin(AnnotationRow, AnnotationRow.post_id == PostRow.id)
             .where(PostRow.platform == page.platform, PostRow.source.in_(page.handles),
                    PostRow.parent_external_id.is_not(None), PostRow.deleted_at.is_(None),
                    PostRow.published_at >= start, PostRow.published_at < end)
             .order_by(PostRow.published_at, PostRow.id))
    comments: dict[str, PageComment] = {}
    for row, needs, signals in session.execute(query):
        comments.setdefault(row.external_id, PageComment(
            id=row.external_id, post_id=row.parent_external_id or "", published_at=row.published_at,
            text=row.text or "", author=row.author, author_id=row.author_id, needs_response=needs, url=row.url,
            kinds=tuple(s for s in signals or () if s in APPEAL_KINDS),
        ))
    return list(comments.values())


# --- problems told to the role ---------------------------------------------------------------------------------


def open_problems(session: Session, key: str) -> dict[str, GospublicProblemRow]:
    row = _row(session, key)
    if row is None:
        return {}
    query = select(GospublicProblemRow).where(GospublicProblemRow.page_id == row.id,
                                              GospublicProblemRow.closed_at.is_(None))
    return {problem.code: problem for problem in session.scalars(query)}


def open_problem(session: Session, key: str, code: str, text: str, value: float | None, at: datetime) -> None:
    row = _row(session, key)
    if row is not None:
        session.add(GospublicProblemRow(page_id=row.id, code=code, text=text, value=value, opened_at=at))


def close_problem(session: Session, problem: GospublicProblemRow, at: datetime) -> None:
    problem.closed_at = at
