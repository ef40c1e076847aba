#!/usr/bin/env python
"""Requests per second through nginx on this machine, with wrk.

    .venv/bin/python bench/web.py [--seconds 5] [--rounds 3] [--connections 32]

Starts the production stack as local processes (devtools/production_stack.py:
gunicorn with docker/gunicorn.conf.py, nginx with the repository's config,
private PostgreSQL and Redis), then measures, in interleaved rounds:

- a static file through nginx, without and with gzip (pre-compressed: gzip_static),
  and a static file of the menu page's size (the page's own bytes: without gzip the
  menu's rate is set by its size, TLS on both ends being most of the work);
- a Django "hello world" behind every middleware (gunicorn directly);
- the menu page from nginx's cache (HTTPS, through nginx), with and without gzip;
- the menu page from Django's page cache (gunicorn directly: what nginx gets on a miss);
- the menu page rendered for a visitor with a session (no page cache; the menu
  fragment warm), and the CPU time gunicorn spends per render, under load (the
  connections below) and alone (one connection: the render's own cost);
- the menu page rendered cold (fragment cache emptied before each request: with
  a single connection, a few seconds).

and prints requests per second (min / median over the rounds), latency p50/p99, and
the ratios the goals are set in (menu through nginx ≥ 50 % of the static file; a
Django-cache hit ≥ 50 % of hello world; a render with a warm fragment ≤ 15 ms CPU).
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devtools.production_stack import Stack  # noqa: E402

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
ALONE = "menu, session, 1 connection"


def wrk(url, seconds, connections, headers=()):
    command = ["wrk", "-t", str(min(2, connections)), "-c", str(connections), "-d", f"{seconds}s", "--latency"]
    for header in headers:
        command += ["-H", header]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    distribution = out.split("Latency Distribution", 1)[1]
    p50 = re.search(r"50%\s+(\S+)", distribution).group(1)
    p99 = re.search(r"99%\s+(\S+)", distribution).group(1)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "requests": total, "p50": p50, "p99": p99, "errors": int(errors.group(1)) if errors else 0}


def gunicorn_cpu_seconds(stack):
    """User + system CPU time of gunicorn's master and workers so far."""
    master = stack.processes["gunicorn"].pid
    pids = [master]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master:
                pids.append(int(entry.name))
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
        if pid == master:  # workers gunicorn recycled (max_requests) and reaped: their CPU time
            total += int(fields[13]) + int(fields[14])
    return total / CLOCK_TICKS


