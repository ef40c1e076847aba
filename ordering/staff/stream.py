"""The kitchen boards' event stream, served by its own small process
(`manage.py board_stream`, the `board-stream` service of compose.yml, routed by
nginx under /admin/cuisine/flux/): an open board holds a connection for hours,
which must not hold one of gunicorn's sync workers.

GET /admin/cuisine/flux/<restaurant id>/ answers Server-Sent Events: one event
per change of the restaurant's board version (ordering.board_version), whose id and data
are the version. The process subscribes once to every restaurant's channel in
Redis (ordering.push) and hands each message to the open boards of its restaurant.
A board that reconnects sends the last version it saw (`Last-Event-ID`, or `?v=`
on its first connection) and gets the current one at once if it changed meanwhile.

The staff session is Django's own (the session cookie, read from the session
store), and the rights those of the board (ordering.staff.permissions): checked
on connection, then every minute (BOARD_STREAM_RECHECK_SECONDS); a session that ended closes the stream with an
`event: session`. Anonymous: 401; a restaurant not this person's: 403.
Django's ORM is synchronous: those checks run in threads, one short moment each."""

import asyncio
import logging
import re
from http.cookies import CookieError, SimpleCookie
from importlib import import_module
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import redis.asyncio as aioredis
from django.conf import settings
from django.contrib.auth import get_user
from django.db import close_old_connections
from redis.exceptions import RedisError

from home.models import RestaurantPage

from .. import board_version, push
from .permissions import can

logger = logging.getLogger(__name__)

PATH = re.compile(r"^/admin/cuisine/flux/(\d+)/$")
KEEPALIVE = 15  # seconds: a comment line keeps proxies and the browser from closing an idle stream
RETRY_MS = 3000  # how long the browser waits before reconnecting
HEADER_LIMIT = 16 * 1024
REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    503: "Service Unavailable",
}
RESYNC = object()  # queued to every board after Redis came back: reread the version


def authorise(session_key, restaurant_id):
    """200, 401 (no valid session of someone with access to the admin) or 403 (may
    not see this restaurant's board): the kitchen view's own rules. In a thread."""
    close_old_connections()
    try:
        if not session_key:
            return 401
        store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
        user = get_user(SimpleNamespace(session=store))  # checks the session's password hash too
        if not user.is_authenticated or not user.has_perm("wagtailadmin.access_admin"):
            return 401
        restaurant = RestaurantPage.objects.filter(pk=restaurant_id).first()
        if restaurant is None or not can(user, "view_orders", restaurant):
            return 403
        return 200
    finally:
        close_old_connections()


def current_version(restaurant_id):
    version = board_version.current(restaurant_id)
    return None if version is None else str(version)


class Hub:
    """One Redis subscription for the whole process; each open board has a queue."""

    def __init__(self, redis_url):
        self.client = aioredis.from_url(redis_url)
        self.pattern = push.channel_pattern()
        self.boards = {}  # restaurant id -> set of queues
        self.subscribed = asyncio.Event()

    def open(self, restaurant_id):
        queue = asyncio.Queue(maxsize=20)
        self.boards.setdefault(restaurant_id, set()).add(queue)
        return queue

    def close(self, restaurant_id, queue):
        queues = self.boards.get(restaurant_id, set())
        queues.discard(queue)
        if not queues:
            self.boards.pop(restaurant_id, None)

    @staticmethod
    def _put(queue, item):
        if queue.full():  # a board that does not read: only the latest version matters
            queue.get_nowait()
        queue.put_nowait(item)

    async def run(self):
        first = True
        while True:
            try:
                async with self.client.pubsub() as pubsub:
                    await pubsub.psubscribe(self.pattern)
                    self.subscribed.set()
                    if not first:  # messages may have been missed while Redis was away
                        for queues in self.boards.values():
                            for queue in queues:
                                self._put(queue, RESYNC)
                    first = False
                    async for message in pubsub.listen():
                        if message["type"] != "pmessage":
                            continue
                        restaurant_id = push.restaurant_of(message["channel"].decode())
                        for queue in list(self.boards.get(restaurant_id, ())):
                            self._put(queue, message["data"].decode())
            except (RedisError, OSError):
                self.subscribed.clear()
                logger.warning("board stream: Redis subscription lost, retrying", exc_info=True)
                await asyncio.sleep(1)


