"""A fake PayPal for tests and the local demo: a real HTTP server on loopback
that speaks the parts of the REST API the project uses, with PayPal's JSON
shapes and error format, and an approval page that redirects back like
PayPal does.

    OAuth2 token ............ POST /v1/oauth2/token
    Orders v2 ............... POST /v2/checkout/orders, GET /v2/checkout/orders/{id},
                              POST /v2/checkout/orders/{id}/capture
    Refund .................. POST /v2/payments/captures/{id}/refund
    Verify webhook .......... POST /v1/notifications/verify-webhook-signature
    Approval page ........... GET /checkoutnow?token={id}

Test controls under /_fake/ (never part of PayPal's API):
    POST /_fake/behaviour  {"decline": true, "fail": 2, "delay": 1.5,
                            "capture_amount": "1.00", "capture_currency": "USD"}
    POST /_fake/approve/{id}, POST /_fake/webhook {"event_type": ..., "resource": {...}, "url": ...}
    GET /_fake/state, POST /_fake/reset

Webhooks are signed with an HMAC of the event (the real PayPal uses
certificates); the verify endpoint checks that signature.
"""

import base64
import hashlib
import hmac
import html
import json
import secrets
import threading
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SIGNING_KEY = b"fake-paypal-webhook-signing-key"


