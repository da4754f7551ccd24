"""Fixture models for the python: schema tests (tests/cli/shared/0210-models.bats):
a small shop in SQLAlchemy 1.4, covering the column types, defaults,
constraints, indexes and comments that real projects declare.  The same
models serve SQLite and PostgreSQL; PostgreSQL-only types come in through
with_variant, as projects write them.

SHOP_STAGE (environment) selects a later version of the models, for the
tests of changes: 1 adds a column and an index, 2 also changes a type,
3 also drops a table, 4 also adds a unique constraint and a foreign key.
5 also makes the changes Alembic's autogenerate does not see (the blind
spots docs/alembic-compat.md lists): an enum gains a value and a check
constraint is dropped.
"""
import enum
import os

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import declarative_base, relationship

STAGE = int(os.environ.get("SHOP_STAGE", "0"))

metadata = sa.MetaData(naming_convention={
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})
Base = declarative_base(metadata=metadata)

JSONB = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
UUID = sa.String(36).with_variant(postgresql.UUID(), "postgresql")
TAGS = sa.JSON().with_variant(postgresql.ARRAY(sa.Text()), "postgresql")


class Status(enum.Enum):
    draft = "draft"
    paid = "paid"
    shipped = "shipped"
    if STAGE >= 5:
        void = "void"


class Customer(Base):
    __tablename__ = "customer"
    __table_args__ = (
        sa.UniqueConstraint("email"),
        sa.CheckConstraint("length(email) > 3", name="email_len"),
        sa.Index(None, "name"),
        sa.Index("ix_customer_lower_email", sa.func.lower(sa.column("email"))),
        {"comment": "who buys"},
    )
    id = sa.Column(sa.BigInteger, primary_key=True)
    public_id = sa.Column(UUID, nullable=False)
    email = sa.Column(sa.String(200), nullable=False, comment="login")
    name = sa.Column(sa.Text)
    active = sa.Column(sa.Boolean, nullable=False, server_default=sa.true())
    born = sa.Column(sa.Date)
    created = sa.Column(sa.DateTime(timezone=True), nullable=False,
                        server_default=sa.text("CURRENT_TIMESTAMP"))
    referrer_id = sa.Column(sa.BigInteger, sa.ForeignKey("customer.id", ondelete="SET NULL"))
    if STAGE >= 1:
        phone = sa.Column(sa.String(30))


class Product(Base):
    __tablename__ = "product"
    sku = sa.Column(sa.String(20), primary_key=True)
    title = sa.Column(sa.String(100), nullable=False, server_default="untitled")
    price = sa.Column(sa.Numeric(10, 2) if STAGE < 2 else sa.Numeric(12, 3), nullable=False)
    weight = sa.Column(sa.Float)
    photo = sa.Column(sa.LargeBinary)
    attrs = sa.Column(JSONB)
    meta = sa.Column(sa.JSON)  # plain JSON: json on PostgreSQL, not jsonb
    tags = sa.Column(TAGS)
    if STAGE >= 1:
        __table_args__ = (sa.Index("ix_product_title", "title"),) + (
            (sa.UniqueConstraint("title"),) if STAGE >= 4 else ())


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (
        sa.Index("ix_orders_open", "customer_id",
                 postgresql_where=sa.text("status <> 'shipped'"),
                 sqlite_where=sa.text("status <> 'shipped'")),
    )
    id = sa.Column(sa.Integer, primary_key=True)
    customer_id = sa.Column(sa.BigInteger, sa.ForeignKey("customer.id", ondelete="CASCADE",
                                                         onupdate="CASCADE"), nullable=False)
    status = sa.Column(sa.Enum(Status, name="order_status", create_constraint=True),
                       nullable=False, server_default="draft")
    # a cycle: an order points at its invoice, the invoice at its order
    invoice_id = sa.Column(sa.Integer, sa.ForeignKey("invoice.id", use_alter=True,
                                                     name="fk_orders_invoice"))
    customer = relationship(Customer)


class OrderLine(Base):
    __tablename__ = "order_line"
    order_id = sa.Column(sa.Integer, sa.ForeignKey("orders.id"), primary_key=True)
    sku = sa.Column(sa.String(20), sa.ForeignKey("product.sku"), primary_key=True)
    qty = sa.Column(sa.Integer, nullable=False, server_default="1")
    if STAGE < 5:
        __table_args__ = (sa.CheckConstraint("qty > 0", name="qty_positive"),)


class Invoice(Base):
    __tablename__ = "invoice"
    id = sa.Column(sa.Integer, primary_key=True)
    order_id = sa.Column(sa.Integer, sa.ForeignKey("orders.id"), nullable=False)
    # who pays, if not the order's customer: a foreign key from stage 4
    payer_id = sa.Column(sa.BigInteger,
                         *([sa.ForeignKey("customer.id")] if STAGE >= 4 else []))


if STAGE < 3:
    class Coupon(Base):
        __tablename__ = "coupon"
        code = sa.Column(sa.String(16), primary_key=True)
        percent = sa.Column(sa.SmallInteger, nullable=False)
