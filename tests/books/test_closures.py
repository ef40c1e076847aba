"""Closures (Z reports) add up the journal and are signed into it; the archive and the sales export."""

import csv
import io
import json
import zipfile
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from books import closures, exports, journal
from books.exceptions import AppendOnly, ClosureError
from books.models import Closure, JournalEntry
from home.models import RestaurantPage
from ordering.services import cancel_by_customer, hand_over, transition
from ordering.workflow import Status
from tests.books.helpers import on_site_order, paid_online_order
from tests.conftest import make_always_open, size_of

pytestmark = pytest.mark.django_db


def collected(order, method):
    for status in (Status.IN_PREPARATION, Status.READY):
        transition(order, status)
    hand_over(order, by=None, collected_with=method)
    order.refresh_from_db()
    return order


@pytest.fixture
def day_of_sales(bastille):
    """Today's sales at Bastille: cash, card, PayPal, a PayPal order cancelled (refunded), an unpaid one."""
    orders = {
        "cash": collected(on_site_order(bastille, {size_of("reine").pk: 2}), "cash"),
        "card": collected(on_site_order(bastille, {size_of("reine").pk: 1}), "card"),
        "paypal": paid_online_order(bastille, {size_of("reine").pk: 3}),
        "refunded": paid_online_order(bastille, {size_of("reine").pk: 1}),
        "unpaid": on_site_order(bastille, {size_of("reine").pk: 1}),
    }
    cancel_by_customer(orders["refunded"])
    return orders


def tomorrow():
    return timezone.localdate() + timedelta(days=1)


def test_a_day_closure_adds_up_the_journal(bastille, day_of_sales):
    today = timezone.localdate()
    closure = closures.close_day(bastille, today, cash_counted=Decimal("30.00"), today=tomorrow())
    o = day_of_sales
    sold = o["cash"].total + o["card"].total + o["paypal"].total + o["unpaid"].total
    totals = closure.totals
    assert Decimal(totals["gross"]) == sold
    assert sum(Decimal(row["gross"]) for row in totals["by_rate"].values()) == sold
    for row in totals["by_rate"].values():
        assert Decimal(row["net"]) + Decimal(row["vat"]) == Decimal(row["gross"])
    assert totals["by_method"] == {
        "card": str(o["card"].total),
        "cash": str(o["cash"].total),
        "paypal": str(o["paypal"].total),  # the refunded order's payment and refund cancel out
    }
    assert totals["by_channel"] == {"web": str(sold)}
    assert totals["counts"] == {"sales": 5, "cancellations": 1, "payments": 4, "refunds": 1}
    assert closure.cash_expected == o["cash"].total
    assert closure.cash_difference == Decimal("30.00") - o["cash"].total
    # The journal's own sums, entry by entry, say the same.
    entries = JournalEntry.objects.filter(restaurant_id=bastille.pk, day=today, kind__in=journal.SALES_KINDS)
    assert sum(Decimal(e.payload["total"]) for e in entries) == sold


def test_a_closure_is_signed_into_the_chain(bastille, day_of_sales):
    closure = closures.close_day(bastille, timezone.localdate(), today=tomorrow())
    entry = JournalEntry.objects.get(pk=closure.entry_id)
    assert entry.kind == "day_closure" and entry.payload["totals"] == closure.totals
    assert entry.payload["up_to_sequence"] == entry.sequence - 1
    assert journal.verify() == []
    with pytest.raises(AppendOnly):
        closure.save()


def test_a_day_is_closed_once_and_only_once_over(bastille, day_of_sales):
    today = timezone.localdate()
    with pytest.raises(ClosureError):
        closures.close_day(bastille, today)  # not over yet
    closures.close_day(bastille, today, today=tomorrow())
    with pytest.raises(ClosureError):
        closures.close_day(bastille, today, today=tomorrow())
    assert Closure.objects.count() == 1


