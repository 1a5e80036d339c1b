"""Stories: creation, membership, the members risk scores, and the stories that need rescoring."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any
from datetime import datetime

from sqlalchemy import bindparam, func, insert, or_, select, true, update
from sqlalchemy.orm import Session, defer

from risk.scoring import level_rank
from risk.story import Member, RiskAssessment, StoryState, StoryView
from storage.annotations import annotations_for
from storage.models import PostRow, StoryCorrectionRow, StoryFeedbackRow, StoryRow
from storage.posts import first_snapshots
from storage.upsert import forget

EXCERPT = 160
MEMBER_TEXT = 1500  # enough of a post to tell a copy of it from a different text
NEGATIVE_STORY = 0.25  # share of negative posts from which a story counts as troubled
COMPLAINT_STORY = 0.4  # share of complaints from which a story collects a recurring problem


def _complaint_story(factors: Mapping[str, Any], posts: int) -> bool:
    complaints = float(factors.get("complaints", 0.0))
    return complaints > 0 and complaints >= COMPLAINT_STORY * max(1, posts)


def excerpt(text: str, limit: int = EXCERPT) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def to_state(row: StoryRow, fingerprint: bool = True) -> StoryState:
    factors = row.factors or {}
    negative = float(factors.get("negativity", 0.0)) >= NEGATIVE_STORY
    return StoryState(
        id=row.id,
        topic=row.topic,
        places=tuple(row.places),
        fingerprint=frozenset(row.fingerprint) if fingerprint else frozenset(),
        first_seen_at=row.first_seen_at,
        last_seen_at=row.last_seen_at,
        level=row.level,
        negative=negative,
        complaint=_complaint_story(factors, row.post_count),
        alarm=float(factors.get("alarm", 0.0)),
    )


def open_stories(session: Session, since: datetime) -> list[StoryState]:
    """Stories that had a post after ``since``: the candidates a new post may join."""
    # Title and reasons are not what clustering compares: left unread (they load if a later step touches them).
    query = (select(StoryRow).where(StoryRow.last_seen_at >= since, StoryRow.merged_into.is_(None))
             .options(defer(StoryRow.title), defer(StoryRow.reasons)))
    return [to_state(row) for row in session.scalars(query)]


def complaint_stories(session: Session, since: datetime, until: datetime) -> list[StoryState]:
    """Complaint stories tied to a place whose last post fell in [since, until): a complaint about the same place
    may still join them (a recurring problem). Read without their text fingerprints."""
    # Only stories with complaints and a place are read, and only the figures clustering needs: the store holds
    # two weeks of stories, the JSON of each costs more to decode than the query.
    complaints = StoryRow.factors["complaints"].as_float()
    older = session.execute(
        select(StoryRow.id, StoryRow.topic, StoryRow.places, StoryRow.first_seen_at, StoryRow.last_seen_at,
               StoryRow.level, StoryRow.post_count, complaints, StoryRow.factors["negativity"].as_float(),
               StoryRow.factors["alarm"].as_float())
        .where(StoryRow.last_seen_at >= since, StoryRow.last_seen_at < until, StoryRow.merged_into.is_(None),
               complaints > 0, func.json_array_length(StoryRow.places) > 0)
    )
    return [
        StoryState(story_id, topic, tuple(places), frozenset(), first, last, level,
                   float(negativity or 0.0) >= NEGATIVE_STORY, complaint=True, alarm=float(alarm or 0.0))
        for story_id, topic, places, first, last, level, posts, count, negativity, alarm in older
        if _complaint_story({"complaints": count}, posts)
    ]


_NEW_STORY = insert(StoryRow.__table__).returning(StoryRow.__table__.c.id)  # built once: its parameters vary


def create_story(
    session: Session,
    title: str,
    topic: str,
    places: Sequence[str],
    fingerprint: frozenset[str],
    at: datetime,
    negative: bool = False,
    complaint: bool = False,
    alarm: float = 0.0,
) -> StoryState:
    values = dict(
        title=excerpt(title) or "(без текста)",
        topic=topic,
        places=list(places),
        fingerprint=sorted(fingerprint),
        first_seen_at=at,
        last_seen_at=at,
        post_count=0,
        score=0.0,
        peak_score=0.0,
        level="low",
        peak_level="low",
        reasons=[],
        factors={"negativity": 1.0 if negative else 0.0, "complaints": 1.0 if complaint else 0.0, "alarm": alarm},
        updated_at=at,
        rescore=True,
    )
    # One INSERT … RETURNING, not an ORM object and a flush: a backfill's batch starts hundreds of stories.
    story_id = session.execute(_NEW_STORY, values).scalar_one()
    return to_state(StoryRow(id=story_id, **values))


def add_post(session: Session, story_id: int, post_id: int, places: Sequence[str], at: datetime) -> None:
    """Attach a post; the story's places and time span grow with it (the fingerprint is saved per batch)."""
    story = session.get(StoryRow, story_id)
    post = session.get(PostRow, post_id)
    if story is None or post is None:
        return
    if post.story_id != story_id:
        post.story_id = story_id
        story.post_count += 1
    story.rescore = True
    if places:
        story.places = list(dict.fromkeys([*story.places, *places]))
    story.last_seen_at = max(story.last_seen_at, at)
    story.first_seen_at = min(story.first_seen_at, at)


