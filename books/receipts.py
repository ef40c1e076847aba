"""Receipts and invoices of paid orders: what they say (one `Receipt` for the HTML
and the PDF) and the PDF itself (fpdf2, pure Python, its core fonts in Windows-1252)."""

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.money import format_euros

from . import vat
from .exceptions import BooksError
from .models import Invoice, LegalDetails

RECEIPT_STATES = ("paid", "refunded")  # Order.PaymentState values that had a payment


def has_receipt(order):
    return order.payment_state in RECEIPT_STATES


def payment_label(order):
    if order.payment_method == "paypal":
        return _("PayPal (online)")
    return {"cash": _("Cash"), "card": _("Card")}.get(order.collected_with, _("On delivery / at the counter"))


@dataclass
class Receipt:
    order: object
    legal: object
    lines: list
    vat_rows: list  # (rate, net, vat, gross)
    payment: str
    invoice: object = None
    title: str = ""
    notes: list = field(default_factory=list)


def receipt_for(order, invoice=None):
    lines = list(order.lines.all())
    rows = [
        (rate, amounts["net"], amounts["vat"], amounts["gross"])
        for rate, amounts in vat.breakdown(vat.order_items(order)).items()
    ]
    notes = []
    if order.payment_state == "refunded":
        notes.append(_("This order was refunded."))
    if order.status == "cancelled":
        notes.append(_("This order was cancelled."))
    title = (
        _("Invoice %(number)s") % {"number": invoice.number}
        if invoice
        else _("Receipt for order %(number)s") % {"number": order.number}
    )
    return Receipt(
        order=order,
        legal=LegalDetails.load(),
        lines=lines,
        vat_rows=rows,
        payment=payment_label(order),
        invoice=invoice,
        title=title,
        notes=notes,
    )


def request_invoice(order, company_name, company_address, company_vat_number=""):
    """The order's invoice with the customer's company details, made once (a second request returns it)."""
    if not has_receipt(order):
        raise BooksError(_("An invoice is made for a paid order."))
    try:
        with transaction.atomic():
            invoice, _created = Invoice.objects.get_or_create(
                order=order,
                defaults={
                    "number": f"F-{order.number}",
                    "company_name": company_name,
                    "company_address": company_address,
                    "company_vat_number": company_vat_number,
                },
            )
    except IntegrityError:  # two requests at once: the other one made it
        invoice = Invoice.objects.get(order=order)
    return invoice


# -- PDF ----------------------------------------------------------------------


def _text(value):
    """What the PDF core fonts can print (Windows-1252: accents and € included)."""
    text = str(value).replace("\u202f", " ").replace("\u00a0", " ")
    return text.encode("cp1252", errors="replace").decode("cp1252")


def render_pdf(receipt: Receipt) -> bytes:
    from fpdf import FPDF  # imported when a PDF is asked for: it is not light

    order, legal = receipt.order, receipt.legal
    pdf = FPDF(format="A4")
    pdf.core_fonts_encoding = "windows-1252"  # the € sign
    pdf.set_compression(False)  # a page of text: small anyway, and its text stays searchable
    pdf.set_creator("OC Pizza")
    pdf.set_title(_text(receipt.title))
    pdf.set_creation_date(order.created_at)
    pdf.add_page()
    pdf.set_auto_page_break(auto=True, margin=15)

    def line(text="", size=10, style="", align="L", height=5):
        pdf.set_font("Helvetica", style=style, size=size)
        pdf.multi_cell(0, height, _text(text), align=align, new_x="LMARGIN", new_y="NEXT")

    line(legal.company_name, size=14, style="B")
    for part in (
        legal.address,
        f"SIRET {legal.siret}" if legal.siret else "",
        _("VAT number") + f" {legal.vat_number}",
    ):
        if part.strip():
            line(part, size=9)
    restaurant = order.restaurant
    line(f"{restaurant.title} - {restaurant.street_address}, {restaurant.postcode} {restaurant.city}", size=9)
    pdf.ln(4)
    line(receipt.title, size=13, style="B")
    placed = timezone.localtime(order.created_at)
    line(
        _("Order %(number)s, %(date)s, %(channel)s, %(fulfilment)s")
        % {
            "number": order.number,
            "date": placed.strftime("%d/%m/%Y %H:%M"),
            "channel": order.get_channel_display(),
            "fulfilment": order.get_fulfilment_display(),
        },
        size=9,
    )
    if receipt.invoice:
        invoice = receipt.invoice
        pdf.ln(2)
        line(_("Billed to"), style="B")
        for part in (invoice.company_name, invoice.company_address):
            line(part, size=9)
        if invoice.company_vat_number:
            line(_("VAT number") + f" {invoice.company_vat_number}", size=9)
    pdf.ln(4)

    widths = (90, 25, 20, 25, 30)

    def row(cells, style=""):
        pdf.set_font("Helvetica", style=style, size=9)
        for width, (text, align) in zip(widths, cells, strict=True):
            pdf.cell(width, 6, _text(text), border="B", align=align)
        pdf.ln()

    row(
        [
            (_("Item"), "L"),
            (_("Unit price"), "R"),
            (_("Qty"), "R"),
            (_("VAT"), "R"),
            (_("Total incl. VAT"), "R"),
        ],
        style="B",
    )
    for item in receipt.lines:
        rate = vat.rate_label(item.vat_rate) if item.vat_rate is not None else ""
        row(
            [
                (f"{item.product_name} {item.size_label}".strip(), "L"),
                (format_euros(item.unit_price), "R"),
                (str(item.quantity), "R"),
                (rate, "R"),
                (format_euros(item.line_total), "R"),
            ]
        )
    if order.delivery_fee:
        rate = vat.rate_label(order.delivery_vat_rate) if order.delivery_vat_rate is not None else ""
        row([(_("Delivery fee"), "L"), ("", "R"), ("1", "R"), (rate, "R"), (format_euros(order.delivery_fee), "R")])
    for discount in order.discounts.all():
        row([(discount.label, "L"), ("", "R"), ("", "R"), ("", "R"), ("-" + format_euros(discount.amount), "R")])
    row([(_("Total"), "L"), ("", "R"), ("", "R"), ("", "R"), (format_euros(order.total), "R")], style="B")
    pdf.ln(4)
    widths = (40, 40, 40, 40, 30)
    row(
        [(_("VAT rate"), "L"), (_("Excl. VAT"), "R"), (_("VAT"), "R"), (_("Incl. VAT"), "R"), ("", "R")],
        style="B",
    )
    for rate, net, tax, gross in receipt.vat_rows:
        row(
            [
                (f"{rate} %", "L"),
                (format_euros(net), "R"),
                (format_euros(tax), "R"),
                (format_euros(gross), "R"),
                ("", "R"),
            ]
        )
    pdf.ln(4)
    line(_("Payment") + f" : {receipt.payment}")
    for note in receipt.notes:
        line(note, style="B")
    return bytes(pdf.output())
