"""Staff screens with another restaurant's ids, ids that do not exist or do not fit;
the dashboard panel and Wagtail's bulk actions on the group's recipes."""

import pytest
from django.contrib.auth.models import Group
from django.db.models import F

from ordering.models import RecipeLine, Stock
from tests.ordering.test_staff import login, move, nation, order_at  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
SCREENS = [
    "/admin/cuisine/{}/",
    "/admin/cuisine/{}/colonnes/",
    "/admin/cuisine/livraisons/{}/",
    "/admin/cuisine/livraisons/{}/liste/",
    "/admin/cuisine/stock/{}/",
    "/admin/cuisine/{}/nouvelle-commande/",
    "/admin/cuisine/recettes/{}/",
    "/admin/cuisine/{}/preparation/",
    "/admin/cuisine/{}/four/colonnes/",
    "/admin/cuisine/{}/boissons-desserts/",
]


@pytest.mark.parametrize("username", ["gerant-bastille", "pizzaiolo-bastille", "livreur-bastille", "comptoir-bastille"])
@pytest.mark.parametrize("screen", SCREENS)
def test_screens_refuse_another_restaurant_and_unknown_ids(client, bastille, nation, username, screen):
    login(client, username)
    for restaurant_id, refused in ((nation.pk, (403,)), (999999, (404,)), ("9" * 30, (404,))):
        assert client.get(screen.format(restaurant_id)).status_code in refused, restaurant_id
        assert client.post(screen.format(restaurant_id), {"action": "restock"}).status_code in refused, restaurant_id


@pytest.mark.parametrize("order_id", ["999999", "9" * 30])
def test_moving_an_order_that_does_not_exist_is_a_404(client, bastille, order_id):
    login(client, "gerant-bastille")
    assert client.post(f"/admin/cuisine/commande/{order_id}/etape/", {"status": "ready"}).status_code == 404


def test_the_dashboard_links_low_stock_only_where_one_may_restock(client, bastille, nation):
    Stock.objects.filter(ingredient__name="Reblochon").update(low_threshold=F("quantity") + 1)
    login(client, "siege")
    page = client.get("/admin/").content.decode()
    for restaurant in (bastille, nation):
        row = page.split(f'data-restaurant="{restaurant.slug}"')[1].split("</tr>")[0]
        assert "Reblochon" in row and "/admin/cuisine/stock/" not in row
    page = login(client, "gerant-bastille").get("/admin/").content.decode()
    row = page.split('data-restaurant="bastille"')[1].split("</tr>")[0]
    assert f"/admin/cuisine/stock/{bastille.pk}/" in row
    assert 'data-restaurant="nation"' not in page


def test_a_head_office_pizzaiolo_sees_every_dashboard_row_but_restocks_nowhere(client, bastille, nation):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="pizzaiolo-nation")
    user.groups.add(Group.objects.get(name="Siège"))  # the head office group
    Stock.objects.filter(ingredient__name="Reblochon").update(low_threshold=F("quantity") + 1)
    client.force_login(user)
    page = client.get("/admin/").content.decode()
    assert 'data-restaurant="bastille"' in page and 'data-restaurant="nation"' in page
    assert "/admin/cuisine/stock/" not in page


def test_a_manager_cannot_bulk_delete_the_groups_recipes(client):
    line = RecipeLine.objects.order_by("pk").first()
    login(client, "gerant-bastille")
    response = client.post(f"/admin/bulk/ordering/recipeline/delete/?id={line.pk}", {})
    assert response.status_code in (302, 403)
    assert RecipeLine.objects.filter(pk=line.pk).exists()
