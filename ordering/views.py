from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseNotModified, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import get_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.core import is_ratelimited

from client_address import client_address
from core.money import format_euros, to_money
from home.models import RestaurantPage
from offers import services as offers
from offers.models import OffersSettings

from . import board_version
from .capacity import SlotFull, live_promise, order_load
from .cart import Cart
from .exceptions import OrderError, PromoCodeRefused, TransitionNotAllowed
from .forms import ChangeOrderForm, CheckoutDraft, CheckoutForm, IssuedCheckoutKeys
from .models import Order, SavedAddress
from .options import parse_key
from .payment_methods import available_methods, gateway_for
from .pricing import MAX_QUANTITY_PER_LINE, parse_id, subtotal_of
from .services import (
    buyer_for,
    cancel_awaiting_payment,
    cancel_by_customer,
    change_order,
    delivery_fee_for,
    ensure_changeable,
    place_order,
)
from .slots import schedule
from .stock import how_many_can_be_made, ingredient_needs, levels_of, recipes_for
from .wording import cancel_note, headline, kitchen_has_it, moment_phrase, payment_note, time_note
from .workflow import FINISHED, Fulfilment, Status, timeline


def _wants_json(request):
    return "application/json" in request.headers.get("Accept", "")


def _back_to(request, fallback):
    target = request.POST.get("next") or fallback
    safe = target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    return target if safe and target.isprintable() else fallback


def _bad_request(request, message):
    """Input no form of ours sends: a 400 that says why and changes nothing."""
    if _wants_json(request):
        return JsonResponse({"error": message}, status=400)
    return render(request, "ordering/bad_request.html", {"message": message}, status=400)


@require_POST
def cart_add(request):
    restaurant_id = parse_id(request.POST.get("restaurant"))
    restaurant = RestaurantPage.objects.live().filter(pk=restaurant_id).first() if restaurant_id else None
    if restaurant is None:
        return _bad_request(request, _("This restaurant does not exist or does not take orders online."))
    size_id, quantity = parse_key(request.POST.get("size")), parse_id(request.POST.get("quantity", "1"))
    if size_id is None or quantity is None:
        return _cart_error(request, restaurant, _("Choose a size and a quantity."))
    return add_to_cart(request, restaurant, size_id, quantity)


def add_to_cart(request, restaurant, size_id, quantity):
    """Adds a line (a size id, or a customised pizza's key: ordering.options) to the
    session's cart, asking first when it holds another restaurant's; answers the page
    (or the script) with what happened."""
    cart = Cart(request.session)
    if cart.belongs_to_another(restaurant):
        if _wants_json(request) and request.POST.get("replace") != "yes":
            return JsonResponse({"confirm": True}, status=409)  # the script falls back to the page that asks
        if request.POST.get("replace") != "yes":
            return render(
                request,
                "ordering/cart_switch.html",
                {
                    "restaurant": restaurant,
                    "current": cart.restaurant,
                    "size": size_id,
                    "quantity": quantity,
                    "next": _back_to(request, restaurant.url),
                },
            )
        cart.clear()
    try:
        capped = cart.add(restaurant, size_id, quantity)
    except OrderError as error:
        return _cart_error(request, restaurant, str(error))
    if _wants_json(request):
        total = cart.total()  # the header and the menu's cart bar show it
        return JsonResponse(
            {
                "count": cart.count(),
                "total": "" if total is None else format_euros(total),
                "message": capped or _("Added to your cart."),
                "capped": bool(capped),
            }
        )
    if capped:
        messages.warning(request, capped)
    else:
        messages.success(request, _("Added to your cart."))
    return redirect(_back_to(request, restaurant.url))


def _cart_error(request, restaurant, message):
    if _wants_json(request):
        return JsonResponse({"error": message}, status=400)
    messages.error(request, message)
    return redirect(_back_to(request, restaurant.url))


def _line_change(data):
    """(size id, new quantity) from a stepper ("line": "<size>:<quantity>") or the
    quantity form (size, quantity); None for anything else."""
    line = data.get("line")
    if line is not None:
        size, _sep, quantity = line.partition(":")
    else:
        size, quantity = data.get("size"), data.get("quantity")
    size_id = parse_key(size)
    quantity = 0 if quantity == "0" else parse_id(quantity)
    return None if size_id is None or quantity is None else (size_id, quantity)


