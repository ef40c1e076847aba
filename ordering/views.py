from decimal import Decimal
from urllib.parse import urlencode

from client_address import client_address
from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import get_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.core import is_ratelimited

from core.money import format_euros
from home.models import RestaurantPage

from .cart import Cart
from .exceptions import OrderError, TransitionNotAllowed
from .forms import ChangeOrderForm, CheckoutForm, IssuedCheckoutKeys
from .models import Order
from .payment_methods import available_methods, gateway_for
from .pricing import MAX_QUANTITY_PER_LINE, parse_id, subtotal_of
from .services import cancel_awaiting_payment, cancel_by_customer, change_order, ensure_changeable, place_order
from .stock import how_many_can_be_made, ingredient_needs, levels_of, makeable_counts, recipes_for
from .wording import cancel_note, headline, kitchen_has_it, payment_note, time_note
from .workflow import FINISHED, Status, timeline


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
    cart = Cart(request.session)
    size_id, quantity = parse_id(request.POST.get("size")), parse_id(request.POST.get("quantity", "1"))
    if size_id is None or quantity is None:
        return _cart_error(request, restaurant, _("Choose a size and a quantity."))
    if cart.belongs_to_another(restaurant):
        if _wants_json(request) and request.POST.get("replace") != "yes":
            return JsonResponse({"confirm": True}, status=409)  # the script falls back to the page that asks
        if request.POST.get("replace") != "yes":
            return render(request, "ordering/cart_switch.html", {
                "restaurant": restaurant, "current": cart.restaurant, "size": size_id, "quantity": quantity,
                "next": _back_to(request, restaurant.url),
            })
        cart.clear()
    try:
        capped = cart.add(restaurant, size_id, quantity)
    except OrderError as error:
        return _cart_error(request, restaurant, str(error))
    if _wants_json(request):
        total = cart.total()  # the header and the menu's cart bar show it
        return JsonResponse({"count": cart.count(), "total": "" if total is None else format_euros(total),
                             "message": capped or _("Added to your cart."), "capped": bool(capped)})
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


@require_POST
def cart_update(request):
    cart = Cart(request.session)
    size_id, raw_quantity = parse_id(request.POST.get("size")), request.POST.get("quantity")
    quantity = 0 if raw_quantity == "0" else parse_id(raw_quantity)
    if size_id is None or quantity is None:
        return _bad_request(request, _("This product or quantity is not valid."))
    try:
        capped = cart.set(size_id, quantity)
    except OrderError as error:
        if _wants_json(request):
            return JsonResponse({"error": str(error)}, status=400)
        messages.error(request, str(error))
    else:
        if capped:
            messages.warning(request, capped)
    return redirect("ordering:cart")


def _cart_context(cart):
    lines, dropped = cart.lines()
    restaurant = cart.restaurant
    counts = makeable_counts(restaurant, [line.size.pk for line in lines]) if lines else {}
    for line in lines:
        can_make = counts.get(line.size.pk)
        line.short = can_make is not None and can_make < line.quantity
    return {"cart": cart, "lines": lines, "dropped": dropped, "restaurant": restaurant, "subtotal": subtotal_of(lines)}


@require_GET
def cart_view(request):
    context = _cart_context(Cart(request.session))
    if context["dropped"]:
        messages.warning(request, _("Some items are no longer on the menu and were removed from your cart."))
    return render(request, "ordering/cart.html", context)


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
    context = _cart_context(cart)
    restaurant, lines = context["restaurant"], context["lines"]
    if not lines:
        messages.error(request, _("Your cart is empty (your session may have expired). Choose your pizzas first."))
        return redirect("/")
    form = CheckoutForm(request.POST or None, restaurant=restaurant, payment_methods=available_methods(), issued_keys=issued_keys)
    if request.method == "POST" and form.is_valid():
        if _too_many_checkouts(request):
            return render(request, "ordering/too_many_checkouts.html", {"restaurant": restaurant}, status=429)
        _release_unpaid_order_of(request.session)
        details = form.order_details(customer=request.user if request.user.is_authenticated else None)
        try:
            order = place_order(restaurant, cart.quantities, details, checkout_key=form.cleaned_data["checkout_key"])
        except OrderError as error:
            form.add_error(None, str(error))
        else:
            if order.status == Status.AWAITING_PAYMENT:
                request.session[UNPAID_ORDER_SESSION_KEY] = order.pk
            online = gateway_for(order.payment_method).start(request, order)
            if online is not None:
                return online  # the cart is emptied once the payment is through
            cart.clear()
            messages.success(request, _("Thank you! Your order %(number)s is placed.") % {"number": order.number})
            return redirect(order.get_tracking_url())
    context.update(form=form, delivery_fee=restaurant.delivery_fee)
    return render(request, "ordering/checkout.html", context, status=400 if form.is_bound else 200)


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
    limits = [("checkout-address", _address, settings.CHECKOUT_RATE_PER_ADDRESS),
              ("checkout-session", _session_or_address, settings.CHECKOUT_RATE_PER_SESSION)]
    # A list, not a generator: every limiter counts the attempt, even once one has refused it.
    return any([is_ratelimited(request, group=group, key=key, rate=rate, increment=True) for group, key, rate in limits])  # noqa: C419


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
        steps.append({
            "status": step.value, "label": str(step.label), "done": done, "current": current, "state_text": state_text,
            "at": timezone.localtime(changes[step]).strftime("%H:%M") if step in changes else "",
        })
    return {
        "status": order.status, "label": str(Status(order.status).label), "headline": headline(order), "steps": steps,
        "cancelled": order.status == Status.CANCELLED, "finished": finished, "changeable": order.is_changeable,
        "awaiting_payment": order.status == Status.AWAITING_PAYMENT, "locked": kitchen_has_it(order),
        "time": capfirst(time_note(order)), "payment": payment_note(order),
    }


def _map_url(restaurant):
    """A plain link to the restaurant on OpenStreetMap: nothing is loaded from another host by the page."""
    address = f"{restaurant.street_address}, {restaurant.postcode} {restaurant.city}"
    return "https://www.openstreetmap.org/search?" + urlencode({"query": address})


@require_GET
def track(request, token):
    order = _order_by_token(token)
    return render(request, "ordering/track.html", {
        "order": order, "lines": order.lines.all(), "state": _status_payload(order), "restaurant": order.restaurant,
        "map_url": _map_url(order.restaurant), "cancel_note": cancel_note(order),
    })


@require_GET
def track_status(request, token):
    response = JsonResponse(_status_payload(_order_by_token(token)))
    response["Cache-Control"] = "no-store"
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
    current = {line.size_id: line.quantity for line in order_lines if line.size_id}
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
            change_order(order, form.quantities())
        except OrderError as error:
            form.add_error(None, str(error))
            status = 400
        else:
            order.refresh_from_db()
            messages.success(request, _("Your order is changed. New total: %(total)s.") % {"total": format_euros(order.total)})
            return redirect(order.get_tracking_url())
    elif data is not None:
        status = 400
    draft = form.draft(order, order_lines, limits)
    return render(request, "ordering/change.html", {
        "order": order, "restaurant": restaurant, "form": form, "draft": draft, "notice": notice,
        "picker": form.picker(menu_items, limits, opened=action[1] if action and action[0] == "add" else None),
        "decimal_separator": get_format("DECIMAL_SEPARATOR"), "thousand_separator": get_format("THOUSAND_SEPARATOR"),
    }, status=status)
