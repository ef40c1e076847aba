"""Customer accounts by e-mail address (issue 16): sign-up without a user name,
login with the address in any case (staff and older accounts with a user name
too), the address unique whatever its case, django-axes counting one address once."""

import re
import uuid
from unittest import mock

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.core import mail
from django.test import Client

from accounts import EmailBackend
from ordering.customers import username_for_email
from tests.conftest import text_of

pytestmark = pytest.mark.django_db
SIGNUP, LOGIN, MY_ORDERS = "/commande/compte/inscription/", "/commande/compte/connexion/", "/commande/compte/commandes/"
PASSWORD = "Pizza-Reine-2026"


def logged_in_as(client):
    return client.session.get("_auth_user_id")


def sign_up(client, email, password=PASSWORD, **extra):
    return client.post(SIGNUP, {"email": email, "password": password, **extra})


def log_in(client, identifier, password=PASSWORD, **extra):
    return client.post(LOGIN, {"username": identifier, "password": password, **extra})


# --- sign-up -----------------------------------------------------------------


def test_the_sign_up_page_asks_an_email_address_and_a_password_only(client):
    response = client.get(SIGNUP)
    assert response.status_code == 200
    fields = set(response.context["form"].fields)
    assert fields == {"email", "password"}
    html = response.content.decode()
    assert 'type="email"' in html and 'autocomplete="email"' in html and 'autocomplete="new-password"' in html
    assert "Adresse e-mail" in text_of(response) and "identifiant" not in text_of(response).lower()


def test_sign_up_creates_a_logged_in_account_named_after_the_address(client, django_user_model):
    response = sign_up(client, "Camille.Martin@Example.FR")
    assert response.status_code == 302 and response["Location"] == MY_ORDERS
    user = django_user_model.objects.get(email__iexact="camille.martin@example.fr")
    assert user.email == "Camille.Martin@example.fr"  # the domain is normalized, the rest kept as typed
    assert user.username == "camille.martin@example.fr" and user.check_password(PASSWORD)
    assert not user.is_staff and logged_in_as(client) == str(user.pk)
    assert "Bienvenue" in text_of(client.get(MY_ORDERS))


@pytest.mark.parametrize(
    "existing, again",
    [
        ("camille@example.fr", "CAMILLE@example.fr"),
        ("Camille@Example.fr", "camille@EXAMPLE.FR"),
        ("camille@example.fr", "  camille@example.fr "),
    ],
)
def test_an_address_has_one_account_whatever_its_case(client, django_user_model, existing, again):
    assert sign_up(Client(), existing).status_code == 302
    accounts = django_user_model.objects.count()
    response = sign_up(client, again, "Another-Pizza-2026")
    assert response.status_code == 400 and not logged_in_as(client)
    assert "Un compte utilise déjà cette adresse" in text_of(response)
    assert response.context["form"].email_taken
    assert django_user_model.objects.count() == accounts


def test_an_older_account_with_a_user_name_keeps_its_address(client, django_user_model):
    django_user_model.objects.create_user("camille", "camille@example.fr", PASSWORD)
    response = sign_up(client, "Camille@example.fr", "Another-Pizza-2026")
    assert (
        response.status_code == 400
        and django_user_model.objects.filter(email__iexact="camille@example.fr").count() == 1
    )


def test_two_sign_ups_racing_for_one_address_make_one_account(client, django_user_model):
    """The form's check passed for both: the unique username (the address) refuses the second."""
    assert sign_up(Client(), "lea@example.fr").status_code == 302
    with mock.patch("ordering.customers.email_has_account", return_value=False):
        response = sign_up(client, "LEA@example.fr", "Another-Pizza-2026")
    assert response.status_code == 400 and "Un compte utilise déjà cette adresse" in text_of(response)
    assert django_user_model.objects.filter(email__iexact="lea@example.fr").count() == 1


