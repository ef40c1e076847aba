"""A private Docker engine for the session, and the production stack deployed in it.

scripts/docker-engine.sh starts dockerd (its own data root, socket and address
pool in a temporary folder) and builds the stand-ins for the official images
(cached between runs); everything is removed at the end of the session, failed
or not. The stack is a copy of the repository, deployed by docker/deploy.sh with
compose.yml plus tests/docker/compose.test.yml (images and ports only).
"""

import os
import secrets
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import requests

from devtools.production_stack import ROOT, free_port, nginx_before_1_25
from devtools.production_stack import self_signed_certificate as make_certificate

ENGINE = ROOT / "scripts/docker-engine.sh"
TIMINGS = {}


def run(command, env, check=True, timeout=600, cwd=None):
    result = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(
            f"{' '.join(map(str, command))} failed ({result.returncode}):\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
        )
    return result


class Engine:
    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="ocpizza-docker-"))
        self.env = dict(os.environ)

    def start(self):
        started = time.monotonic()
        host = run([str(ENGINE), "start", str(self.dir)], self.env, timeout=120).stdout.strip().splitlines()[-1]
        self.env["DOCKER_HOST"] = host
        self.env.pop("DOCKER_CONTEXT", None)
        TIMINGS["engine start"] = time.monotonic() - started
        started = time.monotonic()
        run([str(ENGINE), "base-images"], self.env, timeout=900)
        TIMINGS["base images"] = time.monotonic() - started
        return self

    def stop(self):
        run([str(ENGINE), "stop", str(self.dir)], self.env, check=False, timeout=180)

    def docker(self, *args, check=True, timeout=600):
        return run(["docker", *args], self.env, check=check, timeout=timeout)


@pytest.fixture(scope="session")
def engine():
    engine = Engine()
    try:
        yield engine.start()
    finally:
        engine.stop()
        print("\nDocker engine timings (s):", {name: round(value, 1) for name, value in TIMINGS.items()})


def self_signed_certificate(directory):
    directory.mkdir(parents=True, exist_ok=True)
    make_certificate(directory)
    os.chmod(directory / "privkey.pem", 0o644)  # read by nginx's master (root) only, in a read-only mount


def documented_env(example, **edits):
    """.env.example with only the edits docs/operations.md § 2 asks for."""
    lines = []
    for line in example.splitlines():
        name = line.split("=", 1)[0]
        if "=" in line and not line.startswith("#") and name in edits:
            line = f"{name}={edits.pop(name)}"
        lines.append(line)
    assert not edits, f"not in .env.example: {edits}"
    return "\n".join(lines) + "\n"


class Project:
    """A copy of the repository, as on the server in /srv/ocpizza, with its .env."""

    def __init__(self, engine, name):
        self.engine = engine
        self.dir = engine.dir / name
        files = subprocess.run(
            ["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.split("\n")
        for name_ in filter(None, files):
            source = ROOT / name_
            if source.is_file():
                target = self.dir / name_
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)
        self.http_port, self.https_port = free_port(), free_port()
        self.url = f"https://localhost:{self.https_port}"
        self.ca = str(self.dir / "certs/fullchain.pem")
        self_signed_certificate(self.dir / "certs")
        template = self.dir / "tests/docker/nginx-1.22.conf.template"
        template.write_text(nginx_before_1_25((self.dir / "docker/nginx/ocpizza.conf.template").read_text()))
        (self.dir / ".env").write_text(
            documented_env(
                (self.dir / ".env.example").read_text(),
                SECRET_KEY=secrets.token_hex(32),
                POSTGRES_PASSWORD=secrets.token_hex(32),
                SERVER_NAME="localhost",
                ALLOWED_HOSTS="localhost",
                CSRF_TRUSTED_ORIGINS=self.url,
                WAGTAILADMIN_BASE_URL=self.url,
                GUNICORN_WORKERS="2",
            )
        )
        os.chmod(self.dir / ".env", 0o600)
        # The stack's settings come from its .env only (compose gives the shell's variables precedence).
        inherited = {
            key: value
            for key, value in engine.env.items()
            if key not in ("DATABASE_URL", "REDIS_URL") and not key.startswith(("DJANGO_", "PAYPAL_", "POSTGRES_"))
        }
        self.env = dict(
            inherited,
            COMPOSE_PROJECT_NAME=name,
            TEST_HTTP_PORT=str(self.http_port),
            TEST_HTTPS_PORT=str(self.https_port),
            TEST_NGINX_TEMPLATE=str(template),
            COMPOSE_FILE="compose.yml:tests/docker/compose.test.yml",
        )

    def compose(self, *args, check=True, timeout=600, env=None):
        return run(
            ["docker", "compose", *args], dict(self.env, **(env or {})), check=check, timeout=timeout, cwd=self.dir
        )

    def deploy(self, check=True, env=None):
        try:
            return run(
                [str(self.dir / "docker/deploy.sh")],
                dict(self.env, **(env or {})),
                check=check,
                timeout=900,
                cwd=self.dir,
            )
        except AssertionError as error:
            logs = self.compose("logs", "--tail", "60", check=False).stdout[-6000:]
            raise AssertionError(f"{error}\n--- docker compose logs ---\n{logs}") from None

    def session(self):
        session = requests.Session()
        session.trust_env = False
        session.verify = self.ca
        return session

    def containers(self, service):
        return self.compose("ps", "-q", service).stdout.split()

    def inspect(self, container, template):
        return self.engine.docker("inspect", "-f", template, container).stdout.strip()

    def down(self):
        self.compose("--profile", "*", "down", "-v", "--remove-orphans", "-t", "5", check=False, timeout=180)


@pytest.fixture(scope="session")
def stack(engine):
    """The first deploy: `docker/deploy.sh` on a copy of the repository with its documented .env."""
    project = Project(engine, "ocpizza")
    try:
        started = time.monotonic()
        project.deploy()
        TIMINGS["first deploy"] = time.monotonic() - started
        yield project
    finally:
        project.down()
