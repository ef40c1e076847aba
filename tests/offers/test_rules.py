"""The discount arithmetic, alone: property-based (hypothesis) and by example."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from offers import rules
from offers.rules import DESSERT, DRINK, PIZZA, Basket, Discount, Item

prices = st.decimals(min_value=Decimal("0.00"), max_value=Decimal("60.00"), places=2)
items = st.lists(st.builds(Item, st.sampled_from([PIZZA, DRINK, DESSERT, ""]), prices), max_size=25)
kinds = st.sampled_from([rules.PERCENT, rules.FIXED, rules.FREE_DELIVERY, rules.SECOND_PIZZA, rules.MEAL_DEAL])
values = st.decimals(min_value=Decimal("0.00"), max_value=Decimal("200.00"), places=2)


@settings(max_examples=400, deadline=None)
@given(items=items, fee=prices, promotions=st.lists(st.tuples(kinds, values), max_size=3), loyalty=st.booleans())
def test_the_total_is_the_sum_of_the_lines_and_never_negative(items, fee, promotions, loyalty):
    basket = Basket(items, fee)
    discounts = [Discount(kind, rules.raw_amount(kind, value, basket)) for kind, value in promotions]
    if loyalty:
        discounts.append(Discount("loyalty", rules.loyalty_amount(basket)))
    kept = rules.capped(basket, discounts)
    total = rules.total_after(basket, kept)
    for amount in [total, basket.subtotal, *(d.amount for d in kept)]:
        assert isinstance(amount, Decimal) and amount == amount.quantize(Decimal("0.01"))
    assert all(d.amount > 0 for d in kept)
    assert total >= 0
    assert basket.subtotal == sum((i.price for i in items), Decimal("0.00"))
    assert total == basket.subtotal + fee - sum((d.amount for d in kept), Decimal("0"))
    assert sum((d.amount for d in kept), Decimal("0")) <= basket.subtotal + fee


@settings(max_examples=200, deadline=None)
@given(items=items, fee=prices, kind=kinds, value=values)
def test_no_promotion_takes_off_more_than_it_applies_to(items, fee, kind, value):
    basket = Basket(items, fee)
    amount = rules.raw_amount(kind, value, basket)
    assert amount >= 0
    if kind in (rules.PERCENT, rules.SECOND_PIZZA, rules.MEAL_DEAL):
        assert amount <= basket.subtotal
    if kind == rules.FREE_DELIVERY:
        assert amount == fee
    if kind == rules.SECOND_PIZZA:
        assert amount <= sum(basket.of_kind(PIZZA), Decimal("0")) / 2 + Decimal("0.01") * len(items)


def basket(*items, fee="0"):
    return Basket([Item(kind, Decimal(price)) for kind, price in items], Decimal(fee))


def test_examples():
    two = basket((PIZZA, "12.00"), (PIZZA, "9.50"), (DRINK, "2.50"), fee="2.50")
    assert two.subtotal == Decimal("24.00")
    assert rules.raw_amount(rules.PERCENT, Decimal("15"), two) == Decimal("3.60")
    assert rules.raw_amount(rules.PERCENT, Decimal("33"), basket((PIZZA, "9.99"))) == Decimal("3.30")  # half up
    assert rules.raw_amount(rules.FIXED, Decimal("5"), two) == Decimal("5.00")
    assert rules.raw_amount(rules.FREE_DELIVERY, None, two) == Decimal("2.50")
    assert rules.raw_amount(rules.SECOND_PIZZA, None, two) == Decimal("4.75")  # the cheaper one, half price
    three = basket((PIZZA, "13.00"), (PIZZA, "9.50"), (PIZZA, "9.99"))
    assert rules.raw_amount(rules.SECOND_PIZZA, None, three) == Decimal("5.00")  # 9.99 / 2 rounded half up
    meal = basket((PIZZA, "12.00"), (DRINK, "2.50"), (DESSERT, "5.50"), (PIZZA, "9.50"), (DRINK, "1.80"))
    assert rules.raw_amount(rules.MEAL_DEAL, Decimal("15.00"), meal) == Decimal("5.00")  # one complete meal
    assert rules.raw_amount(rules.MEAL_DEAL, Decimal("25.00"), meal) == Decimal("0.00")  # dearer than a la carte
    assert rules.loyalty_amount(two) == Decimal("9.50")  # the cheapest pizza
    assert rules.loyalty_amount(basket((DRINK, "2.50"))) == Decimal("0")


def test_a_discount_bigger_than_the_order_is_cut_to_it():
    small = basket((PIZZA, "9.50"), fee="2.50")
    kept = rules.capped(small, [Discount("fixed", Decimal("50")), Discount("loyalty", Decimal("9.50"))])
    assert [d.amount for d in kept] == [Decimal("12.00")]  # the second one finds nothing left
    assert rules.total_after(small, kept) == Decimal("0.00")
