"""Customer accounts: an e-mail address and a password, on Django's own User model.

A customer is never asked for a user name. The account's username is derived from
the address in lower case (a hash of it when it would not make a valid user name),
so the unique username column also keeps two accounts from sharing one address,
whatever its case, even when two sign-ups race. Older accounts, with a user name
chosen by the customer, are checked by address (case-insensitive) and still log in
with their user name or their address (accounts.EmailBackend).
"""

import hashlib
import re

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .forms import EMAIL_MAX_LENGTH

_VALID_USERNAME = re.compile(r"[\w.@+-]+", re.ASCII)


def username_for_email(email):
    """The username of the account of an e-mail address: the address in lower case,
    or "client-" and a hash of it when it is too long or has characters Django's
    user names do not take."""
    key = email.strip().lower()
    longest = get_user_model()._meta.get_field("username").max_length
    if len(key) <= longest and _VALID_USERNAME.fullmatch(key):
        return key
    return "client-" + hashlib.sha256(key.encode()).hexdigest()[:40]


def _as_the_customer_sees_it(email):
    """An account with its address only, for the password checks: "too similar to the
    user name" would name a field the customer never saw (the username is derived)."""
    return get_user_model()(email=email)


def email_has_account(email):
    user_model = get_user_model()
    return user_model._default_manager.filter(Q(email__iexact=email) | Q(username=username_for_email(email))).exists()


class SignupForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=EMAIL_MAX_LENGTH,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autocapitalize": "none", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        help_text=_("At least 8 characters, not only digits."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    error_messages = {"taken": _("An account already uses this e-mail address. Log in instead?")}

    @property
    def email_taken(self):
        return self.has_error("email", "taken")

    def clean_email(self):
        email = BaseUserManager.normalize_email(self.cleaned_data["email"])
        if email_has_account(email):
            raise forms.ValidationError(self.error_messages["taken"], code="taken")
        return email

    def clean(self):
        cleaned = super().clean()
        email, password = cleaned.get("email"), cleaned.get("password")
        if password:
            try:
                password_validation.validate_password(password, _as_the_customer_sees_it(email or ""))
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned

    def save(self):
        """The new account; None (and the form's error) when the address was taken meanwhile."""
        email = self.cleaned_data["email"]
        try:
            with transaction.atomic():
                return get_user_model().objects.create_user(
                    username_for_email(email), email, self.cleaned_data["password"]
                )
        except IntegrityError:  # the same address signed up a moment ago, from elsewhere
            self.add_error("email", forms.ValidationError(self.error_messages["taken"], code="taken"))
            return None


class CustomerLoginForm(AuthenticationForm):
    """Django's login form, asking for the e-mail address (a user name still works).
    The field keeps its name, "username", which django-axes counts attempts by."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        field = self.fields["username"]
        field.label = _("E-mail address")
        field.help_text = _("Created your account with a user name? It works here too.")
        field.max_length = EMAIL_MAX_LENGTH  # a longer text still reaches authenticate(): one more failure for axes
        field.widget.input_type = (
            "email"  # the phone's keyboard with "@"; the form is novalidate, so "camille" goes through
        )
        field.widget.attrs.update(
            autocomplete="username", autocapitalize="none", spellcheck="false", maxlength=EMAIL_MAX_LENGTH
        )

    def get_invalid_login_error(self):
        return forms.ValidationError(
            _("This e-mail address and password do not match an account. Check them and try again."),
            code="invalid_login",
        )


class CustomerPasswordResetForm(PasswordResetForm):
    """ "Forgot your password?": the address of the account (any case, as Django's form
    looks it up); the same answer whether it has an account or not."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["email"]
        field.label = _("E-mail address")
        field.max_length = EMAIL_MAX_LENGTH
        field.widget.attrs.update(autocomplete="email", autocapitalize="none", spellcheck="false", autofocus=True)


class CustomerSetPasswordForm(SetPasswordForm):
    """The new password, typed once (shown on demand), checked like at sign-up."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["new_password2"]
        field = self.fields["new_password1"]
        field.label = _("New password")
        field.help_text = _("At least 8 characters, not only digits.")
        field.widget.attrs["autocomplete"] = "new-password"

    def clean(self):
        password = self.cleaned_data.get("new_password1")
        if password:
            try:
                password_validation.validate_password(password, _as_the_customer_sees_it(self.user.email))
            except forms.ValidationError as error:
                self.add_error("new_password1", error)
        return self.cleaned_data
