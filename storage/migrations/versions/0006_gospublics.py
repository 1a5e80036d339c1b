"""gospublics: official pages registry, snapshots of page facts, feed marks, problems

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('gospublic_pages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('handle', sa.String(length=300), nullable=False),
    sa.Column('external_id', sa.String(length=100), nullable=True),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=True),
    sa.Column('body', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('aliases', sa.JSON(), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=True),
    sa.Column('via', sa.String(length=16), nullable=False),
    sa.Column('expected', sa.JSON(), nullable=False),
    sa.Column('origin', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('status_detail', sa.Text(), nullable=True),
    sa.Column('renamed_from', sa.String(length=300), nullable=True),
    sa.Column('duplicate_of', sa.String(length=200), nullable=True),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gospublic_pages')),
    sa.UniqueConstraint('key', name=op.f('uq_gospublic_pages_key'))
    )
    op.create_table('gospublic_marks',
    sa.Column('page_id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.String(length=300), nullable=False),
    sa.Column('pinned', sa.Boolean(), nullable=False),
    sa.Column('reposted_from', sa.JSON(), nullable=False),
    sa.Column('links', sa.JSON(), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['page_id'], ['gospublic_pages.id'], name=op.f('fk_gospublic_marks_page_id_gospublic_pages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('page_id', 'post_id', name=op.f('pk_gospublic_marks'))
    )
    op.create_table('gospublic_problems',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('page_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['page_id'], ['gospublic_pages.id'], name=op.f('fk_gospublic_problems_page_id_gospublic_pages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gospublic_problems'))
    )
    with op.batch_alter_table('gospublic_problems', schema=None) as batch_op:
        batch_op.create_index('ix_gospublic_problems_page_code', ['page_id', 'code'], unique=False)
    op.create_table('gospublic_snapshots',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('page_id', sa.Integer(), nullable=False),
    sa.Column('observed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('followers', sa.BigInteger(), nullable=True),
    sa.Column('posts_total', sa.BigInteger(), nullable=True),
    sa.Column('facts', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['page_id'], ['gospublic_pages.id'], name=op.f('fk_gospublic_snapshots_page_id_gospublic_pages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gospublic_snapshots'))
    )
    with op.batch_alter_table('gospublic_snapshots', schema=None) as batch_op:
        batch_op.create_index('ix_gospublic_snapshots_page_observed', ['page_id', 'observed_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('gospublic_snapshots', schema=None) as batch_op:
        batch_op.drop_index('ix_gospublic_snapshots_page_observed')
    op.drop_table('gospublic_snapshots')
    with op.batch_alter_table('gospublic_problems', schema=None) as batch_op:
        batch_op.drop_index('ix_gospublic_problems_page_code')
    op.drop_table('gospublic_problems')
    op.drop_table('gospublic_marks')
    op.drop_table('gospublic_pages')
