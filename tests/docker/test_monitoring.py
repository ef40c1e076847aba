"""The monitoring profile's Prometheus configuration and alert rules, checked by promtool."""

import shutil
import subprocess

from devtools.production_stack import ROOT

MONITORING = ROOT / "docker/monitoring"


def promtool(*args, cwd=MONITORING):
    result = subprocess.run(
        [shutil.which("promtool") or "/usr/bin/promtool", *args], cwd=cwd, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_alert_rules_and_prometheus_config_are_valid():
    assert "SUCCESS: 9 rules found" in promtool("check", "rules", "alerts.yml")
    promtool("check", "config", "prometheus.yml")


def test_alerts_fire_on_an_old_backup_a_5xx_rate_and_an_expiring_certificate(tmp_path):
    shutil.copy(MONITORING / "alerts.yml", tmp_path / "alerts.yml")
    shutil.copy(ROOT / "tests/docker/monitoring_rules_test.yml", tmp_path / "tests.yml")
    promtool("test", "rules", "tests.yml", cwd=tmp_path)
