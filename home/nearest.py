"""Which restaurant is nearest to a postcode, without geocoding anyone's address.

A postcode stands for the centre of its area: the twenty arrondissements of
Paris, and the departments around it for their postcodes. Good enough to order
restaurants for a customer ("the restaurant nearest to you"), never to price a
delivery (that is the restaurant's list of postcodes).
"""

from math import cos, hypot, radians

# Approximate centres (latitude, longitude) of the Paris arrondissements.
PARIS = {
    "75001": (48.8626, 2.3363),
    "75002": (48.8683, 2.3428),
    "75003": (48.8630, 2.3600),
    "75004": (48.8543, 2.3576),
    "75005": (48.8445, 2.3507),
    "75006": (48.8491, 2.3328),
    "75007": (48.8562, 2.3122),
    "75008": (48.8727, 2.3125),
    "75009": (48.8770, 2.3375),
    "75010": (48.8762, 2.3607),
    "75011": (48.8590, 2.3800),
    "75012": (48.8397, 2.3891),
    "75013": (48.8283, 2.3623),
    "75014": (48.8292, 2.3266),
    "75015": (48.8401, 2.2930),
    "75016": (48.8604, 2.2756),
    "75116": (48.8604, 2.2756),
    "75017": (48.8873, 2.3067),
    "75018": (48.8925, 2.3483),
    "75019": (48.8871, 2.3848),
    "75020": (48.8634, 2.4011),
}
# The departments around Paris, by the first two digits of their postcodes.
DEPARTMENTS = {
    "75": (48.8566, 2.3522),
    "92": (48.8400, 2.2450),
    "93": (48.9100, 2.4800),
    "94": (48.7800, 2.4700),
    "95": (49.0800, 2.1300),
    "78": (48.8000, 1.9500),
    "91": (48.5300, 2.2400),
    "77": (48.6200, 2.9800),
}


def location_of(postcode):
    """(latitude, longitude) of a postcode's area, or None when we do not know it."""
    return PARIS.get(postcode) or DEPARTMENTS.get(postcode[:2]) if postcode else None


def distance_km(a, b):
    """Distance between two nearby points (an equirectangular approximation, fine at a city's scale)."""
    (lat_a, lon_a), (lat_b, lon_b) = a, b
    x = radians(lon_b - lon_a) * cos(radians((lat_a + lat_b) / 2))
    return hypot(x, radians(lat_b - lat_a)) * 6371


def by_distance(restaurants, postcode):
    """The restaurants, nearest to the postcode first (ties and unknown places keep their order);
    unchanged when the postcode's place is unknown."""
    origin = location_of(postcode)
    if origin is None:
        return list(restaurants)

    def distance(restaurant):
        place = location_of(restaurant.postcode)
        return distance_km(origin, place) if place else float("inf")

    return sorted(restaurants, key=distance)  # sorted() is stable