def cold_renders(stack, direct, seconds):
    """Renders with nothing cached (the menu fragment dropped before each request), one at a time."""
    import redis
    import requests

    client = redis.Redis(port=stack.redis_port)
    session = requests.Session()
    session.trust_env = False
    headers = {"X-Forwarded-Proto": "https", "Cookie": "sessionid=bench-cold"}
    count, started, cpu = 0, time.time(), gunicorn_cpu_seconds(stack)
    latencies = []
    while time.time() - started < seconds:
        for key in client.scan_iter(match="*menu-fragment:*"):
            client.delete(key)
        before = time.perf_counter()
        assert session.get(direct + "/bastille/", headers=headers).status_code == 200
        latencies.append(time.perf_counter() - before)
        count += 1
    elapsed = time.time() - started
    return {
        "rps": count / elapsed,
        "requests": count,
        "p50": f"{statistics.median(latencies) * 1000:.1f}ms",
        "p99": f"{sorted(latencies)[int(len(latencies) * 0.99) - 1] * 1000:.1f}ms",
        "errors": 0,
        "cpu_ms": (gunicorn_cpu_seconds(stack) - cpu) / count * 1000,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=5, help="gunicorn workers (2 × cores + 1)")
    options = parser.parse_args()
    stack = Stack(workers=options.workers)
    stack.extra_env["BENCH_HELLO_WORLD"] = "true"
    # Workers are not recycled while measuring: a new worker's start (imports, templates
    # compiled again, ~1.5 s of CPU) would land on whichever variant runs then.
    stack.extra_env["GUNICORN_MAX_REQUESTS"] = "0"
    with stack:
        import requests

        page = requests.get(f"{stack.url}/bastille/", verify=stack.ca)
        css = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', page.text).group(1)
        # The page's bytes as a static file: what nginx's cache is held to for the same size.
        (stack.dir / "static" / "bench-menu-size.html").write_bytes(page.content)
        sizes = (len(page.content), len(requests.get(stack.url + css, verify=stack.ca).content))
        direct = f"http://localhost:{stack.web_port}"
        proto = "X-Forwarded-Proto: https"  # gunicorn directly, as nginx asks it (no HTTPS redirect)
        gzip = "Accept-Encoding: gzip"
        variants = {
            "static file": (stack.url + css, []),
            "static file, gzip": (stack.url + css, [gzip]),
            "static file, menu's size": (stack.url + "/static/bench-menu-size.html", []),
            "hello world (Django)": (direct + "/_bench/hello/", [proto]),
            "menu, nginx cache": (stack.url + "/bastille/", []),
            "menu, nginx cache, gzip": (stack.url + "/bastille/", [gzip]),
            "menu, Django cache": (direct + "/bastille/", [proto]),
            "menu, session (fragment warm)": (direct + "/bastille/", [proto, "Cookie: sessionid=bench"]),
            # The same renders one at a time: their own CPU, without 32 connections
            # contending for 2 cores and each worker's GIL.
            ALONE: (direct + "/bastille/", [proto, "Cookie: sessionid=bench"]),
        }
        for url, headers in variants.values():  # warm every cache once
            wrk(url, 1, 2, headers)
        results = {name: [] for name in variants}
        results["menu, cold (1 connection)"] = []
        for round_number in range(options.rounds):
            for name, (url, headers) in variants.items():
                cpu = gunicorn_cpu_seconds(stack)
                result = wrk(url, options.seconds, 1 if name == ALONE else options.connections, headers)
                result["cpu_ms"] = (gunicorn_cpu_seconds(stack) - cpu) / max(result["requests"], 1) * 1000
                results[name].append(result)
            results["menu, cold (1 connection)"].append(cold_renders(stack, direct, options.seconds))
            print(f"round {round_number + 1}/{options.rounds} done", file=sys.stderr)

    print(
        f"\n{options.rounds} interleaved rounds of {options.seconds} s, {options.connections} connections, "
        f"{options.workers} gunicorn workers × 2 threads, nginx 2 workers, on {os.cpu_count()} cores\n"
    )
    print(f"menu page {sizes[0]:,} bytes, static file {sizes[1]:,} bytes (uncompressed)\n")
    print(f"{'variant':34} {'req/s min':>10} {'median':>10} {'p50':>9} {'p99':>9} {'CPU ms/req':>10} {'non-2xx':>8}")
    medians = {}
    for name, rounds in results.items():
        rates = [r["rps"] for r in rounds]
        middle = sorted(rounds, key=lambda r: r["rps"])[len(rounds) // 2]
        medians[name] = statistics.median(rates)
        cpu = statistics.median(r["cpu_ms"] for r in rounds)
        errors = sum(r["errors"] for r in rounds)
        print(
            f"{name:34} {min(rates):10.0f} {medians[name]:10.0f} {middle['p50']:>9} {middle['p99']:>9} "
            f"{cpu:10.2f} {errors:8d}"
        )
    print()
    ratios = [
        ("menu via nginx / static file", "menu, nginx cache", "static file", 0.5),
        ("menu via nginx / static file (gzip)", "menu, nginx cache, gzip", "static file, gzip", 0.5),
        ("menu via nginx / static of its size", "menu, nginx cache", "static file, menu's size", None),
        ("Django-cache hit / hello world", "menu, Django cache", "hello world (Django)", 0.5),
        ("static gzip / static plain", "static file, gzip", "static file", None),
    ]
    for label, top, bottom, goal in ratios:
        ratio = medians[top] / medians[bottom]
        verdict = "" if goal is None else ("  goal ≥ 50 %: met" if ratio >= goal else "  goal ≥ 50 %: NOT met")
        print(f"{label:40} {ratio * 100:6.1f} %{verdict}")
    for label, name in (("under load", "menu, session (fragment warm)"), ("alone", ALONE)):
        warm = statistics.median(r["cpu_ms"] for r in results[name])
        verdict = "met" if warm <= 15 else "NOT met"
        print(f"{'render, warm fragment, ' + label + ': CPU/request':40} {warm:6.1f} ms  goal ≤ 15 ms: {verdict}")
    cold = statistics.median(r["cpu_ms"] for r in results["menu, cold (1 connection)"])
    print(f"{'render, cold: CPU per request':40} {cold:6.1f} ms")


if __name__ == "__main__":
    main()
