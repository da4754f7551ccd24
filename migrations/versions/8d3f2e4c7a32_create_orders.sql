-- create orders and order lines
--
-- Revision ID: 8d3f2e4c7a32
-- Revises: 7c2e1d3b8f21
-- Create Date: 2026-11-22 09:10:00.000000
-- Branch Labels:
-- Depends On:

-- migrate:upgrade
CREATE TABLE orders (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL,
    placed_at   TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    status      VARCHAR(16) NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'paid', 'shipped')),
    FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE
);

CREATE TABLE order_lines (
    order_id   INTEGER NOT NULL,
    product_id INTEGER NOT NULL,
    quantity   INTEGER NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (order_id, product_id),
    FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE,
    FOREIGN KEY (product_id) REFERENCES products (id)
);

CREATE INDEX orders_customer_idx ON orders (customer_id);

-- migrate:downgrade
DROP TABLE order_lines;
DROP TABLE orders;