def test_a_long_or_unusual_address_gets_a_hashed_user_name_and_still_logs_in(client, django_user_model):
    long_address = "a" * 140 + "@" + "b" * 60 + ".fr"  # valid, longer than a user name may be
    for address in (long_address, "o'brien+pizza@example.fr"):
        assert sign_up(Client(), address).status_code == 302
        user = django_user_model.objects.get(email=address)
        assert user.username == username_for_email(address.upper()) and user.username.startswith("client-")
        fresh = Client()
        assert log_in(fresh, address.upper()).status_code == 302 and logged_in_as(fresh) == str(user.pk)


@pytest.mark.parametrize(
    "password, message",
    [
        ("court", "trop court"),
        ("12345678901", "entièrement numérique"),
        ("password123", "trop courant"),
        ("camille@example.fr", "trop semblable"),
    ],
)
def test_a_weak_password_is_refused_with_the_reason(client, django_user_model, password, message):
    accounts = django_user_model.objects.count()
    response = sign_up(client, "camille@example.fr", password)
    assert response.status_code == 400 and message in text_of(response)
    assert django_user_model.objects.count() == accounts


def test_sign_up_follows_next_only_to_a_path_of_this_site(client):
    assert sign_up(client, "a@example.fr", next="/commande/valider/")["Location"] == "/commande/valider/"
    for number, hostile in enumerate(("https://evil.example/", "//evil.example/", "zz", "/\x00", "/" + "x" * 10_000)):
        assert sign_up(Client(), f"b{number}@example.fr", next=hostile)["Location"] in (MY_ORDERS, "/" + "x" * 10_000)


# --- login ---------------------------------------------------------------------


def test_the_login_page_asks_the_email_address(client):
    response = client.get(LOGIN)
    html = response.content.decode()
    assert 'name="username"' in html and 'type="email"' in html and 'autocomplete="username"' in html
    assert "Adresse e-mail" in text_of(response)


@pytest.mark.parametrize("typed", ["camille@example.fr", "Camille@Example.FR", " camille@example.fr "])
def test_a_customer_logs_in_with_the_address_in_any_case(client, typed):
    sign_up(Client(), "camille@example.fr")
    response = log_in(client, typed)
    assert response.status_code == 302 and response["Location"] == MY_ORDERS and logged_in_as(client)


def test_an_older_account_logs_in_with_its_user_name_or_its_address(django_user_model):
    user = django_user_model.objects.create_user("camille", "Camille@example.fr", PASSWORD)
    for typed in ("camille", "camille@example.fr", "CAMILLE@EXAMPLE.FR"):
        client = Client()
        assert log_in(client, typed).status_code == 302 and logged_in_as(client) == str(user.pk)


def test_a_wrong_password_or_unknown_address_is_refused_with_one_message(client):
    sign_up(Client(), "camille@example.fr")
    for identifier, password in (("camille@example.fr", "wrong"), ("nobody@example.fr", PASSWORD)):
        response = log_in(client, identifier, password)
        assert response.status_code == 400 and not logged_in_as(client)
        assert "ne correspondent à aucun compte" in text_of(response)


def test_an_inactive_account_does_not_log_in_by_address(client, django_user_model):
    django_user_model.objects.create_user("camille", "camille@example.fr", PASSWORD, is_active=False)
    assert log_in(client, "camille@example.fr").status_code == 400 and not logged_in_as(client)


def test_staff_log_in_to_the_admin_with_their_user_name_or_address(django_user_model):
    django_user_model.objects.filter(username="gerant-bastille").update(email="gerant@ocpizza.fr")
    for typed, password in (("admin", "admin"), ("gerant-bastille", "pizza"), ("Gerant@OCPizza.fr", "pizza")):
        client = Client()
        response = client.post("/admin/login/", {"username": typed, "password": password})
        assert response.status_code == 302 and logged_in_as(client), typed
        assert client.get("/admin/").status_code == 200


