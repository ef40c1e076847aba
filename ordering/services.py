"""Placing, changing and moving orders. Each operation is one database
transaction; stock rows are locked in ingredient order so that concurrent
orders queue instead of overselling or deadlocking.

Lock order, everywhere: the order row, then its payment rows, then the offers'
rows (promotions by id, then the customer's stamp card: offers.services), then
stock rows (by ingredient id), then the oven's slot rows (by time: ordering.capacity),
then the restaurant's daily counter.

Every change of an order's state is one function here: it locks the order row
first, re-checks status and payment state under the lock, and writes all or
nothing, the rows that must survive a crash included (the e-mail in the outbox,
the refund owed); then it sends its signal on commit (ordering.signals), on
which the side effects hang (board versions, e-mails, refunds: ordering.receivers).
Views only parse input, call one of these, and render.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from books import vat
from core.money import format_euros, to_money
from offers import services as offers
from offers.exceptions import PromotionRefused

from . import capacity, notifications, signals
from .exceptions import NotYourDelivery, OrderError, OutOfStock, PromoCodeRefused, TransitionNotAllowed
from .models import DailyCounter, Order, OrderLine, PayPalPayment, StatusChange, Stock, StockMovement
from .options import recipes_for_keys
from .pricing import price_lines, subtotal_of
from .stock import ingredient_needs
from .workflow import DECIDED_BY_PAYMENT, Fulfilment, Status, can_transition


@dataclass
class OrderDetails:
    """Everything about an order but its lines, already validated by a form."""

    fulfilment: str
    name: str
    phone: str
    email: str
    payment_method: str = Order.PaymentMethod.ON_SITE
    street_address: str = ""
    postcode: str = ""
    city: str = ""
    note: str = ""
    requested_for: datetime | None = None
    estimated_ready_at: datetime | None = None
    channel: str = Order.Channel.WEB
    customer: object = None
    promo_code: str = ""


def delivery_fee_for(restaurant, fulfilment):
    return restaurant.delivery_fee if fulfilment == Fulfilment.DELIVERY else Decimal("0.00")


def check_minimum(restaurant, fulfilment, subtotal):
    if fulfilment == Fulfilment.DELIVERY and subtotal < restaurant.minimum_order:
        raise OrderError(
            _("Delivery starts from %(minimum)s of food; add %(missing)s or choose take-away.")
            % {
                "minimum": format_euros(restaurant.minimum_order),
                "missing": format_euros(restaurant.minimum_order - subtotal),
            }
        )


def _lock_stocks(restaurant, ingredient_ids):
    """The restaurant's stock rows for these ingredients, locked, by ingredient id."""
    return {
        stock.ingredient_id: stock
        for stock in Stock.objects.select_for_update()
        .filter(restaurant=restaurant, ingredient_id__in=ingredient_ids)
        .order_by("ingredient_id")
    }


def _apply_deltas(order, stocks, deltas, reason, by, lines_by_ingredient):
    """Moves stock by deltas (negative: consumed) with one movement each; refuses to go below zero."""
    short = {i for i, d in deltas.items() if d < 0 and (i not in stocks or stocks[i].quantity + d < 0)}
    if short:
        raise OutOfStock(sorted({name for i in short for name in lines_by_ingredient.get(i, ())}))
    changed, movements = [], []
    for ingredient_id, delta in sorted(deltas.items()):
        if delta == 0 or ingredient_id not in stocks:
            continue
        stock = stocks[ingredient_id]
        stock.quantity += delta
        changed.append(stock)
        movements.append(StockMovement(stock=stock, delta=delta, reason=reason, order=order, created_by=by))
    Stock.objects.bulk_update(changed, ["quantity"])
    StockMovement.objects.bulk_create(movements)


def _products_by_ingredient(lines, recipes):
    names = defaultdict(set)
    for line in lines:
        for ingredient_id, _quantity in recipes.get(line.key, ()):
            names[ingredient_id].add(line.product.name)
    return names


def _next_number(restaurant, day):
    """Increments and returns the day's counter in one statement (it also locks the row)."""
    table = DailyCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (restaurant_id, day, last) VALUES (%s, %s, 1) "
            f"ON CONFLICT (restaurant_id, day) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [restaurant.pk, day],
        )
        return cursor.fetchone()[0]


def order_number(restaurant, day, sequence):
    """Readable on the phone: BAS4-2511-007 (restaurant, its id so that two
    restaurants with alike names never collide, day, number of the day)."""
    return f"{restaurant.slug[:3].upper()}{restaurant.pk}-{day:%d%m}-{sequence:03d}"


