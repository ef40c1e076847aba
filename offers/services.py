"""Offers applied to an order, on the server, inside the order's transaction.

The order services (ordering.services) call these; this app imports nothing of the
ordering app (it receives the order and its priced lines). Lock order, after the
order row and its payment rows: the promotion rows (by id), then the customer's
stamp card, then (the caller's) stock rows.

- claim(): finds the code's promotion (or the best automatic one) and the loyalty
  reward, with their rows locked, checks every condition (usage limits counted under
  the lock), and returns the discount lines; writes nothing.
- record(): writes the lines, the redemptions and the stamps spent, for an order.
- release(): gives the uses and the stamps back (order cancelled or about to be changed).
- reprice(): an order changed keeps its promotions, recomputed on its new lines.
"""

from dataclasses import dataclass

from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from core.money import format_euros

from . import rules
from .exceptions import PromotionRefused
from .models import (
    CODE_MAX_LENGTH,
    CODE_PATTERN,
    OffersSettings,
    OrderDiscount,
    Promotion,
    Redemption,
    StampCard,
    StampEntry,
)
from .models import normalise_code as normalise_code


@dataclass
class Buyer:
    """Who orders: an account (or None) and an e-mail (guests are counted by it);
    has_ordered_before() is asked only for first-order promotions, under the lock."""

    customer: object = None
    email: str = ""
    has_ordered_before: object = None

    @property
    def email_key(self):
        return (self.email or "").strip().lower()


def basket_of(lines, delivery_fee, kinds=None):
    """A rules.Basket from priced lines (anything with product.category_id, unit_price, quantity)."""
    kinds = OffersSettings.load().kinds() if kinds is None else kinds
    return rules.Basket(
        rules.items_of([(line.product.category_id, line.unit_price, line.quantity) for line in lines], kinds),
        delivery_fee,
    )


def clean_code(raw):
    """The code typed, normalised; "" for none; raises PromotionRefused when it cannot be a code."""
    if raw is None:
        return ""
    if not isinstance(raw, str) or len(raw) > 4 * CODE_MAX_LENGTH:
        raise PromotionRefused(_("This promotion code is not valid."))
    code = normalise_code(raw)
    if code and not CODE_PATTERN.fullmatch(code):
        raise PromotionRefused(_("This promotion code is not valid."))
    return code


def _date(moment):
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def _applies_at(promotion, restaurant):
    return promotion.restaurant_id in (None, restaurant.pk)


def _uses(promotion, buyer=None):
    redemptions = Redemption.objects.filter(promotion=promotion)
    if buyer is not None:
        who = Q(email=buyer.email_key) if buyer.email_key else Q(pk__in=[])
        if buyer.customer is not None:
            who |= Q(customer=buyer.customer)
        redemptions = redemptions.filter(who)
    return redemptions.count()


def check(promotion, restaurant, basket, buyer, now=None):
    """Raises PromotionRefused saying why this promotion cannot be used for this basket."""
    now = now or timezone.now()
    if not promotion.live or (promotion.expire_at and promotion.expire_at <= now):
        raise PromotionRefused(_("This promotion code does not exist or is no longer available."))
    if not _applies_at(promotion, restaurant):
        raise PromotionRefused(
            _("This promotion code is not valid at %(restaurant)s.") % {"restaurant": restaurant.title}
        )
    if promotion.starts_at and now < promotion.starts_at:
        raise PromotionRefused(_("This promotion code is valid from %(date)s.") % {"date": _date(promotion.starts_at)})
    if promotion.ends_at and now >= promotion.ends_at:
        raise PromotionRefused(_("This promotion code expired on %(date)s.") % {"date": _date(promotion.ends_at)})
    if basket.subtotal < promotion.minimum_order:
        raise PromotionRefused(
            _("This promotion needs an order of %(minimum)s; add %(missing)s.")
            % {
                "minimum": format_euros(promotion.minimum_order),
                "missing": format_euros(promotion.minimum_order - basket.subtotal),
            }
        )
    if promotion.kind == rules.FREE_DELIVERY and not basket.delivery_fee:
        raise PromotionRefused(_("This promotion gives free delivery: it applies to deliveries only."))
    if rules.raw_amount(promotion.kind, promotion.value, basket) <= 0:
        raise PromotionRefused(_("This promotion applies to nothing in your cart."))
    if promotion.first_order_only and (buyer.has_ordered_before is None or buyer.has_ordered_before()):
        raise PromotionRefused(_("This promotion is for a first order only."))
    if promotion.max_uses is not None and _uses(promotion) >= promotion.max_uses:
        raise PromotionRefused(_("This promotion has been used as many times as it could be."))
    if promotion.max_uses_per_customer is not None and _uses(promotion, buyer) >= promotion.max_uses_per_customer:
        raise PromotionRefused(_("You have already used this promotion."))