def test_two_accounts_sharing_an_address_each_log_in_with_their_password(django_user_model):
    first = django_user_model.objects.create_user("camille", "camille@example.fr", PASSWORD)
    second = django_user_model.objects.create_user("camille-pro", "Camille@example.fr", "Another-Pizza-2026")
    assert EmailBackend().authenticate(None, username="camille@example.fr", password=PASSWORD) == first
    assert EmailBackend().authenticate(None, username="camille@example.fr", password="Another-Pizza-2026") == second
    assert EmailBackend().authenticate(None, username="camille@example.fr", password="wrong") is None


@pytest.mark.parametrize("typed", ["a\x00@example.fr", "@", "x" * 300 + "@example.fr", "a@b\x00", "\x00@\x00"])
def test_the_email_backend_refuses_hostile_addresses_without_a_query_error(typed):
    assert EmailBackend().authenticate(None, username=typed, password=PASSWORD) is None


@pytest.mark.parametrize("typed", ["camille@example.fr\x00", "x" * 100_000 + "@example.fr", "é" * 300 + "@example.fr"])
def test_a_hostile_address_at_login_is_one_more_failure(client, typed):
    sign_up(Client(), "camille@example.fr")
    response = log_in(client, typed)
    assert response.status_code == 400 and not logged_in_as(client)


# --- login throttling: one count per address, whatever its case -------------------------


def test_varying_the_case_of_an_address_does_not_escape_the_lockout(client):
    sign_up(Client(), "camille@example.fr")
    spellings = [
        "camille@example.fr",
        "Camille@example.fr",
        "CAMILLE@example.fr",
        "camille@EXAMPLE.fr",
        "cAmille@example.FR",
    ]
    assert len(spellings) >= django_settings.AXES_FAILURE_LIMIT
    for typed in spellings[: django_settings.AXES_FAILURE_LIMIT]:
        log_in(client, typed, "wrong")
    response = log_in(client, "camille@example.fr")
    assert response.status_code == 429 and not logged_in_as(client)
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"camille@example.fr"}


def test_a_good_login_by_address_forgets_the_mistakes_in_another_case(client):
    sign_up(Client(), "camille@example.fr")
    for _attempt in range(django_settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, "CAMILLE@example.fr", "wrong")
    assert log_in(client, "camille@example.fr").status_code == 302
    client.logout()
    for _attempt in range(django_settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, "Camille@Example.fr", "wrong")
    assert log_in(client, "camille@example.fr").status_code == 302


