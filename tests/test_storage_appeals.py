"""The appeals list the workspace reads (storage/appeals.py), on SQLite and PostgreSQL: the state of an unanswered
appeal is judged when it is read, bodies filter a JSON list, the figures of every state come with the list."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from collectors import Post
from storage import Database
from storage import posts as post_store
from storage.appeals import appeal_list
from storage.models import PostRow
from storage.responses_models import AppealRow

T0 = datetime(2026, 1, 13, 7, 0, tzinfo=timezone.utc)  # Tuesday 10:00 in Desnogorsk


def _appeal(db: Database, number: int, bodies: list[str], *, replied: timedelta | None = None,
            stored: str = "open", deleted: bool = False) -> None:
    """A post and its appeal made at T0 + number hours, due 8 hours later."""
    at = T0 + timedelta(hours=number)
    with db.transaction() as session:
        post_store.save_posts(session, [Post(id=f"p{number}", platform="vk", source="demo_gorod", published_at=at,
                                             text=f"Жалоба {number}", author=f"Житель {number}")], at)
        post_id = session.query(PostRow.id).filter(PostRow.external_id == f"p{number}").scalar()
        session.add(AppealRow(
            post_id=post_id, story_id=None, bodies=bodies, routing=[], kind="complaint", topic="housing", places=[],
            author_key=f"vk:{number}", appeal_at=at, deadline_at=at + timedelta(hours=8), warn_at=at + timedelta(hours=6),
            final_deadline_at=at + timedelta(days=30), first_reply_post_id=None,
            first_reply_at=at + replied if replied else None, first_reply_body=bodies[0] if replied else None,
            minutes_to_reply=replied.total_seconds() / 60 if replied else None, working_minutes_to_reply=None,
            sla_status=stored, final_status="open", satisfaction="unknown", reasons=[],
            deleted_at=at + timedelta(hours=1) if deleted else None, created_at=at, checked_at=at, settled=False))


def test_unanswered_appeals_turn_overdue_when_read_after_their_deadline(db: Database) -> None:
    _appeal(db, 0, ["admin"])  # stored «open» by the last pass; due at T0 + 8 h
    _appeal(db, 1, ["admin", "msch"], replied=timedelta(hours=2), stored="met")
    _appeal(db, 2, ["admin"], replied=timedelta(hours=9), stored="breached")
    _appeal(db, 3, ["education"], stored="deleted", deleted=True)
    start, end = T0 - timedelta(days=1), T0 + timedelta(days=1)
    with db.transaction() as session:
        before = appeal_list(session, start, end, T0 + timedelta(hours=7), state="waiting")
        after = appeal_list(session, start, end, T0 + timedelta(hours=9), state="waiting")
        answered = appeal_list(session, start, end, T0 + timedelta(hours=9), state="answered")
        msch = appeal_list(session, start, end, T0 + timedelta(hours=9), body="msch", state="all")
        nobody = appeal_list(session, start, end, T0 + timedelta(hours=9), body="", state="all")
        limited = appeal_list(session, start, end, T0 + timedelta(hours=9), state="all", limit=2)
    assert [(line.excerpt, line.state) for line in before.lines] == [("Жалоба 0", "open")]
    assert [(line.excerpt, line.state) for line in after.lines] == [("Жалоба 0", "overdue")]
    assert after.counts == {"overdue": 1, "met": 1, "breached": 1, "deleted": 1}
    assert [line.excerpt for line in answered.lines] == ["Жалоба 2", "Жалоба 1"]  # the newest first
    assert [(line.excerpt, line.bodies) for line in msch.lines] == [("Жалоба 1", ("admin", "msch"))]
    assert nobody.lines == () and nobody.counts == {}
    assert len(limited.lines) == 2 and limited.matched == 4
    assert limited.lines[0].excerpt == "Жалоба 0" and limited.lines[0].author == "Житель 0"  # unanswered first
