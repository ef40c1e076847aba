from django import template

from ..vat import rate_label

register = template.Library()


@register.filter
def vat_rate(value):
    """A VAT rate as people read it: "10 %", "5,5 %"."""
    return "" if value in (None, "") else rate_label(value)
