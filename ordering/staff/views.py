"""Screens for restaurant staff, inside the Wagtail admin: the kitchen board
and the delivery screen. Every view checks role and restaurant (ordering.staff.permissions)."""

from functools import wraps
from itertools import groupby
from urllib.parse import urlsplit

from csp.constants import SELF
from django.conf import settings
from django.contrib import messages
from django.db.models import Prefetch
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from home.models import OptionGroup, RestaurantPage

from .. import board_version
from ..capacity import SlotFull, pace
from ..exceptions import NotYourDelivery, OrderError, TransitionNotAllowed
from ..forms import IssuedCheckoutKeys
from ..models import OptionRecipeLine, Order, OrderLine, RecipeLine, RecipeSteps, Stock, StockMovement
from ..options import OptionCatalogue, adjusted_recipe_rows
from ..services import hand_over, place_order, take_delivery, transition
from ..stock import makeable_counts, record_movement
from ..workflow import Fulfilment, Status
from .forms import AdjustmentForm, RestockForm, StaffOrderForm, ThresholdForm
from .permissions import can, can_move, manages, restaurants_for
from .polls import remember_pass
from .stations import BOARD, STATIONS, mark_lines, to_prepare

KITCHEN_COLUMNS = list(BOARD.statuses)
# Ticket colours as the promised time nears and passes (minutes from the promise;
# board.js recomputes them every minute): the first threshold reached wins.
LATENESS = ((10, "ticket--very-late"), (0, "ticket--late"), (-5, "ticket--soon"))
LATE_COLUMNS = {Status.PLACED, Status.IN_PREPARATION}
# The next step a tap on a card does, per column (the label in the language of each request).
NEXT_STEP = {
    Status.PLACED: (Status.IN_PREPARATION, gettext_lazy("Start")),
    Status.IN_PREPARATION: (Status.READY, gettext_lazy("Ready")),
}


def forbidden():
    return HttpResponse(
        _("You may not do this for this order or restaurant."), status=403, content_type="text/plain; charset=utf-8"
    )


def for_restaurant(action):
    """The view gets the restaurant of the URL, if this person may do `action` there; 403 otherwise.
    (Wagtail would turn PermissionDenied into a redirect; staff get a plain 403.)"""

    def decorate(view):
        @wraps(view)
        def wrapped(request, restaurant_id, *args, **kwargs):
            restaurant = get_object_or_404(RestaurantPage, pk=restaurant_id)
            if not can(request.user, action, restaurant):
                return forbidden()
            return view(request, restaurant, *args, **kwargs)

        return wrapped

    return decorate


def _board_orders(restaurant, statuses):
    """The orders a board shows, with their lines, recipes and steps, in a fixed number of queries."""
    lines = OrderLine.objects.select_related("size__product__recipe_steps", "size__product__category").prefetch_related(
        "size__recipe_lines__ingredient"
    )
    return (
        Order.objects.filter(restaurant=restaurant, status__in=statuses)
        .annotate(due=Coalesce("requested_for", "estimated_ready_at", "created_at"))
        .order_by("due", "pk")
        .select_related("courier")
        .prefetch_related(Prefetch("lines", queryset=lines))
    )


def _choose_restaurant(request, view_name, action):
    restaurants = [r for r in restaurants_for(request.user).order_by("title") if can(request.user, action, r)]
    if len(restaurants) == 1:
        return redirect(view_name, restaurants[0].pk)
    if not restaurants:
        raise Http404
    return render(request, "ordering/staff/choose.html", {"restaurants": restaurants, "view_name": view_name})


def kitchen_index(request):
    return _choose_restaurant(request, "ordering_staff:kitchen", "view_orders")


def _station(slug):
    if not slug:
        return BOARD
    if slug not in STATIONS:
        raise Http404
    return STATIONS[slug]


