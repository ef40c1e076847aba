"""The production stack against rented services, stood in for on loopback:
PostgreSQL accepting only TLS with a password, Redis with a password over TLS,
media on an S3-compatible object store (moto), errors to a Sentry-compatible
collector; gunicorn + nginx with the production settings
(devtools/production_stack.py)."""

import io
import re
import subprocess
import time

import pytest
import requests
from PIL import Image

from tests.conftest import form_values
from tests.managed.services import S3_KEYS, ErrorCollector, MailCatcher, ManagedStack, ObjectStore
from tests.stack.test_production_stack import browser, csrf, place_order

pytestmark = pytest.mark.stack
BUCKET = "ocpizza-media"


@pytest.fixture(scope="module")
def services():
    with ObjectStore() as store, ErrorCollector() as errors:
        store.create_bucket(BUCKET)
        yield store, errors


@pytest.fixture(scope="module")
def stack(services):
    store, errors = services
    with ManagedStack(
        extra_env={
            "MEDIA_S3_BUCKET": BUCKET,
            "MEDIA_S3_ENDPOINT_URL": store.url,
            "MEDIA_S3_REGION": S3_KEYS["AWS_DEFAULT_REGION"],
            "MEDIA_S3_ACCESS_KEY_ID": S3_KEYS["AWS_ACCESS_KEY_ID"],
            "MEDIA_S3_SECRET_ACCESS_KEY": S3_KEYS["AWS_SECRET_ACCESS_KEY"],
            "MEDIA_S3_DEFAULT_ACL": "public-read",
            "SENTRY_DSN": errors.dsn,
            "SENTRY_ENVIRONMENT": "test",
            "DISABLE_SERVER_SIDE_CURSORS": "true",
        }
    ) as running:
        yield running


def admin_session(stack):
    session = browser(stack)
    login = session.get(f"{stack.url}/admin/login/")
    done = session.post(
        f"{stack.url}/admin/login/",
        data={"csrfmiddlewaretoken": csrf(login.text), "username": "admin", "password": "admin", "next": "/admin/"},
    )
    assert done.url == f"{stack.url}/admin/", done.text[:300]
    return session


def broken_restaurant_pages(stack):
    """A real error inside a view: the restaurant pages' table is renamed away."""

    class Broken:
        def __enter__(self):
            stack.psql("ALTER TABLE home_restaurantpage RENAME TO home_restaurantpage_away", "ocpizza")

        def __exit__(self, *exc):
            stack.psql("ALTER TABLE home_restaurantpage_away RENAME TO home_restaurantpage", "ocpizza")

    return Broken()


