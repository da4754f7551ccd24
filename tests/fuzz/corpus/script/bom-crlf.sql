-- Revision ID: bbbb
-- Revises: aaaa
-- migrate:upgrade transaction:false
CREATE INDEX CONCURRENTLY i ON t(x);