@require_POST
def cart_update(request):
    change = _line_change(request.POST)
    if change is None:
        return _bad_request(request, _("This product or quantity is not valid."))
    if CheckoutDraft.posted(request.POST):  # a stepper of the checkout page, without JavaScript: keep what was typed
        CheckoutDraft(request.session).save(request.POST)
    cart = Cart(request.session)
    message, failed = "", False
    try:
        message = cart.set(*change) or ""
    except OrderError as error:
        message, failed = str(error), True
    if _wants_json(request):
        return JsonResponse(_cart_payload(request, cart, message, failed), status=400 if failed else 200)
    if message:
        (messages.error if failed else messages.warning)(request, message)
    return redirect(reverse("ordering:cart") + "#cart")


def _cart_payload(request, cart, message, failed):
    """What the checkout page's script needs after a stepper: the cart's block, the pay button, the count."""
    context = _cart_context(cart, request)
    payload = {"count": cart.count(), "total": format_euros(context["subtotal"]), "message": message, "error": failed}
    if context["lines"]:
        context["can_order"] = any(schedule(context["restaurant"]).choices[f].first for f in Fulfilment.values)
        context.update(_payment_context())
        payload["html"] = {
            "cart": render_to_string("ordering/includes/cart_block.html", context, request),
            "pay": render_to_string("ordering/includes/pay_block.html", context, request),
        }
    return payload


def _offers_context(request, restaurant, lines, subtotal):
    """The offers the cart would get now, per fulfilment (free delivery differs), for the code
    the checkout form holds (kept in the session's draft): their lines, the totals after them,
    and why the code is refused, if it is."""
    user = request.user if request.user.is_authenticated else None
    draft = CheckoutDraft(request.session).initial()
    code = draft.get("promo_code", "")
    buyer = buyer_for(user, draft.get("email") or (user.email if user else ""))
    kinds = OffersSettings.load().kinds()
    discounts, refusal = {}, ""
    for fulfilment in Fulfilment.values:
        basket = offers.basket_of(lines, delivery_fee_for(restaurant, fulfilment), kinds)
        discounts[fulfilment], refusal = offers.preview(restaurant, basket, code, buyer)
        discounts[fulfilment + "_total"] = offers.rules.total_after(basket, discounts[fulfilment])
    return {
        "discounts": discounts,
        "promo_code": code,
        "promo_refusal": refusal,
        "promo_applied": bool(code) and not refusal,
        "totals": {"delivery": discounts["delivery_total"], "pickup": discounts["pickup_total"]},
    }


def _cart_context(cart, request=None):
    lines, dropped = cart.lines()
    restaurant = cart.restaurant
    limits = cart.limits(lines) if lines else {}
    for line in lines:
        limit = limits[line.key]
        line.most, line.limit_reason = limit.most, limit.reason
        line.short = line.quantity > limit.most  # more than can be made now: the checkout would refuse it
    subtotal = subtotal_of(lines)
    context = {"cart": cart, "lines": lines, "dropped": dropped, "restaurant": restaurant, "subtotal": subtotal}
    if lines:
        missing = restaurant.minimum_order - subtotal
        context.update(
            delivery_fee=restaurant.delivery_fee,
            count=cart.count(),
            missing=missing if missing > 0 else None,
            totals={"delivery": to_money(subtotal + restaurant.delivery_fee), "pickup": subtotal},
        )
        if request is not None:
            context.update(_offers_context(request, restaurant, lines, subtotal))
    return context


def _payment_context():
    return {"paypal_available": Order.PaymentMethod.PAYPAL in available_methods()}


@require_GET
def cart_view(request):
    """The cart and the checkout are one page: the lines with their steppers, then the form."""
    context = _cart_context(Cart(request.session), request)
    if context["dropped"]:
        messages.warning(request, _("Some items are no longer on the menu and were removed from your cart."))
    if not context["lines"]:
        return render(request, "ordering/cart.html", context)
    return _order_page(request, context, _checkout_form(request, context))


def _account_initial(user):
    """A signed-in customer's details, from their account and their last order (how it was
    fulfilled, where it was delivered): a returning customer finds the page filled in."""
    if user is None:
        return {}
    last = (
        Order.objects.filter(customer=user)
        .values("name", "phone", "email", "fulfilment", "street_address", "postcode", "city")
        .first()
        or {}
    )
    initial = {
        **last,
        "name": user.get_full_name() or last.get("name", ""),
        "email": user.email or last.get("email", ""),
    }
    return {name: value for name, value in initial.items() if value}