async def read_request(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    if len(head) > HEADER_LIMIT:
        raise ValueError("headers too long")
    lines = head.decode("latin-1").split("\r\n")
    method, target, _version = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    return method, target, headers


def session_key_of(headers):
    try:
        cookie = SimpleCookie(headers.get("cookie", ""))
    except CookieError:
        return None
    morsel = cookie.get(settings.SESSION_COOKIE_NAME)
    return morsel.value if morsel else None


def cors_headers(headers):
    """Only for a board served from another origin (tests, local development):
    in production nginx serves the stream on the site's own origin."""
    origin = headers.get("origin", "")
    if origin and origin in settings.BOARD_STREAM_ALLOWED_ORIGINS:
        return f"Access-Control-Allow-Origin: {origin}\r\nAccess-Control-Allow-Credentials: true\r\nVary: Origin\r\n"
    return ""


def event(version):
    return f"id: {version}\nevent: version\ndata: {version}\n\n".encode()


class StreamServer:
    def __init__(self, redis_url):
        self.hub = Hub(redis_url)

    async def answer(self, writer, status, headers, body=""):
        payload = body.encode()
        writer.write(
            f"HTTP/1.1 {status} {REASONS[status]}\r\nContent-Type: text/plain; charset=utf-8\r\n"
            f"Content-Length: {len(payload)}\r\nCache-Control: no-store\r\nConnection: close\r\n"
            f"{cors_headers(headers)}\r\n".encode()
            + payload
        )
        await writer.drain()

    async def handle(self, reader, writer):
        headers = {}
        try:
            try:
                method, target, headers = await asyncio.wait_for(read_request(reader), 10)
            except (ValueError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
                return await self.answer(writer, 400, headers)
            url = urlsplit(target)
            if url.path == "/healthz":
                return await self.answer(writer, 200 if self.hub.subscribed.is_set() else 404, headers, "ok")
            match = PATH.match(url.path)
            if not match:
                return await self.answer(writer, 404, headers)
            if method != "GET":
                return await self.answer(writer, 405, headers)
            restaurant_id = int(match[1])
            session_key = session_key_of(headers)
            try:
                status = await asyncio.to_thread(authorise, session_key, restaurant_id)
            except Exception:  # the database away: the board polls meanwhile, and says so
                logger.exception("board stream: cannot check a session")
                status = 503
            if status != 200:
                return await self.answer(writer, status, headers)
            last = headers.get("last-event-id") or parse_qs(url.query).get("v", [""])[0]
            await self.stream(reader, writer, headers, restaurant_id, session_key, last)
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def stream(self, reader, writer, headers, restaurant_id, session_key, last):
        queue = self.hub.open(restaurant_id)  # before reading the version: no change falls in between
        loop = asyncio.get_running_loop()
        try:
            writer.write(
                "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nCache-Control: no-store\r\n"
                f"X-Accel-Buffering: no\r\nConnection: close\r\n{cors_headers(headers)}\r\n"
                f"retry: {RETRY_MS}\n\n".encode()
            )
            pending = RESYNC
            recheck = settings.BOARD_STREAM_RECHECK_SECONDS
            next_check = loop.time() + recheck
            while True:
                if pending is RESYNC:
                    pending = await asyncio.to_thread(current_version, restaurant_id)
                if pending is None:
                    writer.write(b": alive\n\n")
                elif pending != last:
                    writer.write(event(pending))
                    last = pending
                await writer.drain()
                if loop.time() >= next_check:
                    if await asyncio.to_thread(authorise, session_key, restaurant_id) != 200:
                        writer.write(b"event: session\ndata: ended\n\n")
                        await writer.drain()
                        return
                    next_check = loop.time() + recheck
                try:
                    pending = await asyncio.wait_for(queue.get(), min(KEEPALIVE, recheck))
                except TimeoutError:
                    pending = None
        finally:
            self.hub.close(restaurant_id, queue)

    async def serve(self, host, port, ready=None):
        listener = asyncio.create_task(self.hub.run())
        server = await asyncio.start_server(self.handle, host, port, limit=HEADER_LIMIT)
        await asyncio.wait_for(self.hub.subscribed.wait(), 30)
        logger.info("board stream listening on %s:%s", host, port)
        if ready:
            ready()
        try:
            async with server:
                await server.serve_forever()
        finally:
            listener.cancel()
