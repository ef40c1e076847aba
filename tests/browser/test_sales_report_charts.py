"""The sales report in Chromium: Chart.js, served from our static files, draws a chart over each
table, with not one Content-Security-Policy violation; the tables are there all the same."""

import pytest

from tests.browser.test_content_security import admin, watched_context  # noqa: F401
from tests.conftest import committed_db
from tests.ordering.test_sales_reports import nation, week  # noqa: F401

pytestmark = [pytest.mark.browser, committed_db]


def test_the_report_draws_its_charts_locally(admin, live_server, week):  # noqa: F811
    requested = []
    admin.on("request", lambda request: requested.append(request.url))
    admin.goto(live_server.url + "/admin/cuisine/rapports/ventes/?start=2024-03-04&end=2024-03-10")
    admin.wait_for_selector("[data-chart-for=restaurants] canvas")
    drawn = admin.evaluate(
        "() => [...document.querySelectorAll('[data-chart-for] canvas')].filter((c) => Chart.getChart(c)).length"
    )
    boxes = admin.locator("[data-chart-for]").count()
    assert drawn == boxes == 4  # revenue per restaurant, per day, per channel, per payment method
    assert admin.locator("table[data-heatmap] td.heat-5").count() == 3  # three busy hours, each the busiest
    assert admin.locator("section[data-table=restaurants] table.report-table tbody tr").count() == 3
    assert all(url.startswith(live_server.url) for url in requested), [
        u for u in requested if not u.startswith(live_server.url)
    ]
    assert any(url.endswith("chart.umd.min.js") for url in requested)
    assert admin.context.violations == []
