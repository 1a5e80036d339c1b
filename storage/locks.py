"""Work that two processes must not do at once: one lock per kind of work, held to the end of the transaction.

On PostgreSQL it is a transaction-level advisory lock (scoped to the schema, so two installations in one database
do not wait for each other); on SQLite it is the database's write lock, taken at once instead of at the first
write, so everything read after it is current and no other process writes until the commit.
"""

from __future__ import annotations

import zlib

from sqlalchemy import text
from sqlalchemy.orm import Session

STORIES = "stories"  # placing posts into stories, merging them, scoring them, reminders


def _key(name: str) -> int:
    """A stable signed 32-bit key for ``name`` (advisory locks take two int4 keys)."""
    value = zlib.crc32(name.encode("utf-8"))
    return value - 2**32 if value >= 2**31 else value


def serialize(session: Session, name: str) -> None:
    """Wait until no other process holds the lock ``name``, then hold it until this transaction ends."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(current_schema()), :key)"), {"key": _key(name)})
    elif dialect == "sqlite":
        # A write that changes nothing still takes the write lock (after the busy timeout at worst).
        session.execute(text("UPDATE stories SET rescore = rescore WHERE 0"))
    session.expire_all()  # rows read before the lock may be stale: read them again
