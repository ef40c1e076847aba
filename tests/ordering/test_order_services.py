"""Order services: checkout keys per restaurant."""

import pytest

from home.models import RestaurantPage
from ordering.models import Order
from ordering.services import OrderDetails, place_order
from ordering.workflow import Fulfilment
from tests.conftest import make_always_open, size_of

pytestmark = pytest.mark.django_db


def details():
    return OrderDetails(fulfilment=Fulfilment.PICKUP, name="Léa", phone="0612345678", email="lea@example.fr")


def test_a_checkout_key_never_returns_another_restaurants_order(bastille):
    nation = RestaurantPage.objects.get(slug="nation")
    make_always_open(nation)
    key = "k" * 32
    first = place_order(bastille, {size_of("reine").pk: 1}, details(), checkout_key=key)
    assert place_order(bastille, {size_of("reine").pk: 1}, details(), checkout_key=key) == first  # double submit
    other = place_order(nation, {size_of("reine").pk: 2}, details(), checkout_key=key)
    assert other != first and other.restaurant == nation and other.lines.get().quantity == 2
    assert Order.objects.count() == 2


ORDER_STATE = {"status", "payment_state", "payment_method", "collected_with", "courier", "courier_id"}


def test_an_orders_state_is_written_only_by_the_order_services():
    """Every change of an order's state is a function of ordering/services.py (locked,
    re-checked, all or nothing): no other module assigns or updates these fields."""
    import ast
    from pathlib import Path

    import ordering

    root = Path(ordering.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        if path.name == "services.py" or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            targets = (
                node.targets
                if isinstance(node, ast.Assign)
                else [node.target]
                if isinstance(node, (ast.AugAssign, ast.AnnAssign))
                else []
            )
            for target in targets:
                for part in ast.walk(target):
                    if (
                        isinstance(part, ast.Attribute)
                        and part.attr in ORDER_STATE
                        and not (isinstance(part.value, ast.Name) and part.value.id == "self")
                    ):  # an exception's own status
                        offenders.append(f"{path.relative_to(root)}:{node.lineno}")
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("update", "bulk_update")
            ):
                if {kw.arg for kw in node.keywords} & ORDER_STATE:
                    offenders.append(f"{path.relative_to(root)}:{node.lineno}")
    assert not offenders, offenders
