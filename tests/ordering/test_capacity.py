"""The oven's capacity per 15-minute slot: the arithmetic, the order services that reserve
and release it, the checkout's times, busy mode, the live promise, and the manager's screen."""

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from home.models import RestaurantPage
from ordering import capacity
from ordering.capacity import SLOT, SlotFull, live_promise, order_load, slot_start
from ordering.exceptions import OrderError
from ordering.models import CapacityRule, CapacitySettings, Order, SlotLoad, SlotReservation, Stock
from ordering.services import OrderDetails, cancel_by_customer, change_order, place_order, transition
from ordering.slots import schedule
from ordering.wording import moment_phrase
from ordering.workflow import Fulfilment, Status
from tests.conftest import delivery_form, form_values, issue_checkout_key, size_of, text_of

pytestmark = pytest.mark.django_db
CART, ADD, CHECKOUT = "/commande/panier/", "/commande/panier/ajouter/", "/commande/valider/"
PARIS = timezone.get_default_timezone()


def at(hour, minute=0, day=27):
    return datetime(2026, 11, day, hour, minute, tzinfo=PARIS)


def details(fulfilment=Fulfilment.PICKUP, **extra):
    address = {"street_address": "1 rue de Lappe", "postcode": "75011", "city": "Paris"}
    return OrderDetails(
        fulfilment=fulfilment,
        name="Léa",
        phone="0612345678",
        email="lea@example.fr",
        **(address if fulfilment == Fulfilment.DELIVERY else {}),
        **extra,
    )


def juniors(count):
    return {size_of("margherita").pk: count}  # 2 oven units each


def set_capacity(restaurant, units, **extra):
    CapacitySettings.objects.update_or_create(restaurant=restaurant, defaults={"default_capacity": units, **extra})


def later_pickup_slot(restaurant, index=4):
    return schedule(restaurant)[Fulfilment.PICKUP].slots[index]


def load_of(restaurant, moment, fulfilment=Fulfilment.PICKUP):
    row = SlotLoad.objects.filter(restaurant=restaurant, starts_at=slot_start(moment, fulfilment)).first()
    return row.load if row else 0


def assert_loads_balance():
    """Each slot's load is the sum of its reservations, and each reservation the load of its order's lines."""
    for slot in SlotLoad.objects.all():
        assert slot.load == sum(r.load for r in slot.reservations.all()), slot
    for reservation in SlotReservation.objects.select_related("order"):
        lines = reservation.order.lines.select_related("size")
        assert reservation.load == sum(line.size.oven_load * line.quantity for line in lines)


# --- arithmetic ------------------------------------------------------------------------------


def test_an_order_is_baked_in_the_quarter_hour_before_it_is_ready_or_leaves():
    assert slot_start(at(19, 45), Fulfilment.PICKUP) == at(19, 30)  # ready at 19:45: baked 19:30-19:45
    assert slot_start(at(19, 37), Fulfilment.PICKUP) == at(19, 30)
    assert slot_start(at(20, 0), Fulfilment.DELIVERY) == at(19, 30)  # delivered 20:00: out of the oven by 19:40
    assert capacity.next_candidate(at(19, 37), Fulfilment.PICKUP) == at(20, 0)
    assert capacity.next_candidate(at(20, 0), Fulfilment.DELIVERY) == at(20, 20)


def test_sizes_weigh_their_oven_load(demo):
    loads = {size.label: size.oven_load for size in size_of("reine").product.sizes.all()}
    assert loads == {"Junior 26 cm": 2, "Sénior 33 cm": 3, "Méga 40 cm": 4}
    assert size_of("coca-cola").oven_load == 0 and size_of("tiramisu").oven_load == 0
    bastille = RestaurantPage.objects.get(slug="bastille")
    from ordering.pricing import price_lines

    lines = price_lines(bastille, {size_of("reine", "Méga 40 cm").pk: 2, size_of("coca-cola").pk: 3})
    assert order_load(lines) == 8


def test_the_smallest_rule_of_the_day_and_time_wins_else_the_default(bastille):
    friday = at(20, 0)  # 27 November 2026 is a Friday
    CapacityRule.objects.create(restaurant=bastille, weekday=4, starts=time(19), ends=time(21), capacity=30)
    CapacityRule.objects.create(restaurant=bastille, weekday=4, starts=time(20), ends=time(20, 30), capacity=20)
    CapacityRule.objects.create(restaurant=bastille, weekday=5, starts=time(0), ends=time(23), capacity=5)
    capacities = capacity.Capacities(bastille, 40)
    assert capacities.of(friday) == 20
    assert capacities.of(at(19, 0)) == 30
    assert capacities.of(at(21, 0)) == 40  # `ends` is not included
    assert capacities.of(at(12, 0, day=28)) == 5