def _checkout_form(request, context, data=None):
    user = request.user if request.user.is_authenticated else None
    addresses = list(SavedAddress.objects.filter(user=user)[: SavedAddress.KEPT]) if user else []
    initial = None
    if data is None:
        initial = {
            "city": context["restaurant"].city,
            **_account_initial(user),
            **CheckoutDraft(request.session).initial(),
        }
    return CheckoutForm(
        data,
        initial=initial,
        restaurant=context["restaurant"],
        payment_methods=available_methods(),
        issued_keys=IssuedCheckoutKeys(request.session),
        subtotal=context["subtotal"],
        addresses=addresses,
        customer=user,
        load=order_load(context["lines"]),
    )


def _order_page(request, context, form, status=200):
    times = form.time_options()
    form.describe_fields()
    context.update(
        _payment_context(),
        form=form,
        times=times,
        error_links=form.error_links(),
        can_order=bool(times["asap"] or times["days"]),
    )
    return render(request, "ordering/checkout.html", context, status=status)


def checkout(request):
    issued_keys = IssuedCheckoutKeys(request.session)
    if request.method == "POST":
        # The same form submitted again (double click, reload after success) shows the order it made,
        # to the session the form was given to only.
        key = request.POST.get("checkout_key", "")
        placed = Order.objects.filter(checkout_key=key).first() if key in issued_keys else None
        if placed:
            return redirect(placed.get_tracking_url())
    cart = Cart(request.session)
    if request.method == "POST":
        CheckoutDraft(request.session).save(request.POST)  # kept whatever happens next: an error, PayPal's page...
    context = _cart_context(cart, request)
    restaurant, lines = context["restaurant"], context["lines"]
    if not lines:
        messages.error(request, _("Your cart is empty (your session may have expired). Choose your pizzas first."))
        return redirect("/")
    if request.method != "POST":
        return _order_page(request, context, _checkout_form(request, context))
    draft = CheckoutDraft(request.session)
    if "apply_code" in request.POST:  # "Apply" next to the code: the page again, with the code's lines or why not
        return _apply_code(request, context)
    form = _checkout_form(request, context, request.POST)
    if form.is_valid():
        if _too_many_checkouts(request):
            return render(request, "ordering/too_many_checkouts.html", {"restaurant": restaurant}, status=429)
        _release_unpaid_order_of(request.session)
        customer = request.user if request.user.is_authenticated else None
        details = form.order_details(customer=customer)
        try:
            order = place_order(restaurant, cart.quantities, details, checkout_key=form.cleaned_data["checkout_key"])
        except PromoCodeRefused as refused:
            form.add_error("promo_code", str(refused))
        except SlotFull as error:
            form.offer_next_free(error)
        except OrderError as error:
            form.add_error(None, str(error))
        else:
            address = form.address_to_save()
            if customer and address:
                SavedAddress.remember(customer, *address)
            if order.status == Status.AWAITING_PAYMENT:
                request.session[UNPAID_ORDER_SESSION_KEY] = order.pk
            online = gateway_for(order.payment_method).start(request, order)
            if online is not None:
                return online  # the cart and the note are kept until the payment is through
            cart.clear()
            draft.order_placed()
            messages.success(request, _("Thank you! Your order %(number)s is placed.") % {"number": order.number})
            return redirect(order.get_tracking_url())
    return _order_page(request, context, form, status=400)


def _apply_code(request, context):
    """The code typed is in the draft (kept with the other fields): the page shows its
    discount lines, or why it is refused by the field (400), and nothing else is checked."""
    form = _checkout_form(request, context)
    if context.get("promo_refusal"):
        form.promo_refusal = context["promo_refusal"]
        return _order_page(request, context, form, status=400)
    if context.get("promo_applied"):
        messages.success(request, _("Promotion code applied."))
    return redirect(reverse("ordering:cart") + "#promo")


@require_POST
def checkout_draft(request):
    """Keeps what the checkout form holds, then goes back to the menu: the
    "add more" button of the checkout page, which works without JavaScript."""
    if not CheckoutDraft.posted(request.POST):
        return _bad_request(request, _("This is not an order form."))
    CheckoutDraft(request.session).save(request.POST)
    restaurant = Cart(request.session).restaurant
    return redirect(restaurant.url if restaurant else "/")


