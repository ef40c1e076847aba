"""The offers app's exceptions. Their message is for the customer (French through gettext)."""


class PromotionRefused(Exception):
    """A promotion code cannot be used for this order (unknown, expired, minimum not
    reached, already used...); the message says why. Nothing was written."""
