"""Annotations: the NLP verdict per post version."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from nlp.annotation import Annotation, Entity, Sentiment, TopicScore
from storage.models import AnnotationRow, PostRow


def save_annotation(session: Session, post_id: int, version: int, annotation: Annotation, at: datetime) -> None:
    """Insert or replace the verdict for one post."""
    row = session.get(AnnotationRow, post_id) or AnnotationRow(post_id=post_id)
    row.post_version = version
    row.relevance = annotation.relevance
    row.main_topic = annotation.main_topic
    row.topics = [{"code": t.code, "score": t.score} for t in annotation.topics]
    row.sentiment_label = annotation.sentiment.label
    row.sentiment_score = annotation.sentiment.score
    row.needs_response = annotation.needs_response
    row.entities = [{"kind": e.kind, "text": e.text, "normal": e.normal} for e in annotation.entities]
    row.toxicity = annotation.toxicity
    row.signals = list(annotation.signals)
    row.places = list(annotation.places)
    row.model_version = annotation.model_version
    row.analysed_at = at
    session.add(row)
    # Done for this version; an edit that arrived meanwhile (a higher version) keeps the post waiting.
    session.execute(update(PostRow).where(PostRow.id == post_id, PostRow.version <= version).values(needs_analysis=False))


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
