"""Restaurant roles act in the member's own restaurants only; head office reads everywhere.
Roles are permissions, not group names: renaming a group keeps its members' rights."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ordering.models import Order, StaffMember, Stock
from ordering.staff.permissions import ACTIONS, COUNTER, COURIER, HEAD_OFFICE, KITCHEN, MANAGER, can, restaurants_for
from ordering.workflow import Status
from tests.ordering.test_staff import login, move, nation, order_at  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
READS = {"view_orders", "dashboard"}  # what head office may do, everywhere
# Today's groups and the role each is given (migration 0012).
GROUP_ROLES = {"Gérant": MANAGER, "Pizzaiolo": KITCHEN, "Livreur": COURIER, "Comptoir": COUNTER, "Siège": HEAD_OFFICE}
DEMO_STAFF = [
    "gerant-bastille",
    "pizzaiolo-bastille",
    "livreur-bastille",
    "comptoir-bastille",
    "pizzaiolo-nation",
    "siege",
]


def user(username):
    """A fresh user object: Django caches permissions on the object it read them for."""
    return get_user_model().objects.get(username=username)


def permission(role):
    app_label, codename = role.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def rights(username, restaurants):
    return {
        (action, restaurant.slug)
        for action in ACTIONS
        for restaurant in restaurants
        if can(user(username), action, restaurant)
    }


@pytest.fixture
def pizzaiolo_with_head_office():
    """pizzaiolo-nation, who also has the Siège role."""
    user("pizzaiolo-nation").groups.add(Group.objects.get(name="Siège"))
    return user("pizzaiolo-nation")


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_role_actions_stay_in_own_restaurants_with_head_office_too(
    pizzaiolo_with_head_office, bastille, nation, action
):
    user = pizzaiolo_with_head_office
    own = action in {"view_orders", "dashboard", "kitchen", "busy"}
    assert can(user, action, nation) is own, action
    assert can(user, action, bastille) is (action in READS), action


@pytest.mark.parametrize(
    "username, action, at_bastille",
    [
        ("siege", "view_orders", True),
        ("siege", "dashboard", True),
        ("siege", "kitchen", False),
        ("siege", "stock", False),
        ("siege", "cancel", False),
        ("gerant-bastille", "stock", True),
        ("gerant-bastille", "kitchen", True),
        ("pizzaiolo-nation", "view_orders", False),
        ("admin", "stock", True),
    ],
)
def test_role_matrix(bastille, username, action, at_bastille):
    assert can(user(username), action, bastille) is at_bastille


def test_a_pizzaiolo_with_head_office_cannot_cook_another_restaurants_order(
    client, pizzaiolo_with_head_office, bastille, nation
):
    theirs, ours = order_at(bastille), order_at(nation)
    client.force_login(pizzaiolo_with_head_office)
    assert client.get(f"/admin/cuisine/{bastille.pk}/").status_code == 200  # head office reads
    assert move(client, theirs, "in_preparation").status_code == 403
    assert Order.objects.get(pk=theirs.pk).status == Status.PLACED
    assert client.get(f"/admin/cuisine/stock/{bastille.pk}/").status_code == 403
    ham = Stock.objects.get(restaurant=bastille, ingredient__name="Jambon blanc")
    client.post(
        f"/admin/cuisine/stock/{bastille.pk}/", {"action": "restock", "restock-stock": ham.pk, "restock-quantity": "5"}
    )
    assert Stock.objects.get(pk=ham.pk).quantity == ham.quantity
    assert move(client, ours, "in_preparation").status_code == 302  # own restaurant: still a pizzaiolo
    assert Order.objects.get(pk=ours.pk).status == Status.IN_PREPARATION


def test_todays_groups_have_their_roles_permission():
    for name, role in GROUP_ROLES.items():
        roles = {
            f"ordering.{codename}"
            for codename in Group.objects.get(name=name).permissions.values_list("codename", flat=True)
        }
        assert roles & set(GROUP_ROLES.values()) == {role}, name


def test_renaming_the_groups_keeps_their_members_rights(client, bastille, nation):
    before = {username: rights(username, [bastille, nation]) for username in DEMO_STAFF}
    assert before["pizzaiolo-bastille"] and before["siege"]
    for name in GROUP_ROLES:
        Group.objects.filter(name=name).update(name=f"{name} (renamed)")
    assert {username: rights(username, [bastille, nation]) for username in DEMO_STAFF} == before
    order = order_at(bastille)
    login(client, "pizzaiolo-bastille")
    assert client.get(f"/admin/cuisine/{bastille.pk}/").status_code == 200
    assert move(client, order, "in_preparation").status_code == 302
    assert Order.objects.get(pk=order.pk).status == Status.IN_PREPARATION
    assert "/admin/cuisine/" in client.get("/admin/").content.decode()  # the Kitchen menu entry


def test_a_group_named_like_a_role_gives_nothing_without_the_permission(bastille):
    Group.objects.filter(name="Gérant").update(name="Gérants (old)")
    impostor = get_user_model().objects.create_user("impostor")
    impostor.groups.add(Group.objects.create(name="Gérant"))
    StaffMember.objects.create(user=impostor).restaurants.add(bastille)
    assert not rights("impostor", [bastille])


def test_a_role_given_to_a_person_acts_in_their_restaurants_only(bastille, nation):
    """No group needed; the restaurants still come from their StaffMember."""
    cook = get_user_model().objects.create_user("cook")
    cook.user_permissions.add(permission(KITCHEN))
    assert not rights("cook", [bastille, nation])  # not a staff member: no restaurant
    StaffMember.objects.create(user=cook).restaurants.add(bastille)
    assert rights("cook", [bastille, nation]) == {
        ("view_orders", "bastille"),
        ("kitchen", "bastille"),
        ("busy", "bastille"),  # the kitchen may put the restaurant in busy mode (ordering.staff.capacity)
    }
    reader = get_user_model().objects.create_user("reader")
    reader.user_permissions.add(permission(HEAD_OFFICE))
    assert rights("reader", [bastille, nation]) == {(action, r) for action in READS for r in ("bastille", "nation")}
    assert set(restaurants_for(user("reader"))) >= {bastille, nation}


def test_roles_are_read_from_djangos_permission_cache(bastille):
    """In the admin, the access check has already read the user's permissions:
    a role check then costs only the restaurant's membership query."""
    cook = user("pizzaiolo-bastille")
    assert cook.has_perm("wagtailadmin.access_admin")
    with CaptureQueriesContext(connection) as queries:
        assert can(cook, "kitchen", bastille) and not can(cook, "stock", bastille)
    assert len(queries) == 1, [q["sql"] for q in queries.captured_queries]


def test_the_roles_are_offered_on_the_groups_edit_page(client):
    group = Group.objects.get(name="Pizzaiolo")
    login(client, "admin")
    page = client.get(f"/admin/groups/edit/{group.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for role in GROUP_ROLES.values():
        assert f'value="{permission(role).pk}"' in page, role
    assert "Pizzaiolo: prepares the orders of their restaurants" in page
    page = client.get(f"/admin/groups/edit/{group.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Siège : consulte les commandes et les chiffres de tous les restaurants" in page
