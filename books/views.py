"""Customers' receipts and invoices: by the tracking token's holder or the order's
owner (logged in), of paid orders only; anyone else gets a 404, input no page of
ours sends gets a 400 and changes nothing."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ordering.models import Order
from ordering.pricing import parse_id

from . import receipts
from .forms import InvoiceForm
from .models import Invoice


def _bad_request(request, message):
    return render(request, "ordering/bad_request.html", {"message": message}, status=400)


def _no_query(view):
    """These pages take no query string: one is input no page of ours sends (400)."""

    def checked(request, *args, **kwargs):
        if request.GET:
            return _bad_request(request, _("This page takes no parameters."))
        return view(request, *args, **kwargs)

    checked.__name__ = view.__name__
    return checked


def _by_token(token):
    order = Order.objects.select_related("restaurant").filter(tracking_token=token).first()
    if order is None or not receipts.has_receipt(order):
        raise Http404(_("No receipt here."))
    return order


def _by_owner(request, order_id):
    pk = parse_id(order_id)
    if pk is None:
        return None
    order = get_object_or_404(Order.objects.select_related("restaurant"), pk=pk, customer=request.user)
    if not receipts.has_receipt(order):
        raise Http404(_("No receipt here."))
    return order


def _invoice_of(order):
    return Invoice.objects.filter(order=order).first()


def _respond(request, order, as_pdf, invoice=None, invoice_form=None, invoice_url=None):
    receipt = receipts.receipt_for(order, invoice=invoice)
    if as_pdf:
        name = f"{'facture' if invoice else 'recu'}-{order.number}.pdf"
        response = HttpResponse(receipts.render_pdf(receipt), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "private, no-store"
        return response
    response = render(
        request,
        "books/receipt.html",
        {"receipt": receipt, "order": order, "invoice_form": invoice_form, "invoice_url": invoice_url},
    )
    response["Cache-Control"] = "private, no-store"
    return response


@_no_query
@require_http_methods(["GET", "HEAD"])
def receipt(request, token, as_pdf=False):
    order = _by_token(token)
    return _respond(request, order, as_pdf)


@_no_query
@require_http_methods(["GET", "HEAD", "POST"])
def invoice(request, token, as_pdf=False):
    """The invoice: the company details are asked once (POST), then it is shown."""
    order = _by_token(token)
    existing = _invoice_of(order)
    if existing is None:
        form = InvoiceForm(request.POST if request.method == "POST" else None)
        if request.method == "POST":
            if not form.is_valid():
                return _bad_request(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
            receipts.request_invoice(order, **form.cleaned_data)
            return redirect("books:invoice", token=token)
        if as_pdf:
            raise Http404(_("No invoice yet."))
        return _respond(request, order, False, invoice_form=form)
    if request.method == "POST":
        return redirect("books:invoice", token=token)
    return _respond(request, order, as_pdf, invoice=existing)


@_no_query
@login_required(login_url="ordering:login")
@require_http_methods(["GET", "HEAD"])
def account_receipt(request, order_id, as_pdf=False):
    order = _by_owner(request, order_id)
    if order is None:
        return _bad_request(request, _("This order number is not valid."))
    return _respond(request, order, as_pdf, invoice=_invoice_of(order))