@for_restaurant("view_orders")
def kitchen(request, restaurant, station=""):
    """The board (all of it, or one station's part). Open boards are told of every
    change by the board stream (ordering.staff.stream) and fetch the columns then;
    board.js polls slowly when the stream is away (twice a second without a stream)."""
    station = _station(station)
    context = _columns_context(request, restaurant, station)
    context["stations"] = STATIONS.values()
    context["busy_notice"] = pace(restaurant).notice()
    context["stream_url"] = f"{settings.BOARD_STREAM_URL}{restaurant.pk}/" if settings.BOARD_STREAM_URL else ""
    response = render(request, "ordering/staff/kitchen.html", context)
    stream = urlsplit(settings.BOARD_STREAM_URL)
    if stream.netloc:  # another origin (tests, local development): the page may connect to it
        response._csp_replace = {"connect-src": [SELF, f"{stream.scheme}://{stream.netloc}"]}
    return response


def lateness(order, now):
    """The colour class of a ticket whose promise is near or past ("" otherwise)."""
    if order.status not in LATE_COLUMNS or order.promised_at is None:
        return ""
    minutes = (now - order.promised_at).total_seconds() / 60
    return next((css for threshold, css in LATENESS if minutes >= threshold), "")


def _category_of(line):
    return line.size.product.category if line.size else None


def _category_order(line):
    category = _category_of(line)
    return (category.sort_order, category.name) if category else (0, "")


def _columns_context(request, restaurant, station=BOARD):
    orders = list(_board_orders(restaurant, station.statuses))
    may_cook = can(request.user, "kitchen", restaurant)
    may_hand_over = can(request.user, "counter", restaurant)
    now = timezone.now()
    shown = []
    # Customised pizzas: their adjusted recipes ("sans olives, + chorizo"), for all the board at once.
    adjusted = adjusted_recipe_rows(line.options_key for order in orders for line in order.lines.all())
    for order in orders:
        order.shown_lines = [line for line in map(mark_lines, order.lines.all()) if station.shows(line)]
        for line in order.shown_lines:
            line.recipe = (
                adjusted.get(line.options_key, [])
                if line.options_key
                else [(r.quantity, r.ingredient) for r in line.size.recipe_lines.all()]
                if line.size
                else []
            )
        if not order.shown_lines:
            continue
        if station.by_category:
            by_category = sorted(order.shown_lines, key=_category_order)
            order.line_groups = [(category, list(lines)) for category, lines in groupby(by_category, key=_category_of)]
        order.ticket_version = f"{order.updated_at.timestamp():.6f}"
        order.promised_at = order.requested_for or order.estimated_ready_at
        order.lateness = lateness(order, now)
        order.next_step = None
        if not station.moves:
            pass
        elif order.status in NEXT_STEP and may_cook:
            order.next_step = NEXT_STEP[order.status]
        elif order.status == Status.READY and order.fulfilment == Fulfilment.PICKUP and may_hand_over:
            order.next_step = (Status.COLLECTED, _("Handed over"))
        shown.append(order)
    columns = [(status, Status(status).label, [o for o in shown if o.status == status]) for status in station.statuses]
    context = {
        "restaurant": restaurant,
        "columns": columns,
        "version": board_version.current(restaurant.pk),
        "station": station,
    }
    if station.totals:
        context["to_prepare"] = to_prepare(restaurant, now)
    return context


