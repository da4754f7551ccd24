-- The example application's schema as it should be: what the revisions in
-- versions/ build.  `retort check` compares the database with it, and
-- `make makemigrations msg="..."` (retort revision --autogenerate) writes
-- the revision that turns the database into it: edit this file first.
-- The models variant (SQLAlchemy models as the schema) is in
-- examples/models/.

CREATE TABLE customers (
    id         INTEGER PRIMARY KEY,
    email      VARCHAR(255) NOT NULL UNIQUE,
    name       VARCHAR(255) NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    phone      VARCHAR(32)
);

CREATE TABLE products (
    id          INTEGER PRIMARY KEY,
    sku         VARCHAR(64) NOT NULL UNIQUE,
    title       VARCHAR(255) NOT NULL,
    price_cents INTEGER NOT NULL CHECK (price_cents >= 0)
);

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