def attach(session: Session, members: Mapping[int, int], states: Sequence[StoryState]) -> None:
    """Attach a batch's posts (post id → story id) and write what the stories became in memory (places, time
    span), counting each story's new posts: one executemany per table, flagged for rescoring."""
    if not members and not states:
        return
    session.flush()  # ORM changes made before go first: the rows written here are expired afterwards
    posts = PostRow.__table__
    if members:
        moving = select(PostRow.id, PostRow.story_id).where(PostRow.id.in_(sorted(members)))
        joined = Counter(members[post_id] for post_id, story_id in session.execute(moving)
                         if story_id != members[post_id])
        session.execute(update(posts).where(posts.c.id == bindparam("b_id")).values(story_id=bindparam("b_story")),
                        [{"b_id": post_id, "b_story": story_id} for post_id, story_id in members.items()])
    else:
        joined = Counter()
    table = StoryRow.__table__
    if states:
        statement = update(table).where(table.c.id == bindparam("b_id")).values(
            places=bindparam("b_places"), first_seen_at=bindparam("b_first"), last_seen_at=bindparam("b_last"),
            post_count=table.c.post_count + bindparam("b_joined"), rescore=True)
        session.execute(statement, [{"b_id": s.id, "b_places": list(s.places), "b_first": s.first_seen_at,
                                     "b_last": s.last_seen_at, "b_joined": joined.get(s.id, 0)} for s in states])
    others = sorted(set(members.values()) - {s.id for s in states})
    if others:  # stories given no new state: only counted and flagged
        statement = update(table).where(table.c.id == bindparam("b_id")).values(
            post_count=table.c.post_count + bindparam("b_joined"), rescore=True)
        session.execute(statement, [{"b_id": i, "b_joined": joined.get(i, 0)} for i in others])
    forget(session, PostRow, members)
    forget(session, StoryRow, [*(s.id for s in states), *others])


def save_fingerprints(session: Session, states: Sequence[StoryState]) -> None:
    """The fingerprints of the stories a batch grew, in one executemany."""
    if not states:
        return
    session.flush()
    table = StoryRow.__table__
    session.execute(update(table).where(table.c.id == bindparam("b_id")).values(fingerprint=bindparam("b_print")),
                    [{"b_id": s.id, "b_print": sorted(s.fingerprint)} for s in states])
    forget(session, StoryRow, [s.id for s in states])


def fingerprint_of(session: Session, story_id: int) -> frozenset[str]:
    story = session.get(StoryRow, story_id)
    return frozenset(story.fingerprint) if story is not None else frozenset()


def save_fingerprint(session: Session, story_id: int, fingerprint: frozenset[str]) -> None:
    story = session.get(StoryRow, story_id)
    if story is not None:
        story.fingerprint = sorted(fingerprint)


_IN_CHUNK = 5000  # ids in one IN list: well under the bound parameters SQLite and PostgreSQL accept
_MEMBER_COLUMNS = (PostRow.id, PostRow.platform, PostRow.source, PostRow.external_id, PostRow.parent_external_id,
                   PostRow.published_at, PostRow.first_seen_at, PostRow.last_seen_at, PostRow.views, PostRow.likes,
                   PostRow.reposts, PostRow.comments, PostRow.url, PostRow.author, PostRow.author_id, PostRow.text)


def members(session: Session, story_id: int) -> list[Member]:
    """Every post of a story with its verdict and engagement, as the risk scorer needs it."""
    return members_of(session, [story_id]).get(story_id, [])