def test_an_ended_busy_mode_is_off(bastille):
    now = timezone.now()
    set_capacity(bastille, 40, extra_minutes=20, extra_until=now - timedelta(minutes=1), paused_until=now)
    assert not capacity.pace(bastille, now).busy and capacity.pace(bastille, now).notice() == ""
    set_capacity(bastille, 40, extra_minutes=20, extra_until=now + timedelta(minutes=30), paused_until=None)
    assert capacity.pace(bastille, now).extra == timedelta(minutes=20)


# --- the order services ---------------------------------------------------------------------


def test_placing_reserves_the_load_in_the_slot_of_the_chosen_time(bastille):
    moment = later_pickup_slot(bastille)
    order = place_order(bastille, {**juniors(2), size_of("coca-cola").pk: 1}, details(requested_for=moment))
    assert order.estimated_ready_at == moment
    assert order.slot_reservation.load == 4 and load_of(bastille, moment) == 4
    assert_loads_balance()


def test_a_full_slot_refuses_with_the_next_free_time_and_writes_nothing(bastille):
    set_capacity(bastille, 4)
    moment = later_pickup_slot(bastille)
    place_order(bastille, juniors(2), details(requested_for=moment))
    stock = list(Stock.objects.order_by("pk").values_list("quantity", flat=True))
    with pytest.raises(SlotFull) as refused:
        place_order(bastille, juniors(1), details(requested_for=moment))
    assert refused.value.next_time == moment + timedelta(minutes=15)
    # Late in the evening the next slot is past midnight: "demain 00:00".
    following = timezone.localtime(moment + timedelta(minutes=15))
    phrase = following.strftime("%H:%M")
    phrase = phrase if following.date() == timezone.localdate() else "demain " + phrase
    assert "prochain créneau libre : " + phrase in str(refused.value)
    assert Order.objects.count() == 1 and load_of(bastille, moment) == 4
    assert list(Stock.objects.order_by("pk").values_list("quantity", flat=True)) == stock
    assert_loads_balance()


def test_an_order_bigger_than_a_slot_takes_an_empty_one_to_itself(bastille):
    set_capacity(bastille, 4)
    moment = later_pickup_slot(bastille)
    place_order(bastille, juniors(1), details(requested_for=moment))
    with pytest.raises(SlotFull):
        place_order(bastille, juniors(3), details(requested_for=moment))
    big = place_order(bastille, juniors(3), details())  # "as soon as possible": the first empty slot
    assert big.slot_reservation.load == 6 and big.slot_reservation.slot.load == 6
    with pytest.raises(SlotFull):  # nothing else joins it
        place_order(bastille, juniors(1), details(requested_for=big.slot_reservation.slot.starts_at + SLOT))
    assert not capacity._fits(0, 6, 0)  # a closed slot (capacity 0) takes no pizza
    assert_loads_balance()


def test_drinks_take_no_room_in_the_oven(bastille):
    set_capacity(bastille, 2)
    moment = later_pickup_slot(bastille)
    place_order(bastille, juniors(1), details(requested_for=moment))
    order = place_order(bastille, {size_of("coca-cola").pk: 2}, details(requested_for=moment))
    assert order.slot_reservation.load == 0 and load_of(bastille, moment) == 2


def test_as_soon_as_possible_takes_the_earliest_slot_with_room(bastille):
    set_capacity(bastille, 4)
    first = place_order(bastille, juniors(2), details())  # fills the first slot
    second = place_order(bastille, juniors(1), details())
    assert second.slot_reservation.slot.starts_at == first.slot_reservation.slot.starts_at + timedelta(minutes=15)
    assert second.estimated_ready_at == second.slot_reservation.slot.starts_at + timedelta(minutes=15)
    assert second.estimated_ready_at > first.estimated_ready_at
    assert_loads_balance()


def test_as_soon_as_possible_never_promises_earlier_than_the_checkout_said(bastille):
    said = timezone.now() + timedelta(minutes=47)
    order = place_order(bastille, juniors(1), details(estimated_ready_at=said))
    assert order.estimated_ready_at == said and order.slot_reservation.slot.starts_at == slot_start(said, "pickup")


