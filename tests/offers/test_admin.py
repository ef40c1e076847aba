"""Marketing edits promotions in the Wagtail admin: a saved draft is not usable, a
published one is; settings of the loyalty card are the group's (not marketing's)."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from offers.exceptions import PromotionRefused
from offers.models import Promotion
from offers.services import Buyer, basket_of, claim
from ordering.pricing import price_lines
from tests.conftest import size_of

pytestmark = pytest.mark.django_db
LIST = "/admin/snippets/offers/promotion/"


@pytest.fixture
def marketing(client):
    client.force_login(get_user_model().objects.get(username="marketing"))
    return client


def form(**overrides):
    data = {
        "name": "Printemps",
        "code": "printemps",
        "kind": "percent",
        "value": "15",
        "restaurant": "",
        "starts_at": "",
        "ends_at": "",
        "minimum_order": "0",
        "max_uses": "",
        "max_uses_per_customer": "1",
        "go_live_at": "",
        "expire_at": "",
    }
    data.update(overrides)
    return data


def usable(bastille, code):
    lines = price_lines(bastille, {size_of("margherita").pk: 2})
    try:
        return claim(bastille, basket_of(lines, Decimal("0")), code, Buyer(None, "x@example.fr"), lock=False)
    except PromotionRefused:
        return None


def test_marketing_drafts_then_publishes_a_promotion(marketing, bastille):
    assert marketing.get(LIST).status_code == 200
    response = marketing.post(LIST + "add/", form())
    assert response.status_code == 302, response.content[:2000]
    promo = Promotion.objects.get()
    assert promo.code == "PRINTEMPS" and not promo.live  # a draft
    assert usable(bastille, "PRINTEMPS") is None
    response = marketing.post(f"{LIST}edit/{promo.pk}/", form(**{"action-publish": "action-publish"}))
    assert response.status_code == 302
    promo.refresh_from_db()
    assert promo.live
    listing = marketing.get(LIST, {"q": "printemps"})
    assert listing.status_code == 200 and "Printemps" in listing.content.decode()
    [discount] = usable(bastille, "printemps")
    assert discount.amount == Decimal("2.85")  # 15 % of 19,00


def test_a_bad_promotion_is_refused_by_the_editor(marketing):
    response = marketing.post(LIST + "add/", form(code="été 2026!", value="150"))
    assert response.status_code == 200 and not Promotion.objects.exists()


def test_marketing_cannot_edit_the_loyalty_rules(marketing):
    assert marketing.get("/admin/settings/offers/offerssettings/").status_code in (302, 403)


def test_a_scheduled_promotion_starts_with_publish_scheduled_and_stops_at_its_expiry(bastille):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    promo = Promotion.objects.create(name="Demain", code="DEMAIN", kind="fixed", value=Decimal("3"), live=False)
    promo.go_live_at = timezone.now() + timedelta(hours=1)
    revision = promo.save_revision()
    revision.publish()  # scheduled, as "Publish" with a go-live date does
    promo.refresh_from_db()
    assert not promo.live and usable(bastille, "DEMAIN") is None
    # An hour later (moved back rather than waited for):
    past = timezone.now() - timedelta(minutes=1)
    revision.refresh_from_db()
    revision.content["go_live_at"] = past.isoformat()
    revision.approved_go_live_at = past
    revision.save(update_fields=["content", "approved_go_live_at"])
    call_command("publish_scheduled")
    promo.refresh_from_db()
    assert promo.live and usable(bastille, "DEMAIN")[0].amount == Decimal("3.00")
    Promotion.objects.filter(pk=promo.pk).update(expire_at=timezone.now() - timedelta(minutes=1))
    assert usable(bastille, "DEMAIN") is None  # refused at once, before publish_scheduled unpublishes it