def _discount(promotion, basket):
    return rules.Discount(promotion.name, rules.raw_amount(promotion.kind, promotion.value, basket), promotion)


def _promotions(lock):
    promotions = Promotion.objects.filter(live=True)
    return promotions.select_for_update(of=("self",)).order_by("pk") if lock else promotions.order_by("pk")


def _promotion_discount(restaurant, basket, code, buyer, lock, now):
    if code:
        promotion = _promotions(lock).filter(code=code).first()
        if promotion is None:
            raise PromotionRefused(_("This promotion code does not exist or is no longer available."))
        check(promotion, restaurant, basket, buyer, now)
        return _discount(promotion, basket)
    automatic = _promotions(lock).filter(code="").filter(Q(restaurant=None) | Q(restaurant=restaurant))
    best = None
    for promotion in automatic:
        try:
            check(promotion, restaurant, basket, buyer, now)
        except PromotionRefused:
            continue
        discount = _discount(promotion, basket)
        if best is None or discount.amount > best.amount:
            best = discount
    return best


def loyalty_label():
    return _("Loyalty card: free pizza")


def _card(customer, lock):
    if customer is None:
        return None
    if lock:
        StampCard.objects.get_or_create(user=customer)
        return StampCard.objects.select_for_update().get(user=customer)
    return StampCard.objects.filter(user=customer).first()


def _loyalty_discount(basket, buyer, lock):
    rules_ = OffersSettings.load()
    if not rules_.loyalty_enabled or buyer.customer is None:
        return None
    amount = rules.loyalty_amount(basket)
    if amount <= 0:
        return None
    card = _card(buyer.customer, lock)
    if card is None or card.stamps < rules_.stamps_for_reward:
        return None
    return rules.Discount(loyalty_label(), amount, stamps=rules_.stamps_for_reward)


def claim(restaurant, basket, code, buyer, lock=True, now=None):
    """The discount lines for a new order (promotion first, then the loyalty reward),
    capped so the total is never negative. With lock, the rows they depend on stay
    locked until the caller's transaction ends. Raises PromotionRefused for a code
    that cannot be used."""
    code = clean_code(code)
    discounts = [_promotion_discount(restaurant, basket, code, buyer, lock, now)]
    discounts.append(_loyalty_discount(basket, buyer, lock))
    return rules.capped(basket, [d for d in discounts if d is not None])


def preview(restaurant, basket, code, buyer):
    """What claim() would give now, without locking: (discounts, refusal message or "")."""
    try:
        return claim(restaurant, basket, code, buyer, lock=False), ""
    except PromotionRefused as refused:
        return claim(restaurant, basket, "", buyer, lock=False), str(refused)


def _move_stamps(card, order, delta, reason):
    card.stamps += delta
    card.save(update_fields=["stamps"])
    StampEntry.objects.create(card=card, order=order, delta=delta, reason=reason)


def record(order, discounts, buyer):
    """Writes the order's discount lines, its redemptions and the stamps spent (in the order's transaction)."""
    OrderDiscount.objects.bulk_create(
        OrderDiscount(order=order, promotion=d.promotion, label=d.label[:120], amount=d.amount, stamps=d.stamps)
        for d in discounts
    )
    Redemption.objects.bulk_create(
        Redemption(promotion=d.promotion, order=order, customer=buyer.customer, email=buyer.email_key)
        for d in discounts
        if d.promotion is not None
    )
    stamps = sum(d.stamps for d in discounts)
    if stamps:
        _move_stamps(_card(buyer.customer, lock=True), order, -stamps, StampEntry.Reason.SPENT)


def _net(card, order, reasons):
    return sum(card.entries.filter(order=order, reason__in=reasons).values_list("delta", flat=True))


