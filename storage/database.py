"""Engines and sessions: SQLite (a file in WAL mode) by default, PostgreSQL by URL."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from config.errors import StorageError

# Every write transaction is short (no network, no NLP inside one), so a writer that waits longer than this
# is stuck behind something unusual: say so instead of hanging.
BUSY_TIMEOUT = 15.0
_LOCKED = ("database is locked", "database table is locked")
_PG_BUSY = {"55P03", "40P01", "40001"}  # lock not available, deadlock, serialization failure
_PG_FULL = {"53100"}  # disk full


def _sqlite_pragmas(busy_timeout: float, dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def database_error(exc: DBAPIError, engine: Engine | None, busy_timeout: float | None = None) -> StorageError:
    """What went wrong with the database, in words a user can act on (locked, full, connection lost, down)."""
    where = describe_url(engine) if engine is not None else ""
    original = exc.orig
    detail = (str(original or exc).strip().splitlines() or [""])[0]
    name = getattr(original, "sqlite_errorname", "")
    state = getattr(original, "sqlstate", None)
    if name in ("SQLITE_BUSY", "SQLITE_LOCKED") or any(word in detail for word in _LOCKED) or state in _PG_BUSY:
        waited = f" дольше {busy_timeout:g} с" if busy_timeout else ""
        return StorageError(f"база данных{_at(where)} занята: другой процесс держит блокировку записи{waited}; "
                            f"повторите позже")
    if name == "SQLITE_FULL" or "disk is full" in detail or state in _PG_FULL:
        return StorageError(f"нет места для базы данных{_at(where)}: диск заполнен ({detail}); освободите место — "
                            f"несохранённая работа будет сделана при следующем запуске")
    if exc.connection_invalidated:
        return StorageError(f"соединение с базой данных{_at(where)} потеряно ({detail}); повторите позже")
    return StorageError(f"база данных недоступна{_at(where, '(', ')')}: {detail}")


def _at(where: str, before: str = "", after: str = "") -> str:
    return f" {before}{where}{after}" if where else ""


def compact_json(value: Any) -> str:
    """JSON as stored: Cyrillic as UTF-8 (two bytes a letter, not a six-byte escape), no spaces after separators."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def make_engine(url: str, echo: bool = False, busy_timeout: float = BUSY_TIMEOUT) -> Engine:
    """An engine for ``url``; creates the folder of a SQLite file, turns bad URLs into ``StorageError``.

    ``busy_timeout``: how long a SQLite writer waits for another process's write lock before giving up.
    """
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
        engine = create_engine(parsed, echo=echo, connect_args={"timeout": busy_timeout},
                               json_serializer=compact_json)
        event.listen(engine, "connect", partial(_sqlite_pragmas, busy_timeout))
        return engine
    try:
        engine = create_engine(parsed, echo=echo, pool_pre_ping=True, json_serializer=compact_json)
    except (ArgumentError, ImportError) as exc:
        raise StorageError(f"не удаётся открыть базу {parsed.render_as_string(hide_password=True)}: {exc}") from exc
    if parsed.get_backend_name() == "postgresql":
        event.listen(engine, "reset", _drop_session_locks)
    return engine


def _drop_session_locks(dbapi_connection: Any, record: Any, _state: Any = None) -> None:
    """A pooled connection comes back: drop session-level advisory locks it still holds (see ``storage.locks``),
    so a failed batch never leaves a lock behind for the next user of the connection."""
    if not record.info.pop("mcu_session_locks", False):
        return
    try:
        dbapi_connection.rollback()
        dbapi_connection.execute("SELECT pg_advisory_unlock_all()")
        dbapi_connection.rollback()
    except Exception:  # a dead connection holds nothing: the server dropped its locks with it
        record.invalidate()


def describe_url(engine: Engine) -> str:
    """The database address without a password, for messages."""
    return engine.url.render_as_string(hide_password=True)


class Database:
    """The engine plus a transaction helper; every unit of work is one ``with db.transaction()`` block."""

    def __init__(self, engine: Engine, busy_timeout: float | None = None) -> None:
        self.engine = engine
        self.busy_timeout = busy_timeout
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def from_url(cls, url: str, echo: bool = False, busy_timeout: float = BUSY_TIMEOUT) -> "Database":
        engine = make_engine(url, echo, busy_timeout)
        return cls(engine, busy_timeout if engine.dialect.name == "sqlite" else None)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """Commit on success, roll back on any error; a locked or full database, a lost connection or an
        unreachable server become ``StorageError`` saying which."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except OperationalError as exc:
            session.rollback()
            raise database_error(exc, self.engine, self.busy_timeout) from exc
        except SQLAlchemyError:
            session.rollback()
            raise
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def exclusive(self, name: str, key: str) -> Iterator[bool]:
        """Whether this process may do the work (``name``, ``key``) alone for the block: on PostgreSQL a session
        lock tried on a connection of its own (False when another process holds it); always True on SQLite."""
        if self.engine.dialect.name != "postgresql":
            yield True
            return
        space = "hashtext(current_schema() || ':' || :space)"
        number = zlib.crc32(key.encode("utf-8")) & 0x7FFFFFFF
        try:
            connection = self.engine.connect()
            taken = bool(connection.execute(text(f"SELECT pg_try_advisory_lock({space}, :number)"),
                                            {"space": name, "number": number}).scalar())
            connection.commit()
        except OperationalError as exc:
            raise database_error(exc, self.engine) from exc
        try:
            yield taken
        finally:
            try:
                if taken:
                    connection.execute(text(f"SELECT pg_advisory_unlock({space}, :number)"),
                                       {"space": name, "number": number})
                    connection.commit()
            except SQLAlchemyError:
                connection.invalidate()  # a lost connection holds no lock any more
            finally:
                connection.close()

    def dispose(self) -> None:
        self.engine.dispose()
