"""The production compose stack in a real Docker engine: first deploy from
.env.example with only the documented edits, then what production relies on."""

import json
import re
import time

import pytest
import requests

pytestmark = pytest.mark.docker
DJANGO_SECURITY_HEADERS = ("Strict-Transport-Security", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options")


def services_state(stack):
    lines = stack.compose("ps", "-a", "--format", "json").stdout.splitlines()
    return {entry["Service"]: entry for entry in map(json.loads, filter(None, lines))}


def test_first_deploy_from_env_example_makes_every_service_healthy(stack):
    state = services_state(stack)
    for service in ("postgres", "redis", "web", "scheduler", "nginx"):
        assert state[service]["Health"] == "healthy", (service, state[service]["Status"])
    assert state["migrate"]["State"] == "exited" and state["migrate"]["ExitCode"] == 0
    ready = stack.session().get(f"{stack.url}/readyz")
    assert ready.status_code == 200 and ready.json()["ready"] is True


def test_pages_static_files_and_headers_through_nginx(stack):
    session = stack.session()
    login = session.get(f"{stack.url}/admin/login/")
    assert login.status_code == 200
    # Django's security headers, once each: nginx does not add its own on proxied responses.
    for header in DJANGO_SECURITY_HEADERS:
        assert header in login.headers and "," not in login.headers[header], (header, login.headers.get(header))
    assert login.headers["Server"] == "nginx"  # server_tokens off: no version
    css = re.search(r'href="(/static/[^"]+\.css)"', login.text).group(1)
    static = session.get(stack.url + css)
    assert static.status_code == 200 and "immutable" in static.headers["Cache-Control"]
    assert (
        static.headers["X-Content-Type-Options"] == "nosniff"
        and "max-age" in static.headers["Strict-Transport-Security"]
    )
    redirect = requests.get(f"http://localhost:{stack.http_port}/admin/", allow_redirects=False, timeout=5)
    assert redirect.status_code == 301 and redirect.headers["Location"] == "https://localhost/admin/"


def test_unknown_host_names_get_no_answer(stack):
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{stack.http_port}/", headers={"Host": "scanner.example"}, timeout=5)
    with pytest.raises(requests.exceptions.SSLError):  # TLS handshake refused for another name
        requests.get(f"https://127.0.0.1:{stack.https_port}/", verify=False, timeout=5)


def test_nginx_template_is_rendered_with_the_server_name_only(stack):
    config = stack.compose("exec", "-T", "nginx", "cat", "/etc/nginx/conf.d/default.conf").stdout
    assert "server_name localhost;" in config and "${SERVER_NAME}" not in config
    assert "return 301 https://$host$request_uri;" in config and "set $web_upstream http://web:8000;" in config


def test_networks_dns_names_and_isolation(stack):
    resolve = "import socket,sys; print(socket.gethostbyname(sys.argv[1]))"
    assert stack.compose("exec", "-T", "web", "python", "-c", resolve, "postgres").stdout.strip()
    assert stack.compose("exec", "-T", "web", "python", "-c", resolve, "redis").stdout.strip()
    # nginx is not on the data network: PostgreSQL and Redis are out of its reach.
    assert stack.compose("exec", "-T", "nginx", "getent", "hosts", "postgres", check=False).returncode != 0
    assert stack.compose("exec", "-T", "nginx", "getent", "hosts", "web").returncode == 0


def test_app_runs_as_non_root_and_owns_its_volumes(stack):
    assert stack.compose("exec", "-T", "web", "id", "-u").stdout.strip() == "10001"
    owners = stack.compose("exec", "-T", "web", "stat", "-c", "%u", "/app/var/media", "/app/var/static").stdout.split()
    assert owners == ["10001", "10001"]
    stack.compose("exec", "-T", "web", "touch", "/app/var/media/written-by-web")
    stack.compose("exec", "-T", "scheduler", "test", "-f", "/app/var/media/written-by-web")


def test_image_ships_neither_tests_nor_benchmarks_nor_the_fake_paypal(stack):
    listing = stack.compose("exec", "-T", "web", "ls", "/app").stdout.split()
    assert "tests" not in listing and "bench" not in listing and "devtools" not in listing and "manage.py" in listing
    # The fake PayPal, the demo and their commands are all in devtools/: none of them left anywhere else.
    for path in (
        "/app/devtools/fake_paypal.py",
        "/app/devtools/management/commands/fake_paypal.py",
        "/app/devtools/management/commands/load_demo.py",
    ):
        assert stack.compose("exec", "-T", "web", "test", "-e", path, check=False).returncode == 1, path
    found = stack.compose(
        "exec",
        "-T",
        "web",
        "find",
        "/app",
        "-name",
        "fake_paypal*",
        "-o",
        "-name",
        "load_demo*",
        "-o",
        "-name",
        "production_stack*",
    ).stdout.split()
    assert found == [], found
    # and nothing the site runs needs them
    stack.compose("exec", "-T", "web", "python", "manage.py", "check", "--deploy", "--fail-level", "ERROR")


def test_hardening_logging_and_memory_limits(stack):
    for service in ("web", "scheduler", "nginx", "postgres", "redis"):
        container = stack.containers(service)[0]
        config = json.loads(stack.engine.docker("inspect", container).stdout)[0]["HostConfig"]
        assert "no-new-privileges:true" in config["SecurityOpt"], service
        assert config["LogConfig"]["Config"] == {"max-size": "20m", "max-file": "5"}, service
        assert config["Memory"] > 0, service
    assert json.loads(stack.engine.docker("inspect", stack.containers("scheduler")[0]).stdout)[0]["HostConfig"]["Init"]


def test_scheduler_is_healthy_and_stops_at_once(stack):
    started = time.monotonic()
    stack.compose("stop", "-t", "25", "scheduler")
    assert time.monotonic() - started < 10
    container = stack.compose("ps", "-a", "-q", "scheduler").stdout.split()[0]
    assert stack.inspect(container, "{{.State.ExitCode}}") in ("0", "143")
    stack.compose("start", "scheduler")
    deadline = time.monotonic() + 90
    while stack.inspect(container, "{{.State.Health.Status}}") != "healthy":
        assert time.monotonic() < deadline, "the scheduler did not become healthy again"
        time.sleep(2)


def test_compose_pull_leaves_the_locally_built_image_alone(stack):
    result = stack.compose("pull", "--ignore-buildable", "web", "migrate", "scheduler", check=False)
    assert result.returncode == 0, result.stderr


def test_database_and_redis_urls_from_env_win(stack):
    env = stack.compose("exec", "-T", "web", "printenv", "DATABASE_URL", "REDIS_URL").stdout.split()
    assert (
        env[0].startswith("postgres://ocpizza:")
        and env[0].endswith("@postgres:5432/ocpizza")
        and env[1] == "redis://redis:6379/0"
    )
    managed = {
        "DATABASE_URL": "postgres://app:secret@db.example:25060/ocpizza?sslmode=require",
        "REDIS_URL": "rediss://default:secret@cache.example:25061/0",
        "COMPOSE_FILE": "compose.yml:compose.managed.yml:tests/docker/compose.test.yml",
    }
    config = json.loads(stack.compose("config", "--format", "json", env=managed).stdout)
    assert "postgres" not in config["services"] and "redis" not in config["services"]
    for service in ("web", "migrate", "scheduler"):
        assert config["services"][service]["environment"]["DATABASE_URL"] == managed["DATABASE_URL"]
        assert config["services"][service]["environment"]["REDIS_URL"] == managed["REDIS_URL"]


def test_logins_are_rate_limited(stack):
    session = stack.session()
    statuses = [session.get(f"{stack.url}/commande/compte/connexion/").status_code for _ in range(25)]
    assert statuses[0] == 200 and 429 in statuses, statuses


def test_renewed_certificate_is_served_after_certbots_deploy_hook(stack, tmp_path):
    import ssl

    from tests.docker.conftest import run, self_signed_certificate

    lineage = tmp_path / "live"
    self_signed_certificate(lineage)
    run(
        [str(stack.dir / "docker/certbot-deploy-hook.sh")], dict(stack.env, RENEWED_LINEAGE=str(lineage)), cwd=stack.dir
    )
    renewed = ssl.PEM_cert_to_DER_cert((lineage / "fullchain.pem").read_text())
    deadline = time.monotonic() + 15  # nginx's old workers finish their connections first
    while ssl.PEM_cert_to_DER_cert(ssl.get_server_certificate(("localhost", stack.https_port))) != renewed:
        assert time.monotonic() < deadline, "nginx still serves the previous certificate"
        time.sleep(0.5)
    assert stack.session().get(f"{stack.url}/readyz").status_code == 200