def test_the_checkout_offers_only_slots_with_room_and_asap_after_the_full_ones(bastille):
    set_capacity(bastille, 4)
    now = timezone.now()
    before, _pace, _full = capacity.checkout_schedule(bastille, 2, now)
    full = before[Fulfilment.PICKUP].slots[2]
    place_order(bastille, juniors(2), details(requested_for=full))
    after, _pace, full_slots = capacity.checkout_schedule(bastille, 2, now)
    assert full in before[Fulfilment.PICKUP].slots and full not in after[Fulfilment.PICKUP].slots
    assert full in full_slots[Fulfilment.PICKUP]
    # deliveries whose oven slot is the same one are not offered either
    assert all(slot_start(s, Fulfilment.DELIVERY) != slot_start(full, "pickup") for s in after["delivery"].slots)
    # fill the first slot "as soon as possible" would use: it moves to the next one's end
    asap = before[Fulfilment.PICKUP].asap
    place_order(bastille, juniors(2), details(requested_for=asap))
    moved, _pace, _full = capacity.checkout_schedule(bastille, 2, now)
    assert moved[Fulfilment.PICKUP].asap == slot_start(asap, "pickup") + timedelta(minutes=30)


def test_changing_moves_the_load_and_is_refused_past_capacity(bastille):
    set_capacity(bastille, 8)
    moment = later_pickup_slot(bastille)
    order = place_order(bastille, juniors(2), details(requested_for=moment))
    other = place_order(bastille, juniors(1), details(requested_for=moment))
    change_order(order, juniors(3))
    assert load_of(bastille, moment) == 8
    with pytest.raises(OrderError, match="plus de place"):
        change_order(order, juniors(4))
    order.refresh_from_db()
    assert load_of(bastille, moment) == 8 and order.lines.get().quantity == 3
    change_order(order, juniors(1))
    assert load_of(bastille, moment) == 4
    change_order(other, juniors(3))
    assert load_of(bastille, moment) == 8
    assert_loads_balance()


def test_cancelling_releases_the_load(bastille):
    moment = later_pickup_slot(bastille)
    order = place_order(bastille, juniors(3), details(requested_for=moment))
    other = place_order(bastille, juniors(1), details(requested_for=moment))
    cancel_by_customer(order)
    assert load_of(bastille, moment) == 2 and not SlotReservation.objects.filter(order=order).exists()
    transition(other, Status.CANCELLED)
    assert load_of(bastille, moment) == 0
    assert_loads_balance()


def test_busy_mode_delays_every_promise(bastille):
    now = timezone.now()
    usual = place_order(bastille, juniors(1), details()).estimated_ready_at
    set_capacity(bastille, 40, extra_minutes=20, extra_until=now + timedelta(hours=1))
    busy = place_order(bastille, juniors(1), details()).estimated_ready_at
    assert busy - usual >= timedelta(minutes=20)
    times, pace, _full = capacity.checkout_schedule(bastille, 2)
    assert pace.extra_minutes == 20 and times[Fulfilment.PICKUP].asap >= now + timedelta(minutes=20 + 20)


def test_a_pause_refuses_online_orders_but_not_phone_ones(bastille):
    set_capacity(bastille, 40, paused_until=timezone.now() + timedelta(minutes=30))
    with pytest.raises(OrderError, match="en pause"):
        place_order(bastille, juniors(1), details())
    assert place_order(bastille, juniors(1), details(channel=Order.Channel.PHONE)).channel == "phone"


# --- the customer's pages -------------------------------------------------------------------


@pytest.fixture
def cart(client, bastille):
    client.post(ADD, {"restaurant": bastille.pk, "size": size_of("margherita").pk, "quantity": 2})
    issue_checkout_key(client)
    return client