def _totals(restaurant, fulfilment, lines):
    subtotal = subtotal_of(lines)
    check_minimum(restaurant, fulfilment, subtotal)
    fee = delivery_fee_for(restaurant, fulfilment)
    return subtotal, fee, to_money(subtotal + fee)


def _price_and_needs(restaurant, fulfilment, quantities, empty_message):
    """Lines at published prices, totals, and the ingredients they consume; raises OrderError."""
    lines = price_lines(restaurant, quantities)
    if not lines:
        raise OrderError(empty_message)
    totals = _totals(restaurant, fulfilment, lines)
    recipes = recipes_for_keys([line.key for line in lines])  # customised pizzas: their adjusted recipes
    needs = ingredient_needs({line.key: line.quantity for line in lines}, recipes)
    return lines, totals, recipes, needs


def _line_rows(order, lines):
    """The order's lines, each with its VAT rate and amounts at the time of sale (books.vat)."""
    rates = vat.rates_for({line.product.category_id for line in lines}, order.fulfilment)
    rows = []
    for line in lines:
        rate = rates[line.product.category_id]
        amounts = vat.split(line.line_total, rate)
        rows.append(
            OrderLine(
                order=order,
                size=line.size,
                product_name=line.product.name,
                size_label=line.size.label,
                options_key=line.options_key,
                options_label=line.options_label,
                unit_price=line.unit_price,
                quantity=line.quantity,
                line_total=line.line_total,
                vat_rate=rate,
                net_amount=amounts.net,
                vat_amount=amounts.vat,
            )
        )
    return rows


DELIVERY_VAT_FIELDS = ["delivery_vat_rate", "delivery_net", "delivery_vat"]


def _delivery_vat(fee):
    """The delivery fee's VAT fields (none without a fee)."""
    if not fee:
        return dict.fromkeys(DELIVERY_VAT_FIELDS)
    rate = vat.delivery_rate()
    amounts = vat.split(fee, rate)
    return {"delivery_vat_rate": rate, "delivery_net": amounts.net, "delivery_vat": amounts.vat}


def _book(order, event, **arguments):
    """Records a sale, change, cancellation, payment or refund in the sales journal,
    inside this transaction (ordering.signals.order_booked)."""
    signals.send_in_transaction(signals.order_booked, Order, order=order, event=event, **arguments)


def buyer_for(customer, email):
    """Who orders, for the offers: their account or e-mail, and whether they ordered before."""

    def has_ordered_before():
        mine = Q(email__iexact=email) if email else Q(pk__in=[])
        if customer is not None:
            mine |= Q(customer=customer)
        return Order.objects.filter(mine).exclude(status=Status.CANCELLED).exists()

    return offers.Buyer(customer, email, has_ordered_before)


def _claim_offers(restaurant, lines, details):
    """The offers of a new order (offers.services), their rows locked; PromoCodeRefused for a code refused."""
    buyer = buyer_for(details.customer, details.email)
    basket = offers.basket_of(lines, delivery_fee_for(restaurant, details.fulfilment))
    try:
        return buyer, offers.claim(restaurant, basket, details.promo_code, buyer)
    except PromotionRefused as refused:
        raise PromoCodeRefused(str(refused)) from None


def _discounted(total, discounts, payment_method):
    """(discount, total after it); an order with nothing left to pay is not paid online."""
    discount = to_money(sum((d.amount for d in discounts), Decimal("0")))
    total = to_money(total - discount)
    if total <= 0 and payment_method == Order.PaymentMethod.PAYPAL:
        raise OrderError(_("Nothing is left to pay: choose paying on delivery / at the counter."))
    return discount, total


