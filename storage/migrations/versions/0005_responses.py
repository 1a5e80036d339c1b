"""responses: appeals, replies, events, body accounts, roadmap

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('body_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('body_id', sa.String(length=60), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('external_id', sa.String(length=100), nullable=True),
    sa.Column('handle', sa.String(length=300), nullable=False),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_body_accounts')),
    sa.UniqueConstraint('platform', 'handle', name='uq_body_accounts_platform_handle')
    )
    op.create_table('roadmap_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=400), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('topic', sa.String(length=40), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('body_id', sa.String(length=60), nullable=True),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('measure', sa.Text(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roadmap_items')),
    sa.UniqueConstraint('key', name=op.f('uq_roadmap_items_key'))
    )
    op.create_table('roadmap_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('field', sa.String(length=40), nullable=False),
    sa.Column('old', sa.Text(), nullable=True),
    sa.Column('new', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['roadmap_items.id'], name=op.f('fk_roadmap_events_item_id_roadmap_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roadmap_events'))
    )
    with op.batch_alter_table('roadmap_events', schema=None) as batch_op:
        batch_op.create_index('ix_roadmap_events_item_id', ['item_id'], unique=False)

    op.create_table('appeals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('story_id', sa.Integer(), nullable=True),
    sa.Column('bodies', sa.JSON(), nullable=False),
    sa.Column('routing', sa.JSON(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('topic', sa.String(length=40), nullable=False),
    sa.Column('places', sa.JSON(), nullable=False),
    sa.Column('author_key', sa.String(length=300), nullable=True),
    sa.Column('appeal_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deadline_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('warn_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('final_deadline_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('first_reply_post_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('first_reply_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('first_reply_body', sa.String(length=60), nullable=True),
    sa.Column('minutes_to_reply', sa.Float(), nullable=True),
    sa.Column('working_minutes_to_reply', sa.Float(), nullable=True),
    sa.Column('sla_status', sa.String(length=16), nullable=False),
    sa.Column('final_status', sa.String(length=16), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reply_quality', sa.String(length=16), nullable=True),
    sa.Column('satisfaction', sa.String(length=16), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('repeated_by', sa.Integer(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('warned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('settled', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['first_reply_post_id'], ['posts.id'], name=op.f('fk_appeals_first_reply_post_id_posts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_appeals_post_id_posts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['repeated_by'], ['appeals.id'], name=op.f('fk_appeals_repeated_by_appeals'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appeals')),
    sa.UniqueConstraint('post_id', name=op.f('uq_appeals_post_id'))
    )
    with op.batch_alter_table('appeals', schema=None) as batch_op:
        batch_op.create_index('ix_appeals_appeal_at', ['appeal_at'], unique=False)
        batch_op.create_index('ix_appeals_author_key', ['author_key'], unique=False)
        batch_op.create_index('ix_appeals_sla_status', ['sla_status'], unique=False)

    op.create_table('appeal_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('appeal_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['appeal_id'], ['appeals.id'], name=op.f('fk_appeal_events_appeal_id_appeals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appeal_events'))
    )
    with op.batch_alter_table('appeal_events', schema=None) as batch_op:
        batch_op.create_index('ix_appeal_events_appeal_id', ['appeal_id'], unique=False)
        batch_op.create_index('ix_appeal_events_at', ['at'], unique=False)

    op.create_table('appeal_replies',
    sa.Column('appeal_id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('body_id', sa.String(length=60), nullable=False),
    sa.Column('via', sa.String(length=16), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('quality', sa.String(length=16), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('told', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['appeal_id'], ['appeals.id'], name=op.f('fk_appeal_replies_appeal_id_appeals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_appeal_replies_post_id_posts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('appeal_id', 'post_id', name=op.f('pk_appeal_replies'))
    )
    with op.batch_alter_table('appeal_replies', schema=None) as batch_op:
        batch_op.create_index('ix_appeal_replies_post_id', ['post_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('appeal_replies', schema=None) as batch_op:
        batch_op.drop_index('ix_appeal_replies_post_id')

    op.drop_table('appeal_replies')
    with op.batch_alter_table('appeal_events', schema=None) as batch_op:
        batch_op.drop_index('ix_appeal_events_at')
        batch_op.drop_index('ix_appeal_events_appeal_id')

    op.drop_table('appeal_events')
    with op.batch_alter_table('appeals', schema=None) as batch_op:
        batch_op.drop_index('ix_appeals_sla_status')
        batch_op.drop_index('ix_appeals_author_key')
        batch_op.drop_index('ix_appeals_appeal_at')

    op.drop_table('appeals')
    with op.batch_alter_table('roadmap_events', schema=None) as batch_op:
        batch_op.drop_index('ix_roadmap_events_item_id')

    op.drop_table('roadmap_events')
    op.drop_table('roadmap_items')
    op.drop_table('body_accounts')