def test_a_month_closure_adds_up_its_days_and_their_cash(bastille, day_of_sales):
    today = timezone.localdate()
    closures.close_day(bastille, today, cash_counted=Decimal("10.00"), today=tomorrow())
    next_month = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
    month = closures.close_month(bastille, today.year, today.month, today=next_month)
    day = Closure.objects.get(period="day")
    assert month.totals["by_rate"] == day.totals["by_rate"] and month.totals["by_method"] == day.totals["by_method"]
    assert month.cash_counted == Decimal("10.00") and month.cash_expected == day.cash_expected
    assert (month.start, month.end.month) == (today.replace(day=1), today.month)


@pytest.mark.parametrize("raw", ["abc", "-5", "1e5", "12,3,4", "\x00", "9" * 20, "1000000"])
def test_hostile_cash_amounts_are_refused(raw):
    with pytest.raises(ClosureError):
        closures.parse_cash(raw)


def test_cash_typed_the_french_way():
    assert closures.parse_cash("152,30") == Decimal("152.30")
    assert closures.parse_cash(" ") is None


def test_the_archive_is_signed_and_tampering_is_detected(bastille, day_of_sales):
    today = timezone.localdate()
    closures.close_day(bastille, today, today=tomorrow())
    _name, data = exports.build_archive(bastille, today, today)
    assert exports.verify_archive(data) == []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    lines = files["journal.jsonl"].decode().splitlines()
    assert len(lines) == JournalEntry.objects.filter(restaurant_id=bastille.pk).count()
    assert json.loads(files["closures.json"])[0]["period"] == "day"
    files["journal.jsonl"] = files["journal.jsonl"].replace(b'"amount": "', b'"amount": "1', 1)
    forged = io.BytesIO()
    with zipfile.ZipFile(forged, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    assert exports.verify_archive(forged.getvalue()) == ["journal.jsonl altered or missing"]


def test_the_sales_export_per_day_rate_and_method(bastille, day_of_sales):
    today = timezone.localdate()
    rows = list(csv.reader(io.StringIO(exports.sales_csv([bastille], today, today)), delimiter=";"))
    assert rows[0] == exports.CSV_HEADER
    by_method = {row[3]: row for row in rows[1:]}
    o = day_of_sales
    assert Decimal(by_method["cash"][6]) == o["cash"].total
    assert Decimal(by_method["card"][6]) == o["card"].total
    assert Decimal(by_method["paypal"][6]) == o["paypal"].total  # the refunded order nets to zero
    assert Decimal(by_method["to_collect"][6]) == o["unpaid"].total
    for row in rows[1:]:
        assert row[0] == today.isoformat() and row[2] == "10.00"
        assert Decimal(row[4]) + Decimal(row[5]) == Decimal(row[6])


# -- The admin screens ---------------------------------------------------------------


def login(client, username):
    client.force_login(User.objects.get(username=username))


def test_a_manager_closes_yesterday_of_their_restaurant_only(client, bastille):
    nation = RestaurantPage.objects.get(slug="nation")
    login(client, "gerant-bastille")
    yesterday = timezone.localdate() - timedelta(days=1)
    page = client.get(f"/admin/livres/{bastille.pk}/")
    assert page.status_code == 200 and b'data-form="close-day"' in page.content
    response = client.post(f"/admin/livres/{bastille.pk}/cloture-jour/", {"day": yesterday, "cash_counted": "12,50"})
    assert response.status_code == 302
    closure = Closure.objects.get(restaurant_id=bastille.pk)
    assert closure.cash_counted == Decimal("12.50") and closure.created_by.username == "gerant-bastille"
    assert client.get(f"/admin/livres/{nation.pk}/").status_code == 403
    assert client.post(f"/admin/livres/{nation.pk}/cloture-jour/", {"day": yesterday}).status_code == 403
    assert client.post(f"/admin/livres/{bastille.pk}/cloture-jour/", {"day": yesterday}).status_code == 400  # again


def test_head_office_reads_every_restaurant_but_does_not_close(client, bastille):
    make_always_open(bastille)
    login(client, "siege")
    nation = RestaurantPage.objects.get(slug="nation")
    index = client.get("/admin/livres/")
    assert index.status_code == 200 and f'data-restaurant="{nation.pk}"'.encode() in index.content
    page = client.get(f"/admin/livres/{nation.pk}/")
    assert page.status_code == 200 and b'data-form="close-day"' not in page.content
    yesterday = timezone.localdate() - timedelta(days=1)
    assert client.post(f"/admin/livres/{nation.pk}/cloture-jour/", {"day": yesterday}).status_code == 403
    assert not Closure.objects.exists()
    today = timezone.localdate().isoformat()
    archive = client.get(f"/admin/livres/{nation.pk}/archive/", {"start": today, "end": today})
    assert archive.status_code == 200 and exports.verify_archive(archive.content) == []
    export = client.get("/admin/livres/export/", {"start": today, "end": today})
    assert export.status_code == 200 and export.content.decode().startswith("date;restaurant")


def test_kitchen_staff_see_no_books(client, bastille):
    login(client, "pizzaiolo-bastille")
    assert client.get(f"/admin/livres/{bastille.pk}/").status_code == 403
    assert (
        client.get(f"/admin/livres/{bastille.pk}/archive/", {"start": "2026-01-01", "end": "2026-01-02"}).status_code
        == 403
    )
    assert client.get("/admin/livres/export/", {"start": "2026-01-01", "end": "2026-01-02"}).status_code == 404


@pytest.mark.parametrize(
    "method,url,data",
    [
        ("get", "/admin/livres/{id}/?x=1", None),
        ("get", "/admin/livres/{id}/archive/", {"start": "2026-13-01", "end": "2026-01-02"}),
        ("get", "/admin/livres/{id}/archive/", {"start": "2026-01-01", "end": "2026-01-02", "evil": "1"}),
        ("get", "/admin/livres/{id}/archive/", {"start": "2020-01-01", "end": "2026-01-02"}),
        ("get", "/admin/livres/export/", {"start": "\x00", "end": "2026-01-02"}),
        ("get", "/admin/livres/export/", {"start": "2026-01-01", "end": "2026-01-02", "restaurant": "abc"}),
        ("post", "/admin/livres/{id}/cloture-jour/", {"day": "x" * 500}),
        ("post", "/admin/livres/{id}/cloture-jour/", {"day": "2026-01-01", "cash_counted": "-3"}),
        ("post", "/admin/livres/{id}/cloture-jour/", {"day": "2999-01-01"}),
        ("post", "/admin/livres/{id}/cloture-mois/", {"month": "2026-13"}),
        ("post", "/admin/livres/{id}/cloture-mois/", {"month": "\x00"}),
    ],
)
def test_hostile_input_is_a_400_that_changes_nothing(client, bastille, method, url, data):
    login(client, "gerant-bastille")
    response = getattr(client, method)(url.format(id=bastille.pk), data)
    assert response.status_code == 400
    assert not Closure.objects.exists()


def test_another_restaurant_in_the_export_is_refused(client, bastille):
    nation = RestaurantPage.objects.get(slug="nation")
    login(client, "gerant-bastille")
    response = client.get(
        "/admin/livres/export/", {"start": "2026-01-01", "end": "2026-01-02", "restaurant": nation.pk}
    )
    assert response.status_code == 403


def test_the_chain_is_verified_from_the_screen(client, bastille):
    from tests.books.test_journal import tamper

    order = on_site_order(bastille)
    login(client, "gerant-bastille")
    url = f"/admin/livres/{bastille.pk}/verifier/"
    assert "staff-message--chain-intact" in client.get(url, follow=True).content.decode()
    tamper("UPDATE books_journalentry SET payload = '{}' WHERE order_id = %s", [order.pk])
    page = client.get(url, follow=True).content.decode()
    assert "staff-message--chain-broken" in page and "content altered" in page


def test_closing_with_no_sales_gives_zero_totals(bastille):
    closure = closures.close_day(bastille, date(2020, 1, 1))
    assert closure.totals["gross"] == "0.00" and closure.cash_expected == Decimal("0.00")


def test_the_archive_command_writes_a_signed_zip(bastille, day_of_sales, tmp_path):
    from django.core.management import call_command

    today = timezone.localdate().isoformat()
    out = io.StringIO()
    call_command("books_archive", str(bastille.pk), today, today, output_dir=str(tmp_path), stdout=out)
    [written] = tmp_path.iterdir()
    assert written.name.startswith("journal-bastille-") and exports.verify_archive(written.read_bytes()) == []
