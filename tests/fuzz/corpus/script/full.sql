-- Add users table
--
-- Revision ID: 3f2a9c1b7d4e
-- Revises: 1a2b3c4d5e6f, 9a8b7c6d5e4f
-- Create Date: 2026-11-22 10:00:00.000000
-- Branch Labels: core
-- Depends On: 777777777777

-- migrate:upgrade
CREATE TABLE users (id INTEGER PRIMARY KEY);

-- migrate:downgrade transaction:false
DROP TABLE users;