def members_of(session: Session, story_ids: Sequence[int]) -> dict[int, list[Member]]:
    """The members of several stories in three queries, not three a story (scoring reads a batch of stories)."""
    if not story_ids:
        return {}
    # Columns, not ORM objects: a big story is read again at every rescore, and building entities cost more than
    # the query.
    rows = session.execute(select(PostRow.story_id, *_MEMBER_COLUMNS).where(PostRow.story_id.in_(list(story_ids)))
                           .order_by(PostRow.published_at, PostRow.id)).all()
    ids = [r.id for r in rows]
    annotations: dict[int, Any] = {}
    firsts: dict[int, Any] = {}
    for start in range(0, len(ids), _IN_CHUNK):
        annotations.update(annotations_for(session, ids[start:start + _IN_CHUNK]))
        firsts.update(first_snapshots(session, ids[start:start + _IN_CHUNK]))
    result: dict[int, list[Member]] = {story_id: [] for story_id in story_ids}
    for row in rows:
        annotation = annotations.get(row.id)
        if annotation is None:
            continue
        first = firsts.get(row.id)
        result[row.story_id].append(
            Member(
                key=f"{row.platform}:{row.source}:{row.external_id}",
                platform=row.platform,
                source=row.source,
                published_at=row.published_at,
                seen_at=row.last_seen_at,
                is_comment=row.parent_external_id is not None,
                relevance=annotation.relevance,
                sentiment_label=annotation.sentiment_label,
                sentiment_score=annotation.sentiment_score,
                topics=tuple(t["code"] for t in annotation.topics),
                signals=tuple(annotation.signals),
                needs_response=annotation.needs_response,
                views=row.views or 0,
                likes=row.likes or 0,
                reposts=row.reposts or 0,
                comments=row.comments or 0,
                first_views=(first.views or 0) if first is not None else (row.views or 0),
                first_seen_at=first.observed_at if first is not None else row.first_seen_at,
                url=row.url,
                excerpt=excerpt(row.text),
                author=row.author,
                author_id=row.author_id,
                text=row.text[:MEMBER_TEXT],
            )
        )
    return result


def load(session: Session, story_ids: Sequence[int]) -> list[StoryRow]:
    """Rows of these stories in one query; later ``session.get`` calls for them cost no query."""
    return list(session.scalars(select(StoryRow).where(StoryRow.id.in_(list(story_ids))))) if story_ids else []


def stale_story_ids(session: Session, limit: int | None = None, claim: bool = False) -> list[int]:
    """Stories with a post new, edited or re-measured since they were last scored (an indexed flag, no scan).
    With ``claim`` on PostgreSQL they are locked to the end of the transaction and those another process holds
    are passed over: processes scoring at once take different stories."""
    query = select(StoryRow.id).where(StoryRow.rescore == true(), StoryRow.merged_into.is_(None))
    if claim and session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, key_share=True)  # rows may still point at them
    return list(session.scalars(query.order_by(StoryRow.id).limit(limit)))


def save_assessment(
    session: Session, story_id: int, assessment: RiskAssessment, topic: str, title: str | None, at: datetime
) -> None:
    story = session.get(StoryRow, story_id)
    if story is None:
        return
    story.score = assessment.score
    story.peak_score = max(story.peak_score or 0.0, assessment.score)
    story.level = assessment.level
    if level_rank(assessment.level) > level_rank(story.peak_level):
        story.peak_level = assessment.level
    story.reasons = list(assessment.reasons)
    story.factors = dict(assessment.factors)
    story.topic = topic
    if title:
        story.title = title
    story.updated_at = max(at, story.last_seen_at)
    story.rescore = False


def view(
    session: Session, story_id: int, topic_titles: Mapping[str, str], member_list: Sequence[Member] | None = None
) -> StoryView | None:
    """The story as alerts and digests show it, with its most telling links (most viewed first)."""
    story = session.get(StoryRow, story_id)
    if story is None:
        return None
    found = list(member_list) if member_list is not None else members(session, story_id)
    top = sorted((m for m in found if m.url), key=lambda m: (m.is_comment, -(m.views + m.engagement)))
    return StoryView(
        id=story.id,
        title=story.title,
        topic=story.topic,
        topic_title=topic_titles.get(story.topic, story.topic),
        places=tuple(story.places),
        first_seen_at=story.first_seen_at,
        last_seen_at=story.last_seen_at,
        post_count=story.post_count,
        source_count=len({(m.platform, m.source) for m in found}),
        platforms=tuple(sorted({m.platform for m in found})),
        assessment=RiskAssessment(story.score, story.level, tuple(story.reasons), dict(story.factors)),
        links=tuple(dict.fromkeys(m.url for m in top if m.url))[:5],
    )


