"""The sales reports: figures against a hand-computed week, who sees which restaurant, hostile
query strings, CSV and XLSX exports, and a number of queries that does not grow with restaurants
or days."""

import csv
import io
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from home.models import RestaurantPage
from ordering.models import Ingredient, Order, OrderLine, RecipeLine, StatusChange, Stock, StockMovement
from ordering.workflow import Fulfilment, Status
from tests.conftest import form_values, size_of
from tests.ordering.test_staff import login

pytestmark = pytest.mark.django_db
WEEK = {"start": "2024-03-04", "end": "2024-03-10"}  # Monday to Sunday
URL = "/admin/cuisine/rapports/ventes/"
SECTIONS = ["ventes", "produits", "temps"]


def every_page(client, query):
    """The report's three pages, as one piece of HTML (each table is in one of them)."""
    pages = [client.get(f"/admin/cuisine/rapports/{section}/", query) for section in SECTIONS]
    assert [page.status_code for page in pages] == [200] * 3
    return "".join(page.content.decode() for page in pages)


def at(day, hour, minute):
    return timezone.make_aware(datetime(2024, 3, day, hour, minute))


def make_order(restaurant, day, number, *, total, channel, payment, status, created, steps=(), quantity=1, size=None):
    order = Order.objects.create(
        restaurant=restaurant,
        day=date(2024, 3, day),
        sequence=number,
        number=f"T{restaurant.pk}-{day}-{number}",
        tracking_token=Order.new_tracking_token(),
        channel=channel,
        fulfilment=Fulfilment.DELIVERY if Status.DELIVERED in [s for s, _ in steps] else Fulfilment.PICKUP,
        name="Léa Martin",
        phone="0612345678",
        subtotal=total,
        total=total,
        payment_method=payment,
        status=status,
    )
    Order.objects.filter(pk=order.pk).update(created_at=created)
    OrderLine.objects.create(
        order=order,
        size=size,
        product_name="Reine",
        size_label=size.label,
        unit_price=total / quantity,
        quantity=quantity,
        line_total=total,
    )
    for to_status, moment in steps:
        change = StatusChange.objects.create(order=order, to_status=to_status)
        StatusChange.objects.filter(pk=change.pk).update(at=moment)
    return order


@pytest.fixture
def nation():
    return RestaurantPage.objects.get(slug="nation")


