"""The group's recipes are head office's: managers read them, only head office changes them."""

from decimal import Decimal

import pytest
from django.urls import reverse

from ordering.models import Ingredient, RecipeLine, RecipeSteps
from tests.conftest import form_values, size_of
from tests.ordering.test_staff import login

pytestmark = pytest.mark.django_db
RECIPE_MODELS = [("recipeline", RecipeLine), ("recipesteps", RecipeSteps), ("ingredient", Ingredient)]


def url(model_name, view, *args):
    return reverse(f"wagtailsnippets_ordering_{model_name}:{view}", args=args)


@pytest.mark.parametrize("model_name, model", RECIPE_MODELS)
def test_a_manager_reads_the_recipes_but_cannot_change_them(client, model_name, model):
    obj = model.objects.order_by("pk").first()
    before = {f.name: getattr(obj, f.attname) for f in model._meta.concrete_fields}
    count = model.objects.count()
    login(client, "gerant-bastille")
    assert client.get(url(model_name, "list")).status_code == 200
    for view, args in (("edit", [obj.pk]), ("delete", [obj.pk]), ("add", []), ("copy", [obj.pk])):
        response = client.get(url(model_name, view, *args))
        assert response.status_code == 403, view
        assert (
            client.post(url(model_name, view, *args), {"quantity": "0.001", "name": "x", "steps": "x"}).status_code
            == 403
        )
    obj.refresh_from_db()
    assert {f.name: getattr(obj, f.attname) for f in model._meta.concrete_fields} == before
    assert model.objects.count() == count


def test_a_manager_cannot_make_another_restaurants_pizzas_sold_out(client):
    line = RecipeLine.objects.filter(size=size_of("reine")).order_by("pk").first()
    login(client, "gerant-bastille")
    response = client.post(
        url("recipeline", "edit", line.pk),
        {"size": line.size_id, "ingredient": line.ingredient_id, "quantity": "999999"},
    )
    assert response.status_code == 403
    line.refresh_from_db()
    assert line.quantity != Decimal("999999")


def test_head_office_changes_the_recipes(client):
    line = RecipeLine.objects.filter(size=size_of("reine")).order_by("pk").first()
    login(client, "siege")
    page = client.get(url("recipeline", "edit", line.pk))
    assert page.status_code == 200
    data = form_values(page.content.decode(), "form[data-edit-form]")
    data["quantity"] = "200"
    assert client.post(url("recipeline", "edit", line.pk), data).status_code == 302
    line.refresh_from_db()
    assert line.quantity == Decimal("200")
    assert client.get(url("ingredient", "add")).status_code == 200


@pytest.mark.parametrize("username", ["pizzaiolo-bastille", "livreur-bastille", "comptoir-bastille", "marketing"])
def test_other_roles_have_no_recipe_snippets(client, username):
    line = RecipeLine.objects.order_by("pk").first()
    login(client, username)
    assert client.get(url("recipeline", "list")).status_code == 302  # Wagtail: back to the dashboard
    assert client.get(url("recipeline", "edit", line.pk)).status_code == 403
