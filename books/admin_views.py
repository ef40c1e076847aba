"""The books in the Wagtail admin: closures (Z reports), the tax authority's archive and
the accountant's sales export. Managers see and close their restaurants' books; head
office reads and exports every restaurant's (ordering.staff.permissions: "dashboard").
Only declared parameters are read; anything else is a 400 that changes nothing."""

from datetime import date
from functools import wraps

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from home.models import RestaurantPage
from ordering.pricing import parse_id
from ordering.staff.permissions import can, manages, restaurants_for

from . import closures, exports, journal
from .exceptions import ClosureError
from .forms import CloseDayForm, CloseMonthForm, PeriodForm
from .models import Closure

READ = "dashboard"  # managers of the restaurant and head office


def _plain(message, status):
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def _forbidden():
    return _plain(_("You may not see the books of this restaurant."), 403)


def _only(request, declared):
    """A 400 if the request carries a query parameter not declared, else None."""
    extra = set(request.GET) - set(declared)
    if extra:
        return _plain(_("Unknown parameter."), 400)
    return None


def for_books(view):
    @wraps(view)
    def wrapped(request, restaurant_id, *args, **kwargs):
        restaurant = get_object_or_404(RestaurantPage, pk=restaurant_id)
        if not can(request.user, READ, restaurant):
            return _forbidden()
        return view(request, restaurant, *args, **kwargs)

    return wrapped


def visible_restaurants(user):
    return [r for r in restaurants_for(user).order_by("title") if can(user, READ, r)]


@require_GET
def index(request):
    if bad := _only(request, ()):
        return bad
    restaurants = visible_restaurants(request.user)
    if not restaurants:
        raise Http404
    today = timezone.localdate()
    return render(
        request,
        "books/admin/index.html",
        {"restaurants": restaurants, "export_form": PeriodForm(initial={"start": today.replace(day=1), "end": today})},
    )


@require_GET
@for_books
def restaurant_books(request, restaurant):
    if bad := _only(request, ()):
        return bad
    today = timezone.localdate()
    yesterday = date.fromordinal(today.toordinal() - 1)
    last_month = yesterday.replace(day=1) if today.day == 1 else date.fromordinal(today.replace(day=1).toordinal() - 1)
    return render(
        request,
        "books/admin/restaurant.html",
        {
            "restaurant": restaurant,
            "closures": Closure.objects.filter(restaurant_id=restaurant.pk)[:62],
            "may_close": manages(request.user, restaurant),
            "day_form": CloseDayForm(initial={"day": yesterday}),
            "month_form": CloseMonthForm(initial={"month": f"{last_month:%Y-%m}"}),
            "period_form": PeriodForm(initial={"start": today.replace(day=1), "end": today}),
        },
    )


def _closing(view):
    """Closing is the restaurant's manager's (or an administrator's), by POST."""

    @require_POST
    @for_books
    @wraps(view)
    def wrapped(request, restaurant):
        if not manages(request.user, restaurant):
            return _forbidden()
        try:
            closure = view(request, restaurant)
        except ClosureError as error:
            return _plain(str(error), 400)
        if isinstance(closure, HttpResponse):
            return closure
        messages.success(request, _("Closed: %(period)s.") % {"period": closure})
        return redirect("books_admin:restaurant", restaurant.pk)

    return wrapped


@_closing
def close_day(request, restaurant):
    form = CloseDayForm(request.POST)
    if not form.is_valid():
        return _plain(_("Give a day and the cash counted."), 400)
    cash = closures.parse_cash(form.cleaned_data["cash_counted"])
    return closures.close_day(restaurant, form.cleaned_data["day"], cash_counted=cash, by=request.user)


@_closing
def close_month(request, restaurant):
    form = CloseMonthForm(request.POST)
    if not form.is_valid():
        return _plain(_("Give a month as YYYY-MM."), 400)
    year, month = (int(part) for part in form.cleaned_data["month"].split("-"))
    return closures.close_month(restaurant, year, month, by=request.user)


def _period(request):
    if _only(request, ("start", "end")):
        return None
    form = PeriodForm(request.GET)
    return (form.cleaned_data["start"], form.cleaned_data["end"]) if form.is_valid() else None


@require_GET
@for_books
def archive(request, restaurant):
    """The signed archive of the journal and closures for the tax authority."""
    period = _period(request)
    if period is None:
        return _plain(_("Give a period (from, to) of at most 400 days."), 400)
    filename, data = exports.build_archive(restaurant, *period)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def sales_export(request):
    """The accountant's CSV: every restaurant this person may read, or one (?restaurant=id)."""
    if bad := _only(request, ("start", "end", "restaurant")):
        return bad
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return _plain(_("Give a period (from, to) of at most 400 days."), 400)
    restaurants = visible_restaurants(request.user)
    if "restaurant" in request.GET:
        wanted = parse_id(request.GET["restaurant"])
        if wanted is None:
            return _plain(_("Unknown restaurant."), 400)
        restaurants = [r for r in restaurants if r.pk == wanted]
        if not restaurants:
            return _forbidden()
    if not restaurants:
        raise Http404
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    response = HttpResponse(exports.sales_csv(restaurants, start, end), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ventes-{start:%Y%m%d}-{end:%Y%m%d}.csv"'
    return response


@require_GET
@for_books
def verify(request, restaurant):
    """Checks the restaurant's chain now (what the books_verify command does)."""
    if bad := _only(request, ()):
        return bad
    broken = journal.verify({restaurant.pk})
    if broken:
        messages.error(request, _("The journal is broken: %(where)s") % {"where": broken[0]}, extra_tags="chain-broken")
    else:
        messages.success(request, _("The journal's chain is intact."), extra_tags="chain-intact")
    return redirect("books_admin:restaurant", restaurant.pk)
