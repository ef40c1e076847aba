"""The kitchen boards' event stream as a real process for tests (manage.py
board_stream on the test database and Redis), and an open board that reads it
over a plain socket, event by event."""

import os
import queue
import socket
import subprocess
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from django.db import connection

from devtools.production_stack import free_port, wait_for

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def stream_process(log_dir, host="127.0.0.1", **env):
    """Runs manage.py board_stream on the test database; yields its base URL."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "settings.test",
        "BOARD_STREAM_RECHECK_SECONDS": "1",
        "DATABASE_URL": f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        **env,
    }
    log = open(log_dir / "board-stream.log", "wb")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "board_stream", "--bind", f"{host}:{port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    url = f"http://{host}:{port}"
    try:
        wait_for(lambda: requests.get(f"{url}/healthz", timeout=1).ok, "board stream")
        yield url
    finally:
        process.terminate()
        process.wait(10)
        log.close()


@pytest.fixture(scope="session")
def board_stream(django_db_setup, tmp_path_factory):
    """The stream process's base URL (sessions and rights read from the test database)."""
    with stream_process(tmp_path_factory.mktemp("board-stream")) as url:
        yield url


class OpenBoard:
    """GET /admin/cuisine/flux/<id>/ held open; .status, then .next_event()."""

    def __init__(self, base_url, restaurant_id, session_key=None, last_event_id=None, query=""):
        host, port = base_url.removeprefix("http://").split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=30)
        lines = [
            f"GET /admin/cuisine/flux/{restaurant_id}/{query} HTTP/1.1",
            f"Host: {host}",
            "Accept: text/event-stream",
        ]
        if session_key:
            lines.append(f"Cookie: sessionid={session_key}")
        if last_event_id is not None:
            lines.append(f"Last-Event-ID: {last_event_id}")
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        self.file = self.sock.makefile("rb")
        self.status = int(self.file.readline().split()[1])
        self.headers = {}
        while line := self.file.readline().decode().strip():
            name, value = line.split(":", 1)
            self.headers[name.lower()] = value.strip()
        self.events = queue.Queue()
        if self.status == 200:
            threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        event = {}
        try:
            for raw in self.file:
                line = raw.decode().rstrip("\n")
                if not line:
                    if event:
                        self.events.put(event)
                    event = {}
                elif not line.startswith(":"):
                    name, _, value = line.partition(":")
                    event[name] = value.removeprefix(" ")
        except (OSError, ValueError):
            pass
        self.events.put({"closed": True})

    def next_event(self, timeout=10):
        """The next event (retry lines skipped), or None after `timeout` seconds."""
        while True:
            try:
                event = self.events.get(timeout=timeout)
            except queue.Empty:
                return None
            if set(event) != {"retry"}:
                return event

    def event_with_version(self, version, timeout=10):
        """Reads events until one carries `version` (or fails)."""
        while True:
            event = self.next_event(timeout)
            assert event is not None, f"no event with version {version} within {timeout} s"
            assert "closed" not in event, "the stream closed"
            if event.get("id") == str(version):
                return event

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
