"""Who a login attempt is counted for (django-axes' AXES_USERNAME_CALLABLE)."""

from django.conf import settings

STORED_USERNAME_LENGTH = 255  # axes' AccessAttempt.username


def username_of_attempt(request, credentials):
    """The username as typed (axes' own rule), cut to what axes stores: Django's
    login form lets any length through to authenticate(), and a 100 000-character
    username must be one more failure, not a database error.

    An e-mail address logs in whatever its case (accounts.EmailBackend): it is
    counted in lower case, so "Camille@…" and "camille@…" share one count."""
    field = settings.AXES_USERNAME_FORM_FIELD
    username = (credentials or {}).get(field) if credentials else getattr(request, "data", request.POST).get(field)
    if not isinstance(username, str):
        return username
    username = username.strip()
    if "@" in username:
        username = username.lower()
    return username[:STORED_USERNAME_LENGTH]
