"""Inserts that two processes may make at once: the second finds the row there and moves on, no error."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Insert, insert, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session


def insert_missing(session: Session, model: Any, keys: Sequence[str]) -> Insert:
    """``INSERT … ON CONFLICT (keys) DO NOTHING`` for the session's database (a plain insert elsewhere)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql_insert(model).on_conflict_do_nothing(index_elements=list(keys))
    if dialect == "sqlite":
        return sqlite_insert(model).on_conflict_do_nothing(index_elements=list(keys))
    return insert(model)


def upsert(session: Session, table: Any, keys: Sequence[str], columns: Sequence[str]) -> Insert:
    """``INSERT … ON CONFLICT (keys) DO UPDATE SET columns = excluded.columns``: one statement for many rows."""
    dialect = session.get_bind().dialect.name
    if dialect not in ("postgresql", "sqlite"):
        raise NotImplementedError(f"upsert on {dialect}")
    statement = (postgresql_insert if dialect == "postgresql" else sqlite_insert)(table)
    return statement.on_conflict_do_update(index_elements=list(keys),
                                           set_={name: statement.excluded[name] for name in columns})


def ensure_row(session: Session, model: Any, keys: Sequence[str], values: dict[str, Any]) -> Any:
    """The row with these key values, inserted with ``values`` if missing (by this or by another process)."""
    session.execute(insert_missing(session, model, keys).values(**values))
    return session.scalars(select(model).filter_by(**{key: values[key] for key in keys})).one()


def forget(session: Session, model: Any, ids: Iterable[Any]) -> None:
    """Rows of ``model`` in the session's identity map written past the ORM (Core statements): read them again
    when next used, so nothing stale is seen or flushed back."""
    wanted = set(ids)
    if not wanted:
        return
    for key in list(session.identity_map.keys()):
        if key[0] is model and key[1][0] in wanted:
            obj = session.identity_map.get(key)
            if obj is not None:
                session.expire(obj)
