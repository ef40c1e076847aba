"""Logging in, on the site and in the admin: with an e-mail address (any case) or
a user name, and ?next= restricted to paths.

Django takes a ?next= value without a slash or a dot ("zz") for a URL name, and
an unknown name is a NoReverseMatch (a 500) once the person is signed in: a
destination on this site is a path, anything else is ignored.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from wagtail.admin.views.account import LoginView as WagtailLoginView

# Accounts sharing one address (older staff accounts may): the password picks one among the first few.
MAX_ACCOUNTS_PER_EMAIL = 5


def looks_like_email(value):
    """Worth a look-up: an "@", no NUL (PostgreSQL refuses it), no longer than the column."""
    longest = get_user_model()._meta.get_field("email").max_length
    return isinstance(value, str) and "@" in value and len(value) <= longest and "\x00" not in value


class EmailBackend(ModelBackend):
    """Signs in with the account's e-mail address, whatever its case. Anything
    without an "@" is a user name, left to Django's ModelBackend (listed after
    this one), so staff and older customer accounts log in as before.

    Whether the address has an account or not, one password hash is computed:
    the time taken does not tell which addresses have one."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        user_model = get_user_model()
        if username is None:
            username = kwargs.get(user_model.USERNAME_FIELD)
        if password is None or not isinstance(username, str) or "@" not in username:
            return None
        candidates = []
        if looks_like_email(username):
            candidates = list(
                user_model._default_manager.filter(email__iexact=username.strip()).order_by("pk")[
                    :MAX_ACCOUNTS_PER_EMAIL
                ]
            )
        if not candidates:
            user_model().set_password(password)
            return None
        for user in candidates:
            if user.check_password(password) and self.user_can_authenticate(user):
                return user
        return None


class NextPathOnlyMixin:
    def get_redirect_url(self):
        url = super().get_redirect_url()
        return url if url.startswith("/") else ""


class AdminLoginView(NextPathOnlyMixin, WagtailLoginView):
    pass