def test_a_slot_full_meanwhile_says_the_next_free_time_and_keeps_the_form(cart, bastille):
    set_capacity(bastille, 4)
    moment = later_pickup_slot(bastille)
    page = form_values(cart.get(CART).content.decode(), "form[data-checkout]")
    assert moment_phrase(moment) in cart.get(CART).content.decode()
    place_order(bastille, juniors(1), details(requested_for=moment))  # someone else, meanwhile
    form = delivery_form(
        fulfilment="pickup", when=timezone.localtime(moment).isoformat(), checkout_key=page["checkout_key"]
    )
    response = cart.post(CHECKOUT, form)
    assert response.status_code == 400
    # "19:45", or "demain 12:15" when the test runs late in the evening
    assert f"prochain créneau libre : {moment_phrase(moment + timedelta(minutes=15))}" in text_of(response)
    assert response.context["form"]["name"].value() == "Camille Martin"  # what was typed stays
    assert response.context["form"]["when"].value() == timezone.localtime(moment + timedelta(minutes=15)).isoformat()
    chip = BeautifulSoup(response.content, "html.parser").find("input", value=timezone.localtime(moment).isoformat())
    assert chip is None or "if-delivery" in chip.parent["class"]  # no longer offered for take-away
    assert Order.objects.count() == 1
    form["when"] = response.context["form"]["when"].value()
    assert cart.post(CHECKOUT, form).status_code == 302 and Order.objects.count() == 2
    assert Order.objects.latest("pk").estimated_ready_at == moment + timedelta(minutes=15)


def test_the_site_says_the_kitchen_is_busy_and_refuses_online_orders_when_paused(cart, bastille):
    set_capacity(bastille, 40, extra_minutes=30, extra_until=timezone.now() + timedelta(hours=1))
    assert "30 minutes de plus que d'habitude" in text_of(cart.get(bastille.url))
    assert "30 minutes de plus que d'habitude" in text_of(cart.get(CART))
    set_capacity(bastille, 40, paused_until=timezone.now() + timedelta(minutes=45))
    assert "Commandes en ligne en pause" in text_of(cart.get(bastille.url))
    response = cart.post(CHECKOUT, delivery_form())
    assert response.status_code == 400 and "Commandes en ligne en pause" in text_of(response)
    assert not Order.objects.exists()


def test_tracking_moves_the_promise_when_the_kitchen_is_late(client, bastille):
    order = place_order(bastille, juniors(1), details())
    state = client.get(f"/commande/suivi/{order.tracking_token}/etat/").json()
    assert "en retard" not in state["time"].lower()
    Order.objects.filter(pk=order.pk).update(estimated_ready_at=timezone.now() - timedelta(minutes=5))
    order.refresh_from_db()
    moment, late = live_promise(order)
    assert late and moment >= timezone.now() + timedelta(minutes=9)
    state = client.get(f"/commande/suivi/{order.tracking_token}/etat/").json()
    assert "en retard" in state["time"].lower() and timezone.localtime(moment).strftime("%H:%M")[:4] in state["time"]
    transition(order, Status.IN_PREPARATION)
    order.refresh_from_db()
    assert live_promise(order)[0] < moment  # being prepared: about 5 minutes


# --- the manager's and the kitchen's screen ---------------------------------------------------


def login(client, username):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username=username))
    return client


def screen(restaurant):
    return f"/admin/cuisine/capacite/{restaurant.pk}/"


def test_the_manager_sets_capacity_rules_and_busy_mode(client, bastille):
    login(client, "gerant-bastille")
    url = screen(bastille)
    assert client.get(url).status_code == 200
    assert client.post(url, {"action": "default", "default-default_capacity": "24"}).status_code == 302
    assert capacity.pace(bastille).default_capacity == 24
    rule = {
        "action": "add_rule",
        "rule-weekday": "4",
        "rule-starts": "19:00",
        "rule-ends": "21:00",
        "rule-capacity": "30",
    }
    assert client.post(url, rule).status_code == 302
    created = CapacityRule.objects.get(restaurant=bastille)
    assert (created.weekday, created.starts, created.ends, created.capacity) == (4, time(19), time(21), 30)
    assert client.post(url, {"action": "busy", "busy-mode": "20", "busy-minutes": "60"}).status_code == 302
    assert capacity.pace(bastille).extra_minutes == 20
    assert "20 minutes de plus" in text_of(client.get(url))
    assert client.post(url, {"action": "busy", "busy-mode": "normal", "busy-minutes": "60"}).status_code == 302
    assert not capacity.pace(bastille).busy
    assert client.post(url, {"action": "delete_rule", "delete-rule": str(created.pk)}).status_code == 302
    assert not CapacityRule.objects.exists()


def test_the_kitchen_sets_busy_mode_but_not_the_capacity(client, bastille):
    login(client, "pizzaiolo-bastille")
    url = screen(bastille)
    assert client.post(url, {"action": "busy", "busy-mode": "pause", "busy-minutes": "30"}).status_code == 302
    assert capacity.pace(bastille).paused
    assert client.post(url, {"action": "default", "default-default_capacity": "1"}).status_code == 403
    assert capacity.pace(bastille).default_capacity == 40
    board = client.get(f"/admin/cuisine/{bastille.pk}/").content.decode()
    assert "data-busy-link" in board and "Commandes en ligne en pause" in board  # the board says so


