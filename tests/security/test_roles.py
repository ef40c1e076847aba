"""Restaurant roles act in the member's own restaurants only; head office reads everywhere."""

import pytest
from django.contrib.auth.models import Group

from ordering.models import Order, Stock
from ordering.staff.permissions import ACTIONS, HEAD_OFFICE, can
from ordering.workflow import Status
from tests.ordering.test_staff import login, move, nation, order_at  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
READS = {"view_orders", "dashboard"}  # what head office may do, everywhere


@pytest.fixture
def pizzaiolo_with_head_office():
    """pizzaiolo-nation, who also has the Siège role."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="pizzaiolo-nation")
    user.groups.add(Group.objects.get(name=HEAD_OFFICE))
    return get_user_model().objects.get(pk=user.pk)


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_role_actions_stay_in_own_restaurants_with_head_office_too(pizzaiolo_with_head_office, bastille, nation, action):
    user = pizzaiolo_with_head_office
    own = action in {"view_orders", "dashboard", "kitchen"}
    assert can(user, action, nation) is own, action
    assert can(user, action, bastille) is (action in READS), action


@pytest.mark.parametrize("username, action, at_bastille", [
    ("siege", "view_orders", True), ("siege", "dashboard", True), ("siege", "kitchen", False),
    ("siege", "stock", False), ("siege", "cancel", False), ("gerant-bastille", "stock", True),
    ("gerant-bastille", "kitchen", True), ("pizzaiolo-nation", "view_orders", False), ("admin", "stock", True),
])
def test_role_matrix(bastille, username, action, at_bastille):
    from django.contrib.auth import get_user_model

    assert can(get_user_model().objects.get(username=username), action, bastille) is at_bastille


def test_a_pizzaiolo_with_head_office_cannot_cook_another_restaurants_order(client, pizzaiolo_with_head_office, bastille, nation):
    theirs, ours = order_at(bastille), order_at(nation)
    client.force_login(pizzaiolo_with_head_office)
    assert client.get(f"/admin/cuisine/{bastille.pk}/").status_code == 200  # head office reads
    assert move(client, theirs, "in_preparation").status_code == 403
    assert Order.objects.get(pk=theirs.pk).status == Status.PLACED
    assert client.get(f"/admin/cuisine/stock/{bastille.pk}/").status_code == 403
    ham = Stock.objects.get(restaurant=bastille, ingredient__name="Jambon blanc")
    client.post(f"/admin/cuisine/stock/{bastille.pk}/", {"action": "restock", "restock-stock": ham.pk, "restock-quantity": "5"})
    assert Stock.objects.get(pk=ham.pk).quantity == ham.quantity
    assert move(client, ours, "in_preparation").status_code == 302  # own restaurant: still a pizzaiolo
    assert Order.objects.get(pk=ours.pk).status == Status.IN_PREPARATION
