"""Alembic owns the schema: upgrade to head, and tell whether a database is current."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from config.errors import StorageError
from storage.database import database_error, describe_url


def _alembic_config(engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(str(resources.files("storage").joinpath("migrations")))))
    if engine is not None:
        config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    """The newest migration shipped with this version of the program."""
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except OperationalError as exc:
        raise database_error(exc, engine) from exc


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Create or migrate the schema to head; returns (revision before, revision after)."""
    before = current_revision(engine)
    try:
        command.upgrade(_alembic_config(engine), "head")
    except OperationalError as exc:
        raise StorageError(f"не удалось обновить схему: {database_error(exc, engine)}") from exc
    return before, head_revision()


def ensure_current(engine: Engine) -> None:
    """Refuse to work on a database whose schema is missing or older than this program expects."""
    current = current_revision(engine)
    head = head_revision()
    if current is None:
        raise StorageError(f"в базе {describe_url(engine)} нет схемы: выполните `mcu init`")
    if current != head:
        known = {rev.revision for rev in ScriptDirectory.from_config(_alembic_config()).walk_revisions()}
        if current not in known:
            raise StorageError(
                f"схема базы {describe_url(engine)} ({current}) новее этой версии программы: обновите программу"
            )
        raise StorageError(f"схема базы {describe_url(engine)} устарела ({current} → {head}): выполните `mcu init`")
