"""lean store: work-queue flags indexed only where set, JSON rewritten compactly (UTF-8, no spaces)

The queue indexes (posts waiting for analysis, stories waiting for scoring) held an entry for every row, though
only the few waiting rows are ever looked up: they become partial indexes. JSON written before this version
escaped every Cyrillic letter as six bytes (\\u0431) and put spaces after separators; it is rewritten as the
program now writes it (the values are the same; only their spelling changes).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

CHUNK = 2000
# table, primary key, JSON columns written in bulk (the big tables: one row per post or per story)
JSON_COLUMNS = (
    ('annotations', 'post_id', ('topics', 'entities', 'signals', 'places')),
    ('stories', 'id', ('places', 'fingerprint', 'reasons', 'factors')),
)


def _compact(raw: str | None) -> str | None:
    if raw is None:
        return None
    return json.dumps(json.loads(raw), ensure_ascii=False, separators=(',', ':'))


def _rewrite_json(bind: sa.Connection) -> None:
    postgres = bind.dialect.name == 'postgresql'
    for table, key, columns in JSON_COLUMNS:
        read = ', '.join(f'CAST({c} AS TEXT)' for c in columns)
        assign = ', '.join(f'{c} = CAST(:{c} AS JSON)' if postgres else f'{c} = :{c}' for c in columns)
        update = sa.text(f'UPDATE {table} SET {assign} WHERE {key} = :key')
        last = None
        while True:
            after = '' if last is None else f' WHERE {key} > :last'
            rows = bind.execute(sa.text(f'SELECT {key}, {read} FROM {table}{after} ORDER BY {key} LIMIT {CHUNK}'),
                                {} if last is None else {'last': last}).all()
            if not rows:
                break
            changed = []
            for row in rows:
                values = {c: _compact(raw) for c, raw in zip(columns, row[1:])}
                if any(values[c] != raw for c, raw in zip(columns, row[1:])):
                    changed.append({'key': row[0], **values})
            if changed:
                bind.execute(update, changed)
            last = rows[-1][0]


def upgrade() -> None:
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.drop_index('ix_posts_needs_analysis')
        batch_op.create_index('ix_posts_needs_analysis', ['needs_analysis'], unique=False,
                              sqlite_where=sa.text('needs_analysis = 1'), postgresql_where=sa.text('needs_analysis'))
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.drop_index('ix_stories_rescore')
        batch_op.create_index('ix_stories_rescore', ['rescore'], unique=False,
                              sqlite_where=sa.text('rescore = 1'), postgresql_where=sa.text('rescore'))
    _rewrite_json(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.drop_index('ix_stories_rescore')
        batch_op.create_index('ix_stories_rescore', ['rescore'], unique=False)
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.drop_index('ix_posts_needs_analysis')
        batch_op.create_index('ix_posts_needs_analysis', ['needs_analysis'], unique=False)