@for_restaurant("view_orders")
def kitchen_columns(request, restaurant, station=""):
    """The columns' HTML, which an open board fetches when the stream announces a
    new version (or on its slow poll): 204 while nothing changed (one Redis read
    after the login and permission checks, no order read). Each ticket carries its
    order's id and version: board.js redraws only the tickets that changed."""
    station = _station(station)
    remember_pass(request)  # the checks passed: the next unchanged polls cost no query (polls.py)
    current = board_version.current(restaurant.pk)
    if current is not None and request.GET.get("v") == str(current):
        return HttpResponse(status=204)
    response = render(request, "ordering/staff/kitchen_columns.html", _columns_context(request, restaurant, station))
    response["X-Board-Version"] = "" if current is None else str(current)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def move_order(request, order_id):
    """One tap: moves an order to the given next status, if this person may.
    The services lock, re-check and write all or nothing; this view only parses and answers."""
    order = get_object_or_404(Order.objects.select_related("restaurant"), pk=order_id)
    target = request.POST.get("status", "")
    if target not in Status.values:
        return HttpResponse(status=400)
    if not can(request.user, "view_orders", order.restaurant) or not can_move(request.user, order, target):
        return forbidden()
    try:
        if target == Status.OUT_FOR_DELIVERY:
            take_delivery(order, request.user)
        elif target in (Status.DELIVERED, Status.COLLECTED):
            if target != (Status.DELIVERED if order.is_delivery else Status.COLLECTED):
                raise TransitionNotAllowed(_("This order is not handed over that way."))
            # A courier hands over only the deliveries they took; a manager any.
            only_courier = None if manages(request.user, order.restaurant) else request.user
            hand_over(order, request.user, request.POST.get("collected_with", ""), only_courier=only_courier)
        else:
            transition(order, target, by=request.user)
    except NotYourDelivery as error:
        if request.headers.get("Accept") == "application/json":
            return JsonResponse({"error": str(error)}, status=403)
        return forbidden()
    except (TransitionNotAllowed, OrderError) as error:
        if request.headers.get("Accept") == "application/json":
            return JsonResponse({"error": str(error)}, status=409)
        messages.error(request, str(error))
    if request.headers.get("Accept") == "application/json":
        return JsonResponse({"status": Order.objects.get(pk=order.pk).status})
    back = request.POST.get("next", "")
    return redirect(
        back if back.startswith("/admin/") else reverse("ordering_staff:kitchen", args=[order.restaurant_id])
    )


def delivery_index(request):
    return _choose_restaurant(request, "ordering_staff:delivery", "deliver")


def _delivery_context(request, restaurant, version):
    orders = _board_orders(restaurant, [Status.READY, Status.OUT_FOR_DELIVERY]).filter(fulfilment=Fulfilment.DELIVERY)
    waiting = [o for o in orders if o.status == Status.READY]
    mine = [o for o in orders if o.status == Status.OUT_FOR_DELIVERY and o.courier_id == request.user.pk]
    others = [o for o in orders if o.status == Status.OUT_FOR_DELIVERY and o.courier_id != request.user.pk]
    return {
        "restaurant": restaurant,
        "waiting": waiting,
        "mine": mine,
        "others": others,
        "may_hand_over_others": manages(request.user, restaurant),
        "version": version,
    }


@for_restaurant("deliver")
def delivery(request, restaurant):
    version = board_version.current(
        restaurant.pk
    )  # read before the orders: a change in between is seen by the next poll
    return render(request, "ordering/staff/delivery.html", _delivery_context(request, restaurant, version))


@for_restaurant("deliver")
def delivery_list(request, restaurant):
    """What an open delivery screen polls: 204 while the restaurant's board version is
    unchanged (no order read), the lists' HTML otherwise."""
    remember_pass(request)
    current = board_version.current(restaurant.pk)
    if current is not None and request.GET.get("v") == str(current):
        return HttpResponse(status=204)
    response = render(request, "ordering/staff/delivery_list.html", _delivery_context(request, restaurant, current))
    response["X-Board-Version"] = "" if current is None else str(current)
    response["Cache-Control"] = "no-store"
    return response


@for_restaurant("stock")
def stock(request, restaurant):
    """Levels, restocking, adjustments and thresholds, and what can still be made."""
    stocks = Stock.objects.filter(restaurant=restaurant).select_related("ingredient").order_by("ingredient__name")
    forms = {
        "restock": RestockForm(prefix="restock", stocks=stocks),
        "adjust": AdjustmentForm(prefix="adjust", stocks=stocks),
        "threshold": ThresholdForm(prefix="threshold", stocks=stocks),
    }
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        form_class = {"restock": RestockForm, "adjust": AdjustmentForm, "threshold": ThresholdForm}.get(action)
        if form_class is None:
            return HttpResponse(status=400)
        form = forms[action] = form_class(request.POST, prefix=action, stocks=stocks)
        if form.is_valid() and _apply_stock_form(request, action, form.cleaned_data):
            return redirect(request.path)
        status = 400
    sizes = [size for size, _price in restaurant.priced_menu_sizes()]
    counts = makeable_counts(restaurant, [size.pk for size in sizes])
    makeable = [(size.product, size, counts.get(size.pk)) for size in sizes]
    return render(
        request,
        "ordering/staff/stock.html",
        {
            "restaurant": restaurant,
            "stocks": stocks,
            "forms": forms,
            "makeable": makeable,
        },
        status=status,
    )


