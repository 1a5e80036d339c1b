"""Tables of the responses component: accounts analysts attach to bodies, appeals with their verdicts, the replies
linked to them, every transition of an appeal (a row each, as Healthchecks keeps check events), and the дорожная
карта with the history of its edits."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, UtcDateTime


class BodyAccountRow(Base):
    """An official account attached to a body by an analyst (`mcu bodies add URL --body ID`)."""

    __tablename__ = "body_accounts"
    __table_args__ = (UniqueConstraint("platform", "handle", name="uq_body_accounts_platform_handle"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    body_id: Mapped[str] = mapped_column(String(60))
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str | None] = mapped_column(String(100))
    handle: Mapped[str] = mapped_column(String(300))
    title: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    added_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AppealRow(Base):
    """A post or comment that needs an answer, and everything decided about it at the last check."""

    __tablename__ = "appeals"
    __table_args__ = (
        Index("ix_appeals_appeal_at", "appeal_at"),
        Index("ix_appeals_sla_status", "sla_status"),
        Index("ix_appeals_author_key", "author_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), unique=True)
    story_id: Mapped[int | None] = mapped_column(Integer)
    bodies: Mapped[list[Any]] = mapped_column(JSON)
    routing: Mapped[list[Any]] = mapped_column(JSON)
    kind: Mapped[str] = mapped_column(String(16))
    topic: Mapped[str] = mapped_column(String(40))
    places: Mapped[list[Any]] = mapped_column(JSON)
    author_key: Mapped[str | None] = mapped_column(String(300))
    appeal_at: Mapped[datetime] = mapped_column(UtcDateTime)
    deadline_at: Mapped[datetime] = mapped_column(UtcDateTime)
    warn_at: Mapped[datetime] = mapped_column(UtcDateTime)
    final_deadline_at: Mapped[datetime] = mapped_column(UtcDateTime)
    first_reply_post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    first_reply_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    first_reply_body: Mapped[str | None] = mapped_column(String(60))
    minutes_to_reply: Mapped[float | None] = mapped_column(Float)
    working_minutes_to_reply: Mapped[float | None] = mapped_column(Float)
    sla_status: Mapped[str] = mapped_column(String(16))
    final_status: Mapped[str] = mapped_column(String(16))
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    reply_quality: Mapped[str | None] = mapped_column(String(16))
    satisfaction: Mapped[str] = mapped_column(String(16))
    reasons: Mapped[list[Any]] = mapped_column(JSON)
    repeated_by: Mapped[int | None] = mapped_column(ForeignKey("appeals.id", ondelete="SET NULL"))
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    warned_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    checked_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # Open, overdue, or answered within the follow-up and repeat windows: checks may still change it.
    settled: Mapped[bool] = mapped_column(Boolean, default=False)


class AppealReplyRow(Base):
    """An official reply linked to an appeal, with its quality verdict."""

    __tablename__ = "appeal_replies"
    __table_args__ = (Index("ix_appeal_replies_post_id", "post_id"),)

    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id", ondelete="CASCADE"), primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    body_id: Mapped[str] = mapped_column(String(60))
    via: Mapped[str] = mapped_column(String(16))  # thread | story
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    quality: Mapped[str] = mapped_column(String(16))
    reasons: Mapped[list[Any]] = mapped_column(JSON)
    told: Mapped[bool] = mapped_column(Boolean, default=False)  # a conflict the head of the МЦУ has heard of


class AppealEventRow(Base):
    """One transition of an appeal: created, replied, status, quality, satisfaction, approaching, conflict."""

    __tablename__ = "appeal_events"
    __table_args__ = (Index("ix_appeal_events_appeal_id", "appeal_id"), Index("ix_appeal_events_at", "at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    kind: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str] = mapped_column(Text, default="")


class RoadmapItemRow(Base):
    """An item of the дорожная карта: a recurring problem and the plan to remove its cause."""

    __tablename__ = "roadmap_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(400), unique=True)
    title: Mapped[str] = mapped_column(Text)
    topic: Mapped[str] = mapped_column(String(40))
    place: Mapped[str] = mapped_column(String(200))
    body_id: Mapped[str | None] = mapped_column(String(60))
    evidence: Mapped[str] = mapped_column(Text, default="")
    measure: Mapped[str] = mapped_column(Text, default="")
    deadline: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class RoadmapEventRow(Base):
    """Who changed what in a roadmap item, and when."""

    __tablename__ = "roadmap_events"
    __table_args__ = (Index("ix_roadmap_events_item_id", "item_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("roadmap_items.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(200))
    field: Mapped[str] = mapped_column(String(40))
    old: Mapped[str | None] = mapped_column(Text)
    new: Mapped[str | None] = mapped_column(Text)
