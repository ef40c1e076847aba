"""The staff screens, inside the Wagtail admin under /admin/cuisine/ (ordering.wagtail_hooks)."""

from django.urls import path

from . import capacity, reports, sales_reports, tickets, views

app_name = "ordering_staff"
urlpatterns = [
    path("", views.kitchen_index, name="kitchen_index"),
    path("<int:restaurant_id>/", views.kitchen, name="kitchen"),
    path("<int:restaurant_id>/colonnes/", views.kitchen_columns, name="kitchen_columns"),
    path("commande/<int:order_id>/etape/", views.move_order, name="move_order"),
    path("commande/<int:order_id>/ticket-cuisine/", tickets.kitchen_ticket, name="kitchen_ticket"),
    path("commande/<int:order_id>/ticket-sac/", tickets.bag_ticket, name="bag_ticket"),
    path("commande/<int:order_id>/ticket-cuisine/imprimer/", tickets.claim_kitchen_ticket, name="claim_kitchen_ticket"),
    path("livraisons/", views.delivery_index, name="delivery_index"),
    path("livraisons/<int:restaurant_id>/", views.delivery, name="delivery"),
    path("livraisons/<int:restaurant_id>/liste/", views.delivery_list, name="delivery_list"),
    path("stock/<int:restaurant_id>/", views.stock, name="stock"),
    path("<int:restaurant_id>/nouvelle-commande/", views.new_order, name="new_order"),
    path("rapport/", reports.punctuality, name="punctuality"),
    path("rapport/csv/", reports.punctuality_csv, name="punctuality_csv"),
    path("rapports/<slug:section>/", sales_reports.sales, name="sales_report"),
    path("rapports/tableaux/<slug:table>.csv", sales_reports.sales_csv, name="sales_report_csv"),
    path("rapports/tableaux/<slug:table>.xlsx", sales_reports.sales_xlsx, name="sales_report_xlsx"),
    path("recettes/<int:restaurant_id>/", views.recipe_sheet, name="recipes"),
    path("capacite/", capacity.capacity_index, name="capacity_index"),
    path("capacite/<int:restaurant_id>/", capacity.capacity, name="capacity"),
    # The stations (ordering.staff.stations): after the other paths, whose words they would take.
    path("<int:restaurant_id>/<slug:station>/", views.kitchen, name="station"),
    path("<int:restaurant_id>/<slug:station>/colonnes/", views.kitchen_columns, name="station_columns"),
]
