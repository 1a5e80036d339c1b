"""What one answers pass decided, written in sets: new appeals in one INSERT, reply links and events in one
executemany each; appeals judged again are updated through the session, which batches the UPDATEs. Written one
appeal at a time, a backfill's pass spent a statement on every appeal and every event."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from responses.events import Event
from responses.records import AppealVerdict
from storage.chunks import in_chunks
from storage.responses_models import AppealEventRow, AppealReplyRow, AppealRow

DETAIL_LIMIT = 2000
_APPEAL_COLUMNS = [c.key for c in AppealRow.__table__.columns if c.key != "id"]


class AppealWrites:
    """Collects the verdicts of a pass; ``flush`` writes what is pending (the caller's transaction commits it)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._new: list[AppealRow] = []  # not in the session: inserted together, their ids read back
        self._links: list[tuple[AppealRow, dict[str, Any]]] = []
        self._events: list[tuple[AppealRow, dict[str, Any]]] = []

    def save(self, row: AppealRow | None, verdict: AppealVerdict, events: Sequence[Event], now: datetime,
             settled: bool, repeated_by: int | None = None,
             links: dict[int, AppealReplyRow] | None = None) -> AppealRow:
        """Record the verdict on the appeal (a new one when ``row`` is None), its linked replies (``links``: those
        stored, by reply post id) and the events of this check. A new appeal's id is known after ``flush``."""
        post = verdict.appeal
        first = verdict.first_reply
        if row is None:
            row = AppealRow(post_id=post.db_id, created_at=now, warned_at=None)
            self._new.append(row)
        row.story_id = post.story_id
        row.bodies = list(verdict.bodies)
        row.routing = list(verdict.routing)
        row.kind = verdict.kind
        row.topic = post.topic
        row.places = list(post.places)
        row.author_key = post.author_key
        row.appeal_at = post.published_at
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
        row.deleted_at = post.deleted_at
        row.checked_at = now
        row.settled = settled
        existing = dict(links or {})
        told = {e.reply_key for e in events if e.kind == "conflict"}
        for reply in verdict.replies:
            if reply.post.db_id is None:
                continue
            values = {"post_id": reply.post.db_id, "body_id": reply.body_id, "via": reply.via, "at": reply.at,
                      "quality": reply.quality.label, "reasons": list(reply.quality.reasons)}
            link = existing.pop(reply.post.db_id, None)
            if link is None:
                self._links.append((row, {**values, "told": reply.post.key in told}))
                continue
            for key, value in values.items():
                setattr(link, key, value)
            link.told = bool(link.told) or reply.post.key in told
        for stale in existing.values():
            self.session.delete(stale)  # a reply that no longer counts (its text was edited, the routing changed)
        for event in events:
            if event.kind == "approaching":
                row.warned_at = now
            self._events.append((row, {"at": now, "kind": event.kind, "detail": event.detail[:DETAIL_LIMIT]}))
        return row

    def flush(self) -> None:
        """Insert the new appeals (their ids read back by post), then the new links and the events."""
        if self._new:
            rows = [{key: getattr(row, key) for key in _APPEAL_COLUMNS} for row in self._new]
            self.session.execute(insert(AppealRow.__table__), rows)
            by_post = {row.post_id: row for row in self._new}
            posts = sorted(by_post)
            for chunk in in_chunks(posts):
                for appeal_id, post_id in self.session.execute(select(AppealRow.id, AppealRow.post_id)
                                                               .where(AppealRow.post_id.in_(chunk))):
                    by_post[post_id].id = appeal_id
            self._new = []
        if self._links:
            self.session.execute(insert(AppealReplyRow.__table__),
                                 [{"appeal_id": row.id, **values} for row, values in self._links])
            self._links = []
        if self._events:
            self.session.execute(insert(AppealEventRow.__table__),
                                 [{"appeal_id": row.id, **values} for row, values in self._events])
            self._events = []
