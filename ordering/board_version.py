"""A version number per restaurant, in Redis, bumped whenever one of its orders
or stocks changes (ordering.receivers, on the signals of ordering.signals, and
ordering.models for any other write to a stock row, bulk ones included).
Each new version is pushed to the open kitchen boards (ordering.receivers
publishes it, ordering.push; the board stream relays it); boards without the
stream, and the delivery screen, poll it: an unchanged version is answered from
one Redis read, without reading any order. The restaurant's page, in the page
and fragment caches, is stamped with it too (what can still be made).

A version Redis evicts starts again from the current time, never from a value an
old page or board carries (core.versions)."""

import hashlib

from core import versions


def name(restaurant_id):
    return f"board:{restaurant_id}"


def stock_name(restaurant_id):
    """The restaurant's stock version: bumped by every write to its stock rows
    (ordering.models.Stock), what its page is stamped with (what can be made)."""
    return f"stock:{restaurant_id}"


def bump(restaurant_id):
    """Returns the new version (None when the cache cannot tell)."""
    return versions.bump(name(restaurant_id))


def current(restaurant_id):
    """The current version, or None when the cache cannot tell (then boards refresh)."""
    return versions.current(name(restaurant_id))


# The customer's tracking page polls its order's state: an unchanged order is
# answered 304 from this counter (its ETag) without reading the order. Counters of
# orders nobody follows expire; one that starts again starts later than any old value.
TRACKING_SECONDS = 600


def tracking_name(tracking_token):
    return "order:" + hashlib.sha256(tracking_token.encode()).hexdigest()[:32]


def bump_tracking(tracking_token):
    return versions.bump(tracking_name(tracking_token), timeout=TRACKING_SECONDS)


def tracking_current(tracking_token):
    return versions.current(tracking_name(tracking_token), timeout=TRACKING_SECONDS)
