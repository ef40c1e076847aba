"""Files out of the books: the tax authority's signed archive and the accountant's sales CSV."""

import csv
import hashlib
import io
import json
import zipfile
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone

from core.money import to_money

from . import journal
from .models import Closure, JournalEntry

Kind = JournalEntry.Kind
ZIP_DATE = (2000, 1, 1, 0, 0, 0)  # fixed: the same records make the same bytes
SIGNATURE_FILE = "manifest.json.sig"


# -- The archive for the tax authority ---------------------------------------


def _jsonl(rows):
    return "".join(json.dumps(row, sort_keys=True, ensure_ascii=True) + "\n" for row in rows).encode()


def build_archive(restaurant, start, end):
    """A zip of the restaurant's journal entries and closures of days start..end:
    journal.jsonl, closures.json, manifest.json (the files' SHA-256, the chain's ends)
    and manifest.json.sig (HMAC-SHA256 of the manifest with the journal's key).
    Returns (filename, bytes)."""
    entries = list(
        JournalEntry.objects.filter(restaurant_id=restaurant.pk, day__gte=start, day__lte=end)
        .order_by("sequence")
        .values("sequence", "kind", "order_id", "created_at", "day", "payload", "previous_hash", "hash")
    )
    for entry in entries:
        entry["created_at"] = entry["created_at"].isoformat()
        entry["day"] = entry["day"].isoformat()
    closures = [
        {
            "period": c.period,
            "start": c.start.isoformat(),
            "end": c.end.isoformat(),
            "totals": c.totals,
            "cash_expected": str(c.cash_expected),
            "cash_counted": None if c.cash_counted is None else str(c.cash_counted),
            "journal_entry_hash": journal.JournalEntry.objects.get(pk=c.entry_id).hash,
        }
        for c in Closure.objects.filter(restaurant_id=restaurant.pk, start__gte=start, end__lte=end).order_by(
            "start", "period"
        )
    ]
    files = {
        "journal.jsonl": _jsonl(entries),
        "closures.json": json.dumps(closures, sort_keys=True, indent=1, ensure_ascii=True).encode(),
    }
    manifest = {
        "restaurant": {"id": restaurant.pk, "name": restaurant.title},
        "from": start.isoformat(),
        "to": end.isoformat(),
        "generated_at": timezone.now().isoformat(),
        "entries": len(entries),
        "first_sequence": entries[0]["sequence"] if entries else None,
        "last_sequence": entries[-1]["sequence"] if entries else None,
        "last_hash": entries[-1]["hash"] if entries else None,
        "hash_algorithm": "HMAC-SHA256(key, previous_hash + '\\n' + canonical JSON of the entry)",
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in files.items()},
    }
    files["manifest.json"] = json.dumps(manifest, sort_keys=True, indent=1, ensure_ascii=True).encode()
    files[SIGNATURE_FILE] = (journal.sign(files["manifest.json"]) + "\n").encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=ZIP_DATE), data)
    filename = f"journal-{restaurant.slug}-{start:%Y%m%d}-{end:%Y%m%d}.zip"
    return filename, buffer.getvalue()


def verify_archive(data: bytes):
    """[] when the archive is intact, else what does not match."""
    problems = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        if not {"manifest.json", SIGNATURE_FILE} <= names:
            return ["manifest or signature missing"]
        manifest_bytes = archive.read("manifest.json")
        if archive.read(SIGNATURE_FILE).decode().strip() != journal.sign(manifest_bytes):
            problems.append("manifest signature does not match")
        manifest = json.loads(manifest_bytes)
        for name, digest in manifest["files"].items():
            if name not in names or hashlib.sha256(archive.read(name)).hexdigest() != digest:
                problems.append(f"{name} altered or missing")
    return problems


# -- The accountant's sales export -------------------------------------------

CSV_HEADER = ["date", "restaurant", "vat_rate", "payment_method", "net", "vat", "gross"]


def sales_rows(restaurants, start, end):
    """Sales of the journal per day, restaurant, VAT rate and payment method:
    [(day, restaurant, rate, method, net, vat, gross)]. An order's payment method is
    how it was paid (paypal, cash, card), "to_collect" while it is not."""
    names = {r.pk: r.title for r in restaurants}
    entries = list(
        JournalEntry.objects.filter(
            restaurant_id__in=names, day__gte=start, day__lte=end, kind__in=journal.SALES_KINDS
        ).values_list("day", "restaurant_id", "order_id", "payload")
    )
    order_ids = {order_id for _day, _r, order_id, _p in entries if order_id}
    paid_with = {}
    for order_id, payload in JournalEntry.objects.filter(order_id__in=order_ids, kind=Kind.PAYMENT).values_list(
        "order_id", "payload"
    ):
        paid_with.setdefault(order_id, payload["method"])
    sums = defaultdict(lambda: [Decimal("0.00")] * 3)
    for day, restaurant_id, order_id, payload in entries:
        method = paid_with.get(order_id) or ("paypal" if payload.get("payment_method") == "paypal" else "to_collect")
        for rate, amounts in payload["by_rate"].items():
            row = sums[(day, names[restaurant_id], rate, method)]
            row[0] += Decimal(amounts["net"])
            row[1] += Decimal(amounts["vat"])
            row[2] += Decimal(amounts["gross"])
    return [
        (day, name, rate, method, to_money(net), to_money(vat), to_money(gross))
        for (day, name, rate, method), (net, vat, gross) in sorted(sums.items(), key=lambda kv: kv[0])
    ]


def sales_csv(restaurants, start, end) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(CSV_HEADER)
    for day, name, rate, method, net, vat, gross in sales_rows(restaurants, start, end):
        writer.writerow([day.isoformat(), name, rate, method, net, vat, gross])
    return out.getvalue()
