"""The sales journal: every sale, change, cancellation, payment, refund and closure,
appended per restaurant to a chain of entries each signed with the previous one's
hash (HMAC-SHA256 with BOOKS_JOURNAL_KEY), never updated nor deleted.

Appending takes the restaurant's JournalHead row locked (the per-restaurant lock,
the last lock of any order change: after the order, payments, stock and the daily
counter), so entries of one restaurant get consecutive numbers in commit order.
It runs inside the transaction of the change it records (ordering.signals.order_booked):
both commit, or neither.
"""

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from core.money import to_money

from . import vat
from .exceptions import BooksError
from .models import JournalEntry, JournalHead

Kind = JournalEntry.Kind
SALES_KINDS = (Kind.SALE, Kind.CHANGE, Kind.CANCELLATION, Kind.CORRECTION)
MONEY_KINDS = (Kind.PAYMENT, Kind.REFUND)
ZERO = Decimal("0.00")


def _key():
    key = getattr(settings, "BOOKS_JOURNAL_KEY", None) or f"books-journal:{settings.SECRET_KEY}"
    return key.encode()


def canonical(restaurant_id, sequence, kind, order_id, created_at, day, payload) -> bytes:
    """The exact bytes an entry's hash signs (keys sorted, no spaces, ASCII)."""
    content = {
        "restaurant": restaurant_id,
        "sequence": sequence,
        "kind": str(kind),
        "order": order_id,
        "at": created_at.astimezone(UTC).isoformat(),
        "day": day.isoformat(),
        "payload": payload,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def link_hash(previous_hash, content: bytes) -> str:
    return hmac.new(_key(), previous_hash.encode() + b"\n" + content, hashlib.sha256).hexdigest()


def sign(data: bytes) -> str:
    """A detached signature (HMAC-SHA256 with the journal's key) of exported files."""
    return hmac.new(_key(), data, hashlib.sha256).hexdigest()


def lock_head(restaurant_id):
    """The restaurant's chain head, created if needed, locked until the end of the transaction."""
    heads = JournalHead.objects.select_for_update()
    head = heads.filter(restaurant_id=restaurant_id).first()
    if head is not None:
        return head
    table = JournalHead._meta.db_table
    with connection.cursor() as cursor:  # the restaurant's first entry: two may race to create the head
        cursor.execute(
            f"INSERT INTO {table} (restaurant_id, sequence, hash) VALUES (%s, 0, '') "
            "ON CONFLICT (restaurant_id) DO NOTHING",
            [restaurant_id],
        )
    return heads.get(restaurant_id=restaurant_id)


def append(restaurant_id, kind, payload, order_id=None, now=None):
    """Appends one entry to the restaurant's chain, in the caller's transaction."""
    if not connection.in_atomic_block:
        raise BooksError("the journal is written inside the transaction of the change it records")
    head = lock_head(restaurant_id)
    created_at = (now or timezone.now()).astimezone(UTC)
    day = timezone.localdate(created_at)
    sequence = head.sequence + 1
    content = canonical(restaurant_id, sequence, kind, order_id, created_at, day, payload)
    entry = JournalEntry.objects.create(
        restaurant_id=restaurant_id,
        sequence=sequence,
        kind=kind,
        order_id=order_id,
        created_at=created_at,
        day=day,
        payload=payload,
        previous_hash=head.hash,
        hash=link_hash(head.hash, content),
    )
    head.sequence, head.hash = sequence, entry.hash
    head.save(update_fields=["sequence", "hash"])
    return entry


# -- What an order has in the books ------------------------------------------


def _money_text(breakdown):
    return {
        rate: {part: str(to_money(amount)) for part, amount in amounts.items()} for rate, amounts in breakdown.items()
    }


def add_rates(into, by_rate, sign=1):
    for rate, amounts in by_rate.items():
        row = into.setdefault(rate, {"gross": ZERO, "net": ZERO, "vat": ZERO})
        for part in ("gross", "net", "vat"):
            row[part] += sign * Decimal(amounts[part])
    return into


def booked_sales(order_id):
    """{rate: {gross, net, vat}} the journal holds for this order (sales minus cancellations)."""
    booked = {}
    for payload in JournalEntry.objects.filter(order_id=order_id, kind__in=SALES_KINDS).values_list(
        "payload", flat=True
    ):
        add_rates(booked, payload["by_rate"])
    return booked


def booked_payments(order_id, method):
    """What the journal holds as paid for this order with this method (payments minus refunds)."""
    payloads = JournalEntry.objects.filter(order_id=order_id, kind__in=MONEY_KINDS).values_list("payload", flat=True)
    return sum((Decimal(p["amount"]) for p in payloads if p["method"] == method), ZERO)


def _difference(target, booked):
    delta = add_rates(add_rates({}, _money_text(target)), _money_text(booked), sign=-1)
    return {rate: amounts for rate, amounts in delta.items() if any(amounts.values())}


def book_order(order, event, amount=None, method=None):
    """Records what an order service just did (ordering.signals.order_booked).

    Sales, changes and cancellations record the difference between what the order is
    now worth per VAT rate (nothing once cancelled) and what the journal already
    holds for it, so the journal's sum for an order is always its last state.
    Payments and refunds record money: a refund of `None` is all that was paid."""
    if event in (Kind.SALE, Kind.CHANGE, Kind.CANCELLATION):
        target = {} if event == Kind.CANCELLATION else vat.order_breakdown(order)
        delta = _difference(target, booked_sales(order.pk))
        if not delta and event != Kind.SALE:
            return None  # nothing sold changes (e.g. an unpaid online order released)
        payload = {
            "order": order.number,
            "channel": order.channel,
            "fulfilment": order.fulfilment,
            "payment_method": order.payment_method,
            "by_rate": _money_text(delta),
            "total": str(sum((row["gross"] for row in delta.values()), ZERO)),
        }
    elif event in (Kind.PAYMENT, Kind.REFUND):
        if amount is None:
            amount = booked_payments(order.pk, method)
        amount = to_money(amount)
        if event == Kind.REFUND:
            amount = -amount
        payload = {"order": order.number, "method": method, "amount": str(amount)}
    else:
        raise BooksError(f"unknown journal event: {event}")
    return append(order.restaurant_id, event, payload, order_id=order.pk)


def correct(restaurant_id, order_id, by_rate, reason, by=None):
    """A correction of sales figures: a new entry, never a change of an old one."""
    payload = {"by_rate": _money_text(by_rate), "reason": reason, "by": getattr(by, "pk", None)}
    with transaction.atomic():
        return append(restaurant_id, Kind.CORRECTION, payload, order_id=order_id)


# -- Verifying the chain ------------------------------------------------------


@dataclass(frozen=True)
class Break:
    restaurant_id: int
    sequence: int
    reason: str

    def __str__(self):
        return f"restaurant {self.restaurant_id}, entry {self.sequence}: {self.reason}"


def verify(restaurant_ids=None):
    """The first broken link of each restaurant's chain ([] when every chain holds)."""
    if restaurant_ids is None:
        restaurant_ids = set(JournalEntry.objects.values_list("restaurant_id", flat=True).distinct())
        restaurant_ids |= set(JournalHead.objects.values_list("restaurant_id", flat=True))
    breaks = []
    for restaurant_id in sorted(restaurant_ids):
        found = _verify_one(restaurant_id)
        if found:
            breaks.append(found)
    return breaks


def _verify_one(restaurant_id):
    previous, expected = "", 1
    rows = (
        JournalEntry.objects.filter(restaurant_id=restaurant_id)
        .order_by("sequence")
        .values_list("sequence", "kind", "order_id", "created_at", "day", "payload", "previous_hash", "hash")
    )
    for sequence, kind, order_id, created_at, day, payload, previous_hash, stored in rows.iterator(chunk_size=2000):
        if sequence != expected:
            return Break(restaurant_id, expected, f"entry missing (the next one is {sequence})")
        if previous_hash != previous:
            return Break(restaurant_id, sequence, "previous hash does not match the previous entry")
        if link_hash(previous, canonical(restaurant_id, sequence, kind, order_id, created_at, day, payload)) != stored:
            return Break(restaurant_id, sequence, "content altered (hash does not match)")
        previous, expected = stored, expected + 1
    head = JournalHead.objects.filter(restaurant_id=restaurant_id).first()
    if head is not None and (head.sequence != expected - 1 or head.hash != previous):
        return Break(restaurant_id, expected, "entries missing at the end of the chain")
    return None
