"""alerts: message ids for edits in place, alert states, silences, audit, bot state; indexed work flags

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('needs_analysis', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.create_index('ix_posts_needs_analysis', ['needs_analysis'], unique=False)
    # Posts already analysed at their current version have no work left.
    op.execute("UPDATE posts SET needs_analysis = NOT EXISTS (SELECT 1 FROM annotations a "
               "WHERE a.post_id = posts.id AND a.post_version >= posts.version)")
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.create_index('ix_stories_rescore', ['rescore'], unique=False)
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('story_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('kind', sa.String(length=16), nullable=False, server_default='send'))
        batch_op.add_column(sa.Column('buttons', sa.JSON(), nullable=True))
        batch_op.create_index('ix_outbox_story_target', ['story_id', 'channel', 'target'], unique=False)
    op.create_table('alert_states',
    sa.Column('story_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('escalated_to', sa.String(length=16), nullable=True),
    sa.Column('actor', sa.String(length=200), nullable=True),
    sa.Column('acted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('first_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('notified_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('remind_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['story_id'], ['stories.id'], name=op.f('fk_alert_states_story_id_stories'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('story_id', name=op.f('pk_alert_states'))
    )
    op.create_table('alert_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('story_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('target', sa.String(length=100), nullable=False),
    sa.Column('message_id', sa.BigInteger(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['story_id'], ['stories.id'], name=op.f('fk_alert_messages_story_id_stories'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_messages')),
    sa.UniqueConstraint('story_id', 'channel', 'target', name=op.f('uq_alert_messages_story_id'))
    )
    op.create_table('silences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=40), nullable=True),
    sa.Column('place', sa.String(length=100), nullable=True),
    sa.Column('words', sa.Text(), nullable=True),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('author', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_silences'))
    )
    op.create_table('alert_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('story_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('chat', sa.String(length=100), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_audit'))
    )
    with op.batch_alter_table('alert_audit', schema=None) as batch_op:
        batch_op.create_index('ix_alert_audit_story_id', ['story_id'], unique=False)
    op.create_table('bot_state',
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_bot_state'))
    )


def downgrade() -> None:
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.drop_index('ix_stories_rescore')
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.drop_index('ix_posts_needs_analysis')
        batch_op.drop_column('needs_analysis')
    op.drop_table('bot_state')
    with op.batch_alter_table('alert_audit', schema=None) as batch_op:
        batch_op.drop_index('ix_alert_audit_story_id')
    op.drop_table('alert_audit')
    op.drop_table('silences')
    op.drop_table('alert_messages')
    op.drop_table('alert_states')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_story_target')
        batch_op.drop_column('buttons')
        batch_op.drop_column('kind')
        batch_op.drop_column('story_id')
