"""Alembic environment: the engine is handed in by ``storage.schema`` (no alembic.ini needed)."""

from __future__ import annotations

from alembic import context

from storage.models import Base

config = context.config
engine = config.attributes.get("engine")
if engine is None:
    raise RuntimeError("storage.schema passes the engine; run migrations through `mcu init`")

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
