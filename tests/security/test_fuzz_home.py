"""Postcodes are five ASCII digits: `\\d` also takes Arabic-Indic or full-width digits, and `$`
a trailing newline, which then reached the delivery-area search and the restaurant's area."""

import pytest
from django.core.exceptions import ValidationError

from home.validators import parse_postcodes, postcode_validator

NOT_POSTCODES = ["٧٥٠١١", "７５０１１", "75011\n", "7501١"]


@pytest.mark.parametrize("value", NOT_POSTCODES)
def test_postcode_validator_takes_ascii_digits_only(value):
    with pytest.raises(ValidationError):
        postcode_validator(value)
    if value.strip() == value:  # the area's list splits on whitespace first
        with pytest.raises(ValidationError):
            parse_postcodes(f"75011 {value}")


def test_postcode_validator_still_takes_a_postcode():
    postcode_validator("75011")
    assert parse_postcodes("75012, 75011\n75011") == ["75011", "75012"]


@pytest.mark.django_db
@pytest.mark.parametrize("value", NOT_POSTCODES[:2])
def test_home_page_search_refuses_other_digits(client, value):
    response = client.get("/", {"postcode": value})
    assert response.status_code == 200
    assert "searched_postcode" not in response.context
    assert response.context["postcode_form"].errors["postcode"]
