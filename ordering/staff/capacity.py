"""The oven's capacity screen (/admin/cuisine/capacite/<restaurant>/): busy mode for the
manager and the kitchen; the capacity per 15 minutes and its rules for the manager.
Each form posts its `action`; anything else is a 400 and changes nothing."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from ..capacity import SLOT, Capacities, pace, set_busy, set_default_capacity, slot_start
from ..models import CapacityRule, SlotLoad
from ..workflow import Fulfilment
from .forms import BusyForm, CapacityRuleForm, DefaultCapacityForm, DeleteRuleForm
from .permissions import can
from .views import _choose_restaurant, for_restaurant, forbidden

MANAGER_ACTIONS = {"default", "add_rule", "delete_rule"}
SLOTS_SHOWN = 12  # the next three hours


def capacity_index(request):
    return _choose_restaurant(request, "ordering_staff:capacity", "busy")


def _forms(restaurant, rules, data=None, action=None):
    def bound(name):
        return data if action == name else None

    return {
        "busy": BusyForm(bound("busy"), prefix="busy"),
        "default": DefaultCapacityForm(
            bound("default"), prefix="default", initial={"default_capacity": pace(restaurant).default_capacity}
        ),
        "add_rule": CapacityRuleForm(bound("add_rule"), prefix="rule"),
        "delete_rule": DeleteRuleForm(bound("delete_rule"), prefix="delete", rules=rules),
    }


def _apply(request, restaurant, action, data):
    if action == "busy":
        set_busy(restaurant, data["mode"], data["minutes"])
        return _("Busy mode updated.")
    if action == "default":
        set_default_capacity(restaurant, data["default_capacity"])
        return _("Oven capacity updated.")
    if action == "add_rule":
        CapacityRule.objects.create(restaurant=restaurant, **data)
        return _("Rule added.")
    data["rule"].delete()
    return _("Rule deleted.")


def _upcoming(restaurant, now):
    """The next slots of the kitchen: (start, load, capacity)."""
    first = slot_start(now, Fulfilment.PICKUP) + SLOT
    starts = [first + i * SLOT for i in range(SLOTS_SHOWN)]
    loads = dict(SlotLoad.objects.filter(restaurant=restaurant, starts_at__in=starts).values_list("starts_at", "load"))
    capacities = Capacities(restaurant, pace(restaurant, now).default_capacity)
    return [(timezone.localtime(start), loads.get(start, 0), capacities.of(start)) for start in starts]


@for_restaurant("busy")
def capacity(request, restaurant):
    rules = CapacityRule.objects.filter(restaurant=restaurant)
    action = request.POST.get("action") if request.method == "POST" else None
    if request.method == "POST":
        if action not in {"busy", *MANAGER_ACTIONS}:
            return HttpResponse(_("Unknown action."), status=400, content_type="text/plain; charset=utf-8")
        if action in MANAGER_ACTIONS and not can(request.user, "capacity", restaurant):
            return forbidden()
    forms = _forms(restaurant, rules, request.POST if action else None, action)
    if action:
        form = forms[action]
        if form.is_valid():
            messages.success(request, _apply(request, restaurant, action, form.cleaned_data))
            return redirect("ordering_staff:capacity", restaurant.pk)
    now = timezone.now()
    return render(
        request,
        "ordering/staff/capacity.html",
        {
            "restaurant": restaurant,
            "forms": forms,
            "rules": rules,
            "pace": pace(restaurant, now),
            "may_edit": can(request.user, "capacity", restaurant),
            "upcoming": _upcoming(restaurant, now),
        },
        status=400 if action else 200,
    )