def place_order(restaurant, quantities, details: OrderDetails, checkout_key=None, by=None):
    """Creates the order and reserves its stock, or raises OrderError having written nothing.

    The same checkout_key twice (double click, reload) returns the first order, if it
    is an order of this restaurant: a key never reveals another restaurant's order.
    """
    same_checkout = Order.objects.filter(restaurant=restaurant, checkout_key=checkout_key)
    if checkout_key and (existing := same_checkout.first()):
        return existing
    lines, (subtotal, fee, total), recipes, needs = _price_and_needs(
        restaurant, details.fulfilment, quantities, _("Your cart is empty.")
    )
    status = Status.AWAITING_PAYMENT if details.payment_method == Order.PaymentMethod.PAYPAL else Status.PLACED

    try:
        with transaction.atomic():
            try:
                buyer, discounts = _claim_offers(restaurant, lines, details)
            except PromoCodeRefused:
                # A duplicate submission waited on the promotion's lock: its last use went to the first one.
                if checkout_key and (existing := same_checkout.first()):
                    return existing
                raise
            discount, total = _discounted(total, discounts, details.payment_method)
            stocks = _lock_stocks(restaurant, needs)
            if checkout_key:
                # A duplicate submission waited on the same locks; it finds the first order here.
                existing = same_checkout.first()
                if existing:
                    return existing
            now = timezone.now()
            booking = capacity.book(restaurant, lines, details, now)
            day = timezone.localdate(now)
            sequence = _next_number(restaurant, day)
            order = Order.objects.create(
                restaurant=restaurant,
                day=day,
                sequence=sequence,
                number=order_number(restaurant, day, sequence),
                tracking_token=Order.new_tracking_token(),
                checkout_key=checkout_key,
                status=status,
                channel=details.channel,
                fulfilment=details.fulfilment,
                requested_for=details.requested_for,
                estimated_ready_at=booking.promise,
                customer=details.customer,
                name=details.name,
                phone=details.phone,
                email=details.email,
                street_address=details.street_address,
                postcode=details.postcode,
                city=details.city,
                note=details.note,
                subtotal=subtotal,
                delivery_fee=fee,
                discount=discount,
                total=total,
                payment_method=details.payment_method,
                **_delivery_vat(fee),
            )
            OrderLine.objects.bulk_create(_line_rows(order, lines))
            offers.record(order, discounts, buyer)
            capacity.record(order, booking)
            deltas = {ingredient_id: -need for ingredient_id, need in needs.items()}
            _apply_deltas(
                order, stocks, deltas, StockMovement.Reason.ORDER, by, _products_by_ingredient(lines, recipes)
            )
            StatusChange.objects.create(order=order, from_status="", to_status=status, by=by)
            if status == Status.PLACED:
                _book(order, "sale")
            notification = notifications.queue_status_change(order, status)
            signals.send_on_commit(signals.order_placed, Order, order=order, by=by, notification=notification)
    except IntegrityError:
        # Two submissions of one checkout raced past the check: the other one won.
        existing = same_checkout.first() if checkout_key else None
        if existing is None:
            raise
        return existing
    return order


def _consumed_by(order):
    """{ingredient_id: quantity this order holds}, read from the movement log."""
    rows = StockMovement.objects.filter(order=order).values("stock__ingredient_id").annotate(net=Sum("delta"))
    return {row["stock__ingredient_id"]: -row["net"] for row in rows if row["net"]}


# How money paid online goes back, per payment method: a callable
# refunder(order, amount, reason), called inside the transaction of the change
# that owes the money, with the order locked; `amount` None means all that remains
# captured. It records the refund (so that a crash leaves it to retry), and the
# refund_recorded signal sends it after commit. OrderingConfig.ready() registers
# PayPal's (ordering.paypal.payments.record_refunds): the payment provider's code
# calls these services, so these services never import it (no import circle).
_refunders = {}


def register_refunder(method, refunder):
    _refunders[method] = refunder


def _give_back(order, amount, reason):
    if order.payment_method == Order.PaymentMethod.ON_SITE:
        return  # money handed over in person is given back in person
    refunder = _refunders.get(order.payment_method)
    if refunder is None:  # the change that owes the money is not made without it
        raise LookupError(f"no refunder registered for {order.payment_method} payments")
    refunder(order, amount, reason)
    book_refund(order, amount)


def book_refund(order, amount):
    """Money given back outside these services (on PayPal's dashboard), or, negative, a
    refund recorded here that gave nothing back (superseded): the payment code calls it in
    its transaction, and the sales journal records it there too."""
    _book(order, "refund", amount=amount, method=order.payment_method)


def ensure_changeable(order):
    """Raises OrderError if the customer may not change this order (now)."""
    if order.status == Status.AWAITING_PAYMENT:
        raise OrderError(
            _("This order is waiting for its payment and cannot be changed: pay for it as it is, or cancel it.")
        )
    if order.status != Status.PLACED:
        raise OrderError(_("The kitchen has started this order; it can no longer be changed."))


LINES_AND_TOTALS = frozenset({"lines", "subtotal", "delivery_fee", "discount", "total"})


