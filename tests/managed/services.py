"""Stand-ins for the services a production site rents, started on loopback by
the tests: an S3-compatible object store (moto's server), a PostgreSQL that
accepts only TLS, a Redis with a password and TLS, and a tiny HTTP server that
records what Sentry's SDK sends."""

import email
import http.server
import json
import os
import shutil
import socketserver
import subprocess
import sys
import threading
import zlib
from email import policy
from pathlib import Path

import requests

from devtools.production_stack import Stack, free_port, wait_for

BIN = Path(sys.executable).parent
S3_KEYS = {
    "AWS_ACCESS_KEY_ID": "ocpizza-test-key",
    "AWS_SECRET_ACCESS_KEY": "ocpizza-test-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
}


class ObjectStore:
    """moto's S3-compatible server, in memory, on loopback."""

    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: requests.get(self.url, timeout=1).status_code < 500, "moto S3 server")
        return self

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.url,
            region_name=S3_KEYS["AWS_DEFAULT_REGION"],
            aws_access_key_id=S3_KEYS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=S3_KEYS["AWS_SECRET_ACCESS_KEY"],
        )

    def create_bucket(self, name):
        self.client().create_bucket(Bucket=name)
        return name

    def objects(self, bucket, prefix=""):
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        return [item["Key"] for page in pages for item in page.get("Contents", [])]

    def stop(self):
        if self.process:
            self.process.terminate()
            self.process.wait(10)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def make_ca_and_certificate(folder, name="localhost"):
    """A private CA and a server certificate it signed, for 127.0.0.1 and localhost."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)

    def openssl(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=folder)

    openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=OC Pizza test CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
    )
    openssl(
        "req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={name}", "-keyout", "server.key", "-out", "server.csr"
    )
    (folder / "san.ext").write_text(f"subjectAltName=DNS:{name},IP:127.0.0.1\n")
    openssl(
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "san.ext",
        "-out",
        "server.crt",
    )
    os.chmod(folder / "server.key", 0o600)
    return folder / "ca.crt", folder / "server.crt", folder / "server.key"


class ManagedStack(Stack):
    """devtools/production_stack.py's stack, with PostgreSQL accepting only TLS
    connections with a password (hostssl in pg_hba, like a managed database)
    and Redis asking for a password over TLS (like a managed Redis)."""

    DB_PASSWORD = "pg-Secret+/with:chars"
    REDIS_PASSWORD = "redis-secret-42"

    def __init__(self, extra_env=None, **kwargs):
        super().__init__(**kwargs)
        self.extra_env = dict(extra_env or {})
        self.tls = self.dir / "tls"
        self.ca_cert, self.server_cert, self.server_key = make_ca_and_certificate(self.tls)
        os.chmod(self.tls, 0o755)
        self.redis_tls_port = free_port()

    @property
    def database_url(self):
        from urllib.parse import quote

        return (
            f"postgres://ocpizza:{quote(self.DB_PASSWORD, safe='')}@127.0.0.1:{self.pg_port}/ocpizza"
            f"?sslmode=verify-full&sslrootcert={self.ca_cert}"
        )

    @property
    def redis_url(self):
        return f"rediss://:{self.REDIS_PASSWORD}@127.0.0.1:{self.redis_tls_port}/0?ssl_ca_certs={self.ca_cert}"

    def env(self, **extra):
        return super().env(**{"REDIS_URL": self.redis_url, **self.extra_env, **extra})

    def restart_gunicorn(self, **extra_env):
        """gunicorn again with other settings (the stack's own when called without)."""
        process = self.processes.pop("gunicorn")
        process.terminate()
        process.wait(15)
        saved = self.extra_env
        self.extra_env = {**saved, **extra_env}
        try:
            self.start_gunicorn()
        finally:
            self.extra_env = saved

    def start_postgres(self):
        data = self.dir / "pgdata"
        fresh = not data.exists()
        super().start_postgres()  # initdb (trust on the socket for setting up) and start
        if not fresh:
            return
        for name in ("server.crt", "server.key"):
            shutil.copy(self.tls / name, data / name)
            if os.geteuid() == 0:
                shutil.chown(data / name, "postgres", "postgres")
        os.chmod(data / "server.key", 0o600)
        with open(data / "postgresql.conf", "a") as conf:
            conf.write("ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n")
        # TCP only over TLS and with a password; the socket stays for the test's own psql.
        (data / "pg_hba.conf").write_text("local all all trust\nhostssl all all 127.0.0.1/32 scram-sha-256\n")
        self.pg_ctl("restart")
        self.psql(f"CREATE ROLE ocpizza LOGIN PASSWORD '{self.DB_PASSWORD}'")

    def psql(self, sql, database="postgres"):
        """Through the socket: TCP takes only TLS with a password here."""
        return super().psql(sql, database, host=str(self.dir / "pgdata"))

    def start_redis(self):
        self.processes["redis"] = subprocess.Popen(
            [
                "redis-server",
                "--port",
                "0",
                "--tls-port",
                str(self.redis_tls_port),
                "--bind",
                "127.0.0.1",
                "--tls-cert-file",
                str(self.server_cert),
                "--tls-key-file",
                str(self.server_key),
                "--tls-ca-cert-file",
                str(self.ca_cert),
                "--tls-auth-clients",
                "no",
                "--requirepass",
                self.REDIS_PASSWORD,
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: __import__("socket").create_connection(("127.0.0.1", self.redis_tls_port), 0.2), "Redis")

    def start(self):
        self.start_postgres()
        self.psql("CREATE DATABASE ocpizza OWNER ocpizza")
        self.start_redis()
        for command in (("migrate_with_lock",), ("collectstatic", "--noinput")):
            result = self.manage(*command, check=False)
            assert result.returncode == 0, result.stderr[-3000:]
            if command == ("migrate_with_lock",):
                self.load_demo()
        self.start_gunicorn()
        self.start_nginx()
        return self


class LoopbackServer:
    """A server on a free loopback port, served by a thread while in a `with` block."""

    def serve(self, server):
        self.server = server
        self.port = server.server_address[1]
        self.thread = threading.Thread(target=server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class ErrorCollector(LoopbackServer):
    """Records the envelopes Sentry's SDK posts (the DSN points here)."""

    def __init__(self):
        self.events = []
        collector = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = zlib.decompress(body, 16 + zlib.MAX_WBITS)
                collector.events.append((self.path, body.decode("utf-8", "replace")))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps({"id": "0" * 32}).encode())

            def log_message(self, *args):
                pass

        self.serve(http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler))

    @property
    def dsn(self):
        return f"http://publickey@127.0.0.1:{self.port}/42"


class MailCatcher(LoopbackServer):
    """A minimal SMTP server on loopback that keeps the messages it receives."""

    def __init__(self):
        self.messages = []
        catcher = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line):
                self.wfile.write(line.encode() + b"\r\n")

            def handle(self):
                self.reply("220 localhost test SMTP")
                while line := self.rfile.readline():
                    command = line.decode("ascii", "replace").strip().upper()
                    if command.startswith("DATA"):
                        self.reply("354 go ahead")
                        data = []
                        while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                            data.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                        catcher.messages.append(b"".join(data))
                        self.reply("250 queued")
                    elif command.startswith("QUIT"):
                        self.reply("221 bye")
                        return
                    else:  # EHLO/HELO, MAIL FROM, RCPT TO, RSET, NOOP
                        self.reply("250 ok")

        server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        self.serve(server)

    def texts(self):
        """Each message as its headers and decoded text parts."""
        result = []
        for raw in list(self.messages):
            message = email.message_from_bytes(raw, policy=policy.default)
            parts = [part.get_content() for part in message.walk() if part.get_content_type() == "text/plain"]
            result.append(f"To: {message['To']}\nSubject: {message['Subject']}\n\n" + "\n".join(parts))
        return result
