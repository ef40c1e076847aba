"""Against PostgreSQL, with real concurrent transactions: one restaurant's chain stays one chain."""

from books import journal
from books.models import JournalEntry
from home.models import RestaurantPage
from tests.books.helpers import on_site_order
from tests.conftest import committed_db, make_always_open, size_of
from tests.ordering.test_concurrency import run_at_once

pytestmark = committed_db
CLIENTS = 8


def test_concurrent_orders_chain_one_after_another(demo_committed):
    bastille = RestaurantPage.objects.get(slug="bastille")
    nation = RestaurantPage.objects.get(slug="nation")
    for restaurant in (bastille, nation):
        make_always_open(restaurant)
    reine = size_of("reine").pk
    jobs = [
        (lambda restaurant=(bastille if n % 2 else nation): on_site_order(restaurant, {reine: 1}))
        for n in range(CLIENTS)
    ]
    results = run_at_once(jobs)
    assert not [r for r in results if isinstance(r, Exception)], results
    for restaurant in (bastille, nation):
        sequences = list(
            JournalEntry.objects.filter(restaurant_id=restaurant.pk)
            .order_by("sequence")
            .values_list("sequence", flat=True)
        )
        assert sequences == list(range(1, CLIENTS // 2 + 1))
    assert journal.verify() == []
