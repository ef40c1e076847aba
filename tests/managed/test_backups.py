"""Off-site backups with restic (docker/backup/): to an S3-compatible server
started on loopback (moto), restored over a wiped or a newer database, and a
damaged repository that must leave the site as it is."""

import json
import subprocess
import time

import pytest

from devtools.production_stack import ROOT, Stack
from tests.managed.services import S3_KEYS, ObjectStore

pytestmark = pytest.mark.stack
BACKUP = str(ROOT / "docker/backup/backup.sh")
RESTORE = str(ROOT / "docker/backup/restore.sh")
ENV_SECRET = "SECRET_KEY=only-in-the-env-file-7f3a9c"


@pytest.fixture(scope="module")
def store():
    with ObjectStore() as running:
        running.create_bucket("ocpizza-backups")
        yield running


@pytest.fixture(scope="module")
def site():
    """A PostgreSQL with the demo content and its media (the images of the demo)."""
    stack = Stack()
    try:
        stack.start_postgres()
        stack.psql("CREATE DATABASE ocpizza")
        stack.start_redis()
        stack.manage("migrate_with_lock")
        stack.load_demo()
        (stack.dir / "config").mkdir()
        (stack.dir / "config/.env").write_text(ENV_SECRET + "\n")
        stack.make_certificate()
        yield stack
    finally:
        stack.stop()


def backup_env(site, store, repository):
    return {
        **site.env(),
        **S3_KEYS,
        "RESTIC_REPOSITORY": f"s3:{store.url}/ocpizza-backups/{repository}",
        "RESTIC_PASSWORD": "correct horse battery staple",
        "PGHOST": "127.0.0.1",
        "PGPORT": str(site.pg_port),
        "PGUSER": "postgres",
        "PGDATABASE": "ocpizza",
        "BACKUP_DIR": str(site.dir / "backups"),
        "MEDIA_DIR": str(site.dir / "media"),
        "ENV_FILE": str(site.dir / "config/.env"),
        "CERTS_DIR": str(site.dir / "certs"),
        "BACKUP_METRICS_DIR": str(site.dir / "metrics"),
        "BACKUP_CHECK_READ_DATA": "100%",
    }


def run(script, env, *args):
    return subprocess.run([script, *args], env=env, capture_output=True, text=True, timeout=300)


def restic(env, *args):
    return subprocess.run(["restic", *args], env=env, capture_output=True, text=True, timeout=120)


def database_content(site):
    """Every table of the public schema with a checksum of its rows."""
    tables = site.psql(
        "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public'", "ocpizza"
    ).split(",")
    checksums = site.psql(
        " UNION ALL ".join(
            f"SELECT '{table}' || ':' || count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM \"{table}\" t"
            for table in tables
        ),
        "ocpizza",
    )
    return dict(line.split(":", 1) for line in checksums.splitlines())


def media_content(site):
    media = site.dir / "media"
    return {str(path.relative_to(media)): path.read_bytes() for path in sorted(media.rglob("*")) if path.is_file()}


def change_the_content(site, tag):
    """A change after the backup, so that a restore has something to undo."""
    site.psql(f"UPDATE wagtailcore_page SET title = title || ' {tag}' WHERE depth = 3", "ocpizza")


def test_backup_wipe_restore_round_trip_to_s3(site, store):
    env = backup_env(site, store, "round-trip")
    database, media = database_content(site), media_content(site)
    assert len(database) > 50 and any(name.startswith("original_images/") for name in media)
    started = time.perf_counter()
    result = run(BACKUP, env)
    backup_seconds = time.perf_counter() - started
    assert result.returncode == 0, result.stderr

    # Off the server, encrypted: the bucket holds restic's repository, and no
    # object carries the .env's secret in clear; the wrong password opens nothing.
    keys = store.objects("ocpizza-backups", "round-trip/")
    assert any(key.startswith("round-trip/data/") for key in keys) and "round-trip/config" in keys
    client = store.client()
    assert not any(
        ENV_SECRET.encode() in client.get_object(Bucket="ocpizza-backups", Key=key)["Body"].read() for key in keys
    )
    assert restic({**env, "RESTIC_PASSWORD": "wrong"}, "snapshots").returncode != 0
    snapshot = restic(env, "ls", "latest").stdout
    for path in (
        site.dir / "backups/database/ocpizza.dump",
        site.dir / "config/.env",
        site.dir / "certs/fullchain.pem",
        next(site.dir.joinpath("media/original_images").iterdir()),
    ):
        assert str(path) in snapshot, path

    # The backup-age metric for node-exporter's textfile collector.
    metric = (site.dir / "metrics/ocpizza_backup.prom").read_text()
    stamp = next(
        line for line in metric.splitlines() if line.startswith("ocpizza_backup_last_success_timestamp_seconds ")
    )
    assert abs(int(stamp.split()[1]) - time.time()) < 120

    # The disaster: the database and the uploads are gone.
    site.psql("DROP SCHEMA public CASCADE; CREATE SCHEMA public;", "ocpizza")
    subprocess.run(["find", str(site.dir / "media"), "-mindepth", "1", "-delete"], check=True)
    (site.dir / "config/.env").unlink()

    started = time.perf_counter()
    result = run(RESTORE, env, "latest")
    restore_seconds = time.perf_counter() - started
    assert result.returncode == 0, result.stderr
    assert database_content(site) == database
    assert media_content(site) == media
    assert (site.dir / "backups/restored-config/.env").read_text() == ENV_SECRET + "\n"
    assert (site.dir / "backups/restored-config/certs/fullchain.pem").read_bytes() == (
        site.dir / "certs/fullchain.pem"
    ).read_bytes()
    (site.dir / "config/.env").write_text(ENV_SECRET + "\n")
    assert not list((site.dir / "media").glob(".restore-*"))  # no leftovers
    print(f"\nrestic round trip: backup {backup_seconds:.1f} s, restore {restore_seconds:.1f} s")


