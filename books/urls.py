from django.urls import path, register_converter

from . import views

app_name = "books"


class TokenConverter:
    """A tracking token (URL-safe base64); anything else never reaches the database."""

    regex = "[A-Za-z0-9_-]{1,64}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(TokenConverter, "receipt_token")

urlpatterns = [
    path("compte/<str:order_id>/", views.account_receipt, name="account_receipt"),
    path("compte/<str:order_id>/pdf/", views.account_receipt, {"as_pdf": True}, name="account_receipt_pdf"),
    path("<receipt_token:token>/", views.receipt, name="receipt"),
    path("<receipt_token:token>/pdf/", views.receipt, {"as_pdf": True}, name="receipt_pdf"),
    path("<receipt_token:token>/facture/", views.invoice, name="invoice"),
    path("<receipt_token:token>/facture/pdf/", views.invoice, {"as_pdf": True}, name="invoice_pdf"),
]
