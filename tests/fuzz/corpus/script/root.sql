-- Revision ID: aaaa
-- Revises:

-- migrate:upgrade
SELECT 1;
