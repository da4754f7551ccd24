"""add users

Revision ID: ae1027a6acf5
Revises: 1975ea83b712
Create Date: 2026-11-22 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ae1027a6acf5'
down_revision = '1975ea83b712'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('users', sa.Column('email', sa.String(), nullable=True))


def downgrade() -> None:
    op.drop_column('users', 'email')