def change_order(order, quantities, by=None):
    """Replaces the order's lines: prices recomputed, stock re-reserved, all or nothing.
    An order already paid online may cost the same or less (the difference is
    refunded), never more: the customer orders the extra items separately."""
    restaurant = order.restaurant
    lines, (subtotal, fee, total), recipes, needs = _price_and_needs(
        restaurant, order.fulfilment, quantities, _("An order needs at least one item; cancel it instead.")
    )

    with transaction.atomic():
        order = lock_order(order.pk)
        ensure_changeable(order)
        try:  # the promotions it had, recomputed on the new lines
            discount, total = _discounted(total, offers.reprice(order, lines, fee), order.payment_method)
        except PromotionRefused as refused:
            raise OrderError(str(refused)) from None
        overpaid = Decimal("0.00")
        if order.payment_state == Order.PaymentState.PAID:
            if total > order.total:
                raise OrderError(
                    _(
                        "This order is already paid online, so it can only be changed for the same price or less "
                        "(now %(paid)s, new total %(total)s). For more, please place a second order."
                    )
                    % {"paid": format_euros(order.total), "total": format_euros(total)}
                )
            overpaid = order.total - total
        held = _consumed_by(order)
        stocks = _lock_stocks(restaurant, set(needs) | set(held))
        deltas = {i: held.get(i, Decimal("0")) - needs.get(i, Decimal("0")) for i in set(needs) | set(held)}
        _apply_deltas(
            order, stocks, deltas, StockMovement.Reason.ORDER_CHANGE, by, _products_by_ingredient(lines, recipes)
        )
        capacity.rebook(order, lines)
        order.lines.all().delete()
        OrderLine.objects.bulk_create(_line_rows(order, lines))
        order.subtotal, order.delivery_fee, order.discount, order.total = subtotal, fee, discount, total
        for field, value in _delivery_vat(fee).items():
            setattr(order, field, value)
        order.save(update_fields=["subtotal", "delivery_fee", "discount", "total", *DELIVERY_VAT_FIELDS, "updated_at"])
        _book(order, "change")
        if overpaid:
            _give_back(order, overpaid, "order changed")
        signals.send_on_commit(signals.order_changed, Order, order=order, fields=LINES_AND_TOTALS)
    return order


def lock_order(order_pk):
    """The order's row, locked until the end of the transaction (the first lock
    of every order change, so that two changes of one order queue)."""
    return Order.objects.select_for_update().get(pk=order_pk)


def _refuse(order, target):
    return TransitionNotAllowed(
        _("An order cannot go from “%(current)s” to “%(target)s”.")
        % {"current": Status(order.status).label, "target": Status(target).label}
    )


def _move(order, target, by=None, note=""):
    """Moves a locked order (inside the caller's transaction) to another status if
    the state machine allows it; the one place where a status is written.
    Cancelling gives the reserved stock back through the movement log."""
    if not can_transition(order.status, target, order.fulfilment):
        raise _refuse(order, target)
    if target == Status.CANCELLED:
        _close_open_payments(order)
        offers.release(order)  # promotion uses and loyalty stamps given back
        held = _consumed_by(order)
        stocks = _lock_stocks(order.restaurant, held)
        _apply_deltas(order, stocks, held, StockMovement.Reason.ORDER_CANCEL, by, {})
        capacity.release(order)
    if target in (Status.DELIVERED, Status.COLLECTED):
        offers.earn_stamps(order)
    previous = order.status
    order.status = target
    order.save(update_fields=["status", "updated_at"])
    StatusChange.objects.create(order=order, from_status=previous, to_status=target, by=by, note=note)
    if previous == Status.AWAITING_PAYMENT and target == Status.PLACED:
        _book(order, "sale")  # paid online, or to be paid on site instead: a sale from now on
    elif target == Status.CANCELLED:
        _book(order, "cancellation")
    notification = notifications.queue_status_change(order, target)
    signals.send_on_commit(
        signals.order_status_changed,
        Order,
        order=order,
        previous=previous,
        status=target,
        by=by,
        notification=notification,
    )
    if target == Status.CANCELLED and order.payment_state == Order.PaymentState.PAID:
        _give_back(order, None, "order cancelled")
    return order


def transition(order, target, by=None, note=""):
    """Moves an order to another status if the state machine allows it (locked, all or nothing).
    An order waiting for its payment is placed only by the payment functions below."""
    with transaction.atomic():
        order = lock_order(order.pk)
        if (order.status, target) in DECIDED_BY_PAYMENT:
            raise _refuse(order, target)
        return _move(order, target, by=by, note=note)


