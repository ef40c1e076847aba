"""The books' receivers of the order services' signals."""

from ordering import signals

from . import journal


def record_in_journal(sender, order, event, amount=None, method=None, **kwargs):
    """Inside the order service's transaction: the change and its journal entry commit together."""
    journal.book_order(order, event, amount=amount, method=method)


def connect():
    signals.order_booked.connect(record_in_journal, dispatch_uid="books.journal")
