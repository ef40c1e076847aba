"""Login pages follow ?next= only to a path of this site."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("login_url", ["/admin/login/", "/commande/compte/connexion/"])
@pytest.mark.parametrize("next_value", ["zz", "admin", "//evil.example/", "https://evil.example/x"])
def test_a_signed_in_person_with_a_next_that_is_no_path_lands_on_the_default_page(
    client, django_user_model, login_url, next_value
):
    """Django takes ?next=zz for a URL name (NoReverseMatch, a 500); only paths of this site are followed."""
    user = django_user_model.objects.create_superuser("next-tester", "next@example.fr", "pizza-pizza-42")
    client.force_login(user)
    response = client.get(login_url, {"next": next_value})
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert response["Location"].startswith("/") and not response["Location"].startswith("//")
    response = client.post(login_url, {"username": "next-tester", "password": "pizza-pizza-42", "next": next_value})
    assert (
        response.status_code == 302
        and response["Location"].startswith("/")
        and not response["Location"].startswith("//")
    )
