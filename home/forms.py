from django import forms
from django.utils.translation import gettext_lazy as _

from .validators import postcode_validator


class PostcodeSearchForm(forms.Form):
    postcode = forms.CharField(
        label=_("Your postcode"),
        max_length=5,
        validators=[postcode_validator],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code", "placeholder": "75011"}),
    )

    def clean_postcode(self):
        return self.cleaned_data["postcode"].strip()
