"""The customer's account: signing up and logging in with an e-mail address, past
orders, and ordering one again in one tap."""

from accounts import NextPathOnlyMixin
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView, redirect_to_login
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .customers import CustomerLoginForm, SignupForm
from .models import Order
from .pricing import OrderError, parse_id
from .reorder import reorder as reorder_of
from .workflow import FINISHED

MY_ORDERS_SHOWN = 50


def _next_path(request):
    """Where to go once signed in: a path of this site from ?next=, else the customer's orders."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = (target.startswith("/") and target.isprintable()
            and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}))
    return target if safe else ""


def signup(request):
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        if user is not None:
            login(request, user, backend="accounts.EmailBackend")
            messages.success(request, _("Welcome! Your account is created."))
            return redirect(_next_path(request) or "ordering:my_orders")
    return render(request, "ordering/signup.html", {"form": form, "next": _next_path(request)},
                  status=400 if form.is_bound else 200)


class CustomerLoginView(NextPathOnlyMixin, LoginView):
    template_name = "ordering/login.html"
    form_class = CustomerLoginForm
    next_page = "ordering:my_orders"  # without ?next=, the customer's orders (not Django's /accounts/profile/)

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


@login_required(login_url="ordering:login")
def my_orders(request):
    orders = list(Order.objects.filter(customer=request.user).select_related("restaurant")
                  .prefetch_related("lines")[:MY_ORDERS_SHOWN])
    for order in orders:
        order.in_progress = order.status not in FINISHED
    return render(request, "ordering/my_orders.html", {
        "last": orders[0] if orders else None, "earlier": orders[1:],
    })


@require_POST
def reorder(request, order_id):
    """Puts a past order of this customer back in the cart, checked against today's
    menu, prices and stock, and says what changed. Another customer's order: 404."""
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("ordering:my_orders"), "ordering:login")
    pk = parse_id(order_id)
    if pk is None:
        return render(request, "ordering/bad_request.html", {"message": _("This order number is not valid.")}, status=400)
    order = get_object_or_404(Order.objects.select_related("restaurant"), pk=pk, customer=request.user)
    try:
        again = reorder_of(order)
    except OrderError as error:
        messages.error(request, str(error))
        return redirect("ordering:my_orders")
    where = {"date": again.when, "restaurant": order.restaurant.title}
    if not again.count:
        messages.error(request, _("Nothing from your order of %(date)s at %(restaurant)s can be ordered today:") % where)
        for change in again.changes:
            messages.error(request, change)
        return redirect("ordering:my_orders")
    replaced = again.apply_to(request.session)
    if again.changes:
        messages.info(request, _("Your order of %(date)s at %(restaurant)s is in your cart. What changed since:") % where)
        for change in again.changes:
            messages.warning(request, change)
    else:
        messages.success(request, _("Your order of %(date)s at %(restaurant)s is in your cart, at the same prices.") % where)
    if replaced:
        messages.info(request, _("It replaces what your cart held before."))
    return redirect("ordering:cart")