@pytest.fixture
def week(bastille, nation):
    """Bastille: 2 sold orders (20,00 € web/PayPal delivered; 30,00 € phone/on site collected), one
    cancelled, one the week after. Nation: 1 sold order (12,00 € counter). The Reine's recipe costs
    100 g × 0,012 + 80 g × 0,005 = 1,60 €."""
    size = size_of("reine")
    RecipeLine.objects.filter(size=size).delete()
    mozza = Ingredient.objects.create(name="Mozza test", unit="g", cost_per_unit=Decimal("0.012"))
    tomato = Ingredient.objects.create(name="Tomate test", unit="g", cost_per_unit=Decimal("0.005"))
    RecipeLine.objects.create(size=size, ingredient=mozza, quantity=100)
    RecipeLine.objects.create(size=size, ingredient=tomato, quantity=80)
    web, phone, counter = Order.Channel.WEB, Order.Channel.PHONE, Order.Channel.COUNTER
    paypal, on_site = Order.PaymentMethod.PAYPAL, Order.PaymentMethod.ON_SITE
    make_order(
        bastille, 4, 1, total=Decimal("20.00"), channel=web, payment=paypal, status=Status.DELIVERED,
        created=at(4, 12, 10), quantity=2, size=size,
        steps=[(Status.IN_PREPARATION, at(4, 12, 15)), (Status.READY, at(4, 12, 27)),
               (Status.OUT_FOR_DELIVERY, at(4, 12, 30)), (Status.DELIVERED, at(4, 12, 50))],
    )  # fmt: skip
    make_order(
        bastille, 4, 2, total=Decimal("30.00"), channel=phone, payment=on_site, status=Status.COLLECTED,
        created=at(4, 19, 5), quantity=3, size=size,
        steps=[(Status.IN_PREPARATION, at(4, 19, 10)), (Status.READY, at(4, 19, 30)), (Status.COLLECTED, at(4, 19, 40))],
    )  # fmt: skip
    make_order(
        bastille, 5, 1, total=Decimal("15.50"), channel=web, payment=on_site, status=Status.CANCELLED,
        created=at(5, 20, 0), size=size,
    )  # fmt: skip
    make_order(
        bastille, 11, 1, total=Decimal("100.00"), channel=web, payment=on_site, status=Status.COLLECTED,
        created=at(11, 20, 0), size=size,
    )  # fmt: skip
    make_order(
        nation, 6, 1, total=Decimal("12.00"), channel=counter, payment=on_site, status=Status.COLLECTED,
        created=at(6, 12, 40), size=size,
        steps=[(Status.IN_PREPARATION, at(6, 12, 41)), (Status.READY, at(6, 12, 51))],
    )  # fmt: skip
    stock_mozza = Stock.objects.create(restaurant=bastille, ingredient=mozza, quantity=1000)
    stock_tomato = Stock.objects.create(restaurant=bastille, ingredient=tomato, quantity=1000)
    for stock, delta, reason in (
        (stock_mozza, -200, StockMovement.Reason.ORDER),  # 2,40 €
        (stock_mozza, -50, StockMovement.Reason.WASTE),  # 0,60 €
        (stock_tomato, -80, StockMovement.Reason.INVENTORY),  # 0,40 €
        (stock_mozza, 500, StockMovement.Reason.RESTOCK),  # not a cost
    ):
        movement = StockMovement.objects.create(stock=stock, delta=delta, reason=reason)
        StockMovement.objects.filter(pk=movement.pk).update(created_at=at(5, 10, 0))
    return size


def table(html, slug):
    """The rows of one report table as lists of cell texts."""
    section = BeautifulSoup(html, "html.parser").select_one(f"section[data-table={slug}]")
    return [
        [cell.get_text(" ", strip=True).replace("\xa0", " ") for cell in row.find_all(["th", "td"])]
        for row in section.select("table.report-table tbody tr")
    ]


def export(client, slug, extension, **query):
    return client.get(reverse(f"ordering_staff:sales_report_{extension}", args=[slug]), {**WEEK, **query})


