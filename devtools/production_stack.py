"""The production stack as local processes (there is no Docker engine on these
machines): a private PostgreSQL and Redis on loopback, gunicorn with
docker/gunicorn.conf.py and the production settings, the kitchen boards' event
stream (manage.py board_stream, compose's board-stream), and Debian's nginx with
docker/nginx/ocpizza.conf.template, of which only paths and ports are changed.

Used by tests/stack/, tests/managed/, tests/docker/ and bench/web.py (here, so
the benchmarks need not import the tests).
"""

import glob
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path(sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1]) if glob.glob("/usr/lib/postgresql/*/bin") else None


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(check, what, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if check():
                return
        except Exception:  # noqa: BLE001 - not up yet
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not come up in {timeout} s")


def nginx_before_1_25(config):
    """The repository's nginx config for Debian bookworm's nginx 1.22 (the tests'):
    `http2 on;` (nginx 1.25.1+) becomes the older `listen ... ssl http2`."""
    config = config.replace("    http2 on;\n", "")
    return re.sub(r"(listen \S+ ssl)( default_server)?;", r"\1 http2\2;", config)


def as_postgres(command):
    """PostgreSQL refuses to run as root; run its tools as the postgres user then."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def self_signed_certificate(directory):
    """A certificate for localhost (privkey.pem, fullchain.pem in directory), valid two days."""
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
            "-keyout",
            str(directory / "privkey.pem"),
            "-out",
            str(directory / "fullchain.pem"),
        ],
        check=True,
        capture_output=True,
    )


class Stack:
    def __init__(self, workers=2):
        self.dir = Path(tempfile.mkdtemp(prefix="ocpizza-stack-"))
        os.chmod(self.dir, 0o755)
        for name in ("static", "media", "certs", "acme", "nginx", "backups", "mail", "prometheus"):
            (self.dir / name).mkdir()
            os.chmod(self.dir / name, 0o777)
        self.pg_port, self.redis_port, self.web_port = free_port(), free_port(), free_port()
        self.http_port, self.https_port = free_port(), free_port()
        self.stream_port = free_port()
        self.workers = workers
        self.processes = {}
        self.secret = secrets.token_urlsafe(50)
        self.extra_env = {}  # settings for the processes started from now on (bench/board.py)

    # --- URLs and environment ------------------------------------------------

    @property
    def url(self):
        return f"https://localhost:{self.https_port}"

    @property
    def ca(self):
        """The stack's self-signed certificate, for clients to verify TLS against."""
        return str(self.dir / "certs/fullchain.pem")

    @property
    def database_url(self):
        return f"postgres://postgres@127.0.0.1:{self.pg_port}/ocpizza"

    def env(self, **extra):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PAYPAL_", "DJANGO_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="settings.production",
            SECRET_KEY=self.secret,
            DATABASE_URL=self.database_url,
            REDIS_URL=f"redis://127.0.0.1:{self.redis_port}/0",
            ALLOWED_HOSTS="localhost",
            CSRF_TRUSTED_ORIGINS=self.url,
            STATIC_ROOT=str(self.dir / "static"),
            MEDIA_ROOT=str(self.dir / "media"),
            EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
            EMAIL_FILE_PATH=str(self.dir / "mail"),
            PAYPAL_MODE="off",
            PROMETHEUS_MULTIPROC_DIR=str(self.dir / "prometheus"),
            GUNICORN_BIND=f"127.0.0.1:{self.web_port}",
            GUNICORN_WORKERS=str(self.workers),
            GUNICORN_THREADS="2",
        )
        env.update(self.extra_env)
        env.update(extra)
        return env

    def manage(self, *args, check=True):
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env(),
            check=check,
            capture_output=True,
            text=True,
            timeout=300,
        )

    def load_demo(self):
        """The demo's accounts have known passwords: production settings do not
        have load_demo; the dev ones load the same data into the same database."""
        result = subprocess.run(
            [sys.executable, "manage.py", "load_demo"],
            cwd=ROOT,
            env=self.env(DJANGO_SETTINGS_MODULE="settings.dev"),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr[-3000:]

    # --- services ------------------------------------------------------------

    def pg_ctl(self, action):
        data = self.dir / "pgdata"
        # -l: postgres must log to a file, not to our captured pipe (which would never close).
        subprocess.run(
            as_postgres(
                [
                    str(PG_BIN / "pg_ctl"),
                    "-D",
                    str(data),
                    "-l",
                    str(data / "log"),
                    "-m",
                    "fast",
                    "-w",
                    action,
                    "-o",
                    f"-p {self.pg_port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off",
                ]
            ),
            check=action != "stop",
            capture_output=True,
            timeout=60,
        )

    def start_postgres(self):
        data = self.dir / "pgdata"
        if not data.exists():
            data.mkdir()
            if os.geteuid() == 0:
                shutil.chown(data, "postgres", "postgres")
            subprocess.run(
                as_postgres(
                    [
                        str(PG_BIN / "initdb"),
                        "-D",
                        str(data),
                        "-U",
                        "postgres",
                        "--auth=trust",
                        "--no-sync",
                        "-E",
                        "UTF8",
                    ]
                ),
                check=True,
                capture_output=True,
            )
        self.pg_ctl("start")

    def stop_postgres(self):
        self.pg_ctl("stop")

    def restart_postgres(self):
        self.pg_ctl("restart")

    def psql(self, sql, database="postgres", host="127.0.0.1"):
        return subprocess.run(
            [
                "psql",
                "-h",
                host,
                "-p",
                str(self.pg_port),
                "-U",
                "postgres",
                "-d",
                database,
                "-v",
                "ON_ERROR_STOP=1",
                "-tAc",
                sql,
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()

    def start_redis(self):
        self.processes["redis"] = subprocess.Popen(
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: socket.create_connection(("127.0.0.1", self.redis_port), 0.2), "Redis")

    def stop_redis(self):
        process = self.processes.pop("redis", None)
        if process:
            process.terminate()
            process.wait(10)

    def start_gunicorn(self):
        log = open(self.dir / "gunicorn.log", "ab")
        self.processes["gunicorn"] = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "--config", "docker/gunicorn.conf.py", "wsgi:application"],
            cwd=ROOT,
            env=self.env(),
            stdout=log,
            stderr=log,
        )
        wait_for(lambda: requests.get(f"http://127.0.0.1:{self.web_port}/healthz", timeout=1).ok, "gunicorn")

    def start_board_stream(self):
        log = open(self.dir / "board-stream.log", "ab")
        self.processes["board-stream"] = subprocess.Popen(
            [sys.executable, "manage.py", "board_stream", "--bind", f"127.0.0.1:{self.stream_port}"],
            cwd=ROOT,
            env=self.env(),
            stdout=log,
            stderr=log,
        )
        wait_for(lambda: requests.get(f"http://127.0.0.1:{self.stream_port}/healthz", timeout=1).ok, "board stream")

    def restart_gunicorn(self):
        process = self.processes.pop("gunicorn")
        process.terminate()
        process.wait(15)
        self.start_gunicorn()

    def nginx_config(self):
        """The repository's nginx config with its paths and ports pointed at this stack."""
        template = (ROOT / "docker/nginx/ocpizza.conf.template").read_text()
        replacements = {
            "set $web_upstream http://web:8000;": f"set $web_upstream http://127.0.0.1:{self.web_port};",
            "set $stream_upstream http://board-stream:8001;": f"set $stream_upstream http://127.0.0.1:{self.stream_port};",
            "resolver 127.0.0.11 ": "resolver 127.0.0.1 ",
            "listen 80 default_server;": f"listen 127.0.0.1:{self.http_port} default_server;",
            "listen [::]:80 default_server;": "",
            "listen 443 ssl default_server;": f"listen 127.0.0.1:{self.https_port} ssl default_server;",
            "listen [::]:443 ssl default_server;": "",
            "listen 80;": f"listen 127.0.0.1:{self.http_port};",
            "listen [::]:80;": "",
            "listen 443 ssl;": f"listen 127.0.0.1:{self.https_port} ssl;",
            "listen [::]:443 ssl;": "",
            "/app/var/static/": f"{self.dir}/static/",
            "/app/var/media/": f"{self.dir}/media/",
            "/etc/nginx/certs/": f"{self.dir}/certs/",
            "/var/www/acme": f"{self.dir}/acme",
            "/var/cache/nginx/ocpizza": f"{self.dir}/nginx/cache",
            "${SERVER_NAME}": "localhost",
        }
        for old, new in replacements.items():
            assert old in template, f"{old!r} is no longer in the nginx config"
            template = template.replace(old, new)
        (self.dir / "nginx/ocpizza.conf").write_text(nginx_before_1_25(template))
        main = self.dir / "nginx/nginx.conf"
        temp = self.dir / "nginx"
        main.write_text(f"""
daemon off;
{"user root;" if os.geteuid() == 0 else ""}
worker_processes 2;
pid {temp}/nginx.pid;
error_log {temp}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {temp}/access.log;
    sendfile on;
    client_body_temp_path {temp}/body; proxy_temp_path {temp}/proxy; fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi; scgi_temp_path {temp}/scgi;
    include {temp}/ocpizza.conf;
}}
""")
        return main

    def make_certificate(self):
        self_signed_certificate(self.dir / "certs")

    def start_nginx(self):
        config = self.nginx_config()
        self.make_certificate()
        subprocess.run(["nginx", "-t", "-c", str(config)], check=True, capture_output=True)
        self.processes["nginx"] = subprocess.Popen(
            ["nginx", "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wait_for(lambda: requests.get(f"{self.url}/healthz", verify=self.ca, timeout=1).ok, "nginx")

    # --- the whole -----------------------------------------------------------

    def start(self):
        self.start_postgres()
        self.psql("CREATE DATABASE ocpizza")
        self.start_redis()
        self.manage("migrate_with_lock")
        self.load_demo()
        self.manage("collectstatic", "--noinput")
        self.manage("compress_static")
        self.start_gunicorn()
        self.start_board_stream()
        self.start_nginx()
        return self

    def stop(self):
        for name in ("nginx", "board-stream", "gunicorn", "redis"):
            process = self.processes.pop(name, None)
            if process:
                process.terminate()
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    process.kill()
        self.stop_postgres()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc):
        self.stop()