def top_stories(session: Session, start: datetime, end: datetime, limit: int = 10) -> list[int]:
    """Stories active in the period with a level above low, riskiest first."""
    query = (
        select(StoryRow.id)
        .where(StoryRow.last_seen_at >= start, StoryRow.first_seen_at < end, StoryRow.peak_level != "low")
        .order_by(StoryRow.score.desc(), StoryRow.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def count_by_peak_level(session: Session) -> dict[str, int]:
    """How many stories reached each level at their peak."""
    rows = session.execute(select(StoryRow.peak_level, func.count()).group_by(StoryRow.peak_level))
    return {level: int(count) for level, count in rows}



# --- corrections: merges and splits --------------------------------------------------------------


def story_row(session: Session, story_id: int) -> StoryRow | None:
    """The story, following merges: a story folded into another answers as the one that absorbed it."""
    story = session.get(StoryRow, story_id)
    seen = set()
    while story is not None and story.merged_into is not None and story.id not in seen:
        seen.add(story.id)
        story = session.get(StoryRow, story.merged_into)
    return story


def post_ids_of(session: Session, story_id: int) -> list[int]:
    return list(session.scalars(select(PostRow.id).where(PostRow.story_id == story_id).order_by(PostRow.published_at)))


def with_comments(session: Session, post_ids: Sequence[int]) -> list[int]:
    """The posts and every comment on them (a comment goes wherever its post goes)."""
    rows = list(session.scalars(select(PostRow).where(PostRow.id.in_(list(post_ids)))))
    found = {r.id for r in rows}
    for row in rows:
        if row.parent_external_id is None:
            children = select(PostRow.id).where(
                PostRow.platform == row.platform, PostRow.source == row.source,
                PostRow.parent_external_id == row.external_id,
            )
            found.update(session.scalars(children))
    return sorted(found)


def move_posts(session: Session, post_ids: Sequence[int], story_id: int) -> None:
    for row in session.scalars(select(PostRow).where(PostRow.id.in_(list(post_ids)))):
        row.story_id = story_id


def rebuild(session: Session, story_id: int, fingerprint: frozenset[str], places: Sequence[str]) -> None:
    """Recount a story from its posts after membership changed, and have it scored again."""
    story = session.get(StoryRow, story_id)
    if story is None:
        return
    rows = list(session.scalars(select(PostRow).where(PostRow.story_id == story_id)))
    story.post_count = len(rows)
    if rows:
        story.first_seen_at = min(r.published_at for r in rows)
        story.last_seen_at = max(r.published_at for r in rows)
    story.fingerprint = sorted(fingerprint)
    story.places = list(places)
    story.rescore = True


def merge_into(session: Session, source_id: int, target_id: int) -> None:
    """Fold one story into another: its posts move, and it is closed for new posts."""
    source = session.get(StoryRow, source_id)
    target = session.get(StoryRow, target_id)
    if source is None or target is None or source_id == target_id:
        return
    move_posts(session, post_ids_of(session, source_id), target_id)
    target.places = list(dict.fromkeys([*target.places, *source.places]))
    target.fingerprint = sorted(set(target.fingerprint) | set(source.fingerprint))
    target.first_seen_at = min(target.first_seen_at, source.first_seen_at)
    target.last_seen_at = max(target.last_seen_at, source.last_seen_at)
    target.post_count = len(post_ids_of(session, target_id))
    if level_rank(source.peak_level) > level_rank(target.peak_level):
        target.peak_level = source.peak_level
    target.peak_score = max(target.peak_score, source.peak_score)
    target.rescore = True
    source.merged_into = target_id
    source.post_count = 0


def record_correction(
    session: Session, action: str, story_id: int, other_story_id: int, post_ids: Sequence[int], author: str, at: datetime
) -> None:
    session.add(StoryCorrectionRow(action=action, story_id=story_id, other_story_id=other_story_id,
                                   post_ids=list(post_ids), author=author, at=at))


def kept_apart(session: Session) -> set[frozenset[int]]:
    """Pairs of stories an analyst split apart: clustering must not merge them again."""
    rows = session.execute(select(StoryCorrectionRow.story_id, StoryCorrectionRow.other_story_id)
                           .where(StoryCorrectionRow.action == "split"))
    return {frozenset((a, b)) for a, b in rows}


def corrections(session: Session, story_id: int) -> list[StoryCorrectionRow]:
    query = select(StoryCorrectionRow).where(
        or_(StoryCorrectionRow.story_id == story_id, StoryCorrectionRow.other_story_id == story_id)
    )
    return list(session.scalars(query.order_by(StoryCorrectionRow.at, StoryCorrectionRow.id)))


# --- analysts' verdicts ------------------------------------------------------------------------------


def add_feedback(session: Session, story_id: int, verdict: str, author: str, at: datetime) -> None:
    story = session.get(StoryRow, story_id)
    if story is None:
        return
    session.add(StoryFeedbackRow(story_id=story_id, verdict=verdict, score=story.score, level=story.level,
                                 author=author, at=at))


def feedback(session: Session) -> list[tuple[int, str, float, str]]:
    """Every story's latest verdict with its peak score and level: (story, verdict, peak score, peak level)."""
    latest: dict[int, str] = {}
    for row in session.scalars(select(StoryFeedbackRow).order_by(StoryFeedbackRow.at, StoryFeedbackRow.id)):
        latest[row.story_id] = row.verdict
    result = []
    for story_id, verdict in sorted(latest.items()):
        story = session.get(StoryRow, story_id)
        if story is not None:
            result.append((story_id, verdict, max(story.peak_score, story.score), story.peak_level))
    return result
