"""The kitchen boards' event stream in the production stack: its own process
(manage.py board_stream, as compose's board-stream), reached through nginx with
buffering off, so that an event crosses nginx at once."""

import re
import socket
import ssl
import time

import pytest

from devtools.production_stack import Stack
from tests.stack.test_production_stack import browser, csrf, place_order

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def stack():
    with Stack() as running:
        yield running


def staff_session(stack, username="pizzaiolo-bastille"):
    session = browser(stack)
    login = session.get(f"{stack.url}/admin/login/")
    session.post(
        f"{stack.url}/admin/login/",
        data={
            "csrfmiddlewaretoken": csrf(login.text),
            "username": username,
            "password": "pizza",
            "next": "/admin/cuisine/",
        },
    )
    board = session.get(f"{stack.url}/admin/cuisine/")
    restaurant = re.search(r"/admin/cuisine/(\d+)/$", board.url).group(1)
    return session, restaurant, board.text


def open_stream(stack, restaurant, session_key):
    """A raw TLS connection through nginx, read line by line as events arrive."""
    context = ssl.create_default_context(cafile=stack.ca)
    raw = socket.create_connection(("localhost", stack.https_port), timeout=20)
    tls = context.wrap_socket(raw, server_hostname="localhost")
    cookie = f"Cookie: sessionid={session_key}\r\n" if session_key else ""
    tls.sendall(
        f"GET /admin/cuisine/flux/{restaurant}/ HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n"
        f"{cookie}\r\n".encode()
    )
    return tls.makefile("rb")


def test_the_board_page_points_at_the_stream_and_an_order_arrives_through_nginx(stack):
    session, restaurant, page = staff_session(stack)
    assert f'data-stream-url="/admin/cuisine/flux/{restaurant}/"' in page
    stream = open_stream(stack, restaurant, session.cookies["sessionid"])
    assert stream.readline().split()[1] == b"200"
    headers = []
    while line := stream.readline().strip():
        headers.append(line.decode().lower())
    assert "content-type: text/event-stream; charset=utf-8" in headers
    first = next_event_id(stream)  # a board that sent no version gets the current one at once
    place_order(stack)
    placed = time.monotonic()
    assert next_event_id(stream) != first
    assert time.monotonic() - placed < 2  # not held in nginx's buffers


def next_event_id(stream):
    while not (line := stream.readline()).startswith(b"id: "):
        assert line, "the stream closed"
    return line.strip()


def test_the_stream_through_nginx_refuses_anonymous_visitors(stack):
    _session, restaurant, _page = staff_session(stack)
    stream = open_stream(stack, restaurant, None)
    assert stream.readline().split()[1] == b"401"