def test_retention_keeps_the_last_backups_and_the_repository_checks_clean(site, store):
    env = {
        **backup_env(site, store, "retention"),
        "BACKUP_KEEP_LAST": "2",
        "BACKUP_KEEP_DAILY": "1",
        "BACKUP_KEEP_WEEKLY": "1",
        "BACKUP_KEEP_MONTHLY": "1",
    }
    for tag in ("a", "b", "c"):
        change_the_content(site, tag)
        result = run(BACKUP, env)
        assert result.returncode == 0, result.stderr
    snapshots = json.loads(restic(env, "snapshots", "--json").stdout)
    assert len(snapshots) == 2, snapshots  # the host name is fixed, so one group for the retention
    assert {snapshot["hostname"] for snapshot in snapshots} == {"ocpizza"}
    assert restic(env, "check").returncode == 0


def test_rollback_restores_over_a_newer_schema(site, store):
    """The backup taken before an update, restored after the update's migration
    added a table with a foreign key to an existing one (pg_restore --clean
    aborted there)."""
    env = backup_env(site, store, "rollback")
    assert run(BACKUP, env).returncode == 0
    database, media = database_content(site), media_content(site)

    site.psql(
        """
        CREATE TABLE ordering_newer_feature (id bigserial PRIMARY KEY,
            page_id integer NOT NULL REFERENCES wagtailcore_page (id),
            order_id bigint REFERENCES ordering_order (id));
        INSERT INTO ordering_newer_feature (page_id) SELECT id FROM wagtailcore_page;
        ALTER TABLE wagtailcore_page ADD COLUMN newer_column text DEFAULT 'new';
    """,
        "ocpizza",
    )
    change_the_content(site, "after-update")
    (site.dir / "media/uploaded-after-update.txt").write_text("new")

    result = run(RESTORE, env, "latest")
    assert result.returncode == 0, result.stderr
    assert site.psql("SELECT to_regclass('public.ordering_newer_feature') IS NULL", "ocpizza") == "t"
    assert database_content(site) == database
    assert media_content(site) == media


def test_a_damaged_backup_leaves_the_database_and_media_untouched(site, store):
    env = backup_env(site, store, "damaged")
    assert run(BACKUP, env).returncode == 0
    # Every pack of the repository altered (bit rot, a tampered bucket).
    client = store.client()
    for key in store.objects("ocpizza-backups", "damaged/data/"):
        body = bytearray(client.get_object(Bucket="ocpizza-backups", Key=key)["Body"].read())
        body[len(body) // 2] ^= 0xFF
        client.put_object(Bucket="ocpizza-backups", Key=key, Body=bytes(body))
    change_the_content(site, "current")
    (site.dir / "media/current-upload.txt").write_text("keep me")
    database, media = database_content(site), media_content(site)

    result = run(RESTORE, env, "latest")
    assert result.returncode != 0
    assert database_content(site) == database
    assert media_content(site) == media
    assert not list((site.dir / "media").glob(".restore-*"))
    assert (
        run(BACKUP, {**env, "BACKUP_METRICS_DIR": str(site.dir / "metrics-damaged")}).returncode != 0
    )  # restic check fails
    assert not (site.dir / "metrics-damaged/ocpizza_backup.prom").exists()  # so the backup-age alert will fire
