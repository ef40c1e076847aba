#!/usr/bin/env python
"""Requests per second through nginx on this machine, with wrk.

    .venv/bin/python bench/web.py [--seconds 10] [--connections 32]

Starts the production stack as local processes (devtools/production_stack.py:
gunicorn with docker/gunicorn.conf.py, nginx with the repository's config,
private PostgreSQL and Redis), then measures a restaurant's menu page and a
static file.
"""

import argparse
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devtools.production_stack import Stack  # noqa: E402


def wrk(url, seconds, connections):
    out = subprocess.run(
        ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = re.search(r"50%\s+(\S+)", out).group(1)
    p99 = re.search(r"99%\s+(\S+)", out).group(1)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, p50, p99, int(errors.group(1)) if errors else 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=5, help="gunicorn workers (2 × cores + 1)")
    options = parser.parse_args()
    with Stack(workers=options.workers) as stack:
        import requests

        page = requests.get(f"{stack.url}/bastille/", verify=stack.ca)
        css = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', page.text).group(1)
        # wrk does not verify certificates; the stack's own port is on loopback.
        for name, path in (("menu page /bastille/", "/bastille/"), (f"static file {css}", css)):
            rps, p50, p99, errors = wrk(stack.url + path, options.seconds, options.connections)
            print(
                f"{name}: {rps:.0f} requests/s, latency p50 {p50}, p99 {p99}, non-2xx {errors} "
                f"({options.connections} connections, {options.workers} gunicorn workers × 2 threads)"
            )


if __name__ == "__main__":
    main()
