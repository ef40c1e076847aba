"""Validators for the website's content and forms, and delivery postcode parsing."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

# ASCII digits only (\d would take "٧٥٠١١"), and \Z: "$" would let a trailing newline through.
POSTCODE_RE = re.compile(r"^[0-9]{5}\Z")
postcode_validator = RegexValidator(POSTCODE_RE, _("A postcode is five digits, e.g. 75011."))
phone_validator = RegexValidator(r"^\+?[0-9 .()-]{8,20}$", _("Enter a valid phone number, e.g. 01 23 45 67 89."))


def parse_postcodes(text):
    """Any separators ("75011, 75012\n75020") -> sorted unique codes; raises on a bad one."""
    codes = {code for code in re.split(r"[\s,;]+", text or "") if code}
    bad = sorted(code for code in codes if not POSTCODE_RE.match(code))
    if bad:
        raise ValidationError(_("Not a postcode: %(codes)s"), params={"codes": ", ".join(bad)})
    return sorted(codes)
