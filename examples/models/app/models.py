"""The example shop as SQLAlchemy models: the schema of this example project,
for `retort --schema python:app.models:Base` (see ../README.md)."""
import sqlalchemy as sa
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Customer(Base):
    __tablename__ = "customers"
    id = sa.Column(sa.Integer, primary_key=True)
    email = sa.Column(sa.Text, nullable=False, unique=True)
    name = sa.Column(sa.Text, nullable=False)
    created_at = sa.Column(sa.Text, nullable=False, server_default=sa.text("CURRENT_TIMESTAMP"))
    phone = sa.Column(sa.Text)


class Product(Base):
    __tablename__ = "products"
    id = sa.Column(sa.Integer, primary_key=True)
    sku = sa.Column(sa.Text, nullable=False, unique=True)
    title = sa.Column(sa.Text, nullable=False)
    price_cents = sa.Column(sa.Integer, sa.CheckConstraint("price_cents >= 0"), nullable=False)


class Order(Base):
    __tablename__ = "orders"
    id = sa.Column(sa.Integer, primary_key=True)
    customer_id = sa.Column(sa.Integer, sa.ForeignKey("customers.id", ondelete="CASCADE"),
                            nullable=False, index=True)
    placed_at = sa.Column(sa.Text, nullable=False, server_default=sa.text("CURRENT_TIMESTAMP"))
    status = sa.Column(sa.Text, sa.CheckConstraint("status IN ('new', 'paid', 'shipped')"),
                       nullable=False, server_default="new")


class OrderLine(Base):
    __tablename__ = "order_lines"
    order_id = sa.Column(sa.Integer, sa.ForeignKey("orders.id", ondelete="CASCADE"),
                         primary_key=True)
    product_id = sa.Column(sa.Integer, sa.ForeignKey("products.id"), primary_key=True)
    quantity = sa.Column(sa.Integer, sa.CheckConstraint("quantity > 0"), nullable=False)