def test_head_office_figures_match_the_hand_computed_week(client, week, bastille, nation):
    login(client, "siege")
    html = every_page(client, {**WEEK, "restaurant": [bastille.pk, nation.pk]})
    assert table(html, "restaurants") == [
        ["OC Pizza Bastille", "2", "50,00 €", "25,00 €", "80,6 %"],
        ["OC Pizza Nation", "1", "12,00 €", "12,00 €", "19,4 %"],
        ["Tous", "3", "62,00 €", "20,67 €", "100,0 %"],
    ]
    assert table(html, "channels") == [
        ["OC Pizza Bastille", "Téléphone", "1", "30,00 €", "30,00 €", "60,0 %"],
        ["OC Pizza Bastille", "Site web", "1", "20,00 €", "20,00 €", "40,0 %"],
        ["OC Pizza Nation", "Comptoir", "1", "12,00 €", "12,00 €", "100,0 %"],
    ]
    payments = table(html, "payments")
    assert [row[0] for row in payments] == ["OC Pizza Bastille", "OC Pizza Bastille", "OC Pizza Nation"]
    assert [row[2:5] for row in payments] == [
        ["1", "30,00 €", "30,00 €"],
        ["1", "20,00 €", "20,00 €"],
        ["1", "12,00 €", "12,00 €"],
    ]
    assert [row[2:4] for row in table(html, "days")] == [["2", "50,00 €"], ["1", "12,00 €"]]
    # 6 Reine sold for 62,00 €; food cost 6 × 1,60 € = 9,60 €, 15,5 % of the revenue.
    assert table(html, "products") == [
        ["Reine", week.label, "6", "62,00 €", "100,0 %", "10,33 €", "1,60 €", "9,60 €", "15,5 %"]
    ]
    assert table(html, "hours") == [
        ["Lundi", "12:00", "1", "20,00 €"],
        ["Lundi", "19:00", "1", "30,00 €"],
        ["Mercredi", "12:00", "1", "12,00 €"],
    ]
    # Preparations of 12 and 20 minutes: median 16, 90th percentile 12 + 0.9 × 8 = 19.2; one delivery of 20.
    assert table(html, "times") == [
        ["OC Pizza Bastille", "2", "16,0", "19,2", "1", "20,0", "20,0"],
        ["OC Pizza Nation", "1", "10,0", "10,0", "0", "—", "—"],
    ]
    # Bastille: 5 Reine × 1,60 € = 8,00 € (16,0 % of 50 €); waste 0,60 €, loss 0,40 €: 1,00 / 9,00 = 11,1 %.
    # Nation: 1 Reine, 1,60 € (13,3 % of 12 €), nothing lost.
    assert table(html, "costs") == [
        ["OC Pizza Bastille", "50,00 €", "8,00 €", "16,0 %", "0,60 €", "0,40 €", "11,1 %"],
        ["OC Pizza Nation", "12,00 €", "1,60 €", "13,3 %", "0,00 €", "0,00 €", "0,0 %"],
    ]
    # Ingredients the restaurants stock with no cost entered are named: food costs would be understated.
    costs_note = BeautifulSoup(html, "html.parser").select_one("section[data-table=costs] p.muted").get_text()
    assert "Pas encore de coût saisi pour" in costs_note and "Mozza test" not in costs_note
    assert 'id="report-charts"' in html
    assert "ordering/vendor/chartjs/chart.umd.min.js" in html
    assert "cdn" not in html.lower()


def test_a_manager_sees_only_their_restaurants(client, week, bastille, nation):
    login(client, "gerant-bastille")
    html = every_page(client, WEEK)
    assert [row[0] for row in table(html, "restaurants")] == ["OC Pizza Bastille"]
    assert [row[0] for row in table(html, "costs")] == ["OC Pizza Bastille"]
    assert [row[0] for row in table(html, "times")] == ["OC Pizza Bastille"]
    assert table(html, "products")[0][2] == "5"  # Nation's Reine not counted
    assert "Nation" not in html
    # Another restaurant's id in the query: refused, no figure read.
    for query in ({"restaurant": nation.pk}, {"restaurant": [bastille.pk, nation.pk]}):
        for section in SECTIONS:
            response = client.get(f"/admin/cuisine/rapports/{section}/", {**WEEK, **query})
            assert response.status_code == 400
            assert "12,00" not in response.content.decode()
        assert export(client, "restaurants", "csv", **query).status_code == 400
        assert export(client, "restaurants", "xlsx", **query).status_code == 400


@pytest.mark.parametrize("username", ["pizzaiolo-bastille", "livreur-bastille", "comptoir-bastille"])
def test_other_roles_get_no_report(client, week, username):
    login(client, username)
    assert client.get(URL, WEEK).status_code == 403
    assert export(client, "restaurants", "csv").status_code == 403


@pytest.mark.parametrize(
    "query",
    [
        {"foo": "1"},
        {"start": "abc"},
        {"start": "2024-03-10", "end": "2024-03-01"},
        {"start": "2020-01-01", "end": "2024-03-01"},
        {"start": ["2024-03-01", "2024-03-02"]},
        {"restaurant": "\x00"},
        {"restaurant": "99999999999999999999"},
        {"restaurant": "-1"},
        {"restaurant": "A" * 10_000},
        {"end": "9999-99-99"},
        {"restaurant": [str(n) for n in range(200)]},
    ],
)
def test_hostile_queries_are_refused(client, week, query):
    login(client, "siege")
    assert client.get(URL, query).status_code == 400
    assert client.get(reverse("ordering_staff:sales_report_csv", args=["restaurants"]), query).status_code == 400