def now_iso():
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_id(length=17):
    return "".join(secrets.choice("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(length))


# PayPal account ids (payer_id, account_id): 13 characters of PayPal's Base32 variant.
PAYER_ID_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def new_payer_id():
    return "".join(secrets.choice(PAYER_ID_ALPHABET) for _ in range(13))


def signature(transmission_id, transmission_time, webhook_id, event):
    canonical = json.dumps(event, sort_keys=True, separators=(",", ":"))
    message = f"{transmission_id}|{transmission_time}|{webhook_id}|{canonical}".encode()
    return base64.b64encode(hmac.new(SIGNING_KEY, message, hashlib.sha256).digest()).decode()


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.orders, self.captures, self.refunds, self.replies = {}, {}, {}, {}
        self.requests = []  # (method, path, json body) of every authorized API call, for tests
        self.behaviour = {}
        self.tokens = set()


class PayPalError(Exception):
    def __init__(self, status, name, message, issue=None, description=""):
        self.status, self.body = (
            status,
            {
                "name": name,
                "message": message,
                "debug_id": new_id(13).lower(),
                "details": [{"issue": issue, "description": description}] if issue else [],
                "links": [
                    {
                        "href": f"https://developer.paypal.com/docs/api/orders/v2/#error-{issue or name}",
                        "rel": "information_link",
                    }
                ],
            },
        )


def unprocessable(issue, description):
    return PayPalError(
        422,
        "UNPROCESSABLE_ENTITY",
        "The requested action could not be performed, semantically incorrect, or failed business validation.",
        issue,
        description,
    )


def invalid_request(issue, description):
    return PayPalError(
        400,
        "INVALID_REQUEST",
        "Request is not well-formed, syntactically incorrect, or violates schema.",
        issue,
        description,
    )


class Handler(BaseHTTPRequestHandler):
    server_version = "FakePayPal/1.0"
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # quiet
        pass

    @property
    def state(self):
        return self.server.state

    @property
    def base(self):
        return f"http://{self.headers.get('Host')}"

    # --- plumbing -------------------------------------------------------

    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _json(self, status, payload, headers=None):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Paypal-Debug-Id", new_id(13).lower())
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _html(self, status, text):
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _redirect(self, location):
        self.send_response(303)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _authorized(self):
        header = self.headers.get("Authorization", "")
        return header.startswith("Bearer ") and header[7:] in self.state.tokens

    def _faults(self):
        """Injected slowness and 5xx errors apply to the API, not to the controls."""
        behaviour = self.state.behaviour
        if behaviour.get("delay"):
            time.sleep(float(behaviour["delay"]))
        with self.state.lock:
            if behaviour.get("fail", 0) > 0:
                behaviour["fail"] -= 1
                raise PayPalError(503, "SERVICE_UNAVAILABLE", "Service Unavailable.")

    def _dispatch(self, method):
        path, _, query = self.path.partition("?")
        body = self._body()
        try:
            if path.startswith("/_fake/"):
                return self._control(method, path, body)
            if path == "/checkoutnow" or path.startswith("/checkoutnow/"):
                return self._approval(method, path, query, body)
            self._faults()
            payload = (
                json.loads(body)
                if body and self.headers.get("Content-Type", "").startswith("application/json")
                else None
            )
            if path == "/v1/oauth2/token" and method == "POST":
                return self._token(body)
            if not self._authorized():  # e.g. a token from before a reset: the client fetches a new one
                return self._json(
                    401, {"error": "invalid_token", "error_description": "Token signature verification failed"}
                )
            self.state.requests.append({"method": method, "path": path, "json": payload, "headers": dict(self.headers)})
            request_id = self.headers.get("PayPal-Request-Id")
            if request_id and (method, path, request_id) in self.state.replies:
                return self._json(*self.state.replies[(method, path, request_id)])
            status, reply = self._api(method, path, payload)
            if request_id:
                self.state.replies[(method, path, request_id)] = (status, reply)
            return self._json(status, reply)
        except PayPalError as error:
            return self._json(error.status, error.body)
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            return self._json(400, invalid_request("MALFORMED_REQUEST_JSON", str(error)).body)

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    # --- API ------------------------------------------------------------

    def _token(self, body):
        credentials = base64.b64decode(self.headers.get("Authorization", "Basic ")[6:] or b"").decode(errors="replace")
        client_id, _, client_secret = credentials.partition(":")
        if (
            not client_id
            or not client_secret
            or urllib.parse.parse_qs(body.decode()).get("grant_type") != ["client_credentials"]
        ):
            return self._json(401, {"error": "invalid_client", "error_description": "Client Authentication failed"})
        token = "A21AA" + secrets.token_urlsafe(40)
        self.state.tokens.add(token)
        return self._json(
            200,
            {
                "scope": "https://uri.paypal.com/services/payments/payment",
                "access_token": token,
                "token_type": "Bearer",
                "app_id": "APP-FAKE",
                "expires_in": 32400,
                "nonce": now_iso() + new_id(8),
            },
        )

    def _api(self, method, path, payload):
        parts = path.strip("/").split("/")
        if method == "POST" and path == "/v2/checkout/orders":
            return self._create_order(payload)
        if parts[:3] == ["v2", "checkout", "orders"] and len(parts) == 4 and method == "GET":
            return 200, self._order_view(self._order(parts[3]))
        if parts[:3] == ["v2", "checkout", "orders"] and len(parts) == 5 and parts[4] == "capture" and method == "POST":
            return self._capture(self._order(parts[3]))
        if (
            parts[:3] == ["v2", "payments", "captures"]
            and len(parts) == 5
            and parts[4] == "refund"
            and method == "POST"
        ):
            return self._refund(parts[3], payload or {})
        if path == "/v1/notifications/verify-webhook-signature" and method == "POST":
            return self._verify(payload)
        raise PayPalError(
            404, "RESOURCE_NOT_FOUND", "The specified resource does not exist.", "INVALID_RESOURCE_ID", path
        )

    def _order(self, order_id):
        order = self.state.orders.get(order_id)
        if not order:
            raise PayPalError(
                404,
                "RESOURCE_NOT_FOUND",
                "The specified resource does not exist.",
                "INVALID_RESOURCE_ID",
                "Specified resource ID does not exist.",
            )
        return order

    def _create_order(self, payload):
        if payload.get("intent") not in ("CAPTURE", "AUTHORIZE"):
            raise invalid_request("INVALID_PARAMETER_VALUE", "intent must be CAPTURE or AUTHORIZE")
        units = payload.get("purchase_units") or []
        if not units:
            raise invalid_request("MISSING_REQUIRED_PARAMETER", "purchase_units")
        for unit in units:
            amount = unit["amount"]
            value, currency = Decimal(amount["value"]), amount["currency_code"]
            breakdown = amount.get("breakdown") or {}
            parts = sum(
                (
                    Decimal(breakdown[k]["value"])
                    for k in ("item_total", "shipping", "handling", "tax_total", "insurance")
                    if k in breakdown
                ),
                Decimal("0"),
            )
            parts -= sum(
                (Decimal(breakdown[k]["value"]) for k in ("discount", "shipping_discount") if k in breakdown),
                Decimal("0"),
            )
            if breakdown and parts != value:
                raise unprocessable(
                    "AMOUNT_MISMATCH",
                    "Should equal item_total + tax_total + shipping + handling + insurance - shipping_discount - discount.",
                )
            items = unit.get("items") or []
            if items:
                total = sum((Decimal(i["unit_amount"]["value"]) * int(i["quantity"]) for i in items), Decimal("0"))
                if "item_total" not in breakdown or Decimal(breakdown["item_total"]["value"]) != total:
                    raise unprocessable(
                        "ITEM_TOTAL_MISMATCH", "Should equal sum of (unit_amount * quantity) across all items."
                    )
                if any(i["unit_amount"]["currency_code"] != currency for i in items):
                    raise unprocessable("ITEM_CURRENCY_MISMATCH", "Currency code should be the same for all items.")
        context = ((payload.get("payment_source") or {}).get("paypal") or {}).get("experience_context") or {}
        order_id = new_id()
        self.state.orders[order_id] = {
            "id": order_id,
            "intent": payload["intent"],
            "status": "PAYER_ACTION_REQUIRED",
            "purchase_units": units,
            "return_url": context.get("return_url"),
            "cancel_url": context.get("cancel_url"),
            "create_time": now_iso(),
            "captures": [],
        }
        return 200, self._order_view(self.state.orders[order_id])

    def _order_view(self, order):
        view = {
            "id": order["id"],
            "intent": order["intent"],
            "status": order["status"],
            "create_time": order["create_time"],
            "purchase_units": [],
            "links": [{"href": f"{self.base}/v2/checkout/orders/{order['id']}", "rel": "self", "method": "GET"}],
        }
        if order.get("payer_id"):  # known once the buyer approved
            name = {"given_name": "Client", "surname": "Test"}
            view["payer"] = {
                "name": name,
                "email_address": "client-test@example.com",
                "payer_id": order["payer_id"],
                "address": {"country_code": "FR"},
            }
            view["payment_source"] = {
                "paypal": {
                    "email_address": "client-test@example.com",
                    "account_id": order["payer_id"],
                    "account_status": "VERIFIED",
                    "name": name,
                    "address": {"country_code": "FR"},
                }
            }
        for unit in order["purchase_units"]:
            shown = {
                k: unit[k]
                for k in ("reference_id", "amount", "invoice_id", "custom_id", "description", "items")
                if k in unit
            }
            shown.setdefault("reference_id", "default")
            if order["captures"]:
                shown["payments"] = {"captures": order["captures"]}
            view["purchase_units"].append(shown)
        if order["status"] == "PAYER_ACTION_REQUIRED":
            view["links"].append(
                {"href": f"{self.base}/checkoutnow?token={order['id']}", "rel": "payer-action", "method": "GET"}
            )
        if order["status"] == "APPROVED":
            view["links"].append(
                {"href": f"{self.base}/v2/checkout/orders/{order['id']}/capture", "rel": "capture", "method": "POST"}
            )
        return view

    def _capture(self, order):
        if order["status"] == "COMPLETED":
            raise unprocessable(
                "ORDER_ALREADY_CAPTURED",
                "Order already captured.If 'intent=CAPTURE' only one capture per order is allowed.",
            )
        if order["status"] != "APPROVED":
            raise unprocessable("ORDER_NOT_APPROVED", "Payer has not yet approved the Order for payment.")
        behaviour = self.state.behaviour
        if behaviour.get("decline"):
            raise unprocessable(
                "INSTRUMENT_DECLINED",
                "The instrument presented  was either declined by the processor or bank, or it can't be used for this payment.",
            )
        amount = dict(order["purchase_units"][0]["amount"])
        amount.pop("breakdown", None)
        if behaviour.get("capture_amount"):
            amount["value"] = behaviour["capture_amount"]
        if behaviour.get("capture_currency"):
            amount["currency_code"] = behaviour["capture_currency"]
        capture = {
            "id": new_id(),
            "status": "COMPLETED",
            "amount": amount,
            "final_capture": True,
            "seller_protection": {"status": "ELIGIBLE"},
            "create_time": now_iso(),
            "update_time": now_iso(),
            "invoice_id": order["purchase_units"][0].get("invoice_id"),
            "custom_id": order["purchase_units"][0].get("custom_id"),
            "supplementary_data": {"related_ids": {"order_id": order["id"]}},
            "links": [{"href": f"{self.base}/v2/payments/captures/{{id}}", "rel": "self", "method": "GET"}],
        }
        capture["links"][0]["href"] = f"{self.base}/v2/payments/captures/{capture['id']}"
        order["captures"].append(capture)
        order["status"] = "COMPLETED"
        self.state.captures[capture["id"]] = capture
        return 201, self._order_view(order)

    def _refund(self, capture_id, payload):
        """Full (no amount) or partial refunds, as PayPal: never more than what remains
        of the capture, always in the capture's currency."""
        with self.state.lock:
            capture = self.state.captures.get(capture_id)
            if not capture:
                raise PayPalError(
                    404,
                    "RESOURCE_NOT_FOUND",
                    "The specified resource does not exist.",
                    "INVALID_RESOURCE_ID",
                    "Specified resource ID does not exist.",
                )
            captured = capture["amount"]
            refunded = sum(
                (Decimal(r["amount"]["value"]) for r in self.state.refunds.values() if r["capture_id"] == capture_id),
                Decimal("0"),
            )
            remaining = Decimal(captured["value"]) - refunded
            if remaining <= 0:
                raise unprocessable("CAPTURE_FULLY_REFUNDED", "The capture has already been fully refunded")
            amount = payload.get("amount") or {"currency_code": captured["currency_code"], "value": f"{remaining:.2f}"}
            if amount.get("currency_code") != captured["currency_code"]:
                raise unprocessable(
                    "REFUND_CAPTURE_CURRENCY_MISMATCH", "Refund must be in the same currency as the capture."
                )
            value = Decimal(amount["value"])
            if value <= 0:
                raise invalid_request("INVALID_PARAMETER_VALUE", "The value of a field is invalid.")
            if value > remaining:
                raise unprocessable(
                    "REFUND_AMOUNT_EXCEEDED",
                    "The refund amount must be less than or equal to the capture amount that has not yet been refunded.",
                )
            refund_id = new_id()
            refund = {
                "id": refund_id,
                "status": "COMPLETED",
                "amount": {"currency_code": amount["currency_code"], "value": amount["value"]},
                "invoice_id": payload.get("invoice_id") or capture.get("invoice_id"),
                "create_time": now_iso(),
                "update_time": now_iso(),
                "links": [
                    {"href": f"{self.base}/v2/payments/refunds/{refund_id}", "rel": "self", "method": "GET"},
                    {"href": f"{self.base}/v2/payments/captures/{capture_id}", "rel": "up", "method": "GET"},
                ],
            }
            if payload.get("custom_id"):  # the caller's tag, echoed in the refund and its webhook
                refund["custom_id"] = payload["custom_id"]
            capture["status"] = "REFUNDED" if value == remaining else "PARTIALLY_REFUNDED"
            self.state.refunds[refund_id] = {**refund, "capture_id": capture_id}
        return 201, refund

    def _verify(self, payload):
        expected = signature(
            payload["transmission_id"], payload["transmission_time"], payload["webhook_id"], payload["webhook_event"]
        )
        ok = (
            hmac.compare_digest(expected, payload.get("transmission_sig", ""))
            and payload.get("auth_algo") == "SHA256withRSA"
        )
        return 200, {"verification_status": "SUCCESS" if ok else "FAILURE"}

    # --- approval page --------------------------------------------------

    def _approval(self, method, path, query, body):
        params = urllib.parse.parse_qs(query if method == "GET" else body.decode())
        order = self.state.orders.get((params.get("token") or [""])[0])
        if order is None:
            return self._html(404, "<h1>Commande PayPal introuvable</h1>")
        if method == "POST" and path == "/checkoutnow/approve":
            _approve(order)
            return self._redirect(_with_query(order["return_url"], token=order["id"], PayerID=order["payer_id"]))
        if method == "POST" and path == "/checkoutnow/cancel":
            return self._redirect(_with_query(order["cancel_url"], token=order["id"]))
        unit = order["purchase_units"][0]
        amount = unit["amount"]
        items = "".join(
            f"<li>{html.escape(i['name'])} × {html.escape(str(i['quantity']))} — {html.escape(i['unit_amount']['value'])} {html.escape(i['unit_amount']['currency_code'])}</li>"
            for i in unit.get("items", [])
        )
        token = html.escape(order["id"])
        return self._html(
            200,
            f"""<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>PayPal (simulateur)</title>
<style>body{{font-family:system-ui,sans-serif;max-width:28rem;margin:0 auto;padding:1rem;background:#f5f7fa;color:#001c64}}
.test{{background:#ffd140;padding:.5rem 1rem;border-radius:8px;font-weight:700}}button{{width:100%;min-height:48px;border-radius:999px;border:0;font-size:1.05rem;font-weight:700;margin-top:.75rem}}
.approve{{background:#0070e0;color:#fff}}.cancel{{background:#e6e9ef;color:#001c64}}</style></head><body>
<p class="test" role="note">PAIEMENT DE TEST — simulateur PayPal, aucun argent n'est débité.</p>
<h1>Payer {html.escape(amount["value"])} {html.escape(amount["currency_code"])}</h1>
<p>Commande {html.escape(unit.get("invoice_id") or unit.get("reference_id") or "")}</p><ul>{items}</ul>
<form method="post" action="/checkoutnow/approve"><input type="hidden" name="token" value="{token}"><button class="approve" type="submit">Approuver le paiement</button></form>
<form method="post" action="/checkoutnow/cancel"><input type="hidden" name="token" value="{token}"><button class="cancel" type="submit">Annuler et revenir au marchand</button></form>
</body></html>""",
        )

    # --- test controls --------------------------------------------------

    def _control(self, method, path, body):
        payload = json.loads(body) if body else {}
        if path == "/_fake/reset" and method == "POST":
            self.state.reset()
            return self._json(200, {"ok": True})
        if path == "/_fake/behaviour" and method == "POST":
            self.state.behaviour = payload
            return self._json(200, self.state.behaviour)
        if path == "/_fake/state" and method == "GET":
            return self._json(
                200,
                {
                    "orders": self.state.orders,
                    "captures": self.state.captures,
                    "refunds": self.state.refunds,
                    "requests": self.state.requests,
                },
            )
        if path.startswith("/_fake/approve/") and method == "POST":
            _approve(self._order(path.rsplit("/", 1)[1]))
            return self._json(200, {"ok": True})
        if path == "/_fake/webhook" and method == "POST":
            return self._json(
                200,
                send_webhook(
                    payload["url"],
                    payload.get("webhook_id", ""),
                    payload["event_type"],
                    payload["resource"],
                    payload.get("forge", False),
                ),
            )
        return self._json(404, {"error": "unknown control"})


def _approve(order):
    order["status"] = "APPROVED"
    order.setdefault("payer_id", new_payer_id())


def _with_query(url, **params):
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.urlencode(urllib.parse.parse_qsl(parts.query) + list(params.items()))
    return urllib.parse.urlunsplit(parts._replace(query=query))


def build_event(event_type, resource):
    return {
        "id": "WH-" + new_id(20),
        "event_version": "1.0",
        "create_time": now_iso(),
        "resource_type": "capture",
        "resource_version": "2.0",
        "event_type": event_type,
        "summary": f"Fake {event_type}",
        "resource": resource,
        "links": [],
    }


def webhook_headers(event, webhook_id, forge=False):
    transmission_id, transmission_time = secrets.token_hex(16), now_iso()
    sig = signature(transmission_id, transmission_time, webhook_id, event)
    return {
        "Content-Type": "application/json",
        "PAYPAL-AUTH-ALGO": "SHA256withRSA",
        "PAYPAL-CERT-URL": "https://api.sandbox.paypal.com/v1/notifications/certs/CERT-FAKE",
        "PAYPAL-TRANSMISSION-ID": transmission_id,
        "PAYPAL-TRANSMISSION-TIME": transmission_time,
        "PAYPAL-TRANSMISSION-SIG": ("forged" + sig[6:]) if forge else sig,
    }


def send_webhook(url, webhook_id, event_type, resource, forge=False, event=None):
    """POSTs a signed event to the merchant like PayPal does; returns the event and the answer's status."""
    event = event or build_event(event_type, resource)
    request = urllib.request.Request(
        url, data=json.dumps(event).encode(), headers=webhook_headers(event, webhook_id, forge), method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return {"event": event, "status": status}


class FakePayPal:
    """Runs the fake in a background thread: `with FakePayPal() as paypal: paypal.url`."""

    def __init__(self, host="127.0.0.1", port=0):
        self.httpd = ThreadingHTTPServer((host, port), Handler)
        self.httpd.daemon_threads = True
        self.httpd.state = State()
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self):
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def state(self):
        return self.httpd.state

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
