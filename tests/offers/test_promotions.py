"""Promotions and the loyalty card through the order services: applied in the order's
transaction, stored as lines, given back on cancel, recomputed on change."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from offers.models import OffersSettings, OrderDiscount, Promotion, Redemption, StampCard
from ordering.exceptions import OrderError, PromoCodeRefused
from ordering.services import OrderDetails, cancel_by_customer, change_order, hand_over, mark_refunded, place_order
from ordering.services import transition as move
from ordering.workflow import Fulfilment, Status
from tests.conftest import size_of
from tests.offers.helpers import promotion

pytestmark = pytest.mark.django_db
Kind = Promotion.Kind


def details(code="", email="camille@example.fr", fulfilment=Fulfilment.DELIVERY, customer=None, **extra):
    address = {"street_address": "10 rue de Lappe", "postcode": "75011", "city": "Paris"}
    return OrderDetails(
        fulfilment=fulfilment,
        name="Camille",
        phone="0612345678",
        email=email,
        promo_code=code,
        customer=customer,
        **(address if fulfilment == Fulfilment.DELIVERY else {}),
        **extra,
    )


def margheritas(n=2):
    return {size_of("margherita").pk: n}  # 9,50 € each


def big_order():
    return {size_of("reine", "Méga 40 cm").pk: 1, size_of("margherita").pk: 2}  # 18 + 2 × 9,50 = 37,00 €


def assert_consistent(order):
    order.refresh_from_db()
    lines = sum((d.amount for d in order.discounts.all()), Decimal("0"))
    assert order.discount == lines
    assert order.total == order.subtotal + order.delivery_fee - order.discount >= 0


def test_a_code_is_applied_in_the_order_and_shown_as_a_line(bastille):
    promotion(name="Bienvenue −10 %", code="BIENVENUE", value="10")
    order = place_order(bastille, big_order(), details("  bienvenue "))
    assert (order.subtotal, order.delivery_fee, order.discount, order.total) == (
        Decimal("37.00"),
        Decimal("2.50"),
        Decimal("3.70"),
        Decimal("35.80"),
    )
    [line] = order.discounts.all()
    assert (line.label, line.amount) == ("Bienvenue −10 %", Decimal("3.70"))
    assert Redemption.objects.filter(order=order).count() == 1
    assert_consistent(order)


@pytest.mark.parametrize(
    ("kind", "value", "quantities", "discount"),
    [
        (Kind.FIXED, "5", big_order, "5.00"),
        (Kind.FREE_DELIVERY, "0", big_order, "2.50"),
        (Kind.SECOND_PIZZA, "0", big_order, "4.75"),  # 18,00 and 9,50 | 9,50: one half price
    ],
)
def test_each_kind(bastille, kind, value, quantities, discount):
    promotion(code="CODE", kind=kind, value=value)
    order = place_order(bastille, quantities(), details("CODE"))
    assert order.discount == Decimal(discount)
    assert_consistent(order)


def test_meal_deal(bastille):
    promotion(name="Menu", code="MENU", kind=Kind.MEAL_DEAL, value="14")
    quantities = {size_of("margherita").pk: 1, size_of("coca-cola").pk: 1, size_of("tiramisu").pk: 1}
    order = place_order(bastille, quantities, details("MENU", fulfilment=Fulfilment.PICKUP))
    assert order.subtotal == Decimal("17.50") and order.discount == Decimal("3.50") and order.total == Decimal("14")
    assert_consistent(order)


@pytest.mark.parametrize(
    ("fields", "quantities", "message"),
    [
        ({"ends_at": timezone.now() - timedelta(days=1)}, big_order, "expiré"),
        ({"starts_at": timezone.now() + timedelta(days=1)}, big_order, "valable à partir du"),
        ({"minimum_order": Decimal("40")}, big_order, "commande de 40,00"),
        ({"kind": Kind.SECOND_PIZZA}, lambda: {size_of("margherita").pk: 1}, "ne s’applique à rien"),
    ],
)
def test_refused_codes_say_why_and_write_nothing(bastille, fields, quantities, message):
    promotion(code="PROMO", **fields)
    with pytest.raises(PromoCodeRefused, match=message):
        place_order(bastille, quantities(), details("PROMO", fulfilment=Fulfilment.PICKUP))
    assert not bastille.orders.exists() and not Redemption.objects.exists()


def test_unknown_unpublished_and_other_restaurants_codes(bastille):
    nation = bastille.get_siblings().exclude(pk=bastille.pk).specific().first()
    promotion(code="NATION", restaurant=nation)
    draft = Promotion.objects.create(name="Brouillon", code="DRAFT", kind=Kind.PERCENT, value=Decimal("50"), live=False)
    draft.save_revision()
    for code, message in [("NOPE", "n’existe pas"), ("DRAFT", "n’existe pas"), ("NATION", "pas valable chez")]:
        with pytest.raises(PromoCodeRefused, match=message):
            place_order(bastille, big_order(), details(code))
    assert not bastille.orders.exists()


def test_free_delivery_for_take_away_is_refused(bastille):
    promotion(code="LIVRAISON", kind=Kind.FREE_DELIVERY, value="0")
    with pytest.raises(PromoCodeRefused, match="livraisons"):
        place_order(bastille, big_order(), details("LIVRAISON", fulfilment=Fulfilment.PICKUP))


def test_first_order_only_and_uses_per_customer(bastille):
    promotion(code="PREMIERE", first_order_only=True)
    place_order(bastille, big_order(), details("PREMIERE"))
    with pytest.raises(PromoCodeRefused, match="première commande"):
        place_order(bastille, big_order(), details("PREMIERE", email="CAMILLE@example.fr"))
    promotion(code="UNEFOIS", max_uses_per_customer=1)
    place_order(bastille, big_order(), details("UNEFOIS"))
    with pytest.raises(PromoCodeRefused, match="déjà utilisé"):
        place_order(bastille, big_order(), details("UNEFOIS"))
    place_order(bastille, big_order(), details("UNEFOIS", email="someone@example.fr"))


def test_usage_limit_and_cancelling_gives_the_use_back(bastille):
    promotion(code="DEUX", max_uses=2)
    first = place_order(bastille, big_order(), details("DEUX", email="a@example.fr"))
    place_order(bastille, big_order(), details("DEUX", email="b@example.fr"))
    with pytest.raises(PromoCodeRefused, match="autant de fois"):
        place_order(bastille, big_order(), details("DEUX", email="c@example.fr"))
    cancel_by_customer(first)
    assert OrderDiscount.objects.filter(order=first).exists()  # what it was, kept
    place_order(bastille, big_order(), details("DEUX", email="c@example.fr"))


def test_the_best_automatic_promotion_applies_without_a_code(bastille):
    promotion(name="Auto 5 %", value="5")
    promotion(name="Auto 2 €", kind=Kind.FIXED, value="2", minimum_order=Decimal("30"))
    order = place_order(bastille, big_order(), details())
    assert [(d.label, d.amount) for d in order.discounts.all()] == [("Auto 2 €", Decimal("2.00"))]
    small = place_order(bastille, margheritas(1), details(fulfilment=Fulfilment.PICKUP))
    assert [(d.label, d.amount) for d in small.discounts.all()] == [("Auto 5 %", Decimal("0.48"))]


def test_a_changed_order_keeps_its_promotion_recomputed(bastille):
    promotion(code="DIX", value="10", minimum_order=Decimal("25"))
    order = place_order(bastille, big_order(), details("DIX"))
    order = change_order(order, {size_of("reine", "Méga 40 cm").pk: 1, size_of("margherita").pk: 1})
    assert order.subtotal == Decimal("27.50") and order.discount == Decimal("2.75")
    assert_consistent(order)
    assert Redemption.objects.filter(order=order).count() == 1
    with pytest.raises(OrderError, match="ne s’applique plus"):
        change_order(order, margheritas(2))
    assert_consistent(order)
    assert order.discount == Decimal("2.75")


def test_nothing_left_to_pay_cannot_go_to_paypal(bastille):
    promotion(code="TOUT", kind=Kind.FIXED, value="100")
    with pytest.raises(OrderError, match="Plus rien à payer"):
        place_order(bastille, margheritas(1), details("TOUT", fulfilment=Fulfilment.PICKUP, payment_method="paypal"))
    order = place_order(bastille, margheritas(1), details("TOUT", fulfilment=Fulfilment.PICKUP))
    assert order.total == Decimal("0.00")


# --- Loyalty card --------------------------------------------------------------------


@pytest.fixture
def customer(db):
    return get_user_model().objects.create_user("fidele", "fidele@example.fr", "x")


def collected(order, staff):
    for status in (Status.IN_PREPARATION, Status.READY):
        move(order, status)
    return hand_over(order, staff, collected_with="cash")


def test_stamps_earned_then_a_free_pizza_then_given_back(bastille, customer):
    rules_ = OffersSettings.load()
    rules_.stamps_for_reward = 3
    rules_.save()
    staff = get_user_model().objects.create_user("comptoir-test")
    order = place_order(bastille, margheritas(3), details(customer=customer, fulfilment=Fulfilment.PICKUP))
    assert not order.discounts.exists()
    collected(order, staff)
    card = StampCard.objects.get(user=customer)
    assert card.stamps == 3
    reward = place_order(bastille, big_order(), details(customer=customer, fulfilment=Fulfilment.PICKUP))
    [line] = reward.discounts.all()
    assert (line.amount, line.stamps) == (Decimal("9.50"), 3)  # the cheapest pizza
    card.refresh_from_db()
    assert card.stamps == 0
    assert_consistent(reward)
    cancel_by_customer(reward)
    card.refresh_from_db()
    assert card.stamps == 3  # the stamps spent come back
    assert sum(card.entries.values_list("delta", flat=True)) == card.stamps


def test_a_refunded_order_takes_its_stamps_back(bastille, customer):
    staff = get_user_model().objects.create_user("comptoir-test")
    order = place_order(bastille, margheritas(2), details(customer=customer, fulfilment=Fulfilment.PICKUP))
    order = collected(order, staff)
    assert StampCard.objects.get(user=customer).stamps == 2
    mark_refunded(order)
    card = StampCard.objects.get(user=customer)
    assert card.stamps == 0 and sum(card.entries.values_list("delta", flat=True)) == 0


def test_the_account_page_shows_the_stamp_card(client, bastille, customer):
    StampCard.objects.create(user=customer, stamps=3)
    client.force_login(customer)
    from tests.conftest import text_of

    text = text_of(client.get("/commande/compte/commandes/"))
    assert "Carte de fidélité" in text and "3 tampons sur 10" in text
    from ordering.privacy import customer_data

    assert customer_data(customer)["loyalty_stamps"] == 3  # in the data download too
    StampCard.objects.filter(user=customer).update(stamps=10)
    assert "La pizza la moins chère de votre prochaine commande est offerte." in text_of(
        client.get("/commande/compte/commandes/")
    )


def test_anonymising_a_guest_order_forgets_the_email_its_promotion_use_was_counted_by(bastille):
    from ordering.privacy import anonymise

    promotion(code="OUBLI", max_uses_per_customer=1)
    order = place_order(bastille, big_order(), details("OUBLI", email="Guest@Example.fr"))
    assert Redemption.objects.get(order=order).email == "guest@example.fr"
    anonymise(type(order).objects.filter(pk=order.pk))
    assert Redemption.objects.get(order=order).email == ""


def test_the_sales_journal_books_the_total_after_the_discount(bastille):
    from books.journal import booked_sales

    promotion(code="LIVRE", value="10")
    quantities = {size_of("reine", "Méga 40 cm").pk: 1, size_of("coca-cola").pk: 1}
    order = place_order(bastille, quantities, details("LIVRE"))
    booked = booked_sales(order.pk)
    assert sum((row["gross"] for row in booked.values()), Decimal("0")) == order.total
    assert all(row["net"] + row["vat"] == row["gross"] for row in booked.values())
    order = change_order(order, {size_of("reine", "Méga 40 cm").pk: 2, size_of("coca-cola").pk: 1})
    assert sum((row["gross"] for row in booked_sales(order.pk).values()), Decimal("0")) == order.total