def wait_until(check, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


# --- managed PostgreSQL and Redis ---------------------------------------------


def test_the_services_refuse_clear_text_and_anonymous_clients(stack):
    plain = subprocess.run(
        ["psql", f"host=127.0.0.1 port={stack.pg_port} user=ocpizza dbname=ocpizza sslmode=disable", "-c", "SELECT 1"],
        capture_output=True,
        text=True,
        env={"PGPASSWORD": stack.DB_PASSWORD, "PATH": "/usr/bin:/bin"},
    )
    assert plain.returncode != 0 and "no encryption" in plain.stderr
    import redis

    anonymous = redis.Redis(host="127.0.0.1", port=stack.redis_tls_port, ssl=True, ssl_ca_certs=str(stack.ca_cert))
    with pytest.raises(redis.AuthenticationError):
        anonymous.ping()


def test_site_serves_pages_and_takes_an_order_over_tls(stack):
    session = browser(stack)
    assert session.get(f"{stack.url}/").status_code == 200
    number = place_order(stack, session)
    assert stack.psql(f"SELECT status FROM ordering_order WHERE number = '{number}'", "ocpizza") == "placed"
    # The app's own connections are encrypted, and Redis (password, TLS) answers it.
    assert (
        stack.psql(
            "SELECT count(*) FROM pg_stat_ssl JOIN pg_stat_activity USING (pid) WHERE usename = 'ocpizza' AND ssl",
            "ocpizza",
        )
        != "0"
    )
    ready = requests.get(f"{stack.url}/readyz", verify=stack.ca)
    assert ready.status_code == 200 and ready.json() == {"ready": True, "database": "ok", "cache": "ok"}


def test_server_side_cursors_are_off_for_a_transaction_pooler(stack):
    result = stack.manage(
        "shell",
        "-c",
        "from django.db import connection; print(connection.settings_dict['DISABLE_SERVER_SIDE_CURSORS'],"
        " connection.settings_dict['OPTIONS']['sslmode'])",
    )
    assert result.stdout.strip().splitlines()[-1].split() == ["True", "verify-full"]


def test_readyz_degraded_without_redis_and_unready_without_postgresql(stack):
    stack.stop_redis()
    try:
        ready = requests.get(f"{stack.url}/readyz", verify=stack.ca)
        assert ready.status_code == 200 and ready.json()["degraded"] == ["cache"]
        assert requests.get(f"{stack.url}/bastille/", verify=stack.ca).status_code == 200
    finally:
        stack.start_redis()
    stack.stop_postgres()
    try:
        ready = requests.get(f"{stack.url}/readyz", verify=stack.ca)
        assert ready.status_code == 503 and ready.json()["database"].startswith("error")
    finally:
        stack.start_postgres()
    assert wait_until(lambda: requests.get(f"{stack.url}/readyz", verify=stack.ca).status_code == 200)


# --- media on object storage ----------------------------------------------------


def test_an_uploaded_image_lands_in_the_bucket_and_its_rendition_is_served(stack, services):
    store, _ = services
    session = admin_session(stack)
    form = session.get(f"{stack.url}/admin/images/add/")
    data = form_values(form.text, "form[action$='/images/add/']")
    data["title"] = "Pizza du mois"
    picture = io.BytesIO()
    Image.new("RGB", (1200, 900), (200, 40, 30)).save(picture, "JPEG")
    added = session.post(
        f"{stack.url}/admin/images/add/",
        data=data,
        files={"file": ("pizza-du-mois.jpg", picture.getvalue(), "image/jpeg")},
    )
    assert added.status_code == 200, added.text[:300]
    image_id = stack.psql("SELECT id FROM wagtailimages_image WHERE title = 'Pizza du mois'", "ocpizza")
    assert image_id
    assert any(
        re.fullmatch(r"original_images/pizza-du-mois\w*\.jpg", key) for key in store.objects(BUCKET, "original_images/")
    )
    assert not list((stack.dir / "media").rglob("pizza-du-mois*"))  # nothing on the local volume

    edit = session.get(f"{stack.url}/admin/images/{image_id}/")
    rendition = re.search(
        r'src="(http://127\.0\.0\.1:\d+/ocpizza-media/images/pizza-du-mois[^"]*\.max-800x600\.jpg)"', edit.text
    )
    assert rendition, edit.text[:2000]
    served = requests.get(rendition.group(1))  # the browser fetches it from the bucket
    assert served.status_code == 200
    assert Image.open(io.BytesIO(served.content)).size == (800, 600)
    assert any(".max-800x600" in key for key in store.objects(BUCKET, "images/"))

    # The demo's pictures went to the bucket too, and the public pages point there.
    page = requests.get(f"{stack.url}/bastille/", verify=stack.ca).text
    picture_url = re.search(r'src="(http://127\.0\.0\.1:\d+/ocpizza-media/images/[^"]+)"', page).group(1)
    assert requests.get(picture_url).status_code == 200


# --- errors reach someone -------------------------------------------------------


def test_an_error_in_a_view_reaches_sentry(stack, services):
    _, errors = services
    errors.events.clear()
    with broken_restaurant_pages(stack):
        assert (
            requests.get(f"{stack.url}/bastille/", verify=stack.ca, cookies={"sessionid": "private-cookie"}).status_code
            == 500
        )
        assert wait_until(
            lambda: any("UndefinedTable" in body or "ProgrammingError" in body for _, body in errors.events)
        )
    path, body = next(
        (path, body) for path, body in errors.events if "ProgrammingError" in body or "UndefinedTable" in body
    )
    assert path.startswith("/api/42/")
    assert '"environment":"test"' in body.replace(" ", "") and "/bastille/" in body
    assert "private-cookie" not in body  # no personal data (send_default_pii off)
    assert requests.get(f"{stack.url}/bastille/", verify=stack.ca).status_code == 200


def test_without_sentry_errors_are_mailed_to_the_admins(stack):
    with MailCatcher() as smtp:
        stack.restart_gunicorn(
            SENTRY_DSN="",
            ADMINS="Exploitation OC Pizza <exploitation@ocpizza.test>",
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(smtp.port),
            EMAIL_USE_TLS="false",
        )
        try:
            with broken_restaurant_pages(stack):
                # A visitor with a session: rendered, not served from the page cache.
                response = requests.get(f"{stack.url}/bastille/", verify=stack.ca, cookies={"sessionid": "x"})
                assert response.status_code == 500
                assert wait_until(
                    lambda: any(
                        "exploitation@ocpizza.test" in mail and "home_restaurantpage" in mail for mail in smtp.texts()
                    )
                )
        finally:
            stack.restart_gunicorn()
