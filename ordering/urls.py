from django.contrib.auth import views as auth_views
from django.urls import path

from . import views
from .paypal import views as paypal_views

app_name = "ordering"

urlpatterns = [
    path("panier/", views.cart_view, name="cart"),
    path("panier/ajouter/", views.cart_add, name="cart_add"),
    path("panier/modifier/", views.cart_update, name="cart_update"),
    path("valider/", views.checkout, name="checkout"),
    path("suivi/<str:token>/", views.track, name="track"),
    path("suivi/<str:token>/etat/", views.track_status, name="track_status"),
    path("suivi/<str:token>/annuler/", views.track_cancel, name="track_cancel"),
    path("suivi/<str:token>/modifier/", views.track_change, name="track_change"),
    path("paypal/retour/<str:tracking_token>/", paypal_views.paypal_return, name="paypal_return"),
    path("paypal/annulation/<str:tracking_token>/", paypal_views.paypal_cancel, name="paypal_cancel"),
    path("paypal/payer/<str:tracking_token>/", paypal_views.paypal_retry, name="paypal_retry"),
    path("paypal/sur-place/<str:tracking_token>/", paypal_views.pay_on_site_instead, name="pay_on_site"),
    path("paypal/webhook/", paypal_views.webhook, name="paypal_webhook"),
    path("compte/inscription/", views.signup, name="signup"),
    path("compte/connexion/", views.CustomerLoginView.as_view(), name="login"),
    path("compte/deconnexion/", auth_views.LogoutView.as_view(next_page="/"), name="logout"),
    path("compte/commandes/", views.my_orders, name="my_orders"),
]
