"""Admin form widgets for the catalogue and the restaurant pages."""

from decimal import Decimal

from django import forms
from django.utils import formats


class EuroAmountInput(forms.TextInput):
    """A euro amount as people type it: "10,50" (the French way), "10.50", "10,5 €".
    Only the typing changes: the form field still checks a decimal number and the
    model stores the same Decimal. Shown with the admin language's separator."""

    def __init__(self, attrs=None):
        # inputmode: a phone's numeric keyboard with its decimal separator; a text input,
        # since a number input would refuse "10,50" in an English browser.
        super().__init__({"inputmode": "decimal", "autocomplete": "off", "size": 10, **(attrs or {})})

    def value_from_datadict(self, data, files, name):
        value = super().value_from_datadict(data, files, name)
        if not isinstance(value, str):
            return value
        value = value.strip().removesuffix("€").strip()
        return value.replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace(",", ".")

    def format_value(self, value):
        if isinstance(value, Decimal):
            return formats.number_format(value, decimal_pos=2, use_l10n=True)
        return super().format_value(value)
