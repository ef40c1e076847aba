import subprocess

import pytest

from devtools.production_stack import ROOT


@pytest.fixture(scope="session", autouse=True)
def restic_installed():
    """The backup tests run docker/backup/*.sh, which need restic (Debian's)."""
    subprocess.run([str(ROOT / "scripts/backup-deps.sh")], check=True)
