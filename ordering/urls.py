from django.contrib.auth import views as auth_views
from django.urls import path, register_converter

from . import account_views, customise_views, views
from .paypal import views as paypal_views

app_name = "ordering"


class TokenConverter:
    """A tracking token as Order.new_tracking_token makes them (URL-safe base64):
    anything else is no order's (404), and never reaches the database (a NUL would be a 500)."""

    regex = "[A-Za-z0-9_-]{1,64}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(TokenConverter, "token")

urlpatterns = [
    path("panier/", views.cart_view, name="cart"),
    path("panier/ajouter/", views.cart_add, name="cart_add"),
    path("panier/modifier/", views.cart_update, name="cart_update"),
    path("personnaliser/<str:restaurant_id>/<slug:product>/", customise_views.customise, name="customise"),
    path("valider/", views.checkout, name="checkout"),
    path("valider/brouillon/", views.checkout_draft, name="checkout_draft"),
    path("suivi/<token:token>/", views.track, name="track"),
    path("suivi/<token:token>/etat/", views.track_status, name="track_status"),
    path("suivi/<token:token>/annuler/", views.track_cancel, name="track_cancel"),
    path("suivi/<token:token>/modifier/", views.track_change, name="track_change"),
    path("paypal/retour/<token:tracking_token>/", paypal_views.paypal_return, name="paypal_return"),
    path("paypal/annulation/<token:tracking_token>/", paypal_views.paypal_cancel, name="paypal_cancel"),
    path("paypal/payer/<token:tracking_token>/", paypal_views.paypal_retry, name="paypal_retry"),
    path("paypal/sur-place/<token:tracking_token>/", paypal_views.pay_on_site_instead, name="pay_on_site"),
    path("paypal/webhook/", paypal_views.webhook, name="paypal_webhook"),
    path("compte/inscription/", account_views.signup, name="signup"),
    path("compte/connexion/", account_views.CustomerLoginView.as_view(), name="login"),
    path("compte/deconnexion/", auth_views.LogoutView.as_view(next_page="/"), name="logout"),
    path("compte/mot-de-passe/", account_views.CustomerPasswordResetView.as_view(), name="password_reset"),
    path(
        "compte/mot-de-passe/envoye/", account_views.CustomerPasswordResetDoneView.as_view(), name="password_reset_done"
    ),
    path(
        "compte/mot-de-passe/<uidb64>/<token>/",
        account_views.CustomerPasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("compte/commandes/", account_views.my_orders, name="my_orders"),
    path("compte/mes-donnees/", account_views.my_data, name="my_data"),
    path("compte/supprimer/", account_views.delete_account, name="delete_account"),
    path("compte/commandes/<str:order_id>/recommander/", account_views.reorder, name="reorder"),
    path("compte/adresses/", views.my_addresses, name="my_addresses"),
    path("compte/adresses/<str:address_id>/supprimer/", views.delete_address, name="delete_address"),
]
