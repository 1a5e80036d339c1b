"""Engines and sessions: SQLite (a file in WAL mode) by default, PostgreSQL by URL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from config.errors import StorageError


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str, echo: bool = False) -> Engine:
    """An engine for ``url``; creates the folder of a SQLite file, turns bad URLs into ``StorageError``."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        # The address is not repeated: it may hold a password.
        raise StorageError("неверный адрес базы данных: нужен вид sqlite:///mcu.db или "
                           "postgresql+psycopg://user@host:5432/db") from None
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, echo=echo, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    try:
        return create_engine(parsed, echo=echo, pool_pre_ping=True)
    except (ArgumentError, ImportError) as exc:
        raise StorageError(f"не удаётся открыть базу {parsed.render_as_string(hide_password=True)}: {exc}") from exc


def describe_url(engine: Engine) -> str:
    """The database address without a password, for messages."""
    return engine.url.render_as_string(hide_password=True)


class Database:
    """The engine plus a transaction helper; every unit of work is one ``with db.transaction()`` block."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def from_url(cls, url: str, echo: bool = False) -> "Database":
        return cls(make_engine(url, echo))

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """Commit on success, roll back on any error; connection failures become ``StorageError``."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except OperationalError as exc:
            session.rollback()
            raise StorageError(f"база данных недоступна ({describe_url(self.engine)}): {exc.orig}") from exc
        except SQLAlchemyError:
            session.rollback()
            raise
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
