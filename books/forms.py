from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

vat_number_validator = RegexValidator(
    r"^[A-Z]{2}[A-Z0-9]{2,13}$", _("A VAT number is two letters and 2 to 13 letters or digits, e.g. FR32123456789.")
)


class InvoiceForm(forms.Form):
    company_name = forms.CharField(label=_("Company name"), max_length=120)
    company_address = forms.CharField(
        label=_("Company address"), max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )
    company_vat_number = forms.CharField(label=_("VAT number (optional)"), max_length=20, required=False)

    def clean_company_vat_number(self):
        number = self.cleaned_data["company_vat_number"].replace(" ", "").upper()
        if number:
            vat_number_validator(number)
        return number


class CloseDayForm(forms.Form):
    day = forms.DateField(label=_("Day"))
    cash_counted = forms.CharField(label=_("Cash counted (€)"), max_length=12, required=False)


class CloseMonthForm(forms.Form):
    month = forms.RegexField(label=_("Month"), regex=r"^[0-9]{4}-(0[1-9]|1[0-2])$", max_length=7)


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"))
    end = forms.DateField(label=_("To"))

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and (end < start or (end - start).days > 400):
            raise forms.ValidationError(_("Choose a period of at most 400 days, ending after it starts."))
        return data