@login_required(login_url="ordering:login")
@require_GET
def my_addresses(request):
    return render(request, "ordering/addresses.html", {"addresses": SavedAddress.objects.filter(user=request.user)})


@login_required(login_url="ordering:login")
@require_POST
def delete_address(request, address_id):
    """Deletes one of the customer's own saved addresses; anyone else's is no address (404)."""
    address = get_object_or_404(SavedAddress, pk=parse_id(address_id) or 0, user=request.user)
    address.delete()
    messages.success(request, _("The address %(address)s is deleted.") % {"address": address})
    return redirect("ordering:my_addresses")


# --- abuse limits: an unpaid order holds stock, so a session holds one at most,
# and placing orders is rate-limited per client address and per session.
UNPAID_ORDER_SESSION_KEY = "unpaid_order"


def _release_unpaid_order_of(session):
    """A new checkout from this session releases the order it left awaiting
    payment (its stock goes back); a paid or moved order is left alone."""
    order_pk = session.pop(UNPAID_ORDER_SESSION_KEY, None)
    unpaid = Order.objects.filter(pk=order_pk, status=Status.AWAITING_PAYMENT).first() if order_pk else None
    if unpaid is None:
        return
    try:
        cancel_awaiting_payment(unpaid, "replaced by a new checkout from the same session")
    except TransitionNotAllowed:
        pass  # paid or moved meanwhile: it is a real order now


def _session_or_address(group, request):
    return request.session.session_key or client_address(request)


def _address(group, request):
    return client_address(request)


def _too_many_checkouts(request):
    """Counts an attempt to place an order; True past either limit (settings CHECKOUT_RATE_PER_*)."""
    limits = [
        ("checkout-address", _address, settings.CHECKOUT_RATE_PER_ADDRESS),
        ("checkout-session", _session_or_address, settings.CHECKOUT_RATE_PER_SESSION),
    ]
    # Every limiter counts the attempt, even once one has refused it: all are evaluated before any().
    refused = [is_ratelimited(request, group=group, key=key, rate=rate, increment=True) for group, key, rate in limits]
    return any(refused)


def _order_by_token(token):
    return get_object_or_404(Order.objects.select_related("restaurant"), tracking_token=token)


def _status_payload(order):
    """Everything the tracking page says about the order's state; its script polls it."""
    changes = {change.to_status: change.at for change in order.status_changes.all()}
    path = timeline(order.fulfilment)
    reached = path.index(order.status) if order.status in path else -1
    finished = order.status in FINISHED
    steps = []
    for index, step in enumerate(path):
        done, current = index <= reached, index == reached
        if current and not finished:
            state_text = _("current step")
        else:
            state_text = _("done") if done else _("to come")
        steps.append(
            {
                "status": step.value,
                "label": str(step.label),
                "done": done,
                "current": current,
                "state_text": state_text,
                "at": timezone.localtime(changes[step]).strftime("%H:%M") if step in changes else "",
            }
        )
    return {
        "status": order.status,
        "label": str(Status(order.status).label),
        "headline": headline(order),
        "steps": steps,
        "cancelled": order.status == Status.CANCELLED,
        "finished": finished,
        "changeable": order.is_changeable,
        "awaiting_payment": order.status == Status.AWAITING_PAYMENT,
        "locked": kitchen_has_it(order),
        "time": capfirst(_live_time_note(order)),
        "payment": payment_note(order),
    }


def _live_time_note(order):
    """The promise, moved later when the kitchen is late with this order."""
    moment, late = live_promise(order)
    if not late:
        return time_note(order)
    if order.is_delivery:
        return _("running late: delivery now expected at about %(time)s") % {"time": moment_phrase(moment)}
    return _("running late: now ready at about %(time)s") % {"time": moment_phrase(moment)}


def _map_url(restaurant):
    """A plain link to the restaurant on OpenStreetMap: nothing is loaded from another host by the page."""
    address = f"{restaurant.street_address}, {restaurant.postcode} {restaurant.city}"
    return "https://www.openstreetmap.org/search?" + urlencode({"query": address})


@require_GET
def track(request, token):
    order = _order_by_token(token)
    return render(
        request,
        "ordering/track.html",
        {
            "order": order,
            "lines": order.lines.all(),
            "state": _status_payload(order),
            "restaurant": order.restaurant,
            "map_url": _map_url(order.restaurant),
            "cancel_note": cancel_note(order),
        },
    )


