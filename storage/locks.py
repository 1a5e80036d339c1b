"""Work that two processes must not do at once, and the order batches of posts are placed in.

``serialize`` holds a lock to the end of the transaction: on PostgreSQL a transaction-level advisory lock (keyed
by the schema too, so two installations in one database do not wait for each other), on SQLite the database's
write lock, taken at once instead of at the first write, so everything read after it is current and no other
process writes until the commit.

``hold``/``let_go`` are PostgreSQL session-level advisory locks for what must outlive a statement but not the
transaction's end (a claim in progress, a batch being analysed); whatever is still held when the connection goes
back to the pool is dropped there (see ``storage.database``). On SQLite they do nothing: one writer at a time.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

STORIES = "stories"  # placing posts into stories, merging them, appeals, reminders; scorers hold it shared
CLAIMS = "claims"  # taking a batch of posts for analysis: batches are contiguous, never interleaved
BATCHES = "batches"  # a batch being analysed, numbered by its first post: later batches are placed after it
BUSY = "busy"  # a process analysing or answering, numbered by its connection: scoring waits until none is
SESSION_LOCKS = "mcu_session_locks"  # in a pooled connection's info: it holds session locks to drop on return


def _key(name: str) -> int:
    """A stable positive 31-bit key for ``name`` (advisory locks take two int4 keys)."""
    return zlib.crc32(name.encode("utf-8")) & 0x7FFFFFFF


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def serialize(session: Session, name: str, shared: bool = False) -> None:
    """Wait until no other process holds the lock ``name``, then hold it until this transaction ends. A ``shared``
    hold only waits for an exclusive one: processes scoring stories side by side share the lock, placing waits."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        kind = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
        session.execute(text(f"SELECT {kind}(hashtext(current_schema()), :key)"), {"key": _key(name)})
    elif dialect == "sqlite":
        # A write that changes nothing still takes the write lock (after the busy timeout at worst).
        session.execute(text("UPDATE stories SET rescore = rescore WHERE 0"))
    session.expire_all()  # rows read before the lock may be stale: read them again


_SPACE = "hashtext(current_schema() || ':' || :space)"  # the lock space of a name, in this schema


def hold(session: Session, name: str, number: int = 0) -> None:
    """Hold the session lock (``name``, ``number``) until ``let_go`` or until the connection returns to the pool."""
    if not _postgres(session):
        return
    connection = session.connection()
    connection.info[SESSION_LOCKS] = True
    connection.execute(text(f"SELECT pg_advisory_lock({_SPACE}, :number)"), {"space": name, "number": number})


def let_go(session: Session, name: str, number: int = 0) -> None:
    if _postgres(session):
        session.execute(text(f"SELECT pg_advisory_unlock({_SPACE}, :number)"), {"space": name, "number": number})


def held_elsewhere(session: Session, name: str) -> list[int]:
    """Numbers of the session locks ``name`` that other connections hold now."""
    if not _postgres(session):
        return []
    query = text(
        "SELECT objid::bigint FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2"
        " AND pid <> pg_backend_pid() AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        f" AND classid = ({_SPACE})::bigint::bit(32)::int::oid"
    )
    return [int(number) for number in session.scalars(query, {"space": name})]


@contextmanager
def presence(engine: Engine, name: str) -> Iterator[None]:
    """Hold the session lock (``name``, this connection's server pid) for the block, on a connection of its own so
    it outlives the block's transactions: other processes see it with ``held_elsewhere``. Nothing on SQLite."""
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as connection:
        connection.info[SESSION_LOCKS] = True  # dropped when the connection goes back to the pool, whatever happens
        connection.execute(text(f"SELECT pg_advisory_lock({_SPACE}, pg_backend_pid())"), {"space": name})
        connection.commit()
        yield
