"""docker/deploy.sh under load: an update with no failed request, and a failing
migration that stops the deploy with the running version still serving."""

import time

import pytest

from tests.docker.load import Load

pytestmark = pytest.mark.docker
FIGURES = {}


def new_version(stack):
    """A change of code, as a `git pull` brings: the image must be rebuilt."""
    with open(stack.dir / "site/wsgi.py", "a") as wsgi:
        wsgi.write(f"# release {time.time_ns()}\n")


def test_update_under_load_fails_no_request(stack):
    before = set(stack.containers("web"))
    new_version(stack)
    with Load(stack.url, stack.ca, paths=("/readyz", "/", "/commande/panier/")) as load:
        time.sleep(2)
        started = time.monotonic()
        stack.deploy()
        took = time.monotonic() - started
        time.sleep(3)
    FIGURES["update"] = f"{load.summary()}; deploy took {took:.0f} s"
    print("\nupdate under load:", FIGURES["update"])
    assert load.total > 200
    assert load.server_errors == 0 and not load.errors, (load.summary(), load.errors[:5])
    after = set(stack.containers("web"))
    assert len(after) == 1 and not after & before  # replaced, and the old one is gone


def test_failing_migration_stops_the_deploy_and_the_old_version_keeps_serving(stack):
    serving = stack.containers("web")
    latest = sorted(p.name for p in (stack.dir / "ordering/migrations").glob("0*.py"))[-1][:-3]
    broken = stack.dir / "ordering/migrations/9999_dockerops_broken.py"
    broken.write_text(
        "from django.db import migrations\n\n\n"
        f"class Migration(migrations.Migration):\n    dependencies = [('ordering', '{latest}')]\n"
        "    operations = [migrations.RunSQL('SELECT 1/0')]\n"
    )
    try:
        with Load(stack.url, stack.ca, paths=("/readyz", "/")) as load:
            result = stack.deploy(check=False)
            time.sleep(2)
    finally:
        broken.unlink()
    FIGURES["failed migration"] = load.summary()
    assert result.returncode != 0 and "migrations failed" in result.stdout
    assert stack.containers("web") == serving
    assert load.total > 50 and load.server_errors == 0 and not load.errors, load.summary()
    assert stack.session().get(f"{stack.url}/readyz").status_code == 200
    # The image tag points at the serving version again: a restart never starts the broken build.
    tag = stack.inspect(serving[0], "{{.Config.Image}}")
    assert stack.engine.docker("image", "inspect", "-f", "{{.Id}}", tag).stdout.strip() == stack.inspect(
        serving[0], "{{.Image}}"
    )
