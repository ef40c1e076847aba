"""The customer's account: signing up and logging in with an e-mail address, past
orders, and ordering one again in one tap."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import (
    LoginView,
    PasswordResetConfirmView,
    PasswordResetDoneView,
    PasswordResetView,
    redirect_to_login,
)
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited

from accounts import NextPathOnlyMixin
from client_address import client_address
from offers.services import card_of as stamp_card_of

from .customers import CustomerLoginForm, CustomerPasswordResetForm, CustomerSetPasswordForm, SignupForm
from .exceptions import OrderError
from .models import Order
from .pricing import parse_id
from .privacy import OrderInProgress, customer_data
from .privacy import delete_account as delete_account_of
from .reorder import reorder as reorder_of
from .workflow import FINISHED

MY_ORDERS_SHOWN = 50


def _next_path(request):
    """Where to go once signed in: a path of this site from ?next=, else "" (the caller's default)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = (
        target.startswith("/")
        and target.isprintable()
        and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    )
    return target if safe else ""


def _address(group, request):
    return client_address(request)


def _too_many(request, what, rate):
    """Counts one more account creation or reset e-mail from this client address (django-ratelimit);
    True past the rate: the page says so (429) and nothing is created or sent."""
    return is_ratelimited(request, group=f"accounts-{what}", key=_address, rate=rate, increment=True)


def _too_many_page(request):
    return render(request, "ordering/too_many_attempts.html", status=429)


def signup(request):
    if request.user.is_authenticated:  # already in: where they were going, or their orders
        return redirect(_next_path(request) or "ordering:my_orders")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _too_many(request, "signup", settings.SIGNUP_RATE_PER_ADDRESS):
            return _too_many_page(request)
        user = form.save()
        if user is not None:
            login(request, user, backend="accounts.EmailBackend")
            messages.success(request, _("Welcome! Your account is created."))
            return redirect(_next_path(request) or "ordering:my_orders")
    return render(
        request,
        "ordering/signup.html",
        {"form": form, "next": _next_path(request)},
        status=400 if form.is_bound else 200,
    )


class CustomerLoginView(NextPathOnlyMixin, LoginView):
    template_name = "ordering/login.html"
    form_class = CustomerLoginForm
    redirect_authenticated_user = True
    next_page = "ordering:my_orders"  # without ?next=, the customer's orders (not Django's /accounts/profile/)

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


@login_required(login_url="ordering:login")
def my_orders(request):
    orders = list(
        Order.objects.filter(customer=request.user)
        .select_related("restaurant")
        .prefetch_related("lines")[:MY_ORDERS_SHOWN]
    )
    today = timezone.localdate()
    for order in orders:
        order.in_progress = order.status not in FINISHED
        order.when = _when(timezone.localtime(order.created_at), today)
    return render(
        request,
        "ordering/my_orders.html",
        {
            "last": orders[0] if orders else None,
            "earlier": orders[1:],
            "stamp_card": stamp_card_of(request.user),
        },
    )


class CustomerPasswordResetView(PasswordResetView):
    """ "Forgot your password?": a link by e-mail to choose a new one (Django's signed,
    single-use, time-limited token), to the account of that address only."""

    template_name = "ordering/password_reset.html"
    form_class = CustomerPasswordResetForm
    email_template_name = "ordering/email/password_reset.txt"
    subject_template_name = "ordering/email/password_reset_subject.txt"
    success_url = reverse_lazy("ordering:password_reset_done")

    @property
    def extra_email_context(self):
        return {"site_url": settings.SITE_URL.rstrip("/")}  # the public site, as in the order e-mails

    def form_valid(self, form):
        if _too_many(self.request, "password-reset", settings.PASSWORD_RESET_RATE_PER_ADDRESS):
            return _too_many_page(self.request)
        return super().form_valid(form)

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class CustomerPasswordResetDoneView(PasswordResetDoneView):
    template_name = "ordering/password_reset_done.html"


class CustomerPasswordResetConfirmView(PasswordResetConfirmView):
    template_name = "ordering/password_reset_confirm.html"
    form_class = CustomerSetPasswordForm
    post_reset_login = True
    post_reset_login_backend = "accounts.EmailBackend"
    success_url = reverse_lazy("ordering:my_orders")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your new password is saved. You are logged in."))
        return response

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


def _when(moment, today):
    """ "Aujourd'hui · 19:42", "Hier · 12:05", "Vendredi 27 novembre · 20:10", "27 novembre 2025 · 19:30"."""
    days = (today - moment.date()).days
    if days == 0:
        day = _("Today")
    elif days == 1:
        day = _("Yesterday")
    else:
        day = date_format(moment, "l j F" if moment.year == today.year else "j F Y")
    return f"{capfirst(day)} · {date_format(moment, 'H:i')}"


@require_POST
def reorder(request, order_id):
    """Puts a past order of this customer back in the cart, checked against today's
    menu, prices and stock, and says what changed. Another customer's order: 404."""
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("ordering:my_orders"), "ordering:login")
    pk = parse_id(order_id)
    if pk is None:
        return render(
            request, "ordering/bad_request.html", {"message": _("This order number is not valid.")}, status=400
        )
    order = get_object_or_404(Order.objects.select_related("restaurant"), pk=pk, customer=request.user)
    try:
        again = reorder_of(order)
    except OrderError as error:
        messages.error(request, str(error))
        return redirect("ordering:my_orders")
    where = {"date": again.when, "restaurant": order.restaurant.title}
    if not again.count:
        messages.error(
            request, _("Nothing from your order of %(date)s at %(restaurant)s can be ordered today:") % where
        )
        for change in again.changes:
            messages.error(request, change)
        return redirect("ordering:my_orders")
    replaced = again.apply_to(request.session)
    if again.changes:
        messages.info(
            request, _("Your order of %(date)s at %(restaurant)s is in your cart. What changed since:") % where
        )
        for change in again.changes:
            messages.warning(request, change)
    else:
        messages.success(
            request, _("Your order of %(date)s at %(restaurant)s is in your cart, at the same prices.") % where
        )
    if replaced:
        messages.info(request, _("It replaces what your cart held before."))
    return redirect("ordering:cart")


@login_required(login_url="ordering:login")
def my_data(request):
    """Everything we hold about this customer (account, saved addresses, their orders), as JSON."""
    response = JsonResponse(customer_data(request.user), json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = 'attachment; filename="mes-donnees-ocpizza.json"'
    response["Cache-Control"] = "no-store"
    return response


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Your password, to confirm"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, data, *, user):
        super().__init__(data)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if "\x00" in password or not self.user.check_password(password):
            raise forms.ValidationError(_("This is not your password."))
        return password


@login_required(login_url="ordering:login")
def delete_account(request):
    """Deletes the customer's account once they confirm with their password: saved addresses go,
    orders stay (for the restaurant's books) with their personal data blanked (ordering.privacy).
    Staff accounts are the administrators' to delete."""
    user = request.user
    if user.is_staff or hasattr(user, "staff"):
        return render(
            request,
            "ordering/bad_request.html",
            {"message": _("Staff accounts are deleted by an administrator.")},
            status=403,
        )
    form = DeleteAccountForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            delete_account_of(user)
        except OrderInProgress:
            form.add_error(
                None, _("One of your orders is still in progress: you can delete your account once it is handed over.")
            )
        else:
            logout(request)
            messages.success(request, _("Your account is deleted. Your orders no longer carry your name or address."))
            return redirect("/")
    return render(request, "ordering/delete_account.html", {"form": form}, status=400 if form.is_bound else 200)
