# -*- coding: latin-1 -*-
"""café menu

Revision ID: c3a1b2c3d4e5
"""
revision = "c3a1b2c3d4e5"
down_revision = None
branch_labels = None
depends_on = None