@pytest.mark.parametrize("username", ["livreur-bastille", "comptoir-bastille", "pizzaiolo-nation"])
def test_others_may_not_touch_the_capacity(client, bastille, username):
    login(client, username)
    assert client.get(screen(bastille)).status_code == 403
    response = client.post(screen(bastille), {"action": "busy", "busy-mode": "pause", "busy-minutes": "30"})
    assert response.status_code == 403 and not CapacitySettings.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"action": "nope"},
        {},
        {"action": "default", "default-default_capacity": "-1"},
        {"action": "default", "default-default_capacity": "abc"},
        {"action": "default", "default-default_capacity": "99999999999999999999"},
        {"action": "default", "default-default_capacity": "1\x00"},
        {"action": "default"},
        {"action": "add_rule", "rule-weekday": "7", "rule-starts": "19:00", "rule-ends": "21:00", "rule-capacity": "3"},
        {"action": "add_rule", "rule-weekday": "1", "rule-starts": "21:00", "rule-ends": "19:00", "rule-capacity": "3"},
        {"action": "add_rule", "rule-weekday": "1", "rule-starts": "25:00", "rule-ends": "26:00", "rule-capacity": "3"},
        {"action": "add_rule", "rule-weekday": "1", "rule-starts": "x" * 5000, "rule-ends": "", "rule-capacity": ""},
        {"action": "delete_rule", "delete-rule": "abc"},
        {"action": "delete_rule", "delete-rule": "99999999999999999999999"},
        {"action": "busy", "busy-mode": "45", "busy-minutes": "60"},
        {"action": "busy", "busy-mode": "pause", "busy-minutes": "100000"},
        {"action": "busy", "busy-mode": "pause\x00", "busy-minutes": "60"},
    ],
)
def test_hostile_input_on_the_capacity_screen_is_a_400_and_changes_nothing(client, bastille, data):
    kept = CapacityRule.objects.create(restaurant=bastille, weekday=4, starts=time(19), ends=time(21), capacity=30)
    login(client, "gerant-bastille")
    response = client.post(screen(bastille), data)
    assert response.status_code == 400
    assert not CapacitySettings.objects.exists()
    assert list(CapacityRule.objects.values_list("pk", "capacity")) == [(kept.pk, 30)]


def test_another_restaurants_rule_cannot_be_deleted(client, bastille):
    nation = RestaurantPage.objects.get(slug="nation")
    theirs = CapacityRule.objects.create(restaurant=nation, weekday=4, starts=time(19), ends=time(21), capacity=3)
    login(client, "gerant-bastille")
    response = client.post(screen(bastille), {"action": "delete_rule", "delete-rule": str(theirs.pk)})
    assert response.status_code == 400 and CapacityRule.objects.filter(pk=theirs.pk).exists()
    assert client.get(screen(nation)).status_code == 403


def test_the_screen_shows_the_next_slots_load(client, bastille):
    set_capacity(bastille, 10)
    order = place_order(bastille, juniors(3), details())
    login(client, "gerant-bastille")
    start = timezone.localtime(order.slot_reservation.slot.starts_at).strftime("%H:%M")
    html = client.get(screen(bastille)).content.decode()
    assert f'data-slot="{start}"' in html and "6 / 10" in html


def test_phone_orders_take_a_slot_with_room_too(client, bastille):
    set_capacity(bastille, 4)
    moment = later_pickup_slot(bastille)
    place_order(bastille, juniors(2), details(requested_for=moment))
    login(client, "comptoir-bastille")
    key = issue_checkout_key(client, "9" * 32)
    data = {
        "channel": "phone",
        "fulfilment": "pickup",
        "when": timezone.localtime(moment).isoformat(),
        "name": "M. Dupont",
        "phone": "01 43 55 00 00",
        "email": "",
        "payment_method": "on_site",
        "checkout_key": key,
        f"size_{size_of('margherita').pk}": "1",
    }
    response = client.post(f"/admin/cuisine/{bastille.pk}/nouvelle-commande/", data)
    assert response.status_code == 400 and Order.objects.count() == 1
    assert Decimal(load_of(bastille, moment)) == 4
