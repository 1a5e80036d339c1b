"""Annotations: the NLP verdict per post version."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from nlp.annotation import Annotation, Entity, Sentiment, TopicScore
from storage.models import AnnotationRow, PostRow
from storage.upsert import forget, upsert


def _values(post_id: int, version: int, annotation: Annotation, at: datetime) -> dict[str, Any]:
    return dict(
        post_id=post_id,
        post_version=version,
        relevance=annotation.relevance,
        main_topic=annotation.main_topic,
        topics=[{"code": t.code, "score": t.score} for t in annotation.topics],
        sentiment_label=annotation.sentiment.label,
        sentiment_score=annotation.sentiment.score,
        needs_response=annotation.needs_response,
        entities=[{"kind": e.kind, "text": e.text, "normal": e.normal} for e in annotation.entities],
        toxicity=annotation.toxicity,
        signals=list(annotation.signals),
        places=list(annotation.places),
        model_version=annotation.model_version,
        analysed_at=at,
    )


def save_annotations(session: Session, verdicts: Sequence[tuple[int, int, Annotation]], at: datetime) -> None:
    """Insert or replace the verdicts (post id, version, annotation) of a batch: one upsert per 500 posts, and
    one statement marking them done for their version; an edit that arrived meanwhile (a higher version) keeps
    its post waiting."""
    if not verdicts:
        return
    session.flush()  # ORM changes made before go first: the rows written here are expired afterwards
    values = list({post_id: _values(post_id, version, a, at) for post_id, version, a in verdicts}.values())
    table = AnnotationRow.__table__
    statement = upsert(session, table, ["post_id"], [c.name for c in table.columns if c.name != "post_id"])
    for start in range(0, len(values), 500):
        session.execute(statement, values[start : start + 500])
    posts = PostRow.__table__
    done = (update(posts).where(posts.c.id == bindparam("b_id"), posts.c.version <= bindparam("b_version"))
            .values(needs_analysis=False))
    session.execute(done, [{"b_id": v["post_id"], "b_version": v["post_version"]} for v in values])
    ids = [v["post_id"] for v in values]
    forget(session, AnnotationRow, ids)
    forget(session, PostRow, ids)


def save_annotation(session: Session, post_id: int, version: int, annotation: Annotation, at: datetime) -> None:
    """Insert or replace the verdict for one post."""
    save_annotations(session, [(post_id, version, annotation)], at)


def to_annotation(row: AnnotationRow, external_id: str) -> Annotation:
    return Annotation(
        id=external_id,
        relevance=row.relevance,
        topics=tuple(TopicScore(t["code"], t["score"]) for t in row.topics),
        sentiment=Sentiment(row.sentiment_label, row.sentiment_score),
        needs_response=row.needs_response,
        entities=tuple(Entity(e["kind"], e["text"], e["normal"]) for e in row.entities),
        toxicity=row.toxicity,
        signals=tuple(row.signals),
        places=tuple(row.places),
        model_version=row.model_version,
    )


def annotations_for(session: Session, post_ids: Sequence[int]) -> dict[int, AnnotationRow]:
    if not post_ids:
        return {}
    rows = session.scalars(select(AnnotationRow).where(AnnotationRow.post_id.in_(list(post_ids))))
    return {row.post_id: row for row in rows}
