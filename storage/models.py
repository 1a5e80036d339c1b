"""SQLAlchemy 2 models. ORM rows never leave ``storage/``: the repository turns them into records."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite (which keeps no zone) and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to storage")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class SourceRow(Base):
    """A collected source and its health, as ``status`` shows it."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    origin: Mapped[str] = mapped_column(String(16), default="config", server_default="config")  # config | analyst
    handle: Mapped[str | None] = mapped_column(String(300))
    external_id: Mapped[str | None] = mapped_column(String(100))
    url: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    audience: Mapped[int | None] = mapped_column(BigInteger)
    options: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    interval: Mapped[float | None] = mapped_column(Float)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_reason: Mapped[str | None] = mapped_column(Text)
    next_run_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_refresh_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_run_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    posts_collected: Mapped[int] = mapped_column(Integer, default=0)
    problems: Mapped[int] = mapped_column(Integer, default=0)


class CursorRow(Base):
    """Where a source's collection resumes; a source may keep several (wall offset, search cursor…)."""

    __tablename__ = "cursors"

    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PostRow(Base):
    """A post or comment, unique by (platform, source, external id); ``version`` grows on edits."""

    __tablename__ = "posts"
    __table_args__ = (
        UniqueConstraint("platform", "source", "external_id", name="uq_posts_identity"),
        Index("ix_posts_published_at", "published_at"),
        Index("ix_posts_story_id", "story_id"),
        # The analysis queue in the order it is claimed (posts, then comments; oldest first): only waiting posts
        # are looked up, and a claim reads its batch off an index instead of sorting every waiting post (a
        # backfill's million, at every batch). Queries say ``needs_analysis == true()``, which SQLite spells
        # «= 1»: its planner uses a partial index only for the very terms the index names.
        Index("ix_posts_queue_posts", "published_at", "id",
              sqlite_where=text("needs_analysis = 1 AND parent_external_id IS NULL"),
              postgresql_where=text("needs_analysis AND parent_external_id IS NULL")),
        Index("ix_posts_queue_comments", "published_at", "id",
              sqlite_where=text("needs_analysis = 1 AND parent_external_id IS NOT NULL"),
              postgresql_where=text("needs_analysis AND parent_external_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(300))
    external_id: Mapped[str] = mapped_column(String(300))
    parent_external_id: Mapped[str | None] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(300))
    author_id: Mapped[str | None] = mapped_column(String(200))
    published_at: Mapped[datetime] = mapped_column(UtcDateTime)
    text: Mapped[str] = mapped_column(Text, default="")
    views: Mapped[int | None] = mapped_column(BigInteger)
    likes: Mapped[int | None] = mapped_column(BigInteger)
    reposts: Mapped[int | None] = mapped_column(BigInteger)
    comments: Mapped[int | None] = mapped_column(BigInteger)
    first_seen_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime)
    edited_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    story_id: Mapped[int | None] = mapped_column(ForeignKey("stories.id", ondelete="SET NULL"))
    # New or edited since its last analysis: an indexed flag, so finding work does not scan the whole store.
    needs_analysis: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class PostVersionRow(Base):
    """An earlier text of an edited post: edits are kept, never overwritten away."""

    __tablename__ = "post_versions"
    __table_args__ = (Index("ix_post_versions_post_id", "post_id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    replaced_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ApiUsageRow(Base):
    """Calls spent per API method per UTC day, and a block until the quota resets."""

    __tablename__ = "api_usage"

    api: Mapped[str] = mapped_column(String(20), primary_key=True)
    method: Mapped[str] = mapped_column(String(100), primary_key=True)
    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    calls: Mapped[int] = mapped_column(Integer, default=0)
    quota: Mapped[int | None] = mapped_column(Integer)
    blocked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)


class MetricSnapshotRow(Base):
    """Engagement of a post at one moment: the time series behind engagement velocity."""

    __tablename__ = "metric_snapshots"
    __table_args__ = (Index("ix_metric_snapshots_post_observed", "post_id", "observed_at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    observed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    views: Mapped[int | None] = mapped_column(BigInteger)
    likes: Mapped[int | None] = mapped_column(BigInteger)
    reposts: Mapped[int | None] = mapped_column(BigInteger)
    comments: Mapped[int | None] = mapped_column(BigInteger)


class AnnotationRow(Base):
    """The NLP verdict on a post version; a post whose version is newer waits to be re-analysed."""

    __tablename__ = "annotations"

    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    post_version: Mapped[int] = mapped_column(Integer)
    relevance: Mapped[float] = mapped_column(Float)
    main_topic: Mapped[str] = mapped_column(String(40))
    topics: Mapped[list[Any]] = mapped_column(JSON)
    sentiment_label: Mapped[str] = mapped_column(String(16))
    sentiment_score: Mapped[float] = mapped_column(Float)
    needs_response: Mapped[bool] = mapped_column(Boolean)
    entities: Mapped[list[Any]] = mapped_column(JSON)
    toxicity: Mapped[float] = mapped_column(Float)
    signals: Mapped[list[Any]] = mapped_column(JSON)
    places: Mapped[list[Any]] = mapped_column(JSON)
    model_version: Mapped[str] = mapped_column(String(40))
    analysed_at: Mapped[datetime] = mapped_column(UtcDateTime)


class StoryRow(Base):
    """One event told by many posts; its score and level are recomputed as it grows."""

    __tablename__ = "stories"
    __table_args__ = (Index("ix_stories_last_seen_at", "last_seen_at"),
                      Index("ix_stories_rescore", "rescore", sqlite_where=text("rescore = 1"),
                            postgresql_where=text("rescore")))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    topic: Mapped[str] = mapped_column(String(40))
    places: Mapped[list[Any]] = mapped_column(JSON)
    fingerprint: Mapped[list[Any]] = mapped_column(JSON)
    first_seen_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime)
    post_count: Mapped[int] = mapped_column(Integer, default=0)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    level: Mapped[str] = mapped_column(String(16), default="low")
    peak_level: Mapped[str] = mapped_column(String(16), default="low")
    peak_score: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    reasons: Mapped[list[Any]] = mapped_column(JSON)
    factors: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # Set when the story was folded into another one (automatically or by an analyst); it then takes no posts.
    merged_into: Mapped[int | None] = mapped_column(ForeignKey("stories.id", ondelete="SET NULL"))
    # A post joined, changed or was re-measured, or membership changed: score it again on the next pass.
    rescore: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class StoryCorrectionRow(Base):
    """An analyst's merge or split: kept as an audit trail, and so clustering never undoes it."""

    __tablename__ = "story_corrections"
    __table_args__ = (Index("ix_story_corrections_stories", "story_id", "other_story_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action: Mapped[str] = mapped_column(String(16))  # merge | split
    story_id: Mapped[int] = mapped_column(Integer)
    other_story_id: Mapped[int] = mapped_column(Integer)
    post_ids: Mapped[list[Any]] = mapped_column(JSON)
    author: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class StoryFeedbackRow(Base):
    """An analyst's verdict on a story (taken, false alarm, closed): labels for threshold calibration."""

    __tablename__ = "story_feedback"
    __table_args__ = (Index("ix_story_feedback_story_id", "story_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"))
    verdict: Mapped[str] = mapped_column(String(20))  # taken | false_positive | closed
    score: Mapped[float] = mapped_column(Float)  # the story's score when the verdict was given
    level: Mapped[str] = mapped_column(String(16))
    author: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class AlertRow(Base):
    """One alert decision: the first for a story, or an update of it."""

    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_story_id", "story_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"))
    level: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    recipients: Mapped[list[Any]] = mapped_column(JSON)
    is_update: Mapped[bool] = mapped_column(Boolean)
    reasons: Mapped[list[Any]] = mapped_column(JSON)
    text: Mapped[str] = mapped_column(Text)
    post_count: Mapped[int] = mapped_column(Integer, default=0)


class OutboxRow(Base):
    """A message waiting for delivery; a row is marked sent only after the channel accepted it."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_status_due", "status", "next_attempt_at"),
        Index("ix_outbox_story_target", "story_id", "channel", "target"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    story_id: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16), default="send", server_default="send")  # send | edit
    buttons: Mapped[list[Any] | None] = mapped_column(JSON)
    channel: Mapped[str] = mapped_column(String(20))
    target: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class AlertStateRow(Base):
    """Where a story's alert stands: who took it, whether it was escalated, when to remind."""

    __tablename__ = "alert_states"

    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | taken | false_positive | closed
    level: Mapped[str] = mapped_column(String(16))  # the highest level told
    escalated_to: Mapped[str | None] = mapped_column(String(16))
    actor: Mapped[str | None] = mapped_column(String(200))
    acted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    first_at: Mapped[datetime] = mapped_column(UtcDateTime)
    notified_at: Mapped[datetime] = mapped_column(UtcDateTime)  # the last new message (not an edit)
    remind_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class AlertMessageRow(Base):
    """The one message that stands for a story in a chat: later news edits it in place."""

    __tablename__ = "alert_messages"
    __table_args__ = (UniqueConstraint("story_id", "channel", "target"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(20))
    target: Mapped[str] = mapped_column(String(100))
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    text: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SilenceRow(Base):
    """No alerts for matching stories until ``ends_at`` (a planned water shutdown, a city event)."""

    __tablename__ = "silences"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    topic: Mapped[str | None] = mapped_column(String(40))
    place: Mapped[str | None] = mapped_column(String(100))
    words: Mapped[str | None] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    reason: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(200))


class AlertAuditRow(Base):
    """Who did what to an alert and when: buttons, commands, escalations, silences."""

    __tablename__ = "alert_audit"
    __table_args__ = (Index("ix_alert_audit_story_id", "story_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    story_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(30))
    actor: Mapped[str] = mapped_column(String(200))
    chat: Mapped[str | None] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    detail: Mapped[str] = mapped_column(Text, default="")


class BotStateRow(Base):
    """Small durable facts of the bot: the getUpdates offset, chats already reported as foreign."""

    __tablename__ = "bot_state"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class GospublicPageRow(Base):
    """An official page in the registry (госпаблик): platform, address, resolved id, body, kind, state."""

    __tablename__ = "gospublic_pages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)  # «vk:-123»; a second listing gets «…#2»
    platform: Mapped[str] = mapped_column(String(16))
    url: Mapped[str] = mapped_column(Text)
    handle: Mapped[str] = mapped_column(String(300))
    external_id: Mapped[str | None] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(Text)  # the platform's display name
    name: Mapped[str | None] = mapped_column(Text)  # what the analysts call it in reports, if not the title
    body: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    aliases: Mapped[list[Any]] = mapped_column(JSON, default=list)
    source: Mapped[str | None] = mapped_column(String(200))  # the collected source of the same page
    via: Mapped[str] = mapped_column(String(16), default="tme")
    expected: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    origin: Mapped[str] = mapped_column(String(16), default="analyst")  # config | analyst | import
    status: Mapped[str] = mapped_column(String(20), default="new")
    status_detail: Mapped[str | None] = mapped_column(Text)
    renamed_from: Mapped[str | None] = mapped_column(String(300))
    duplicate_of: Mapped[str | None] = mapped_column(String(200))
    added_at: Mapped[datetime] = mapped_column(UtcDateTime)
    checked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class GospublicSnapshotRow(Base):
    """A page's facts at one moment: followers, design, contacts, pinned post… — the history of a page."""

    __tablename__ = "gospublic_snapshots"
    __table_args__ = (Index("ix_gospublic_snapshots_page_observed", "page_id", "observed_at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("gospublic_pages.id", ondelete="CASCADE"))
    observed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(20))
    followers: Mapped[int | None] = mapped_column(BigInteger)
    posts_total: Mapped[int | None] = mapped_column(BigInteger)
    facts: Mapped[dict[str, Any]] = mapped_column(JSON)


class GospublicMarkRow(Base):
    """What a page's feed showed about one post beyond the post record: pinned, reposted from, links."""

    __tablename__ = "gospublic_marks"

    page_id: Mapped[int] = mapped_column(ForeignKey("gospublic_pages.id", ondelete="CASCADE"), primary_key=True)
    post_id: Mapped[str] = mapped_column(String(300), primary_key=True)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    reposted_from: Mapped[list[Any]] = mapped_column(JSON, default=list)
    links: Mapped[list[Any]] = mapped_column(JSON, default=list)
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime)


class GospublicProblemRow(Base):
    """A problem of a page told to its role (silence, comments closed…): open until it goes away."""

    __tablename__ = "gospublic_problems"
    __table_args__ = (Index("ix_gospublic_problems_page_code", "page_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("gospublic_pages.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(30))
    text: Mapped[str] = mapped_column(Text)
    value: Mapped[float | None] = mapped_column(Float)
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class UserRow(Base):
    """A person's workspace account; the password is an argon2 hash, never the password itself."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(100), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(40))
    body: Mapped[str | None] = mapped_column(String(100))  # the executor's body (ответственный исполнитель)
    password_hash: Mapped[str] = mapped_column(String(200))
    telegram_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Grows when the password changes or the account is disabled: every older session cookie stops working.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    password_changed_at: Mapped[datetime] = mapped_column(UtcDateTime)


class LoginAttemptRow(Base):
    """Every login attempt with its outcome: throttling counts the recent failures, people can review them."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_login_at", "login", "at"),
        Index("ix_login_attempts_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    success: Mapped[bool] = mapped_column(Boolean)