@require_GET
def track_status(request, token):
    """The order's state for the tracking page's poll. Its ETag is the order's version
    (bumped on each change, ordering.receivers), read before the order: an unchanged
    order is answered 304 without reading it."""
    version = board_version.tracking_current(token)
    etag = f'"{version}-{get_language()}-{timezone.localdate():%Y%m%d}"' if version is not None else None
    if etag is not None and etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        response = JsonResponse(_status_payload(_order_by_token(token)))
    if etag is not None:
        response["ETag"] = etag
    response["Cache-Control"] = "no-store"  # track.js sends the ETag itself
    return response


@require_POST
def track_cancel(request, token):
    order = _order_by_token(token)
    try:
        cancel_by_customer(order)
    except OrderError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Your order %(number)s is cancelled.") % {"number": order.number})
    return redirect(order.get_tracking_url())


def _change_limits(restaurant, menu_sizes, current):
    """{size id: the most of it this order could hold}: what the stock makes once the order's own
    reservation is given back (an upper bound for one size alone; change_order checks the whole
    order under lock). In two queries, like makeable_counts."""
    recipes = recipes_for([size.pk for size, _price in menu_sizes])
    levels = levels_of(restaurant)
    for ingredient_id, held in ingredient_needs(current, recipes).items():
        levels[ingredient_id] = levels.get(ingredient_id, Decimal("0")) + held
    limits = {}
    for size, _price in menu_sizes:
        can_make = how_many_can_be_made(recipes.get(size.pk), levels)
        limits[size.pk] = MAX_QUANTITY_PER_LINE if can_make is None else min(MAX_QUANTITY_PER_LINE, can_make)
    return limits


def track_change(request, token):
    """The order's lines with -/+ and a product picker. The buttons that change one
    line (less, more, remove, add) post the whole form: the page comes back with the
    draft changed, nothing saved (that is how the steppers work without JavaScript;
    with it, change.js does the same in the page). Saving goes through change_order."""
    order = _order_by_token(token)
    try:
        ensure_changeable(order)  # checked again, under the order's lock, when the change is made
    except OrderError as error:
        messages.error(request, str(error))
        return redirect(order.get_tracking_url())
    restaurant = order.restaurant
    menu_items = restaurant.published_menu_items()
    menu_sizes = [pair for item in menu_items for pair in item.priced_sizes()]
    order_lines = list(order.lines.all())
    current = {line.size_id: line.quantity for line in order_lines if line.size_id and not line.options_key}
    # Customised pizzas are kept as they are (the picker changes plain sizes only).
    kept = {line.options_key: line.quantity for line in order_lines if line.options_key}
    data = request.POST if request.method == "POST" else None
    form = ChangeOrderForm(data, menu_sizes=menu_sizes, initial_quantities=current)
    try:
        action = form.draft_action()
    except ValueError as error:
        return _bad_request(request, str(error))
    limits = _change_limits(restaurant, menu_sizes, current)
    status, notice = 200, ""
    if action and form.is_valid():
        try:
            notice = form.apply(action, limits)
        except ValueError as error:  # a line not in the draft, a size not on this menu
            return _bad_request(request, str(error))
    elif data is not None and form.is_valid():
        try:
            change_order(order, {**form.quantities(), **kept})
        except OrderError as error:
            form.add_error(None, str(error))
            status = 400
        else:
            order.refresh_from_db()
            messages.success(
                request, _("Your order is changed. New total: %(total)s.") % {"total": format_euros(order.total)}
            )
            return redirect(order.get_tracking_url())
    elif data is not None:
        status = 400
    draft = form.draft(order, [line for line in order_lines if not line.options_key], limits)
    draft.kept_subtotal = to_money(sum((line.line_total for line in order_lines if line.options_key), Decimal("0")))
    return render(
        request,
        "ordering/change.html",
        {
            "order": order,
            "restaurant": restaurant,
            "form": form,
            "draft": draft,
            "kept": [line for line in order_lines if line.options_key],
            "notice": notice,
            "picker": form.picker(menu_items, limits, opened=action[1] if action and action[0] == "add" else None),
            "decimal_separator": get_format("DECIMAL_SEPARATOR"),
            "thousand_separator": get_format("THOUSAND_SEPARATOR"),
        },
        status=status,
    )
