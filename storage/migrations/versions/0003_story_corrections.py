"""risk: merged stories, rescoring flag, peak score, analysts' corrections and feedback

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.add_column(sa.Column('merged_into', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('rescore', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('peak_score', sa.Float(), nullable=False, server_default='0'))
        batch_op.create_foreign_key(batch_op.f('fk_stories_merged_into_stories'), 'stories', ['merged_into'], ['id'],
                                    ondelete='SET NULL')
    op.create_table('story_corrections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('story_id', sa.Integer(), nullable=False),
    sa.Column('other_story_id', sa.Integer(), nullable=False),
    sa.Column('post_ids', sa.JSON(), nullable=False),
    sa.Column('author', sa.String(length=200), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_story_corrections'))
    )
    with op.batch_alter_table('story_corrections', schema=None) as batch_op:
        batch_op.create_index('ix_story_corrections_stories', ['story_id', 'other_story_id'], unique=False)
    op.create_table('story_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('story_id', sa.Integer(), nullable=False),
    sa.Column('verdict', sa.String(length=20), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('author', sa.String(length=200), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['story_id'], ['stories.id'], name=op.f('fk_story_feedback_story_id_stories'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_story_feedback'))
    )
    with op.batch_alter_table('story_feedback', schema=None) as batch_op:
        batch_op.create_index('ix_story_feedback_story_id', ['story_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('story_feedback', schema=None) as batch_op:
        batch_op.drop_index('ix_story_feedback_story_id')
    op.drop_table('story_feedback')
    with op.batch_alter_table('story_corrections', schema=None) as batch_op:
        batch_op.drop_index('ix_story_corrections_stories')
    op.drop_table('story_corrections')
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_stories_merged_into_stories'), type_='foreignkey')
        batch_op.drop_column('peak_score')
        batch_op.drop_column('rescore')
        batch_op.drop_column('merged_into')
