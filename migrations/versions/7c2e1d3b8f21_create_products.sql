-- create products
--
-- Revision ID: 7c2e1d3b8f21
-- Revises: 6b1f0c2d9a10
-- Create Date: 2026-11-22 09:05:00.000000
-- Branch Labels:
-- Depends On:

-- migrate:upgrade
CREATE TABLE products (
    id          INTEGER PRIMARY KEY,
    sku         VARCHAR(64) NOT NULL UNIQUE,
    title       VARCHAR(255) NOT NULL,
    price_cents INTEGER NOT NULL CHECK (price_cents >= 0)
);

-- migrate:downgrade
DROP TABLE products;