def _apply_stock_form(request, action, data):
    stock = data["stock"]
    try:
        if action == "restock":
            record_movement(stock, data["quantity"], StockMovement.Reason.RESTOCK, request.user, data["note"])
        elif action == "adjust" and data["reason"] == StockMovement.Reason.WASTE:
            record_movement(stock, -data["quantity"], StockMovement.Reason.WASTE, request.user, data["note"])
        elif action == "adjust":
            record_movement(
                stock, 0, StockMovement.Reason.INVENTORY, request.user, data["note"], set_level=data["quantity"]
            )
        else:
            Stock.objects.filter(pk=stock.pk).update(low_threshold=data["low_threshold"])
    except OrderError as error:
        messages.error(request, str(error))
        return False
    messages.success(request, _("Stock of %(ingredient)s updated.") % {"ingredient": stock.ingredient.name})
    return True


@for_restaurant("view_orders")
def recipe_sheet(request, restaurant):
    """The printable recipe reminder: every product of the menu the kitchen makes, per size.
    Made means it has preparation steps, or a recipe of more than one ingredient: a can
    or a dessert portion (one ingredient, itself) has nothing to remind."""
    products = [item.product for item in restaurant.published_menu_items()]
    size_ids = [size.pk for product in products for size in product.sizes.all()]
    lines = {}
    for line in (
        RecipeLine.objects.filter(size_id__in=size_ids).select_related("ingredient").order_by("ingredient__name")
    ):
        lines.setdefault(line.size_id, []).append(line)
    steps = {s.product_id: s for s in RecipeSteps.objects.filter(product__in=products)}
    sheet = [
        (product, [(size, lines.get(size.pk, [])) for size in product.sizes.all()], steps.get(product.pk))
        for product in products
        if product.pk in steps or any(len(lines.get(size.pk, [])) > 1 for size in product.sizes.all())
    ]
    return render(
        request,
        "ordering/staff/recipes.html",
        {"restaurant": restaurant, "sheet": sheet, "options": option_recipes(products)},
    )


def option_recipes(products):
    """[(option, [OptionRecipeLine])] of the options these products offer: what each adds or takes out."""
    offered = OptionGroup.products.through.objects.filter(product__in=products).values("optiongroup_id")
    rows = (
        OptionRecipeLine.objects.filter(option__group_id__in=offered)
        .select_related("option__group", "ingredient")
        .order_by(
            "option__group__sort_order", "option__group__name", "option__sort_order", "option_id", "size_label", "pk"
        )
    )
    return [(option, list(lines)) for option, lines in groupby(rows, key=lambda row: row.option)]


@for_restaurant("counter")
def new_order(request, restaurant):
    """A phone or counter order: same rules as the website (menu prices, stock, hours, area)."""
    menu_sizes = restaurant.priced_menu_sizes()
    form = StaffOrderForm(
        request.POST or None,
        restaurant=restaurant,
        menu_sizes=menu_sizes,
        catalogue=OptionCatalogue({size.product_id for size, _price in menu_sizes}),
        issued_keys=IssuedCheckoutKeys(request.session),
    )
    if request.method == "POST" and form.is_valid():
        quantities = form.quantities()
        details = form.order_details(channel=form.cleaned_data["channel"])
        try:
            order = place_order(
                restaurant, quantities, details, checkout_key=form.cleaned_data["checkout_key"], by=request.user
            )
        except SlotFull as error:
            form.offer_next_free(error)
        except OrderError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Order %(number)s is placed.") % {"number": order.number})
            return redirect("ordering_staff:kitchen", restaurant.pk)
    rows = form.quantity_rows(makeable_counts(restaurant, [size.pk for size, _price in menu_sizes]))
    return render(
        request,
        "ordering/staff/new_order.html",
        {"restaurant": restaurant, "form": form, "rows": rows},
        status=400 if form.is_bound else 200,
    )
