"""Inserts that two processes may make at once: the second finds the row there and moves on, no error."""

from __future__ import annotations

from collections.abc import Sequence
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


def ensure_row(session: Session, model: Any, keys: Sequence[str], values: dict[str, Any]) -> Any:
    """The row with these key values, inserted with ``values`` if missing (by this or by another process)."""
    session.execute(insert_missing(session, model, keys).values(**values))
    return session.scalars(select(model).filter_by(**{key: values[key] for key in keys})).one()
