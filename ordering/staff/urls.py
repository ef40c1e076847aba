"""The staff screens, inside the Wagtail admin under /admin/cuisine/ (ordering.wagtail_hooks)."""

from django.urls import path

from . import views

app_name = "ordering_staff"
urlpatterns = [
    path("", views.kitchen_index, name="kitchen_index"),
    path("<int:restaurant_id>/", views.kitchen, name="kitchen"),
    path("<int:restaurant_id>/colonnes/", views.kitchen_columns, name="kitchen_columns"),
    path("commande/<int:order_id>/etape/", views.move_order, name="move_order"),
    path("livraisons/", views.delivery_index, name="delivery_index"),
    path("livraisons/<int:restaurant_id>/", views.delivery, name="delivery"),
    path("stock/<int:restaurant_id>/", views.stock, name="stock"),
    path("<int:restaurant_id>/nouvelle-commande/", views.new_order, name="new_order"),
    path("recettes/<int:restaurant_id>/", views.recipe_sheet, name="recipes"),
    # The stations (ordering.staff.stations): after the other paths, whose words they would take.
    path("<int:restaurant_id>/<slug:station>/", views.kitchen, name="station"),
    path("<int:restaurant_id>/<slug:station>/colonnes/", views.kitchen_columns, name="station_columns"),
]
