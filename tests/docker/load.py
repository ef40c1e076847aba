"""A small, bounded load against nginx on loopback, counting what failed."""

import threading
import time
from collections import Counter

import requests


class Load:
    """`threads` clients, each one request after another (keep-alive to nginx),
    until stopped or `max_seconds`; counts statuses and connection errors."""

    def __init__(self, url, ca, paths=("/readyz", "/admin/login/"), threads=4, max_seconds=600, pause=0.01):
        self.url, self.ca, self.paths = url, ca, paths
        self.threads_count, self.max_seconds, self.pause = threads, max_seconds, pause
        self.statuses = Counter()
        self.errors = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = []

    def _client(self, offset):
        session = requests.Session()
        session.trust_env = False
        session.verify = self.ca
        deadline = time.monotonic() + self.max_seconds
        turn = offset
        while not self.stopping.is_set() and time.monotonic() < deadline:
            path = self.paths[turn % len(self.paths)]
            turn += 1
            try:
                status = session.get(self.url + path, timeout=30).status_code
                with self.lock:
                    self.statuses[status] += 1
            except requests.RequestException as error:
                with self.lock:
                    self.errors.append(f"{path}: {error.__class__.__name__}: {error}")
                session = requests.Session()
                session.trust_env = False
                session.verify = self.ca
            time.sleep(self.pause)

    def __enter__(self):
        for offset in range(self.threads_count):
            thread = threading.Thread(target=self._client, args=(offset,), daemon=True)
            thread.start()
            self.threads.append(thread)
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for thread in self.threads:
            thread.join(60)

    @property
    def total(self):
        return sum(self.statuses.values()) + len(self.errors)

    @property
    def server_errors(self):
        return sum(count for status, count in self.statuses.items() if status >= 500)

    def summary(self):
        return f"{self.total} requests, {self.server_errors} 5xx, {len(self.errors)} connection errors, statuses {dict(self.statuses)}"
