"""Who may do what, where. A role is a permission (StaffMember's Meta.permissions),
granted to a group or to a person: renaming a group changes nothing. The restaurants
someone works for come from StaffMember. Every staff view and action asks `can()`
on the server.

Django caches a user's permissions on the user object: in the admin, Wagtail's access
check has already read them, so asking for roles costs no query."""

from home.models import RestaurantPage

from ..workflow import Status

MANAGER = "ordering.manage_restaurant"
KITCHEN = "ordering.prepare_orders"  # pizzaiolo
COURIER = "ordering.deliver_orders"
COUNTER = "ordering.serve_counter"
HEAD_OFFICE = "ordering.see_all_restaurants"  # reads every restaurant (the recipes: their model permissions)
RESTAURANT_ROLES = (MANAGER, KITCHEN, COURIER, COUNTER)
ROLES = (*RESTAURANT_ROLES, HEAD_OFFICE)

# action -> roles allowed to do it in their own restaurants
ACTIONS = {
    "view_orders": {MANAGER, KITCHEN, COURIER, COUNTER, HEAD_OFFICE},
    "kitchen": {MANAGER, KITCHEN},  # start and finish preparing
    "deliver": {MANAGER, COURIER},  # take a delivery, hand it over, record the payment
    "counter": {MANAGER, COUNTER},  # hand over take-away orders, take phone and counter orders
    "cancel": {MANAGER},
    "stock": {MANAGER},  # restock, adjust, thresholds
    "dashboard": {MANAGER, HEAD_OFFICE},
    "capacity": {MANAGER},  # the oven's capacity per 15 minutes and its rules
    "busy": {MANAGER, KITCHEN},  # busy mode: minutes added to every promise, online orders paused
}
# the action a status change needs
TRANSITION_ACTIONS = {
    Status.PLACED: "counter",
    Status.IN_PREPARATION: "kitchen",
    Status.READY: "kitchen",
    Status.OUT_FOR_DELIVERY: "deliver",
    Status.DELIVERED: "deliver",
    Status.COLLECTED: "counter",
    Status.CANCELLED: "cancel",
}


def roles_of(user):
    """The role permissions this person has (every role for a superuser)."""
    if not user.is_authenticated:
        return set()
    return {role for role in ROLES if user.has_perm(role)}


def is_restaurant_staff(user):
    """Has a role in restaurants (head office alone is not one)."""
    return user.is_superuser or bool(roles_of(user) & set(RESTAURANT_ROLES))


def sees_every_restaurant(user):
    return user.is_superuser or HEAD_OFFICE in roles_of(user)


def own_restaurants(user):
    """The restaurants this person works for (StaffMember), whatever their roles."""
    if not user.is_authenticated:
        return RestaurantPage.objects.none()
    return RestaurantPage.objects.filter(staff__user=user)


def restaurants_for(user):
    """The restaurants this person may look at."""
    if sees_every_restaurant(user):
        return RestaurantPage.objects.all()
    return own_restaurants(user)


def can(user, action, restaurant):
    if user.is_superuser:
        return True
    roles = roles_of(user) & ACTIONS[action]
    if not roles:
        return False
    if HEAD_OFFICE in roles:
        return True  # head office's actions (reading) apply everywhere
    # A restaurant role acts only in the member's own restaurants, even for head office staff.
    return own_restaurants(user).filter(pk=restaurant.pk).exists()


def can_move(user, order, target):
    return can(user, TRANSITION_ACTIONS[target], order.restaurant)


def manages(user, restaurant):
    """A manager of this restaurant (or an administrator): may act for the other staff, e.g.
    hand over a delivery a courier took."""
    if user.is_superuser:
        return True
    return MANAGER in roles_of(user) and own_restaurants(user).filter(pk=restaurant.pk).exists()


def may_print_kitchen_tickets(user, restaurant):
    """Who claims kitchen tickets to print them: the kitchen and the counter of the restaurant (managers too)."""
    return can(user, "kitchen", restaurant) or can(user, "counter", restaurant)


def restaurants_allowed(user, action):
    """The restaurants where this person may do `action`, as one queryset: what `can()` answers
    restaurant by restaurant, without a query per restaurant (the reports list them all)."""
    if user.is_superuser:
        return RestaurantPage.objects.all()
    roles = roles_of(user) & ACTIONS[action]
    if HEAD_OFFICE in roles:
        return RestaurantPage.objects.all()
    if roles:
        return own_restaurants(user)
    return RestaurantPage.objects.none()
