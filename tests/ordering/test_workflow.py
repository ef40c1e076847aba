"""The state machine: every allowed and every forbidden transition."""

import itertools

import pytest

from ordering.exceptions import TransitionNotAllowed
from ordering.models import Order, StatusChange
from ordering.services import transition
from ordering.workflow import Fulfilment, Status, can_transition

ALLOWED = {
    (Status.AWAITING_PAYMENT, Status.PLACED, None),
    (Status.AWAITING_PAYMENT, Status.CANCELLED, None),
    (Status.PLACED, Status.IN_PREPARATION, None),
    (Status.PLACED, Status.CANCELLED, None),
    (Status.IN_PREPARATION, Status.READY, None),
    (Status.READY, Status.OUT_FOR_DELIVERY, Fulfilment.DELIVERY),
    (Status.READY, Status.COLLECTED, Fulfilment.PICKUP),
    (Status.OUT_FOR_DELIVERY, Status.DELIVERED, Fulfilment.DELIVERY),
}
ALL = [
    (current, target, fulfilment) for current, target in itertools.product(Status, Status) for fulfilment in Fulfilment
]


@pytest.mark.parametrize("current, target, fulfilment", ALL)
def test_transition_table(current, target, fulfilment):
    expected = (current, target, None) in ALLOWED or (current, target, fulfilment) in ALLOWED
    assert can_transition(current, target, fulfilment) is expected


@pytest.fixture
def order(bastille):
    from ordering.services import OrderDetails, place_order
    from tests.conftest import size_of

    details = OrderDetails(fulfilment=Fulfilment.PICKUP, name="Léa", phone="0612345678", email="lea@example.fr")
    return place_order(bastille, {size_of("reine").pk: 1}, details)


def test_transitions_are_recorded_with_who_and_when(order, django_user_model):
    pizzaiolo = django_user_model.objects.create_user("luigi")
    for target in (Status.IN_PREPARATION, Status.READY, Status.COLLECTED):
        order = transition(order, target, by=pizzaiolo)
    history = list(StatusChange.objects.filter(order=order).values_list("from_status", "to_status", "by__username"))
    assert history == [
        ("", "placed", None),
        ("placed", "in_preparation", "luigi"),
        ("in_preparation", "ready", "luigi"),
        ("ready", "collected", "luigi"),
    ]


def test_forbidden_transition_changes_nothing(order):
    with pytest.raises(TransitionNotAllowed):
        transition(order, Status.OUT_FOR_DELIVERY)  # a take-away order is never delivered
    with pytest.raises(TransitionNotAllowed):
        transition(order, Status.READY)  # not prepared yet
    order.refresh_from_db()
    assert order.status == Status.PLACED and order.status_changes.count() == 1


def test_finished_orders_cannot_be_cancelled(order):
    for target in (Status.IN_PREPARATION, Status.READY, Status.COLLECTED):
        transition(order, target)
    with pytest.raises(TransitionNotAllowed):
        transition(order, Status.CANCELLED)
    assert Order.objects.get(pk=order.pk).status == Status.COLLECTED
