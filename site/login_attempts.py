"""Who a login attempt is counted for (django-axes' AXES_USERNAME_CALLABLE)."""

from django.conf import settings

STORED_USERNAME_LENGTH = 255  # axes' AccessAttempt.username


def username_of_attempt(request, credentials):
    """The username as typed (axes' own rule), cut to what axes stores: Django's
    login form lets any length through to authenticate(), and a 100 000-character
    username must be one more failure, not a database error."""
    field = settings.AXES_USERNAME_FORM_FIELD
    username = (credentials or {}).get(field) if credentials else getattr(request, "data", request.POST).get(field)
    return username[:STORED_USERNAME_LENGTH] if isinstance(username, str) else username
