"""What happened to orders, stock and refunds, told once it is committed (the
signals of Oscar's apps, sent on commit as Saleor's order actions send theirs).

Every change of an order goes through one function of ordering.services (the
checkout, the PayPal return and webhooks, the housekeeping, the staff screens
and phone orders all call them), and each sends one of these signals through
`send_on_commit`: a receiver never sees a change that is rolled back, and never
runs while the change's locks are held. What must survive a crash is written
inside the transaction, before the signal: the e-mail in the outbox
(ordering.models.Notification) and the refund owed (PayPalRefund); receivers
only send them, and the periodic commands retry what could not be sent.

The receivers (ordering.receivers, connected in OrderingConfig.ready) bump the
boards' version, send the customer's e-mail and send the refunds.

Signal                 sender        arguments
order_placed           Order         order, by, notification
order_status_changed   Order         order, previous, status, by, notification
order_changed          Order         order, fields (what changed but the status:
                                     {"lines", "subtotal", "delivery_fee", "total"}
                                     or {"payment_state"})
stock_changed          Stock         restaurant_id, movement (a movement made by a
                                     staff member; an order's own stock movements
                                     are part of that order's signal)
refund_recorded        PayPalRefund  refund (money owed back, to send to PayPal)

One signal is the exception, sent INSIDE the transaction (send_in_transaction),
not on commit: the sales journal (books.receivers) must commit or roll back with
the change it records, under the same locks. Its receivers only write rows; an
error in one rolls the change back (fiscal law: no sale without its record).

order_booked           Order         order, event ("sale", "change", "cancellation",
                                     "payment", "refund"), amount (payments and
                                     refunds; None: all that was paid), method

`by` is the user who made the change (None: the customer or the system);
`notification` the e-mail queued with it in the outbox, or None.
"""

from django.db import transaction
from django.dispatch import Signal

order_placed = Signal()
order_status_changed = Signal()
order_changed = Signal()
stock_changed = Signal()
refund_recorded = Signal()
order_booked = Signal()  # in the transaction, see above

# Everything a screen showing orders needs to hear of.
ORDER_SIGNALS = (order_placed, order_status_changed, order_changed)


def send_on_commit(signal, sender, **arguments):
    """Sends the signal once the current transaction commits (at once outside
    one; never if it rolls back). A receiver's error is not swallowed: it
    surfaces after the commit, as any on-commit callback's does."""
    transaction.on_commit(lambda: signal.send(sender=sender, **arguments))


def send_in_transaction(signal, sender, **arguments):
    """Sends the signal now, inside the caller's transaction: a receiver's error
    propagates and rolls the whole change back (for records that must be atomic with it)."""
    signal.send(sender=sender, **arguments)