def take_delivery(order, courier):
    """A courier takes a ready delivery: it becomes theirs and goes out, or nothing changes."""
    with transaction.atomic():
        order = lock_order(order.pk)
        if not can_transition(order.status, Status.OUT_FOR_DELIVERY, order.fulfilment):
            raise _refuse(order, Status.OUT_FOR_DELIVERY)
        if order.courier_id is None:
            order.courier = courier
            order.save(update_fields=["courier", "updated_at"])
        return _move(order, Status.OUT_FOR_DELIVERY, by=courier)


COLLECTED_WITH = ("cash", "card")


def hand_over(order, by, collected_with="", only_courier=None):
    """The courier (delivered) or the counter (collected) hands the order over; an
    order still to be paid is paid now, and how (cash or card) is recorded with it.
    With `only_courier`, a delivery another courier took is refused (checked under the lock)."""
    with transaction.atomic():
        order = lock_order(order.pk)
        if only_courier is not None and order.courier_id not in (None, only_courier.pk):
            raise NotYourDelivery(_("Another courier took this delivery: only they or a manager can hand it over."))
        target = Status.DELIVERED if order.is_delivery else Status.COLLECTED
        if not can_transition(order.status, target, order.fulfilment):
            raise _refuse(order, target)
        if order.payment_state != Order.PaymentState.PAID:
            if collected_with not in COLLECTED_WITH:
                raise OrderError(_("Say how the customer paid (cash or card)."))
            order.collected_with, order.payment_state = collected_with, Order.PaymentState.PAID
            order.save(update_fields=["collected_with", "payment_state", "updated_at"])
            _book(order, "payment", amount=order.total, method=collected_with)
        return _move(order, target, by=by)


def _still_awaiting_payment(order):
    return order.status == Status.AWAITING_PAYMENT and order.payment_state == Order.PaymentState.PENDING


def _close_open_payments(order):
    """PayPal orders not captured yet are given up: they are never captured afterwards."""
    order.paypal_payments.filter(state=PayPalPayment.State.CREATED).update(state=PayPalPayment.State.CANCELLED)


def switch_to_pay_on_site(order):
    """The customer gives up paying online: the order is placed, to be paid on
    delivery / at the counter. Refused once a payment went through."""
    with transaction.atomic():
        order = lock_order(order.pk)
        if not _still_awaiting_payment(order):
            raise OrderError(_("This order no longer waits for a payment."))
        _close_open_payments(order)
        order.payment_method = Order.PaymentMethod.ON_SITE
        order.save(update_fields=["payment_method", "updated_at"])
        return _move(order, Status.PLACED, note="switched to paying on delivery / at the counter")


def cancel_awaiting_payment(order, reason, by=None):
    """Releases an order whose payment never came (cancelled on PayPal, timed out):
    stock returned. Refused (TransitionNotAllowed) once a payment went through."""
    with transaction.atomic():
        order = lock_order(order.pk)
        if not _still_awaiting_payment(order):
            raise TransitionNotAllowed(_("This order no longer waits for a payment."))
        return _move(order, Status.CANCELLED, by=by, note=reason)


def accept_online_payment(order, note):
    """A verified online payment for this order: paid and placed, if the order
    still waits for it. Returns False otherwise (the caller gives the money back)."""
    with transaction.atomic():
        order = lock_order(order.pk)
        if not _still_awaiting_payment(order) or order.payment_method != Order.PaymentMethod.PAYPAL:
            return False
        order.payment_state = Order.PaymentState.PAID
        order.save(update_fields=["payment_state", "updated_at"])
        _move(order, Status.PLACED, note=note)
        _book(order, "payment", amount=order.total, method=order.payment_method)
        return True


def mark_refunded(order):
    """Everything paid online for this order went back to the customer. The order
    is locked by the caller, inside its transaction (the provider checked its books
    under that lock)."""
    order.payment_state = Order.PaymentState.REFUNDED
    order.save(update_fields=["payment_state", "updated_at"])
    offers.reverse_stamps(order)
    signals.send_on_commit(signals.order_changed, Order, order=order, fields=frozenset({"payment_state"}))


def cancel_by_customer(order):
    with transaction.atomic():
        order = lock_order(order.pk)
        if not order.is_changeable:
            raise OrderError(_("The kitchen has started this order; it can no longer be cancelled."))
        return _move(order, Status.CANCELLED, note="customer")
