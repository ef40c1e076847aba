"""The sales journal: every sale, payment, refund and cancellation, chained by hash, append-only."""

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from books import journal
from books.exceptions import AppendOnly
from books.models import JournalEntry
from ordering.models import Order
from ordering.services import (
    cancel_awaiting_payment,
    cancel_by_customer,
    change_order,
    hand_over,
    place_order,
    transition,
)
from ordering.workflow import Status
from tests.books.helpers import details, on_site_order, paid_online_order
from tests.conftest import size_of

pytestmark = pytest.mark.django_db


def kinds(order):
    return list(JournalEntry.objects.filter(order_id=order.pk).order_by("sequence").values_list("kind", flat=True))


def payments_of(order):
    return [
        (e.payload["method"], Decimal(e.payload["amount"]))
        for e in JournalEntry.objects.filter(order_id=order.pk, kind__in=journal.MONEY_KINDS).order_by("sequence")
    ]


def test_an_on_site_order_is_a_sale_then_a_payment_when_handed_over(bastille):
    order = on_site_order(bastille)
    assert kinds(order) == ["sale"]
    sale = JournalEntry.objects.get(order_id=order.pk)
    assert Decimal(sale.payload["total"]) == order.total
    assert sale.payload["order"] == order.number and "Léa" not in str(sale.payload)  # no personal data
    for status in (Status.IN_PREPARATION, Status.READY):
        transition(order, status)
    hand_over(order, by=None, collected_with="card")
    assert kinds(order) == ["sale", "payment"]
    assert payments_of(order) == [("card", order.total)]


def test_an_online_order_is_booked_when_paid_and_refunded_when_cancelled(bastille):
    order = place_order(bastille, {size_of("reine").pk: 1}, details(payment_method=Order.PaymentMethod.PAYPAL))
    assert kinds(order) == []  # awaiting payment: no sale yet
    order = paid_online_order(bastille)
    assert kinds(order) == ["sale", "payment"]
    cancel_by_customer(order)
    assert kinds(order) == ["sale", "payment", "cancellation", "refund"]
    assert payments_of(order) == [("paypal", order.total), ("paypal", -order.total)]
    assert journal.booked_sales(order.pk) == {"10.00": {"gross": 0, "net": 0, "vat": 0}}


def test_an_unpaid_online_order_released_writes_nothing(bastille):
    order = place_order(bastille, {size_of("reine").pk: 1}, details(payment_method=Order.PaymentMethod.PAYPAL))
    cancel_awaiting_payment(order, "timed out")
    assert kinds(order) == []


def test_a_change_books_the_difference_and_a_partial_refund(bastille):
    order = paid_online_order(bastille, {size_of("reine").pk: 3})
    before = order.total
    change_order(order, {size_of("reine").pk: 1})
    order.refresh_from_db()
    assert kinds(order) == ["sale", "payment", "change", "refund"]
    change = JournalEntry.objects.get(order_id=order.pk, kind="change")
    assert Decimal(change.payload["total"]) == order.total - before
    assert payments_of(order)[-1] == ("paypal", order.total - before)
    booked = journal.booked_sales(order.pk)
    assert sum(row["gross"] for row in booked.values()) == order.total


def test_the_journal_rolls_back_with_the_order(bastille):
    count = JournalEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        on_site_order(bastille)
        assert JournalEntry.objects.count() == count + 1
        raise RuntimeError
    assert JournalEntry.objects.count() == count


def test_entries_are_chained_per_restaurant(bastille):
    from home.models import RestaurantPage
    from tests.conftest import make_always_open

    nation = RestaurantPage.objects.get(slug="nation")
    make_always_open(nation)
    for restaurant in (bastille, nation, bastille):
        on_site_order(restaurant)
    entries = list(JournalEntry.objects.filter(restaurant_id=bastille.pk).order_by("sequence"))
    assert [e.sequence for e in entries] == [1, 2]
    assert entries[0].previous_hash == "" and entries[1].previous_hash == entries[0].hash
    assert JournalEntry.objects.get(restaurant_id=nation.pk).sequence == 1
    assert journal.verify() == []


def test_the_orm_refuses_to_update_or_delete_an_entry(bastille):
    entry = JournalEntry.objects.get(order_id=on_site_order(bastille).pk)
    entry.payload = {"total": "0.00"}
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()


@pytest.mark.parametrize(
    "statement",
    [
        'UPDATE books_journalentry SET payload = \'{"total": "0.00"}\' WHERE id = %s',
        "DELETE FROM books_journalentry WHERE id = %s",
    ],
)
def test_postgresql_refuses_to_update_or_delete_an_entry(bastille, statement):
    entry = JournalEntry.objects.get(order_id=on_site_order(bastille).pk)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, [entry.pk])


def tamper(sql, params):
    """What someone with the database's owner rights could do: the trigger disabled, a row changed."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE books_journalentry DISABLE TRIGGER books_journalentry_append_only")
        cursor.execute(sql, params)
        cursor.execute("ALTER TABLE books_journalentry ENABLE TRIGGER books_journalentry_append_only")


def verify_command():
    out = io.StringIO()
    try:
        call_command("books_verify", stdout=out)
    except CommandError as error:
        return False, out.getvalue() + str(error)
    return True, out.getvalue()


def test_verify_command_finds_an_amount_altered_in_the_database(bastille):
    orders = [on_site_order(bastille) for _ in range(3)]
    assert verify_command()[0]
    second = JournalEntry.objects.get(order_id=orders[1].pk)
    tamper(
        "UPDATE books_journalentry SET payload = jsonb_set(payload, '{total}', '\"1.00\"') WHERE id = %s", [second.pk]
    )
    ok, report = verify_command()
    assert not ok
    assert f"restaurant {bastille.pk}, entry {second.sequence}: content altered" in report


def test_verify_command_finds_a_deleted_entry_and_a_rewritten_hash(bastille):
    orders = [on_site_order(bastille) for _ in range(4)]
    second, third = (JournalEntry.objects.get(order_id=o.pk) for o in orders[1:3])
    tamper("DELETE FROM books_journalentry WHERE id = %s", [second.pk])
    assert f"entry {second.sequence}: entry missing" in verify_command()[1]
    # Rewriting an entry's hash too (without the key) breaks the next link.
    tamper(
        "UPDATE books_journalentry SET hash = %s WHERE id = %s",
        ["0" * 64, third.pk],
    )
    assert journal.verify()[0].sequence == second.sequence  # the first broken link is reported


def test_verify_command_finds_the_last_entry_deleted(bastille):
    orders = [on_site_order(bastille) for _ in range(2)]
    tamper("DELETE FROM books_journalentry WHERE order_id = %s", [orders[-1].pk])
    ok, report = verify_command()
    assert not ok and "missing at the end" in report


def test_a_correction_is_a_new_entry(bastille):
    order = on_site_order(bastille)
    journal.correct(bastille.pk, order.pk, {"10.00": {"gross": "-1.10", "net": "-1.00", "vat": "-0.10"}}, "typo")
    assert kinds(order) == ["sale", "correction"]
    assert journal.booked_sales(order.pk)["10.00"]["gross"] == order.total - Decimal("1.10")
    assert journal.verify() == []
