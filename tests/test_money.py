from decimal import Decimal

from django.utils import translation

from core.money import format_euros, to_money
from home.validators import parse_postcodes


def test_prices_are_formatted_the_french_way():
    with translation.override("fr"):
        assert format_euros(Decimal("12.5")) == "12,50\u00a0€"
        assert format_euros(Decimal("0")) == "0,00\u00a0€"
        big = format_euros(Decimal("1234.5"))
        assert big.startswith("1") and big.endswith("234,50\u00a0€") and big[1] in "\u00a0\u202f "


def test_rounding_is_to_the_cent_half_up():
    assert to_money("2.675") == Decimal("2.68")
    assert to_money(Decimal("1.004")) == Decimal("1.00")


def test_postcode_lists_are_normalised():
    assert parse_postcodes("75012, 75011\n75012;75004") == ["75004", "75011", "75012"]
    assert parse_postcodes("") == []


def test_bad_postcodes_are_reported():
    import pytest
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        parse_postcodes("75011 7501 abcde")
    assert "7501" in str(error.value) and "abcde" in str(error.value)
