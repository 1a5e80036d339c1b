"""Open the configured database for a command: refuse a missing file or an out-of-date schema."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session

from config import Settings, StorageError
from storage import Database, ensure_current


def sqlite_path(url: str) -> Path | None:
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database).expanduser()


def owner_only(path: Path) -> None:
    """Files with personal data (152-ФЗ) are readable by their owner only; files made by older versions too."""
    for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if candidate.stat().st_mode & 0o077:
                candidate.chmod(0o600)
        except OSError:  # missing, or not ours to change: nothing to tighten
            continue


def open_database(settings: Settings, url: str | None = None, *, check_schema: bool = True) -> Database:
    """The database for a command; with ``check_schema`` the schema must be current (``mcu init`` makes it so)."""
    url = url or settings.database.url
    path = sqlite_path(url)
    if check_schema and path is not None and not path.exists():
        raise StorageError(f"база данных {path} не найдена: выполните `mcu init`")
    if path is not None:
        owner_only(path)
    db = Database.from_url(url, echo=settings.database.echo)
    if check_schema:
        try:
            ensure_current(db.engine)
        except StorageError:
            db.dispose()
            raise
    return db


@contextmanager
def store_session(settings: Settings, url: str | None = None) -> Iterator[Session]:
    """One transaction on the configured database for a command, and the connections closed after it."""
    db = open_database(settings, url)
    try:
        with db.transaction() as session:
            yield session
    finally:
        db.dispose()
