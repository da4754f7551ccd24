-- add customer phone
--
-- Revision ID: 9e4a3f5d6b43
-- Revises: 8d3f2e4c7a32
-- Create Date: 2026-11-22 09:15:00.000000
-- Branch Labels:
-- Depends On:

-- migrate:upgrade
ALTER TABLE customers ADD COLUMN phone VARCHAR(32);

-- migrate:downgrade
ALTER TABLE customers DROP COLUMN phone;
