"""Storage: SQLAlchemy models, Alembic migrations, and the queries each stage needs.

Functions take a ``Session`` from ``Database.transaction()`` so the caller decides what is one unit of work.
"""

from storage import alert_state, annotations, digests, outbox, posts, reports, retention, sources, stories
from storage.database import Database, describe_url, make_engine
from storage.posts import SaveResult, StoredPost
from storage.schema import current_revision, ensure_current, head_revision, upgrade

__all__ = [
    "Database",
    "SaveResult",
    "StoredPost",
    "alert_state",
    "annotations",
    "current_revision",
    "describe_url",
    "digests",
    "ensure_current",
    "head_revision",
    "make_engine",
    "outbox",
    "posts",
    "reports",
    "retention",
    "sources",
    "stories",
    "upgrade",
]
