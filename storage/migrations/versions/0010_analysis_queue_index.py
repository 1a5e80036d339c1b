"""analysis queue index: waiting posts and waiting comments, each in claim order

A claim took its batch by sorting every waiting post (posts before comments, oldest first): at every batch of a
backfill, a sort of the whole queue. Two partial indexes hold the waiting posts and the waiting comments in that
order, so a claim reads its batch off them; they replace the index of all waiting posts (SQLite's planner
preferred it and sorted).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

QUEUES = (
    ('ix_posts_queue_posts', 'parent_external_id IS NULL'),
    ('ix_posts_queue_comments', 'parent_external_id IS NOT NULL'),
)


def upgrade() -> None:
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.drop_index('ix_posts_needs_analysis')
        for name, which in QUEUES:
            batch_op.create_index(name, ['published_at', 'id'], unique=False,
                                  sqlite_where=sa.text(f'needs_analysis = 1 AND {which}'),
                                  postgresql_where=sa.text(f'needs_analysis AND {which}'))


def downgrade() -> None:
    with op.batch_alter_table('posts', schema=None) as batch_op:
        for name, _ in QUEUES:
            batch_op.drop_index(name)
        batch_op.create_index('ix_posts_needs_analysis', ['needs_analysis'], unique=False,
                              sqlite_where=sa.text('needs_analysis = 1'), postgresql_where=sa.text('needs_analysis'))