def test_the_lockout_applies_to_the_admin_login_by_address(client, django_user_model):
    django_user_model.objects.filter(username="gerant-bastille").update(email="gerant@ocpizza.fr")
    for _attempt in range(django_settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": "Gerant@ocpizza.fr", "password": "wrong"})
    response = client.post("/admin/login/", {"username": "gerant@ocpizza.fr", "password": "pizza"})
    assert response.status_code == 429 and not logged_in_as(client)


# --- forgot your password ------------------------------------------------------------

RESET = "/commande/compte/mot-de-passe/"


def reset_link(message):
    return re.search(r"https?://\S+/commande/compte/mot-de-passe/\S+/", message.body).group(0)


def test_forgot_password_mails_a_link_that_sets_a_new_one_and_logs_in(client, settings):
    settings.SITE_URL = "https://www.ocpizza.example"
    sign_up(Client(), "camille@example.fr")
    response = client.post(RESET, {"email": "Camille@EXAMPLE.fr"})
    assert response.status_code == 302 and response["Location"] == RESET + "envoye/"
    assert "Consultez votre messagerie" in text_of(client.get(response["Location"]))
    [message] = mail.outbox
    assert message.to == ["camille@example.fr"] and message.subject == "OC Pizza : choisissez un nouveau mot de passe"
    link = reset_link(message)
    assert link.startswith("https://www.ocpizza.example/commande/compte/mot-de-passe/")

    form_page = client.get(
        link.removeprefix(settings.SITE_URL), follow=True
    )  # Django hides the token behind a redirect
    assert "Choisir un nouveau mot de passe" in text_of(form_page) and "trop ancien" not in text_of(form_page)
    set_url = form_page.redirect_chain[-1][0]
    assert client.post(set_url, {"new_password1": "court"}).status_code == 400
    response = client.post(set_url, {"new_password1": "Another-Pizza-2026"})
    assert response.status_code == 302 and response["Location"] == MY_ORDERS and logged_in_as(client)
    assert "Nouveau mot de passe enregistré" in text_of(client.get(MY_ORDERS))
    assert log_in(Client(), "camille@example.fr", "Another-Pizza-2026").status_code == 302
    assert log_in(Client(), "camille@example.fr", PASSWORD).status_code == 400
    used_again = Client().get(link.removeprefix(settings.SITE_URL), follow=True)
    assert "il a déjà servi, ou il est trop ancien" in text_of(used_again)


def test_forgot_password_for_an_unknown_address_says_the_same_and_sends_nothing(client):
    response = client.post(RESET, {"email": "nobody@example.fr"})
    assert response.status_code == 302 and response["Location"] == RESET + "envoye/"
    assert mail.outbox == []


def test_an_older_account_with_a_user_name_gets_its_link_too(client, django_user_model):
    django_user_model.objects.create_user("camille", "Camille@example.fr", PASSWORD)
    client.post(RESET, {"email": "camille@example.fr"})
    assert [m.to for m in mail.outbox] == [["Camille@example.fr"]]


@pytest.mark.parametrize("path", ["MQ/x-y/", "!!/abc/", "A" * 500 + "/B/", "%00/%00/", "MQ/set-password/"])
def test_a_bogus_reset_link_says_it_does_not_work(client, path):
    response = client.get(RESET + path, follow=True)
    assert response.status_code in (200, 404)
    if response.status_code == 200:
        assert "Ce lien ne fonctionne plus" in text_of(response)


@pytest.mark.parametrize("value", ["", "\x00", "x" * 100_000, "a@b", "é" * 300 + "@example.fr"])
def test_forgot_password_with_hostile_input_sends_nothing(client, value):
    response = client.post(RESET, {"email": value})
    assert response.status_code in (302, 400) and mail.outbox == []


# --- abuse limits ------------------------------------------------------------------------


@pytest.fixture
def rate_limits(settings):
    """Rate limits on, with counters no other test has touched."""
    settings.RATELIMIT_ENABLE = True
    settings.RATELIMIT_CACHE_PREFIX = f"rl-test-{uuid.uuid4().hex}:"
    return settings


def test_sign_ups_from_one_address_are_limited(rate_limits, django_user_model):
    rate_limits.SIGNUP_RATE_PER_ADDRESS = "3/h"
    for number in range(3):
        assert sign_up(Client(), f"client{number}@example.fr").status_code == 302
    accounts = django_user_model.objects.count()
    response = sign_up(Client(), "one-more@example.fr")
    assert response.status_code == 429 and "Réessayez dans une heure" in text_of(response)
    assert django_user_model.objects.count() == accounts
    assert sign_up(Client(REMOTE_ADDR="192.0.2.7"), "elsewhere@example.fr").status_code == 302


def test_reset_emails_from_one_address_are_limited(rate_limits):
    rate_limits.PASSWORD_RESET_RATE_PER_ADDRESS = "2/h"
    sign_up(Client(), "camille@example.fr")
    for _attempt in range(2):
        assert Client().post(RESET, {"email": "camille@example.fr"}).status_code == 302
    assert Client().post(RESET, {"email": "camille@example.fr"}).status_code == 429
    assert len(mail.outbox) == 2


def test_a_logged_in_customer_skips_the_login_and_sign_up_pages(client):
    sign_up(client, "camille@example.fr")
    assert client.get(LOGIN)["Location"] == MY_ORDERS
    assert client.get(SIGNUP)["Location"] == MY_ORDERS
    assert client.get(SIGNUP, {"next": "/commande/valider/"})["Location"] == "/commande/valider/"
    assert client.get(LOGIN, {"next": "https://evil.example/"})["Location"] == MY_ORDERS