def test_unknown_table_or_page_is_not_found(client, week):
    login(client, "siege")
    assert client.get("/admin/cuisine/rapports/tableaux/nope.csv").status_code == 404
    assert client.get("/admin/cuisine/rapports/nope/").status_code == 404


def test_csv_and_xlsx_exports_hold_the_table(client, week, bastille, nation):
    login(client, "siege")
    response = export(client, "restaurants", "csv")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="restaurants-2024-03-04-2024-03-10.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["Restaurant", "Commandes", "Chiffre d'affaires", "Panier moyen", "Part du chiffre d'affaires"],
        ["OC Pizza Bastille", "2", "50.00", "25.00", "80.6"],
        ["OC Pizza Nation", "1", "12.00", "12.00", "19.4"],
        ["Tous", "3", "62.00", "20.67", "100.0"],
    ]
    response = export(client, "products", "xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[1][:4] == ["Reine", week.label, 6, 62]
    assert values[1][7] == pytest.approx(9.6)
    for slug in ("days", "channels", "payments", "hours", "times", "costs"):
        for extension in ("csv", "xlsx"):
            assert export(client, slug, extension).status_code == 200, (slug, extension)
    days = list(csv.reader(io.StringIO(export(client, "days", "csv").content.decode())))
    assert days[1] == ["OC Pizza Bastille", "2024-03-04", "2", "50.00", "25.00"]


def test_exports_never_carry_a_formula(client, week, bastille):
    OrderLine.objects.filter(order__restaurant=bastille).update(product_name="=HYPERLINK(1)")
    login(client, "siege")
    rows = list(csv.reader(io.StringIO(export(client, "products", "csv").content.decode())))
    assert rows[1][0] == "'=HYPERLINK(1)"
    sheet = load_workbook(io.BytesIO(export(client, "products", "xlsx").content)).active
    assert sheet.cell(row=2, column=1).value == "'=HYPERLINK(1)"


def test_queries_do_not_grow_with_restaurants_or_days(client, week, bastille, nation):
    login(client, "siege")

    def count(query):
        with CaptureQueriesContext(connection) as queries:
            every_page(client, query)
        return len(queries)

    one = count({"start": "2024-03-04", "end": "2024-03-04", "restaurant": bastille.pk})
    assert count({"start": "2023-03-11", "end": "2024-03-10", "restaurant": [bastille.pk, nation.pk]}) == one
    every = count({"start": "2024-03-04", "end": "2024-03-04"})
    assert count({"start": "2023-03-11", "end": "2024-03-10"}) == every


def test_head_office_enters_ingredient_costs_and_managers_cannot(client):
    ingredient = Ingredient.objects.order_by("pk").first()
    edit = reverse("wagtailsnippets_ordering_ingredient:edit", args=[ingredient.pk])
    login(client, "gerant-bastille")
    assert (
        client.post(edit, {"name": ingredient.name, "unit": ingredient.unit, "cost_per_unit": "9"}).status_code == 403
    )
    login(client, "siege")
    data = form_values(client.get(edit).content.decode(), "form[data-edit-form]")
    data["cost_per_unit"] = "0.012"
    assert client.post(edit, data).status_code == 302
    ingredient.refresh_from_db()
    assert ingredient.cost_per_unit == Decimal("0.012")


def test_the_reports_are_in_the_menu_and_the_panel(client, week):
    login(client, "gerant-bastille")
    assert URL in client.get("/admin/").content.decode()
    login(client, "pizzaiolo-bastille")
    assert URL not in client.get("/admin/").content.decode()


def test_default_range_is_the_last_30_days(client, bastille):
    login(client, "gerant-bastille")
    response = client.get(URL)
    assert response.status_code == 200
    today = timezone.localdate()
    assert response.context["report"].start == today - timedelta(days=29)
    assert response.context["report"].end == today
