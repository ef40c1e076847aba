"""VAT per category and fulfilment, stored per line at the time of sale; receipts and invoices."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from hypothesis import given
from hypothesis import strategies as st

from books import vat
from books.models import Invoice, LegalDetails, VatRate
from ordering.models import Order
from ordering.services import hand_over, place_order, transition
from ordering.workflow import Fulfilment, Status
from tests.books.helpers import delivery_details, details, on_site_order, paid_online_order
from tests.conftest import size_of, text_of

pytestmark = pytest.mark.django_db

RATES = st.sampled_from([Decimal("0"), Decimal("2.10"), Decimal("5.50"), Decimal("10.00"), Decimal("20.00")])
AMOUNTS = st.decimals(min_value=Decimal("-999.99"), max_value=Decimal("9999.99"), places=2)


@given(gross=AMOUNTS, rate=RATES)
def test_net_plus_vat_is_the_gross_and_vat_is_within_half_a_cent(gross, rate):
    split = vat.split(gross, rate)
    assert split.net + split.vat == split.gross == gross
    exact = gross * rate / (100 + rate)
    assert abs(split.vat - exact) <= Decimal("0.005")
    assert split.net.as_tuple().exponent == -2 and split.vat.as_tuple().exponent == -2


@given(items=st.lists(st.tuples(RATES, AMOUNTS), max_size=12))
def test_totals_per_rate_add_up_to_the_lines(items):
    lines = [(rate, vat.split(gross, rate)) for rate, gross in items]
    rows = vat.breakdown([(rate, s.net, s.vat) for rate, s in lines])
    assert sum((row["gross"] for row in rows.values()), Decimal("0")) == sum((g for _r, g in items), Decimal("0"))
    for key, row in rows.items():
        assert row["net"] + row["vat"] == row["gross"]
        assert row["gross"] == sum((s.gross for rate, s in lines if vat.rate_key(rate) == key), Decimal("0"))


def test_a_rate_out_of_range_is_refused():
    with pytest.raises(ValueError):
        vat.split(Decimal("10"), Decimal("-1"))


def test_rates_read_the_french_way():
    from django.utils import translation

    with translation.override("fr"):
        assert [vat.rate_label(Decimal(r)) for r in ("10.00", "5.50", "2.10", "20")] == [
            "10\u00a0%",
            "5,5\u00a0%",
            "2,1\u00a0%",
            "20\u00a0%",
        ]


def test_each_line_stores_its_rate_and_amounts_at_the_time_of_sale(bastille):
    pizzas = size_of("reine").product.category
    VatRate.objects.create(category=pizzas, fulfilment="", rate=Decimal("10.00"))
    VatRate.objects.create(category=pizzas, fulfilment=Fulfilment.DELIVERY, rate=Decimal("5.50"))
    pickup = place_order(bastille, {size_of("reine").pk: 1}, details())
    delivered = place_order(bastille, {size_of("reine").pk: 3}, delivery_details())
    line = pickup.lines.get()
    assert line.vat_rate == Decimal("10.00") and line.net_amount + line.vat_amount == line.line_total
    assert line.net_amount == (line.line_total / Decimal("1.1")).quantize(Decimal("0.01"))
    assert delivered.lines.get().vat_rate == Decimal("5.50")
    assert delivered.delivery_vat_rate == Decimal("10.00")  # the legal details' delivery rate
    assert delivered.delivery_net + delivered.delivery_vat == delivered.delivery_fee
    rows = vat.order_breakdown(delivered)
    assert set(rows) == {"5.50", "10.00"}
    assert sum(row["gross"] for row in rows.values()) == delivered.total
    # A rate changed afterwards leaves the sold lines as they were.
    VatRate.objects.filter(category=pizzas).update(rate=Decimal("20.00"))
    pickup.refresh_from_db()
    assert pickup.lines.get().vat_rate == Decimal("10.00")


def test_categories_without_a_rate_take_the_default_one(bastille):
    settings = LegalDetails.load()
    settings.default_vat_rate = Decimal("20.00")
    settings.save()
    order = on_site_order(bastille)
    assert order.lines.get().vat_rate == Decimal("20.00")


def paid_on_site(bastille, **kwargs):
    order = on_site_order(bastille, **kwargs)
    for status in (Status.IN_PREPARATION, Status.READY):
        transition(order, status)
    hand_over(order, by=None, collected_with="cash")
    order.refresh_from_db()
    return order


@pytest.fixture
def legal(db):
    settings = LegalDetails.load()
    settings.company_name = "OC Pizza SAS"
    settings.siret = "12345678900012"
    settings.vat_number = "FR32123456789"
    settings.address = "1 rue de la Roquette, 75011 Paris"
    settings.save()
    return settings


def test_the_receipt_shows_legal_details_vat_per_rate_and_payment(client, bastille, legal):
    order = paid_on_site(bastille)
    page = client.get(f"/recus/{order.tracking_token}/")
    assert page.status_code == 200
    text = text_of(page)
    for expected in ("OC Pizza SAS", "SIRET 12345678900012", "FR32123456789", order.number, "10\u00a0%", "Espèces"):
        assert expected in text, expected
    line = order.lines.get()
    assert f"{line.vat_amount}".replace(".", ",") in text
    pdf = client.get(f"/recus/{order.tracking_token}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-") and b"OC Pizza SAS" in pdf.content
    assert "attachment" in pdf["Content-Disposition"]


def test_the_tracking_page_links_the_receipt_once_paid(client, bastille):
    unpaid = on_site_order(bastille)
    assert "/recus/" not in client.get(unpaid.get_tracking_url()).content.decode()
    assert client.get(f"/recus/{unpaid.tracking_token}/").status_code == 404  # no receipt before the payment
    paid = paid_online_order(bastille)
    assert f"/recus/{paid.tracking_token}/" in client.get(paid.get_tracking_url()).content.decode()
    assert "PayPal" in text_of(client.get(f"/recus/{paid.tracking_token}/"))


def test_the_account_receipt_is_only_the_owners(client, bastille):
    owner = User.objects.create_user("lea@example.fr", "lea@example.fr", "pw-lea-123456")
    other = User.objects.create_user("max@example.fr", "max@example.fr", "pw-max-123456")
    order = paid_online_order(bastille, customer=owner)
    url = f"/recus/compte/{order.pk}/"
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(other)
    assert client.get(url).status_code == 404
    assert client.get(url + "pdf/").status_code == 404
    client.force_login(owner)
    assert client.get(url).status_code == 200
    assert client.get(url + "pdf/").content.startswith(b"%PDF-")
    assert "/recus/compte/" in client.get("/commande/compte/commandes/").content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/recus/{token}/?format=xml",
        "/recus/{token}/pdf/?a=%00",
        "/recus/{token}/?" + "x" * 3000 + "=1",
        "/recus/compte/abc/",
        "/recus/compte/%00/",
        "/recus/compte/99999999999999999999/",
    ],
)
def test_hostile_input_is_a_400(client, bastille, url):
    owner = User.objects.create_user("lea@example.fr", "lea@example.fr", "pw-lea-123456")
    client.force_login(owner)
    order = paid_online_order(bastille, customer=owner)
    response = client.get(url.format(token=order.tracking_token))
    assert response.status_code == 400


@pytest.mark.parametrize("token", ["unknown-token", "a" * 64])
def test_unknown_tokens_are_404(client, bastille, token):
    assert client.get(f"/recus/{token}/").status_code == 404
    assert client.get(f"/recus/{token}/facture/").status_code == 404


def test_an_invoice_with_the_company_details_on_request(client, bastille, legal):
    order = paid_on_site(bastille)
    url = f"/recus/{order.tracking_token}/facture/"
    assert "company_name" in client.get(url).content.decode()  # the form
    assert client.get(url + "pdf/").status_code == 404  # no invoice yet
    bad = client.post(url, {"company_name": "", "company_address": "x", "company_vat_number": "nope"})
    assert bad.status_code == 400 and not Invoice.objects.exists()
    data = {
        "company_name": "Acme SARL",
        "company_address": "2 rue Oberkampf\n75011 Paris",
        "company_vat_number": "fr 40 123456789",
    }
    assert client.post(url, data).status_code == 302
    invoice = Invoice.objects.get(order=order)
    assert invoice.number == f"F-{order.number}" and invoice.company_vat_number == "FR40123456789"
    client.post(url, {**data, "company_name": "Other"})  # asked once: a second request changes nothing
    assert Invoice.objects.get(order=order).company_name == "Acme SARL"
    page = text_of(client.get(url))
    assert "Acme SARL" in page and "FR40123456789" in page and invoice.number in page
    pdf = client.get(url + "pdf/")
    assert pdf.content.startswith(b"%PDF-") and b"Acme SARL" in pdf.content


def test_an_unpaid_order_has_no_invoice(client, bastille):
    order = on_site_order(bastille)
    response = client.post(
        f"/recus/{order.tracking_token}/facture/", {"company_name": "Acme", "company_address": "Paris"}
    )
    assert response.status_code == 404 and not Invoice.objects.exists()
    assert Order.objects.get(pk=order.pk).payment_state == "pending"


def test_a_counter_order_paid_at_the_counter_has_its_receipt_for_the_staff_to_print(client, bastille):
    order = paid_on_site(bastille, channel=Order.Channel.COUNTER, email="")
    client.force_login(User.objects.get(username="gerant-bastille"))
    inspect = client.get(f"/admin/ordering/order/inspect/{order.pk}/").content.decode()
    assert f"/recus/{order.tracking_token}/pdf/" in inspect
    pdf = client.get(f"/recus/{order.tracking_token}/pdf/")
    assert pdf.status_code == 200 and b"Comptoir" in pdf.content and b"Esp\xe8ces" in pdf.content


def test_head_office_edits_the_vat_rates_and_legal_details_managers_do_not(client, bastille):
    pizzas = size_of("reine").product.category
    client.force_login(User.objects.get(username="siege"))
    assert client.get("/admin/snippets/books/vatrate/").status_code == 200
    response = client.post(
        "/admin/snippets/books/vatrate/add/", {"category": pizzas.pk, "fulfilment": "pickup", "rate": "5.50"}
    )
    assert response.status_code == 302
    assert VatRate.objects.get(category=pizzas, fulfilment="pickup").rate == Decimal("5.50")
    settings_url = f"/admin/settings/books/legaldetails/{LegalDetails.load().pk}/"
    assert client.get(settings_url).status_code == 200
    client.force_login(User.objects.get(username="gerant-bastille"))
    assert client.get("/admin/snippets/books/vatrate/add/").status_code in (302, 403)
    assert client.get(settings_url).status_code in (302, 403)
