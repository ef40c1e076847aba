from django.urls import path

from . import admin_views

app_name = "books_admin"

urlpatterns = [
    path("", admin_views.index, name="index"),
    path("export/", admin_views.sales_export, name="sales_export"),
    path("<int:restaurant_id>/", admin_views.restaurant_books, name="restaurant"),
    path("<int:restaurant_id>/cloture-jour/", admin_views.close_day, name="close_day"),
    path("<int:restaurant_id>/cloture-mois/", admin_views.close_month, name="close_month"),
    path("<int:restaurant_id>/archive/", admin_views.archive, name="archive"),
    path("<int:restaurant_id>/verifier/", admin_views.verify, name="verify"),
]
