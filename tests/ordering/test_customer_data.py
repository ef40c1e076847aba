"""Customers' data: downloading one's own data, deleting one's account (orders kept, anonymised),
guests' personal data blanked after the retention period with every figure kept, and the
scheduler running that once a day."""

import json
import os
import subprocess
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from ordering.models import Order, OrderLine, SavedAddress
from ordering.services import transition
from ordering.workflow import Status
from tests.ordering.test_staff import order_at

pytestmark = pytest.mark.django_db
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PERSONAL = ("name", "phone", "email", "street_address", "postcode", "city", "note")


def customer(email="lea@example.fr", password="pizza-pizza-42"):
    user = get_user_model().objects.create_user(username=email, email=email, password=password)
    return user


def finish(order):
    for status in (Status.IN_PREPARATION, Status.READY, Status.OUT_FOR_DELIVERY, Status.DELIVERED):
        transition(order, status)
    order.refresh_from_db()
    return order


def figures():
    return (
        Order.objects.count(),
        Order.objects.aggregate(total=Sum("total"))["total"],
        OrderLine.objects.count(),
        OrderLine.objects.aggregate(total=Sum("line_total"))["total"],
    )


def test_a_customer_downloads_their_own_data_only(client, bastille):
    lea, other = customer(), customer("tom@example.fr")
    mine = order_at(bastille)
    Order.objects.filter(pk=mine.pk).update(customer=lea)
    theirs = order_at(bastille, note="code 1234")
    Order.objects.filter(pk=theirs.pk).update(customer=other, name="Tom Secret")
    SavedAddress.remember(lea, "1 rue de Lappe", "75011", "Paris")
    client.force_login(lea)
    account_page = client.get("/commande/compte/commandes/").content.decode()
    assert (
        'href="/commande/compte/mes-donnees/"' in account_page and 'href="/commande/compte/supprimer/"' in account_page
    )
    response = client.get("/commande/compte/mes-donnees/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["account"]["email"] == "lea@example.fr"
    assert [o["number"] for o in data["orders"]] == [mine.number]
    assert data["orders"][0]["name"] == "Léa"
    assert data["orders"][0]["total"] == str(mine.total)
    assert data["orders"][0]["lines"][0]["quantity"] == 2
    assert data["saved_addresses"][0]["street_address"] == "1 rue de Lappe"
    assert "Tom Secret" not in response.content.decode() and theirs.number not in response.content.decode()
    client.logout()
    assert client.get("/commande/compte/mes-donnees/").status_code == 302  # to the login page


def test_deleting_an_account_keeps_its_orders_anonymised(client, bastille):
    lea = customer()
    order = finish(order_at(bastille))
    Order.objects.filter(pk=order.pk).update(customer=lea)
    SavedAddress.remember(lea, "1 rue de Lappe", "75011", "Paris")
    before = figures()
    client.force_login(lea)
    assert client.get("/commande/compte/supprimer/").status_code == 200
    refused = client.post("/commande/compte/supprimer/", {"password": "wrong"})
    assert refused.status_code == 400
    assert get_user_model().objects.filter(pk=lea.pk).exists()
    response = client.post("/commande/compte/supprimer/", {"password": "pizza-pizza-42"})
    assert response.status_code == 302
    assert not get_user_model().objects.filter(pk=lea.pk).exists()
    assert not SavedAddress.objects.filter(street_address="1 rue de Lappe").exists()
    order.refresh_from_db()
    assert order.customer_id is None and order.anonymised_at is not None
    assert all(getattr(order, field) == "" for field in PERSONAL)
    assert figures() == before
    assert "_auth_user_id" not in client.session


def test_an_account_with_an_order_in_progress_is_not_deleted(client, bastille):
    lea = customer()
    order = order_at(bastille)
    Order.objects.filter(pk=order.pk).update(customer=lea)
    client.force_login(lea)
    response = client.post("/commande/compte/supprimer/", {"password": "pizza-pizza-42"})
    assert response.status_code == 400
    assert get_user_model().objects.filter(pk=lea.pk).exists()
    order.refresh_from_db()
    assert order.name == "Léa" and order.anonymised_at is None


def test_staff_accounts_are_not_deleted_from_the_customer_pages(client):
    staff = get_user_model().objects.get(username="gerant-bastille")
    staff.set_password("pizza")
    staff.save()
    client.force_login(staff)
    assert client.post("/commande/compte/supprimer/", {"password": "pizza"}).status_code == 403
    assert get_user_model().objects.filter(pk=staff.pk).exists()


def test_guest_orders_are_anonymised_after_the_retention_period_figures_kept(bastille, settings):
    settings.GUEST_DATA_RETENTION_DAYS = 30
    lea = customer()
    old_guest = finish(order_at(bastille))
    recent_guest = finish(order_at(bastille))
    old_customer = finish(order_at(bastille))
    old_in_progress = order_at(bastille)
    Order.objects.filter(pk=old_customer.pk).update(customer=lea)
    long_ago = timezone.now() - timedelta(days=31)
    Order.objects.filter(pk__in=[old_guest.pk, old_customer.pk, old_in_progress.pk]).update(created_at=long_ago)
    before = figures()
    call_command("anonymise_guest_orders", stdout=open(os.devnull, "w"))
    for order in (old_guest, recent_guest, old_customer, old_in_progress):
        order.refresh_from_db()
    assert all(getattr(old_guest, field) == "" for field in PERSONAL) and old_guest.anonymised_at
    assert old_guest.total > Decimal("0") and old_guest.lines.count() == 1
    for kept in (recent_guest, old_customer, old_in_progress):  # too recent, a customer's, not finished
        assert kept.name == "Léa" and kept.anonymised_at is None
    assert figures() == before
    done_at = old_guest.anonymised_at
    call_command("anonymise_guest_orders", stdout=open(os.devnull, "w"))  # twice: nothing more
    old_guest.refresh_from_db()
    assert old_guest.anonymised_at == done_at


def test_the_scheduler_runs_the_daily_jobs_once_a_day(tmp_path):
    """docker/scheduler.sh with a stand-in `python` that records each job it is asked for."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "jobs.log"
    # The journal check fails (a broken chain): reported once, not re-run every round.
    (bin_dir / "python").write_text(f'#!/bin/sh\necho "$2" >> {log}\n[ "$2" != books_verify ]\n')
    (bin_dir / "python").chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "SCHEDULER_INTERVAL": "0.2",
        "SCHEDULER_HEARTBEAT": str(tmp_path / "heartbeat"),
        "SCHEDULER_DAILY_STAMP": str(tmp_path / "daily"),
    }
    process = subprocess.Popen(["sh", os.path.join(ROOT, "docker", "scheduler.sh")], env=env, cwd=tmp_path)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and (not log.exists() or log.read_text().count("paypal_housekeeping") < 3):
            time.sleep(0.1)
    finally:
        process.terminate()
        process.wait(timeout=10)
    jobs = log.read_text().split()
    assert jobs.count("paypal_housekeeping") >= 3
    assert jobs.count("anonymise_guest_orders") == 1
    assert jobs.count("books_verify") == 1
    today = time.strftime("%Y-%m-%d", time.gmtime())
    assert (tmp_path / "daily.anonymise_guest_orders").read_text().strip() == today
    assert (tmp_path / "daily.books_verify").read_text().strip() == today