def release(order):
    """The order gives back its promotion uses and the stamps it spent (cancelled, or
    about to be repriced); its discount lines stay as they were unless repriced."""
    Redemption.objects.filter(order=order).delete()
    if order.customer_id is None:
        return
    card = StampCard.objects.select_for_update().filter(user_id=order.customer_id).first()
    if card is None:
        return
    spent = -_net(card, order, [StampEntry.Reason.SPENT, StampEntry.Reason.SPENT_RETURNED])
    if spent:
        _move_stamps(card, order, spent, StampEntry.Reason.SPENT_RETURNED)
    _reverse_earned(card, order)


def _repriced(order, basket):
    """(the discounts the order's promotions and reward give on this basket, refusal or "")."""
    before = list(order.discounts.select_related("promotion"))
    discounts, refusal = [], ""
    for line in before:
        promotion = line.promotion
        if promotion is None:
            continue
        if basket.subtotal < promotion.minimum_order or rules.raw_amount(promotion.kind, promotion.value, basket) <= 0:
            if promotion.code and not refusal:
                refusal = _("With this change, the promotion “%(name)s” no longer applies (%(minimum)s minimum).") % {
                    "name": promotion.name,
                    "minimum": format_euros(promotion.minimum_order),
                }
            continue
        discounts.append(_discount(promotion, basket))
    stamps = max((line.stamps for line in before), default=0)
    if stamps and rules.loyalty_amount(basket) > 0:
        discounts.append(rules.Discount(loyalty_label(), rules.loyalty_amount(basket), stamps=stamps))
    return rules.capped(basket, discounts), refusal


def preview_reprice(order, rows, delivery_fee):
    """What reprice() would give for these rows ((category id, unit price, quantity)), writing nothing:
    (discounts, refusal or "")."""
    kinds = OffersSettings.load().kinds()
    return _repriced(order, rules.Basket(rules.items_of(rows, kinds), delivery_fee))


def reprice(order, lines, delivery_fee):
    """The discounts of a changed order: the promotions it had, recomputed on its new
    lines (their window and usage limits were checked when it was placed; the minimum
    order is checked again), and the loyalty reward if it had one. Writes them and
    returns them; raises PromotionRefused if a code's minimum is no longer reached."""
    discounts, refusal = _repriced(order, basket_of(lines, delivery_fee))
    if refusal:
        raise PromotionRefused(refusal)
    release(order)
    order.discounts.all().delete()
    record(order, discounts, Buyer(order.customer, order.email))
    return discounts


def forget_redemptions(orders):
    """The e-mails these orders' promotion uses were counted by are blanked (their orders are anonymised)."""
    Redemption.objects.filter(order__in=orders).exclude(email="").update(email="")


# --- Loyalty stamps -----------------------------------------------------------------


def pizzas_paid_in(order, kinds=None):
    """Pizzas of the order that earn a stamp: its pizzas but the free ones."""
    kinds = OffersSettings.load().kinds() if kinds is None else kinds
    pizzas = sum(
        line.quantity
        for line in order.lines.select_related("size__product")
        if line.size is not None and kinds.get(line.size.product.category_id) == rules.PIZZA
    )
    free = sum(1 for d in order.discounts.all() if d.stamps)
    return max(pizzas - free, 0)


def earn_stamps(order):
    """A delivered or collected order of a customer account earns one stamp per paid pizza (once)."""
    if order.customer_id is None or not OffersSettings.load().loyalty_enabled:
        return
    stamps = pizzas_paid_in(order)
    if not stamps:
        return
    card = _card(order.customer, lock=True)
    if _net(card, order, [StampEntry.Reason.EARNED, StampEntry.Reason.EARNED_REVERSED]) == 0:
        _move_stamps(card, order, stamps, StampEntry.Reason.EARNED)


def _reverse_earned(card, order):
    earned = _net(card, order, [StampEntry.Reason.EARNED, StampEntry.Reason.EARNED_REVERSED])
    if earned:
        # The card never goes below zero: stamps already spent stay spent.
        _move_stamps(card, order, -min(earned, card.stamps), StampEntry.Reason.EARNED_REVERSED)


def reverse_stamps(order):
    """A refunded order takes back the stamps it earned."""
    if order.customer_id is None:
        return
    card = StampCard.objects.select_for_update().filter(user_id=order.customer_id).first()
    if card is not None:
        _reverse_earned(card, order)


def card_of(user):
    """(stamps, stamps for a reward, loyalty enabled) for the account page."""
    rules_ = OffersSettings.load()
    card = StampCard.objects.filter(user=user).first()
    return {"stamps": card.stamps if card else 0, "needed": rules_.stamps_for_reward, "enabled": rules_.loyalty_enabled}
